/**
 * The live analysis behind the editor, free of the editor API: file events in, per-run results,
 * forecasts and drawable graphs out. This is the one object the extension and the tests hold; the
 * work is done by its parts, which share a LiveContext (clock, file system, runs):
 *
 * - file-tracker.ts  each file's way from event to result (settle, cache, retries, deletions)
 * - run-set.ts       runs coming and going, results of deleted checkpoints restored from the cache
 * - scheduler.ts     which queued file a free worker takes next, warm-started
 * - run-of.ts        which run a checkpoint belongs to (framework layouts, Hugging Face folders)
 * - run-updater.ts   each run's outcome (status, horizon, divergence) and forecast, as worker jobs
 * - facts-view.ts    the run facts and the sweep's stopping advice for the dashboard's views
 * - drawing.ts       drawable graphs: memo, disk cache, urgent worker job
 * - recorder.ts      the journal of analyses, only when a test asks for it
 */
import { epochFromName } from '../../engine/run/discover';
import type { ThinGraph } from '../../engine/graph/thin';
import type { RunDetail, RunSummary } from '../../shared/dashboard-protocol';
import type { MakeRequest, PoolTask } from '../pool/worker-pool';
import type { ReplyOf, RequestType } from '../worker-protocol';
import { LiveContext, type ServiceOptions } from './context';
import { DrawingService } from './drawing';
import { FileTracker } from './file-tracker';
import { AnalysisRecorder } from './recorder';
import type { RunState, TrackOutcome } from './run-registry';
import { RunSet } from './run-set';
import { RunUpdater } from './run-updater';
import { Scheduler } from './scheduler';
import { runDetail, runSummaries } from './view-model';

export type { ServiceOptions, ServiceSettings } from './context';

/** How often whenIdle looks again. */
const IDLE_POLL_MS = 25;

export class AnalysisService {
  private readonly ctx: LiveContext;
  private readonly scheduler: Scheduler;
  private readonly tracker: FileTracker;
  private readonly updater: RunUpdater;
  private readonly drawing: DrawingService;

  constructor(o: ServiceOptions) {
    // A pool job that ends frees a worker for the next queued analysis.
    this.ctx = new LiveContext(o, () => this.scheduler.pump());
    this.updater = new RunUpdater(this.ctx);
    this.scheduler = new Scheduler(this.ctx, {
      answered: (...a) => this.tracker.answered(...a),
      failed: (...a) => this.tracker.failed(...a),
    });
    this.tracker = new FileTracker(this.ctx, new RunSet(this.ctx, this.updater), this.scheduler, this.updater);
    this.drawing = new DrawingService(this.ctx);
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  runs(): RunSummary[] {
    return runSummaries(this.visibleRuns());
  }

  detail(runId: string): RunDetail | undefined {
    const r = this.ctx.runs.get(runId);
    return r?.visible ? runDetail(r, this.visibleRuns()) : undefined;
  }

  private visibleRuns(): RunState[] {
    return [...this.ctx.runs.values()].filter((r) => r.visible).sort((a, b) => a.dir.localeCompare(b.dir));
  }

  run(runId: string): RunState | undefined {
    return this.ctx.runs.get(runId);
  }

  /** Files of a run not yet done, for "Analyzing ep 4…". */
  pending(runId: string): { file: string; phase: string; epoch: number | undefined }[] {
    return (this.ctx.runs.get(runId)?.pending() ?? []).map((p) => ({ ...p, epoch: epochFromName(p.file) }));
  }

  /** Files being analyzed by a worker now. */
  running(): string[] {
    const out: string[] = [];
    for (const r of this.ctx.runs.values()) for (const e of r.files.values()) if (e.phase === 'running') out.push(e.file);
    return out;
  }

  onChange(listener: (runId?: string) => void): () => void {
    return this.ctx.onChange(listener);
  }

  /** Resolves when nothing is settling, queued or running (file events not yet delivered aside). */
  async whenIdle(): Promise<void> {
    while (!this.ctx.disposed && this.isBusy()) await new Promise<void>((r) => this.ctx.deps.setTimer(r, IDLE_POLL_MS));
  }

  private isBusy(): boolean {
    if (this.ctx.busy || this.tracker.busy || this.scheduler.queued > 0 || this.updater.busy) return true;
    for (const r of this.ctx.runs.values()) for (const e of r.files.values()) if (e.phase === 'checking' || e.phase === 'queued' || e.phase === 'running') return true;
    return false;
  }

  /**
   * Starts recording finished worker analyses (if not yet) and returns the journal: what the
   * editor's tests audit. Analyses before the first call are not in it.
   */
  startRecording(): AnalysisRecorder {
    return (this.ctx.recorder ??= new AnalysisRecorder((line) => this.ctx.log(line)));
  }

  // ---------------------------------------------------------------------------------------------
  // File events

  /** A checkpoint may have been created or changed. */
  fileChanged(file: string): void {
    this.tracker.fileChanged(file);
  }

  fileDeleted(file: string): void {
    this.tracker.fileDeleted(file);
  }

  /**
   * Something was deleted: a checkpoint (its pending work is dropped, its result kept), or a folder
   * holding runs (those runs go: the user removed them).
   */
  pathDeleted(p: string): void {
    this.tracker.pathDeleted(p);
  }

  /** Analyzes a file (if not done for its current content) and resolves with the outcome. */
  track(file: string): Promise<TrackOutcome> {
    return this.tracker.track(file);
  }

  /** Stops whatever is pending for a file; its earlier result stays. */
  cancel(file: string): void {
    this.tracker.cancel(file);
  }

  /** Re-checks every known file (after a change of analysis options): the cache key decides. */
  recheckAll(): void {
    this.tracker.recheckAll();
  }

  // ---------------------------------------------------------------------------------------------
  // Logs and forecasts

  /** A training log was written: re-read the logs of the runs it may belong to. */
  logChanged(file: string): void {
    this.updater.logChanged(file);
  }

  /** Recomputes every run's forecast (after a change of forecast settings or of the model). */
  refreshForecasts(): void {
    this.updater.refreshForecasts();
  }

  // ---------------------------------------------------------------------------------------------
  // Drawable graphs and other pool jobs

  /** The thinned graph of one epoch of a run, with at most `maxEdges` edges (brought into range). */
  graph(runId: string, epoch: number, maxEdges: number): Promise<ThinGraph> {
    return this.drawing.graph(runId, epoch, maxEdges);
  }

  /** Forgets drawn graphs held in memory (the disk cache was cleared). */
  clearMemo(): void {
    this.drawing.clearMemo();
  }

  /** A pool job outside the analysis queue (training a forecaster), counted for whenIdle. */
  submitTask<K extends RequestType>(type: K, file: string, make: MakeRequest<K>): PoolTask<ReplyOf<K>> {
    return this.ctx.submit(type, file, make);
  }

  cancelTask(jobId: number): void {
    this.ctx.o.pool.cancel(jobId);
  }

  dispose(): void {
    this.ctx.dispose();
    this.tracker.dispose();
    this.updater.dispose();
  }
}
