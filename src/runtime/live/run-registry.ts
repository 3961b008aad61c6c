/**
 * What the editor knows about each training run: its checkpoint files and where each is in the
 * pipeline (settling → checking the cache → queued → running → done / error), the results, the
 * accuracy from its logs and its forecast. view-model.ts turns that into the dashboard's views.
 *
 * Results belong to the run, not to the files: a result stays when its file is later deleted
 * (Lightning's `save_top_k` removes early checkpoints, which are exactly the forecaster's input)
 * and when its file is later rewritten with something unreadable (the error is listed beside it).
 */
import type { Problem } from '../../engine/errors';
import * as path from 'node:path';
import { orderCheckpoints } from '../../engine/run/discover';
import type { CheckpointAnalysis } from '../../engine/analyze-checkpoint';
import type { Forecast } from '../../engine/forecast/types';
import type { AccuracyLog } from '../../engine/logs/run-accuracy';
import type { RunStatus } from '../../shared/dashboard-protocol';
import type { RunFacts } from '../run-facts';
import type { CacheKey } from './result-cache';
import type { FileStat } from './settle';

export interface CheckpointResult {
  file: string;
  key: CacheKey;
  analysis: CheckpointAnalysis;
  centrality: Float64Array;
  /** The file is gone; its result is kept. */
  deleted: boolean;
}

export type FilePhase = 'new' | 'settling' | 'checking' | 'queued' | 'running' | 'done' | 'error' | 'cancelled';

export type TrackOutcome = 'done' | 'error' | 'gone' | 'cancelled' | 'skipped';

export interface FileEntry {
  file: string;
  phase: FilePhase;
  /** Passed the format check (some reader claims it): only then does the run show. */
  confirmed: boolean;
  /** Size and mtime of the content analyzed, being analyzed or queued. */
  stat?: FileStat;
  key?: CacheKey;
  /** Pool job running or the queue position's identity. */
  taskId?: number;
  /** Last good result of this file (kept when a later version fails). */
  result?: CheckpointResult;
  error?: string;
  waiters: ((o: TrackOutcome) => void)[];
}

export class RunState {
  readonly sweep: string;
  readonly files = new Map<string, FileEntry>();
  /** Results of checkpoints deleted since they were analyzed. */
  readonly kept = new Map<string, CheckpointResult>();
  /** Folders holding this run's checkpoints (the run folder, its checkpoints/ folder, a Lightning version's). */
  readonly holders = new Set<string>();
  accuracy: AccuracyLog | null = null;
  finished = false;
  logErrors: Problem[] = [];
  /** Where the run stands (status, horizon, hyperparameters, divergence): null until its logs are read. */
  facts: RunFacts | null = null;
  /** How many times the run's logs and outcome were read. */
  factsRead = 0;
  /** The `factsRead` the current forecast was made after (0: before the logs were read). */
  forecastAfterFacts = 0;
  forecast: Forecast | null = null;
  forecastError: string | null = null;
  updatedAt = 0;
  private orderMemo: { key: string; ordered: (CheckpointResult & { order: number })[] } | undefined;

  constructor(readonly dir: string) {
    this.sweep = path.dirname(dir);
  }

  /** The run's name: its folder's, or as its framework's layout names it once read (run-facts.ts). */
  get name(): string {
    return this.facts?.name ?? path.basename(this.dir);
  }

  results(): CheckpointResult[] {
    const out: CheckpointResult[] = [];
    for (const e of this.files.values()) if (e.result) out.push(e.result);
    for (const r of this.kept.values()) if (!this.files.has(r.file)) out.push(r);
    return out;
  }

  /** Shown once some file is known to be a checkpoint or some result exists. */
  get visible(): boolean {
    if (this.kept.size > 0) return true;
    for (const e of this.files.values()) if (e.confirmed || e.result) return true;
    return false;
  }

  /**
   * Results on the run's progress axis (engine run/progress.ts: the epochs completed by each
   * framework's convention, from what each file stores, its name, else mtime), one per epoch:
   * when two files hold the same epoch (Lightning's last.ckpt beside epoch=3.ckpt) the one whose
   * file still exists wins, then the newer. Computed again only when the results change.
   */
  ordered(): (CheckpointResult & { order: number })[] {
    const results = this.results();
    const key = results.map((r) => `${r.file}\0${r.key.mtimeMs}\0${r.key.hash}\0${r.deleted}`).join('\n');
    if (this.orderMemo?.key !== key) this.orderMemo = { key, ordered: this.order(results) };
    return this.orderMemo.ordered;
  }

  private order(results: CheckpointResult[]): (CheckpointResult & { order: number })[] {
    const all = orderCheckpoints(results.map((r) => ({ path: r.file, epoch: r.analysis.epoch, metadata: r.analysis.metadata, r })));
    // A deleted checkpoint older than an existing one of an earlier epoch belongs to an earlier
    // attempt of the run (the folder was cleared and training restarted): it is not shown.
    const items = all.filter((it) => !it.r.deleted || !all.some((x) => !x.r.deleted && x.order < it.order && x.r.key.mtimeMs > it.r.key.mtimeMs));
    const byOrder = new Map<number, CheckpointResult & { order: number }>();
    for (const it of items) {
      const cur = byOrder.get(it.order);
      const better = !cur || (cur.deleted && !it.r.deleted) || (cur.deleted === it.r.deleted && it.r.key.mtimeMs > cur.key.mtimeMs);
      if (better) byOrder.set(it.order, { ...it.r, order: it.order });
    }
    return [...byOrder.values()].sort((a, b) => a.order - b.order);
  }

  /** Checkpoints that could not be analyzed (the run-facts job checks them for NaN/Inf). */
  failed(): string[] {
    return [...this.files.values()].filter((e) => e.phase === 'error').map((e) => e.file);
  }

  /** Problems to show: unreadable files (not those whose weights diverged: that is the run's divergence), logs, the forecast. */
  errors(): Problem[] {
    const out: Problem[] = [];
    const diverged = new Set(this.facts?.nonFinite.map((n) => n.path) ?? []);
    for (const e of this.files.values()) if (e.phase === 'error' && e.error && !diverged.has(e.file)) out.push({ path: e.file, message: e.result ? `${e.error} (its previous analysis is kept)` : e.error });
    out.push(...this.logErrors);
    if (this.forecastError) out.push({ path: this.dir, message: `forecast failed: ${this.forecastError}` });
    return out;
  }

  pending(): { file: string; phase: FilePhase }[] {
    return [...this.files.values()].filter((e) => e.confirmed && ['settling', 'checking', 'queued', 'running'].includes(e.phase)).map((e) => ({ file: e.file, phase: e.phase }));
  }

  status(): RunStatus {
    const phases = [...this.files.values()].filter((e) => e.confirmed).map((e) => e.phase);
    if (phases.some((p) => p === 'checking' || p === 'queued' || p === 'running')) return 'analyzing';
    const hasResults = this.results().length > 0;
    if (!hasResults && phases.includes('settling')) return 'waiting';
    if (!hasResults && phases.includes('error') && this.errors().length > 0) return 'error';
    return hasResults ? 'ready' : 'waiting';
  }
}
