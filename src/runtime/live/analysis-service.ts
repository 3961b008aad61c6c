/**
 * The live analysis behind the editor, free of the editor API: file events in, per-run results,
 * forecasts and drawable graphs out.
 *
 *   event ─▶ settle (size+mtime stable over two polls) ─▶ format check ─▶ cache lookup
 *         ─▶ queue ─▶ worker (parse + graph + metrics) ─▶ stat again ─▶ result or error
 *
 * - A file is analyzed once per content: repeated events for content already analyzed, queued or
 *   running are dropped by comparing size and mtime; results are cached on disk (result-cache.ts).
 * - A file still being written is never taken as complete: a parse failure, or a result, for a
 *   file whose size or mtime moved during the job sends it back to settle; a parse failure on a
 *   file that did not move is that file's error, and every earlier result is kept.
 * - Scheduling: runs side by side (a run without a running job goes first), epochs in order within
 *   a run so each job can be warm-started from the nearest analyzed epoch's centrality.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCandidate, epochFromName } from '../../engine/run/discover';
import { isCheckpointFile } from '../../engine/readers/index';
import { errorMessage } from '../../engine/errors';
import { forecastRun, type ForecastInput } from '../../engine/forecast/index';
import type { Forecast } from '../../engine/forecast/types';
import type { CheckpointAnalysis } from '../../engine/analyze-checkpoint';
import type { DrawGraph, RunDetail, RunSummary } from '../../shared/dashboard-protocol';
import { PoolCancelledError, PoolCrashError, type PoolReply, type WorkerPool } from '../pool/worker-pool';
import { FileSettler, sameStat, type FileStat, type SettleDeps } from './settle';
import { contentHash, type CacheKey, type ResultCache } from './result-cache';
import { RunState, type FileEntry, type TrackOutcome, type CheckpointResult } from './run-registry';
import { runDetail, runSummary } from './view-model';

export interface ServiceSettings {
  inputSize: number | null;
  forecastEpochs: number;
  /** The user's own forecaster for a run, tried before the shipped one (analyze.ts findUserModel). */
  modelFile?: (runDir: string) => string | undefined;
}

/** One finished worker analysis (cache hits are not analyses): what the stress test audits. */
export interface AnalysisRecord {
  file: string;
  /** Size, mtime and content hash of the bytes analyzed. */
  size: number;
  mtimeMs: number;
  hash: string;
  /**
   * 'result' and 'error' are the file's outcome. 'incomplete': the file failed to parse and had
   * been modified moments before, so it is taken as still being written and settled again.
   */
  outcome: 'result' | 'error' | 'incomplete';
  message?: string;
  ms: number;
}

/** How often a file that failed to parse right after being written gets another chance. */
const INCOMPLETE_RETRIES = 3;
/** Records kept for analyses(): enough for a sweep, bounded for a long session. */
const MAX_RECORDS = 20_000;

export interface ServiceOptions {
  pool: WorkerPool;
  cache?: ResultCache;
  /** Part of every cache key: a new engine recomputes. */
  engineVersion: string;
  settings: () => ServiceSettings;
  settleMs?: number;
  /**
   * A file that fails to parse within this long of its last modification may still be being
   * written: it is tried again after this long (at most 3 times) before its error stands.
   */
  recentWriteMs?: number;
  /** Delay that gathers log changes before re-reading a run's logs. */
  accuracyDelayMs?: number;
  settleDeps?: SettleDeps;
  forecast?: (input: ForecastInput, opts: { epochs?: number; modelFile?: string }) => Forecast | null;
  log?: (line: string) => void;
}

const statOf = (file: string): FileStat | null => {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : null;
  } catch {
    return null;
  }
};

const realSettleDeps: SettleDeps = {
  stat: statOf,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class AnalysisService {
  private readonly runMap = new Map<string, RunState>();
  private readonly queue: FileEntry[] = [];
  private readonly runningByRun = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private readonly records: AnalysisRecord[] = [];
  private readonly recordListeners: ((r: AnalysisRecord) => void)[] = [];
  private readonly incomplete = new Map<string, number>();
  private readonly settler: FileSettler;
  private readonly listeners: ((runId?: string) => void)[] = [];
  private readonly accuracyTimers = new Map<string, NodeJS.Timeout>();
  /** Files that failed to parse moments after being written, waiting for another try. */
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly draws = new Map<string, Promise<DrawGraph>>();
  private inFlight = 0;
  private changed = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly o: ServiceOptions) {
    this.settler = new FileSettler(o.settleDeps ?? realSettleDeps, o.settleMs ?? 500);
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  runs(): RunSummary[] {
    return [...this.runMap.values()].filter((r) => r.visible).sort((a, b) => a.dir.localeCompare(b.dir)).map(runSummary);
  }

  detail(runId: string): RunDetail | undefined {
    const r = this.runMap.get(runId);
    return r?.visible ? runDetail(r) : undefined;
  }

  run(runId: string): RunState | undefined {
    return this.runMap.get(runId);
  }

  /** Files of a run not yet done, for "Analyzing ep 4…". */
  pending(runId: string): { file: string; phase: string; epoch: number | undefined }[] {
    return (this.runMap.get(runId)?.pending() ?? []).map((p) => ({ ...p, epoch: epochFromName(p.file) }));
  }

  /** Worker analyses of a file that gave its result (cache hits do not count): to prove none ran twice. */
  analyzedCount(file: string): number {
    return this.counts.get(path.resolve(file)) ?? 0;
  }

  /** Files being analyzed by a worker now. */
  running(): string[] {
    const out: string[] = [];
    for (const r of this.runMap.values()) for (const e of r.files.values()) if (e.phase === 'running') out.push(e.file);
    return out;
  }

  /** Finished worker analyses, oldest first (at most the last 20,000). */
  analyses(): AnalysisRecord[] {
    return this.records.slice();
  }

  /** Hears each finished analysis; a result is reported once it is in the disk cache. */
  onAnalysis(listener: (r: AnalysisRecord) => void): () => void {
    this.recordListeners.push(listener);
    return () => {
      const i = this.recordListeners.indexOf(listener);
      if (i >= 0) this.recordListeners.splice(i, 1);
    };
  }

  onChange(listener: (runId?: string) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  isBusy(): boolean {
    // A pending change notification counts too: once idle, the status bar already shows the end state.
    if (this.settler.count > 0 || this.inFlight > 0 || this.queue.length > 0 || this.accuracyTimers.size > 0 || this.retryTimers.size > 0 || this.flushTimer) return true;
    for (const r of this.runMap.values()) for (const e of r.files.values()) if (e.phase === 'checking' || e.phase === 'queued' || e.phase === 'running') return true;
    return false;
  }

  /** Resolves when nothing is settling, queued or running (file events not yet delivered aside). */
  async whenIdle(): Promise<void> {
    while (!this.disposed && this.isBusy()) await new Promise((r) => setTimeout(r, 25));
  }

  // ---------------------------------------------------------------------------------------------
  // File events

  /** A checkpoint may have been created or changed. */
  fileChanged(file: string): void {
    if (this.disposed) return;
    file = path.resolve(file);
    if (!isCandidate(file)) return;
    const run = this.runFor(path.dirname(file));
    let e = run.files.get(file);
    if (!e) {
      e = { file, phase: 'new', confirmed: false, waiters: [] };
      run.files.set(file, e);
    }
    switch (e.phase) {
      case 'settling':
      case 'checking':
        return; // already on its way; the checks after each step catch a newer write
      case 'running':
        return; // the stat comparison when the job ends catches a newer write
      case 'queued':
        if (sameStat(statOf(file), e.stat)) return;
        this.unqueue(e);
        break;
      case 'done':
      case 'error':
        if (sameStat(statOf(file), e.stat)) return; // the same content again (create + change for one write)
        break;
      default:
        break;
    }
    this.settle(e);
  }

  fileDeleted(file: string): void {
    file = path.resolve(file);
    const run = this.runMap.get(path.dirname(file));
    const e = run?.files.get(file);
    if (run && e) this.remove(run, e, 'gone');
  }

  /**
   * Something was deleted: a checkpoint (its pending work is dropped, its result kept), or a folder
   * holding runs (those runs go: the user removed them).
   */
  pathDeleted(p: string): void {
    p = path.resolve(p);
    if (this.runMap.get(path.dirname(p))?.files.has(p)) return this.fileDeleted(p);
    for (const run of [...this.runMap.values()]) {
      const rel = path.relative(p, run.dir);
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
        for (const e of [...run.files.values()]) this.remove(run, e, 'gone');
        run.kept.clear();
        void this.o.cache?.dropRun(run.dir).catch((err) => this.log(`cache: ${errorMessage(err)}`));
        this.dropIfEmpty(run);
        this.touch(run.dir);
      }
    }
  }

  /** Analyzes a file (if not done for its current content) and resolves with the outcome. */
  track(file: string): Promise<TrackOutcome> {
    file = path.resolve(file);
    this.fileChanged(file);
    const e = this.runMap.get(path.dirname(file))?.files.get(file);
    if (!e) return Promise.resolve('skipped');
    if (e.phase === 'done' || e.phase === 'error') return Promise.resolve(e.phase);
    return new Promise((r) => e.waiters.push(r));
  }

  /** Stops whatever is pending for a file; its earlier result stays. */
  cancel(file: string): void {
    file = path.resolve(file);
    const e = this.runMap.get(path.dirname(file))?.files.get(file);
    if (!e || !['settling', 'checking', 'queued', 'running'].includes(e.phase)) return;
    this.stopWork(e);
    e.phase = e.result ? 'done' : 'cancelled';
    e.stat = e.result ? { size: e.result.key.size, mtimeMs: e.result.key.mtimeMs } : undefined;
    this.finish(e, 'cancelled');
    this.touch(path.dirname(file));
  }

  /** Re-checks every known file (after a change of analysis options): the cache key decides. */
  recheckAll(): void {
    for (const run of this.runMap.values()) {
      for (const e of [...run.files.values()]) {
        this.stopWork(e);
        e.phase = 'new';
        this.fileChanged(e.file);
      }
    }
  }

  /** Recomputes every run's forecast (after a change of forecast settings or of the model). */
  refreshForecasts(): void {
    for (const run of this.runMap.values()) {
      this.forecast(run);
      this.touch(run.dir);
    }
  }

  /** A training log was written: re-read the logs of the runs it may belong to. */
  logChanged(file: string): void {
    file = path.resolve(file);
    for (const run of this.runMap.values()) {
      // The logs read for a run (worker.ts, as analyze.ts runAccuracy): in its folder down to
      // lightning_logs/version_N/, else right in its parent (Lightning keeps checkpoints a level down).
      const rel = path.relative(run.dir, file);
      const inside = !rel.startsWith('..') && !path.isAbsolute(rel) && rel.split(path.sep).length <= 3;
      if (inside || path.dirname(file) === run.sweep) this.scheduleAccuracy(run);
    }
  }

  /** Reads a run's logs now (or soon). */
  refreshAccuracy(runId: string): void {
    const run = this.runMap.get(runId);
    if (run) this.scheduleAccuracy(run, 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Drawable graphs

  /** The thinned graph of one epoch of a run: memory, then disk cache, then an urgent worker job. */
  graph(runId: string, epoch: number, maxEdges: number): Promise<DrawGraph> {
    const run = this.runMap.get(runId);
    if (!run) return Promise.reject(new Error(`no run ${runId}`));
    const c = run.ordered().find((x) => x.order === epoch);
    if (!c) return Promise.reject(new Error(`run ${run.name} has no analyzed checkpoint for epoch ${epoch}`));
    const budget = Math.max(1, Math.min(200_000, Math.floor(maxEdges)));
    const memoKey = `${c.file}|${c.key.size}|${c.key.mtimeMs}|${c.key.hash}|${budget}`;
    const hit = this.draws.get(memoKey);
    if (hit) return hit;
    const p = this.computeDraw(c, budget);
    this.draws.set(memoKey, p);
    p.catch(() => this.draws.delete(memoKey));
    // A small memo: graphs are recomputed quickly from the disk cache or a warm-started worker.
    if (this.draws.size > 24) this.draws.delete(this.draws.keys().next().value as string);
    return p;
  }

  private async computeDraw(c: CheckpointResult, budget: number): Promise<DrawGraph> {
    const cached = await this.o.cache?.getDraw(c.key, budget).catch(() => undefined);
    if (cached) return cached;
    if (c.deleted || !sameStat(statOf(c.file), c.key)) {
      throw new Error(`${c.file}: the checkpoint was ${c.deleted ? 'deleted' : 'rewritten'} since it was analyzed, so its graph can no longer be drawn`);
    }
    const reply = await this.submit(
      c.file,
      (jobId) => {
        const ws = c.centrality.slice(); // its own centrality: the solver converges at once
        return { msg: { type: 'analyze', job: { jobId, file: c.file, inputSize: c.key.inputSize ?? undefined, warmStart: ws, drawMaxEdges: budget } }, transfer: [ws.buffer] };
      },
      true,
    );
    if (reply.type === 'error') throw new Error(`${reply.file}: ${reply.message}`);
    if (reply.type !== 'result' || !reply.draw) throw new Error(`${c.file}: the worker returned no graph`);
    void this.o.cache?.putDraw(c.key, budget, reply.draw).catch((e) => this.log(`cache: ${errorMessage(e)}`));
    return reply.draw;
  }

  // ---------------------------------------------------------------------------------------------
  // Pipeline

  private runFor(dir: string): RunState {
    let run = this.runMap.get(dir);
    if (!run) {
      run = new RunState(dir);
      this.runMap.set(dir, run);
      void this.restoreDeleted(run);
    }
    return run;
  }

  /** Results cached for checkpoints of this run that no longer exist (deleted by the training script). */
  private async restoreDeleted(run: RunState): Promise<void> {
    if (!this.o.cache) return;
    this.inFlight++;
    try {
      const engine = this.o.engineVersion;
      for (const c of await this.o.cache.listRun(run.dir)) {
        if (c.key.engine !== engine || run.files.has(c.key.path) || fs.existsSync(c.key.path)) continue;
        run.kept.set(c.key.path, { file: c.key.path, key: c.key, analysis: c.analysis, centrality: c.centrality, deleted: true });
      }
      if (run.kept.size) {
        this.forecast(run);
        this.scheduleAccuracy(run);
        this.touch(run.dir);
      }
    } catch (e) {
      this.log(`cache: ${errorMessage(e)}`);
    } finally {
      this.inFlight--;
    }
  }

  private settle(e: FileEntry): void {
    e.phase = 'settling';
    this.settler.settle(e.file, {
      stable: () => void this.check(e),
      gone: () => this.removeIfTracked(e),
    });
    this.touch(path.dirname(e.file));
  }

  private removeIfTracked(e: FileEntry): void {
    const run = this.runMap.get(path.dirname(e.file));
    if (run?.files.get(e.file) === e) this.remove(run, e, 'gone');
  }

  /** Stable: is it a checkpoint at all, and was this content analyzed before? */
  private async check(e: FileEntry): Promise<void> {
    try {
      await this.lookUp(e);
    } finally {
      this.pump(); // the run may have been waiting for this check
    }
  }

  private async lookUp(e: FileEntry): Promise<void> {
    const run = this.runMap.get(path.dirname(e.file));
    if (!run || run.files.get(e.file) !== e) return;
    e.phase = 'checking';
    if (!isCheckpointFile(e.file)) {
      // Some other .bin/.json/.h5: not ours, silently.
      run.files.delete(e.file);
      this.finish(e, 'skipped');
      this.dropIfEmpty(run);
      return;
    }
    e.confirmed = true;
    this.touch(run.dir);
    let key: CacheKey;
    let cached: Awaited<ReturnType<ResultCache['get']>>;
    try {
      const { hash, stat } = await contentHash(e.file);
      const s = this.o.settings();
      key = { path: e.file, size: stat.size, mtimeMs: stat.mtimeMs, hash, engine: this.o.engineVersion, inputSize: s.inputSize };
      cached = await this.o.cache?.get(key).catch(() => undefined);
    } catch {
      if (e.phase === 'checking') this.removeIfTracked(e); // unreadable now: gone
      return;
    }
    if (e.phase !== 'checking' || run.files.get(e.file) !== e) return; // cancelled or deleted meanwhile
    if (!sameStat(statOf(e.file), key)) {
      this.settle(e); // written again while we looked
      return;
    }
    if (cached) {
      this.accept(run, e, key, cached.analysis, cached.centrality, false);
      return;
    }
    e.phase = 'queued';
    e.key = key;
    e.stat = { size: key.size, mtimeMs: key.mtimeMs };
    this.queue.push(e);
  }

  private unqueue(e: FileEntry): void {
    const i = this.queue.indexOf(e);
    if (i >= 0) this.queue.splice(i, 1);
  }

  private stopWork(e: FileEntry): void {
    this.settler.cancel(e.file);
    const retry = this.retryTimers.get(e.file);
    if (retry) clearTimeout(retry);
    this.retryTimers.delete(e.file);
    this.unqueue(e);
    if (e.phase === 'running' && e.taskId !== undefined) this.o.pool.cancel(e.taskId);
    e.taskId = undefined;
  }

  /**
   * Next analysis: a run with nothing running first (runs side by side), its earliest epoch (so
   * warm starts follow training). A run whose files are still being looked up in the cache waits
   * for them (milliseconds), so a folder found at once is taken in epoch order.
   */
  private pick(): FileEntry | undefined {
    if (this.queue.length === 0) return undefined;
    const checking = new Set<string>();
    for (const r of this.runMap.values()) for (const e of r.files.values()) if (e.phase === 'checking') checking.add(r.dir);
    const ready = this.queue.filter((e) => !checking.has(path.dirname(e.file)));
    const idleRun = ready.find((e) => (this.runningByRun.get(path.dirname(e.file)) ?? 0) === 0);
    // Every ready run is busy: rather wait for a run still being checked than stack up one run.
    const head = idleRun ?? (checking.size > 0 ? undefined : ready[0]);
    if (!head) return undefined;
    const dir = path.dirname(head.file);
    const ep = (e: FileEntry) => epochFromName(e.file) ?? Number.MAX_SAFE_INTEGER;
    const next = ready.filter((e) => path.dirname(e.file) === dir).reduce((a, b) => (ep(b) < ep(a) ? b : a));
    this.unqueue(next);
    return next;
  }

  private pump(): void {
    while (!this.disposed && this.o.pool.free > 0) {
      const e = this.pick();
      if (!e) break;
      this.dispatch(e);
    }
  }

  /** Centrality of the run's analyzed checkpoint nearest in epoch: consecutive epochs differ little. */
  private warmStart(e: FileEntry): Float64Array | undefined {
    const run = this.runMap.get(path.dirname(e.file));
    const results = run?.results().filter((r) => r.file !== e.file) ?? [];
    if (results.length === 0) return undefined;
    const target = epochFromName(e.file);
    const dist = (r: CheckpointResult) => {
      const ep = r.analysis.epoch ?? epochFromName(r.file);
      return target === undefined || ep === undefined ? Number.MAX_SAFE_INTEGER - r.key.mtimeMs / 1e6 : Math.abs(ep - target) + (ep > target ? 0.5 : 0);
    };
    return results.reduce((a, b) => (dist(b) < dist(a) ? b : a)).centrality;
  }

  private dispatch(e: FileEntry): void {
    const dir = path.dirname(e.file);
    const key = e.key!;
    e.phase = 'running';
    const warm = this.warmStart(e);
    const inputSize = key.inputSize ?? undefined;
    this.runningByRun.set(dir, (this.runningByRun.get(dir) ?? 0) + 1);
    const started = Date.now();
    const task = this.o.pool.submit(e.file, (jobId) => {
      const ws = warm?.slice(); // a copy per attempt: the transfer detaches it
      return { msg: { type: 'analyze', job: { jobId, file: e.file, inputSize, warmStart: ws } }, transfer: ws ? [ws.buffer] : [] };
    });
    e.taskId = task.jobId;
    this.inFlight++;
    task.promise
      .then(
        (reply) => this.onReply(e, key, task.jobId, reply, Date.now() - started),
        (err) => this.onFail(e, task.jobId, err),
      )
      .catch((err) => this.log(`internal: ${errorMessage(err)}`))
      .finally(() => {
        this.inFlight--;
        this.runningByRun.set(dir, (this.runningByRun.get(dir) ?? 1) - 1);
        this.pump();
      });
    this.touch(dir);
  }

  private onReply(e: FileEntry, key: CacheKey, jobId: number, reply: PoolReply, ms: number): void {
    if (e.taskId !== jobId) return; // superseded (cancelled, deleted)
    e.taskId = undefined;
    const run = this.runMap.get(path.dirname(e.file));
    if (!run || run.files.get(e.file) !== e) return;
    const now = statOf(e.file);
    if (now === null) return this.remove(run, e, 'gone');
    if (!sameStat(now, key)) {
      // Written while we read it: a parse failure means "not complete yet", a result is stale.
      this.settle(e);
      return;
    }
    const record = { file: e.file, size: key.size, mtimeMs: key.mtimeMs, hash: key.hash, ms };
    if (reply.type === 'result') {
      this.counts.set(e.file, (this.counts.get(e.file) ?? 0) + 1);
      this.incomplete.delete(e.file);
      this.accept(run, e, key, reply.analysis, reply.centrality, true, { ...record, outcome: 'result' });
      return;
    }
    const message = reply.type === 'error' ? reply.message : `internal error: the worker answered '${reply.type}' to an analysis`;
    const tries = this.incomplete.get(e.file) ?? 0;
    const recentMs = this.o.recentWriteMs ?? 3000;
    if (reply.type === 'error' && Date.now() - key.mtimeMs < recentMs && tries < INCOMPLETE_RETRIES) {
      // A writer that paused longer than a settle poll (a slow disk, a busy machine) leaves a file
      // that is stable for a moment yet incomplete: give it time before calling it broken.
      this.incomplete.set(e.file, tries + 1);
      this.addRecord({ ...record, outcome: 'incomplete', message });
      e.phase = 'settling';
      const t = setTimeout(() => {
        this.retryTimers.delete(e.file);
        if (e.phase === 'settling' && run.files.get(e.file) === e) this.settle(e);
      }, recentMs);
      this.retryTimers.set(e.file, t);
      return;
    }
    this.incomplete.delete(e.file);
    this.addRecord({ ...record, outcome: 'error', message });
    this.fail(run, e, message);
  }

  private addRecord(r: AnalysisRecord): void {
    this.records.push(r);
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
    for (const l of this.recordListeners) {
      try {
        l(r);
      } catch (err) {
        this.log(`listener: ${errorMessage(err)}`);
      }
    }
  }

  private onFail(e: FileEntry, jobId: number, err: unknown): void {
    if (err instanceof PoolCancelledError || e.taskId !== jobId) return;
    e.taskId = undefined;
    const run = this.runMap.get(path.dirname(e.file));
    if (!run || run.files.get(e.file) !== e) return;
    this.fail(run, e, err instanceof PoolCrashError ? err.message : `internal error: ${errorMessage(err)}`);
  }

  private accept(run: RunState, e: FileEntry, key: CacheKey, analysis: CheckpointAnalysis, centrality: Float64Array, fresh: boolean, record?: AnalysisRecord): void {
    e.phase = 'done';
    e.key = key;
    e.stat = { size: key.size, mtimeMs: key.mtimeMs };
    e.error = undefined;
    e.result = { file: e.file, key, analysis, centrality, deleted: false };
    run.kept.delete(e.file);
    run.updatedAt = Date.now();
    if (fresh) {
      const stored = this.o.cache?.put({ key, analysis, centrality }).catch((err) => this.log(`cache: ${errorMessage(err)}`)) ?? Promise.resolve();
      if (record) void stored.then(() => this.addRecord(record));
    }
    this.forecast(run);
    this.scheduleAccuracy(run);
    this.finish(e, 'done');
    this.touch(run.dir);
  }

  private fail(run: RunState, e: FileEntry, message: string): void {
    e.phase = 'error';
    e.error = message;
    run.updatedAt = Date.now();
    this.log(`${e.file}: ${message}`);
    this.finish(e, 'error');
    this.touch(run.dir);
  }

  private remove(run: RunState, e: FileEntry, outcome: TrackOutcome): void {
    this.stopWork(e);
    this.incomplete.delete(e.file);
    if (e.result) run.kept.set(e.file, { ...e.result, deleted: true });
    run.files.delete(e.file);
    e.phase = 'cancelled';
    this.finish(e, outcome);
    this.dropIfEmpty(run);
    this.touch(run.dir);
  }

  private dropIfEmpty(run: RunState): void {
    if (run.files.size === 0 && run.kept.size === 0) {
      this.runMap.delete(run.dir);
      const t = this.accuracyTimers.get(run.dir);
      if (t) clearTimeout(t);
      this.accuracyTimers.delete(run.dir);
    }
  }

  private finish(e: FileEntry, o: TrackOutcome): void {
    for (const w of e.waiters.splice(0)) w(o);
  }

  // ---------------------------------------------------------------------------------------------
  // Accuracy and forecast

  private scheduleAccuracy(run: RunState, delay = this.o.accuracyDelayMs ?? 1000): void {
    const old = this.accuracyTimers.get(run.dir);
    if (old) clearTimeout(old);
    const t = setTimeout(() => {
      this.accuracyTimers.delete(run.dir);
      void this.readAccuracy(run);
    }, delay);
    this.accuracyTimers.set(run.dir, t);
  }

  private async readAccuracy(run: RunState): Promise<void> {
    try {
      const reply = await this.submit(run.dir, (jobId) => ({ msg: { type: 'accuracy', job: { jobId, runDir: run.dir } } }));
      if (this.runMap.get(run.dir) !== run) return;
      if (reply.type === 'accuracy') {
        run.accuracy = reply.accuracy;
        run.finished = reply.finished;
        run.logErrors = reply.errors;
      } else if (reply.type === 'error') {
        run.logErrors = [{ path: reply.file, message: reply.message }];
      }
      this.forecast(run);
      this.touch(run.dir);
    } catch (e) {
      if (!(e instanceof PoolCancelledError)) this.log(`${run.dir}: reading logs failed: ${errorMessage(e)}`);
    }
  }

  private forecast(run: RunState): void {
    const s = this.o.settings();
    const ordered = run.ordered();
    try {
      run.forecastError = null;
      run.forecast =
        ordered.length === 0
          ? null
          : (this.o.forecast ?? forecastRun)(
              {
                checkpoints: ordered.map((c) => ({ epoch: c.order, analysis: c.analysis })),
                valAcc: run.accuracy ? run.accuracy.points.map((p) => ({ epoch: p.epoch, value: p.value })) : null,
              },
              { epochs: s.forecastEpochs, modelFile: s.modelFile?.(run.dir) },
            );
    } catch (e) {
      run.forecast = null;
      run.forecastError = errorMessage(e);
    }
  }

  /** A pool job outside the analysis queue (logs, drawing, training), counted for whenIdle. */
  submitTask(file: string, make: Parameters<WorkerPool['submit']>[1], urgent = false): { jobId: number; promise: Promise<PoolReply> } {
    this.inFlight++;
    const task = this.o.pool.submit(file, make, { urgent });
    const promise = task.promise.finally(() => {
      this.inFlight--;
      this.pump();
    });
    return { jobId: task.jobId, promise };
  }

  cancelTask(jobId: number): void {
    this.o.pool.cancel(jobId);
  }

  private submit(file: string, make: Parameters<WorkerPool['submit']>[1], urgent = false): Promise<PoolReply> {
    return this.submitTask(file, make, urgent).promise;
  }

  /** Forgets drawn graphs held in memory (the disk cache was cleared). */
  clearMemo(): void {
    this.draws.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // Change notification

  /** Marks a run changed; listeners hear once per burst (a folder of 100 cached files is one update). */
  private touch(runId: string): void {
    this.changed.add(runId);
    if (this.flushTimer || this.disposed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const ids = [...this.changed];
      this.changed.clear();
      const arg = ids.length === 1 ? ids[0] : undefined;
      for (const l of this.listeners) {
        try {
          l(arg);
        } catch (err) {
          this.log(`listener: ${errorMessage(err)}`);
        }
      }
    }, 30);
  }

  private log(line: string): void {
    this.o.log?.(line);
  }

  dispose(): void {
    this.disposed = true;
    this.settler.dispose();
    for (const t of [...this.accuracyTimers.values(), ...this.retryTimers.values()]) clearTimeout(t);
    this.accuracyTimers.clear();
    this.retryTimers.clear();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const run of this.runMap.values()) for (const e of run.files.values()) this.finish(e, 'cancelled');
  }
}
