/**
 * What the parts of the live service share: its options, the clock and file system (deps.ts), the
 * runs it knows, the optional recorder, the count of work in flight that whenIdle waits for, and
 * change notification. Kept in one object so each part (file-tracker, scheduler, run-updater,
 * drawing) depends on this and on nothing global.
 */
import * as path from 'node:path';
import { errorMessage } from '../../engine/errors';
import type { ForecastOptions, ForecastInput } from '../../engine/forecast/index';
import type { Forecast } from '../../engine/forecast/types';
import type { MakeRequest, PoolTask, WorkerPool } from '../pool/worker-pool';
import type { ReplyOf, RequestType } from '../worker-protocol';
import { realDeps, type LiveDeps } from './deps';
import type { AnalysisRecorder } from './recorder';
import type { ResultCache } from './result-cache';
import { RunDirs } from './run-of';
import type { FileEntry, RunState } from './run-registry';

export interface ServiceSettings {
  inputSize: number | null;
  forecastEpochs: number;
}

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
  /** Clock and file system; the real ones for whatever is left out. */
  deps?: Partial<LiveDeps>;
  /**
   * Forecasts in this thread instead of a worker job: for tests, with a stand-in that reads no
   * forecaster file (the real forecast loads files, which the editor's host thread must not do).
   */
  forecast?: (input: ForecastInput, opts: ForecastOptions) => Forecast | null;
  log?: (line: string) => void;
}

/** Quiet time before listeners hear of changes: a folder of 100 cached files is one update. */
const NOTIFY_DELAY_MS = 30;

export class LiveContext {
  readonly deps: LiveDeps;
  readonly runs = new Map<string, RunState>();
  /** Which run each folder holding checkpoints belongs to (run-of.ts). */
  readonly runDirs = new RunDirs();
  /** Set once something asks for the journal of analyses (AnalysisService.startRecording). */
  recorder: AnalysisRecorder | undefined;
  private inFlight = 0;
  private readonly listeners: ((runId?: string) => void)[] = [];
  private readonly changed = new Set<string>();
  private flushTimer: unknown;
  private isDisposed = false;

  /** `afterJob` runs when a pool job of `submit` ends: its worker is free for the next analysis. */
  constructor(
    readonly o: ServiceOptions,
    private readonly afterJob: () => void,
  ) {
    this.deps = { ...realDeps, ...o.deps };
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** The run a checkpoint (file or checkpoint folder) belongs to, if known. */
  runOf(checkpoint: string): RunState | undefined {
    return this.runs.get(this.runDirs.known(checkpoint) ?? path.dirname(checkpoint));
  }

  /** The entry of a checkpoint its run tracks now. */
  entry(file: string): FileEntry | undefined {
    return this.runOf(file)?.files.get(file);
  }

  /** Whether `e` is still its run's entry for its file (not removed or replaced meanwhile). */
  isTracked(e: FileEntry): boolean {
    return this.entry(e.file) === e;
  }

  /** Whether `run` is still the run known for its folder (not dropped meanwhile). */
  isCurrent(run: RunState): boolean {
    return this.runs.get(run.dir) === run;
  }

  /** Work under way that the pool cannot see (a cache lookup) or a job: whenIdle waits for it. */
  begin(): void {
    this.inFlight++;
  }

  end(): void {
    this.inFlight--;
  }

  /** Work in flight, or listeners not yet told of a change (once idle, they have heard the end state). */
  get busy(): boolean {
    return this.inFlight > 0 || this.flushTimer !== undefined;
  }

  /** A pool job outside the analysis queue (logs, forecasts, drawing, training), counted for whenIdle. */
  submit<K extends RequestType>(type: K, file: string, make: MakeRequest<K>, urgent = false): PoolTask<ReplyOf<K>> {
    const task = this.o.pool.submit(type, file, make, { urgent });
    this.begin();
    const promise = task.promise.finally(() => {
      this.end();
      this.afterJob();
    });
    return { jobId: task.jobId, promise };
  }

  onChange(listener: (runId?: string) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Marks a run changed; listeners hear once per burst, with the run's id when only one changed. */
  touch(runId: string): void {
    this.changed.add(runId);
    if (this.flushTimer !== undefined || this.isDisposed) return;
    this.flushTimer = this.deps.setTimer(() => {
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
    }, NOTIFY_DELAY_MS);
  }

  log(line: string): void {
    this.o.log?.(line);
  }

  dispose(): void {
    this.isDisposed = true;
    if (this.flushTimer !== undefined) this.deps.clearTimer(this.flushTimer);
    this.flushTimer = undefined;
  }
}
