/**
 * Where each checkpoint file is in the live pipeline, and the rules that move it on:
 *
 *   event ─▶ settling (size+mtime stable over two polls) ─▶ checking (a checkpoint? in the cache?)
 *         ─▶ queued ─▶ running (scheduler.ts, a worker) ─▶ stat again ─▶ done | error
 *
 * - A file is analyzed once per content: repeated events for content already analyzed, queued or
 *   running are dropped by comparing size and mtime; results are cached on disk (result-cache.ts).
 * - A file still being written is never taken as complete: a parse failure, or a result, for a
 *   file whose size or mtime moved during the job sends it back to settle; a parse failure on a
 *   file written moments before is tried again a few times before it stands as the file's error,
 *   and every earlier result is kept.
 * - A deleted checkpoint's result stays with its run (training scripts delete old checkpoints,
 *   which are the forecaster's input), also across a reopen (run-set.ts).
 */
import * as path from 'node:path';
import { isCandidate } from '../../engine/run/discover';
import { checkpointOf } from './run-of';
import { readStoredResult } from './stored-results';
import { isCheckpointFile } from '../../engine/readers/index';
import { errorMessage } from '../../engine/errors';
import type { CheckpointAnalysis } from '../../engine/analyze-checkpoint';
import { PoolCancelledError, PoolCrashError } from '../pool/worker-pool';
import { WorkerJobError, type AnalyzeReply } from '../worker-protocol';
import type { LiveContext } from './context';
import { sameStat } from './deps';
import type { AnalysisRecord } from './recorder';
import { contentHash, type CacheKey, type CachedResult } from './result-cache';
import type { FileEntry, RunState, TrackOutcome } from './run-registry';
import type { RunSet } from './run-set';
import type { RunUpdater } from './run-updater';
import type { AnalysisOutcome, Scheduler } from './scheduler';
import { FileSettler } from './settle';

/** How often a file that failed to parse right after being written gets another chance. */
const INCOMPLETE_RETRIES = 3;

/** The worker's error class for NaN/Inf met in the weights (engine errors.ts NumericError). */
const NUMERIC_ERROR = 'NumericError';

/** Phases with work under way, which cancel() stops. */
const PENDING = ['settling', 'checking', 'queued', 'running'];

export class FileTracker implements AnalysisOutcome {
  private readonly settler: FileSettler;
  /** Files that failed to parse right after being written, waiting for another try. */
  private readonly retryTimers = new Map<string, unknown>();
  /** Tries so far of those files. */
  private readonly incomplete = new Map<string, number>();

  constructor(
    private readonly ctx: LiveContext,
    private readonly runSet: RunSet,
    private readonly scheduler: Scheduler,
    private readonly updater: RunUpdater,
  ) {
    this.settler = new FileSettler(ctx.deps, ctx.o.settleMs ?? 500);
  }

  /** Something is settling or waiting for another try. */
  get busy(): boolean {
    return this.settler.count > 0 || this.retryTimers.size > 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  fileChanged(file: string): void {
    if (this.ctx.disposed) return;
    file = path.resolve(file);
    if (!isCandidate(file)) return;
    const checkpoint = checkpointOf(file);
    if (checkpoint !== null) this.checkpointChanged(checkpoint);
  }

  /** A checkpoint (a file, or a checkpoint-<step> folder one of whose weight files changed) may be new or changed. */
  private checkpointChanged(file: string): void {
    const run = this.runSet.runFor(this.ctx.runDirs.of(file), path.dirname(file));
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
        if (sameStat(this.ctx.deps.stat(file), e.stat)) return;
        this.scheduler.unqueue(e);
        break;
      case 'done':
      case 'error':
        if (sameStat(this.ctx.deps.stat(file), e.stat)) return; // the same content again (create + change for one write)
        break;
      default:
        break;
    }
    this.settle(e);
  }

  fileDeleted(file: string): void {
    file = path.resolve(file);
    const run = this.ctx.runOf(file);
    const e = run?.files.get(file);
    if (run && e) return this.remove(run, e, 'gone');
    // A weight file of a checkpoint folder: the folder is gone with its last weights, else changed.
    const folder = checkpointOf(file, () => false);
    if (folder !== null && folder !== file && this.ctx.entry(folder)) {
      if (this.ctx.deps.stat(folder) === null) this.fileDeleted(folder);
      else this.checkpointChanged(folder);
    }
  }

  pathDeleted(p: string): void {
    p = path.resolve(p);
    if (this.ctx.entry(p)) return this.fileDeleted(p);
    for (const run of [...this.ctx.runs.values()]) {
      const rel = path.relative(p, run.dir);
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
        for (const e of [...run.files.values()]) this.remove(run, e, 'gone');
        run.kept.clear();
        for (const h of run.holders) void this.ctx.o.cache?.dropRun(h).catch((err) => this.ctx.log(`cache: ${errorMessage(err)}`));
        this.runSet.dropIfEmpty(run);
        this.ctx.touch(run.dir);
      }
    }
    this.ctx.runDirs.forget(p);
  }

  track(file: string): Promise<TrackOutcome> {
    file = path.resolve(file);
    this.fileChanged(file);
    const e = this.ctx.entry(file);
    if (!e) return Promise.resolve('skipped');
    if (e.phase === 'done' || e.phase === 'error') return Promise.resolve(e.phase);
    return new Promise((r) => e.waiters.push(r));
  }

  cancel(file: string): void {
    file = path.resolve(file);
    const e = this.ctx.entry(file);
    if (!e || !PENDING.includes(e.phase)) return;
    this.stopWork(e);
    e.phase = e.result ? 'done' : 'cancelled';
    e.stat = e.result ? { size: e.result.key.size, mtimeMs: e.result.key.mtimeMs } : undefined;
    this.finish(e, 'cancelled');
    this.ctx.touch(this.ctx.runOf(file)?.dir ?? path.dirname(file));
  }

  recheckAll(): void {
    for (const run of this.ctx.runs.values()) {
      for (const e of [...run.files.values()]) {
        this.stopWork(e);
        e.phase = 'new';
        this.checkpointChanged(e.file);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Settle and check

  private settle(e: FileEntry): void {
    e.phase = 'settling';
    this.settler.settle(e.file, {
      stable: () => void this.check(e),
      gone: () => this.removeIfTracked(e),
    });
    this.ctx.touch(this.ctx.runOf(e.file)?.dir ?? path.dirname(e.file));
  }

  private removeIfTracked(e: FileEntry): void {
    const run = this.ctx.runOf(e.file);
    if (run && this.ctx.isTracked(e)) this.remove(run, e, 'gone');
  }

  /** Stable: is it a checkpoint at all, and was this content analyzed before? */
  private async check(e: FileEntry): Promise<void> {
    try {
      await this.lookUp(e);
    } finally {
      this.scheduler.pump(); // the run may have been waiting for this check
    }
  }

  private async lookUp(e: FileEntry): Promise<void> {
    const run = this.ctx.runOf(e.file);
    if (!run || !this.ctx.isTracked(e)) return;
    e.phase = 'checking';
    if (!isCheckpointFile(e.file)) {
      // Some other .bin/.json/.h5: not ours, silently.
      run.files.delete(e.file);
      this.finish(e, 'skipped');
      this.runSet.dropIfEmpty(run);
      return;
    }
    e.confirmed = true;
    this.ctx.touch(run.dir);
    let key: CacheKey;
    let cached: CachedResult | undefined;
    try {
      const { hash, stat } = await contentHash(e.file);
      key = { path: e.file, size: stat.size, mtimeMs: stat.mtimeMs, hash, engine: this.ctx.o.engineVersion, inputSize: this.ctx.o.settings().inputSize };
      cached = await this.ctx.o.cache?.get(key).catch(() => undefined);
    } catch {
      if (e.phase === 'checking') this.removeIfTracked(e); // unreadable now: gone
      return;
    }
    if (e.phase !== 'checking' || !this.ctx.isTracked(e)) return; // cancelled or deleted meanwhile
    if (!sameStat(this.ctx.deps.stat(e.file), key)) {
      this.settle(e); // written again while we looked
      return;
    }
    if (cached) {
      this.accept(run, e, key, cached.analysis, cached.centrality);
      return;
    }
    // Stored next to the run by `analyze --write` (a training job, a cluster array task): read, not analyzed.
    const stored = readStoredResult(e.file, key.inputSize);
    if (stored) {
      this.accept(run, e, key, stored, new Float64Array(0));
      return;
    }
    e.phase = 'queued';
    e.key = key;
    e.stat = { size: key.size, mtimeMs: key.mtimeMs };
    this.scheduler.enqueue(e);
  }

  private stopWork(e: FileEntry): void {
    this.settler.cancel(e.file);
    const retry = this.retryTimers.get(e.file);
    if (retry !== undefined) this.ctx.deps.clearTimer(retry);
    this.retryTimers.delete(e.file);
    this.scheduler.stop(e);
  }

  // ---------------------------------------------------------------------------------------------
  // Outcomes of analyses (AnalysisOutcome, called by the scheduler)

  answered(e: FileEntry, key: CacheKey, jobId: number, answer: AnalyzeReply | WorkerJobError, ms: number): void {
    if (e.taskId !== jobId) return; // superseded (cancelled, deleted)
    e.taskId = undefined;
    const run = this.ctx.runOf(e.file);
    if (!run || !this.ctx.isTracked(e)) return;
    const now = this.ctx.deps.stat(e.file);
    if (now === null) return this.remove(run, e, 'gone');
    if (!sameStat(now, key)) {
      // Written while we read it: a parse failure means "not complete yet", a result is stale.
      this.settle(e);
      return;
    }
    const record = { file: e.file, size: key.size, mtimeMs: key.mtimeMs, hash: key.hash, ms };
    if (!(answer instanceof WorkerJobError)) {
      this.ctx.recorder?.countResult(e.file);
      this.incomplete.delete(e.file);
      this.accept(run, e, key, answer.analysis, answer.centrality, { ...record, outcome: 'result' });
      return;
    }
    const message = answer.message;
    const tries = this.incomplete.get(e.file) ?? 0;
    const recentMs = this.ctx.o.recentWriteMs ?? 3000;
    // NaN/Inf weights were read whole: the run diverged (run-updater.ts reads it), the file is complete.
    const complete = answer.name === NUMERIC_ERROR;
    if (!complete && this.ctx.deps.now() - key.mtimeMs < recentMs && tries < INCOMPLETE_RETRIES) {
      // A writer that paused longer than a settle poll (a slow disk, a busy machine) leaves a file
      // that is stable for a moment yet incomplete: give it time before calling it broken.
      this.incomplete.set(e.file, tries + 1);
      this.ctx.recorder?.add({ ...record, outcome: 'incomplete', message });
      e.phase = 'settling';
      const t = this.ctx.deps.setTimer(() => {
        this.retryTimers.delete(e.file);
        if (e.phase === 'settling' && this.ctx.isTracked(e)) this.settle(e);
      }, recentMs);
      this.retryTimers.set(e.file, t);
      return;
    }
    this.incomplete.delete(e.file);
    this.ctx.recorder?.add({ ...record, outcome: 'error', message });
    this.fail(run, e, message);
  }

  failed(e: FileEntry, jobId: number, err: unknown): void {
    if (err instanceof PoolCancelledError || e.taskId !== jobId) return;
    e.taskId = undefined;
    const run = this.ctx.runOf(e.file);
    if (!run || !this.ctx.isTracked(e)) return;
    this.fail(run, e, err instanceof PoolCrashError ? err.message : `internal error: ${errorMessage(err)}`);
  }

  /**
   * The file's result, from the cache or (with `record`) from a worker: a fresh one is cached,
   * and recorded once it is in the cache, so a journal never lists a result a reopen would lack.
   */
  private accept(run: RunState, e: FileEntry, key: CacheKey, analysis: CheckpointAnalysis, centrality: Float64Array, record?: AnalysisRecord): void {
    e.phase = 'done';
    e.key = key;
    e.stat = { size: key.size, mtimeMs: key.mtimeMs };
    e.error = undefined;
    e.result = { file: e.file, key, analysis, centrality, deleted: false };
    run.kept.delete(e.file);
    run.updatedAt = this.ctx.deps.now();
    if (record) {
      const stored = this.ctx.o.cache?.put({ key, analysis, centrality }).catch((err) => this.ctx.log(`cache: ${errorMessage(err)}`)) ?? Promise.resolve();
      const recorder = this.ctx.recorder;
      if (recorder) void stored.then(() => recorder.add(record));
    }
    this.updater.resultsChanged(run);
    this.finish(e, 'done');
    this.ctx.touch(run.dir);
  }

  private fail(run: RunState, e: FileEntry, message: string): void {
    e.phase = 'error';
    e.error = message;
    run.updatedAt = this.ctx.deps.now();
    this.ctx.log(`${e.file}: ${message}`);
    this.updater.failuresChanged(run);
    this.finish(e, 'error');
    this.ctx.touch(run.dir);
  }

  private remove(run: RunState, e: FileEntry, outcome: TrackOutcome): void {
    this.stopWork(e);
    this.incomplete.delete(e.file);
    if (e.result) run.kept.set(e.file, { ...e.result, deleted: true });
    run.files.delete(e.file);
    e.phase = 'cancelled';
    this.finish(e, outcome);
    this.runSet.dropIfEmpty(run);
    this.ctx.touch(run.dir);
  }

  private finish(e: FileEntry, o: TrackOutcome): void {
    for (const w of e.waiters.splice(0)) w(o);
  }

  dispose(): void {
    this.settler.dispose();
    for (const t of this.retryTimers.values()) this.ctx.deps.clearTimer(t);
    this.retryTimers.clear();
    for (const run of this.ctx.runs.values()) for (const e of run.files.values()) this.finish(e, 'cancelled');
  }
}
