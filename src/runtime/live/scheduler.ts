/**
 * Which queued checkpoint a free worker analyzes next, and handing it over.
 *
 * - Runs side by side: a run with nothing running goes first, so a sweep shows progress on every
 *   run instead of finishing one run before starting the next.
 * - Epochs in order within a run, each job warm-started by the engine's rule (run-plan.ts
 *   `warmStartFor`): the eigen-solve starts from the nearest analyzed epoch's centrality, so
 *   following training, it converges in a few steps.
 * - A run whose files are still being looked up in the cache waits for them (milliseconds), so a
 *   folder found at once is taken in epoch order rather than in the order its events came.
 *
 * What a job's answer means for its file is the file tracker's business (AnalysisOutcome).
 */
import * as path from 'node:path';
import { epochFromName } from '../../engine/run/discover';
import { errorMessage } from '../../engine/errors';
import { hfCheckpointStep } from '../../engine/run/layout';
import { warmStartFor } from '../../engine/run/run-plan';
import { WorkerJobError, analyzeRequest, type AnalyzeReply } from '../worker-protocol';
import type { LiveContext } from './context';
import type { CacheKey } from './result-cache';
import type { FileEntry } from './run-registry';

export interface AnalysisOutcome {
  /** The worker answered: the file's result, or why it could not be analyzed. */
  answered(e: FileEntry, key: CacheKey, jobId: number, answer: AnalyzeReply | WorkerJobError, ms: number): void;
  /** No answer: the job crashed its worker on every attempt, was cancelled, or went wrong here. */
  failed(e: FileEntry, jobId: number, err: unknown): void;
}

export class Scheduler {
  private readonly queue: FileEntry[] = [];
  private readonly runningByRun = new Map<string, number>();

  constructor(
    private readonly ctx: LiveContext,
    private readonly outcome: AnalysisOutcome,
  ) {}

  /** Files waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  enqueue(e: FileEntry): void {
    this.queue.push(e);
  }

  unqueue(e: FileEntry): void {
    const i = this.queue.indexOf(e);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Takes the file out of the queue, or ends its running job (the worker with it). */
  stop(e: FileEntry): void {
    this.unqueue(e);
    if (e.phase === 'running' && e.taskId !== undefined) this.ctx.o.pool.cancel(e.taskId);
    e.taskId = undefined;
  }

  /** Hands queued files to free workers. */
  pump(): void {
    while (!this.ctx.disposed && this.ctx.o.pool.free > 0) {
      const e = this.pick();
      if (!e) break;
      this.dispatch(e);
    }
  }

  /** The run folder a queued file belongs to. */
  private runDir(e: FileEntry): string {
    return this.ctx.runOf(e.file)?.dir ?? path.dirname(e.file);
  }

  private pick(): FileEntry | undefined {
    if (this.queue.length === 0) return undefined;
    const checking = new Set<string>();
    for (const r of this.ctx.runs.values()) for (const e of r.files.values()) if (e.phase === 'checking') checking.add(r.dir);
    const ready = this.queue.filter((e) => !checking.has(this.runDir(e)));
    const idleRun = ready.find((e) => (this.runningByRun.get(this.runDir(e)) ?? 0) === 0);
    // Every ready run is busy: rather wait for a run still being checked than stack up one run.
    const head = idleRun ?? (checking.size > 0 ? undefined : ready[0]);
    if (!head) return undefined;
    const dir = this.runDir(head);
    const ep = (e: FileEntry) => epochFromName(e.file) ?? hfCheckpointStep(e.file) ?? Number.MAX_SAFE_INTEGER;
    const next = ready.filter((e) => this.runDir(e) === dir).reduce((a, b) => (ep(b) < ep(a) ? b : a));
    this.unqueue(next);
    return next;
  }

  /**
   * The warm start for a file: the run's results (deleted checkpoints' included) oldest file first,
   * as the rule wants them, each at its stored epoch or the one in its name.
   */
  private warmStart(e: FileEntry): Float64Array | undefined {
    const results = this.ctx.runOf(e.file)?.results().filter((r) => r.file !== e.file) ?? [];
    const done = results
      .sort((a, b) => a.key.mtimeMs - b.key.mtimeMs)
      .map((r) => ({ order: r.analysis.epoch ?? epochFromName(r.file), centrality: r.centrality }));
    return warmStartFor(epochFromName(e.file), done);
  }

  private dispatch(e: FileEntry): void {
    const dir = this.runDir(e);
    const key = e.key!;
    e.phase = 'running';
    const warm = this.warmStart(e);
    const inputSize = key.inputSize ?? undefined;
    this.runningByRun.set(dir, (this.runningByRun.get(dir) ?? 0) + 1);
    const { deps } = this.ctx;
    const started = deps.now();
    const task = this.ctx.o.pool.submit('analyze', e.file, () => analyzeRequest(e.file, { inputSize, warmStart: warm }));
    e.taskId = task.jobId;
    this.ctx.begin();
    task.promise
      .then(
        (reply) => this.outcome.answered(e, key, task.jobId, reply, deps.now() - started),
        (err) => (err instanceof WorkerJobError ? this.outcome.answered(e, key, task.jobId, err, deps.now() - started) : this.outcome.failed(e, task.jobId, err)),
      )
      .catch((err) => this.ctx.log(`internal: ${errorMessage(err)}`))
      .finally(() => {
        // Before the next pick: this run has a worker free again, and the answer is in its results.
        this.ctx.end();
        this.runningByRun.set(dir, (this.runningByRun.get(dir) ?? 1) - 1);
        this.pump();
      });
    this.ctx.touch(dir);
  }
}
