/**
 * A pool of analysis worker threads (dist/worker.js) speaking worker-protocol.ts. Jobs queue FIFO
 * (urgent ones first), one job per worker at a time. `submit('analyze', …)` resolves with that
 * request's reply; a failure the worker reports rejects with WorkerJobError.
 *
 * - Cancel: a queued job is dropped; a running one ends its worker (analysis is synchronous inside
 *   the worker, so a message could not interrupt it) and a fresh worker takes the next job.
 * - Crash: a worker that dies while running a job (out of memory under `resourceLimits`, a fatal
 *   bug) is reported through `onCrash` and the job is retried once on a fresh worker; a second
 *   crash rejects the job with PoolCrashError. The pool itself always goes on.
 * - Timeout: a job still running after its time limit (`jobTimeoutMs`, by default 60 s + 2 s per MB
 *   of its file, the bound the fuzzers hold every input to; 30 min for a folder) ends its worker like a crash, reported
 *   through `onCrash`, and is not retried (a file that stalls a worker would stall the next one):
 *   it rejects with PoolCrashError saying it timed out, and the pool goes on with the next job.
 * - Each attempt builds its message anew (`make`), since transferred buffers are gone after a post.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { replyOutcome, type Outgoing, type ReplyMessage, type ReplyOf, type RequestMessage, type RequestOf, type RequestType } from '../worker-protocol';

export class PoolCancelledError extends Error {
  constructor(readonly jobId: number) {
    super(`job ${jobId} was cancelled`);
    this.name = 'PoolCancelledError';
  }
}

export class PoolCrashError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly attempts: number,
  ) {
    super(`the analysis worker ${reason} on ${attempts === 1 ? 'its only attempt' : `all ${attempts} attempts`}`);
    this.name = 'PoolCrashError';
  }
}

export interface CrashReport {
  jobId: number;
  file: string;
  reason: string;
  attempt: number;
  willRetry: boolean;
}

export interface PoolOptions {
  /** The worker script (dist/worker.js). */
  script: string;
  size: number;
  /** Old-generation heap limit per worker: a checkpoint that needs more fails alone, not the editor. */
  maxOldGenerationSizeMb?: number;
  /** Attempts per job when workers crash (2 = retried once). */
  maxAttempts?: number;
  /** An idle worker is ended after this long, returning the memory an analysis left in its heap. */
  idleTimeoutMs?: number;
  execArgv?: string[];
  /** Time limit of a job on the file it names, in ms; default `defaultJobTimeoutMs`. */
  jobTimeoutMs?: (file: string) => number;
}

/**
 * Time a job gets before its worker is ended: 60 s plus 2 s per MB for a file; 30 min for a folder
 * (a forecast, or training a forecaster over every run below it, reads many checkpoints).
 */
export function defaultJobTimeoutMs(file: string): number {
  let bytes = 0;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) return 30 * 60_000;
    if (st.isFile()) bytes = st.size;
  } catch {
    /* gone: the base limit */
  }
  return 60_000 + Math.ceil((2_000 * bytes) / 1e6);
}

/** Most worker threads a pool starts, whatever the machine. */
export const MAX_WORKERS = 8;

/** Cores of this machine. */
export function machineCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Workers for a machine with `cores` cores, at most MAX_WORKERS: one per core for the CLI; for the
 * editor all of them up to two, else one left for the editor itself.
 */
export function poolSize(cores: number, forEditor = true): number {
  const n = Math.max(1, Math.floor(cores) || 1);
  return Math.min(MAX_WORKERS, forEditor && n > 2 ? n - 1 : n);
}

export interface PoolTask<R> {
  jobId: number;
  promise: Promise<R>;
}

/** Builds a request for each attempt: transferred buffers are gone after a post. */
export type MakeRequest<K extends RequestType> = () => Outgoing<RequestOf<K>>;

interface Job {
  jobId: number;
  type: RequestType;
  file: string;
  make: () => Outgoing<RequestOf<RequestType>>;
  attempts: number;
  // Typed by submit(): the reply that settles a job is the one its request type gets.
  resolve: (r: ReplyOf<RequestType>) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  /** Set when the pool itself ends the worker (cancel, idle, dispose): its exit is no crash. */
  ending: boolean;
  /** Set by kill(): its exit is a crash, reported as a kill. */
  killed?: boolean;
  /** Set when the running job passed its time limit (ms): its exit is a crash, not retried. */
  timedOutMs?: number;
  jobTimer?: NodeJS.Timeout;
  lastError?: Error;
  idleTimer?: NodeJS.Timeout;
}

export class WorkerPool {
  private readonly queue: Job[] = [];
  private readonly slots = new Set<Slot>();
  private readonly crashListeners: ((r: CrashReport) => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private nextId = 1;
  private disposed = false;
  readonly size: number;

  constructor(private readonly opts: PoolOptions) {
    this.size = Math.max(1, Math.floor(opts.size));
  }

  /**
   * Queues a `type` request about `file` (named in crash reports and errors). `make` builds its
   * body for each attempt. Resolves with the request's reply; rejects with WorkerJobError when the
   * worker reports a failure, PoolCrashError when it crashed on every attempt, PoolCancelledError.
   */
  submit<K extends RequestType>(type: K, file: string, make: MakeRequest<K>, opts: { urgent?: boolean } = {}): PoolTask<ReplyOf<K>> {
    if (this.disposed) throw new Error('the worker pool is disposed');
    const jobId = this.nextId++;
    let resolve!: (r: ReplyOf<K>) => void;
    let reject!: Job['reject'];
    const promise = new Promise<ReplyOf<K>>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const job: Job = { jobId, type, file, make, attempts: 0, resolve: resolve as Job['resolve'], reject };
    if (opts.urgent) this.queue.unshift(job);
    else this.queue.push(job);
    this.pump();
    return { jobId, promise };
  }

  /** Cancels a queued or running job; false when it is not (or no longer) in the pool. */
  cancel(jobId: number): boolean {
    const qi = this.queue.findIndex((j) => j.jobId === jobId);
    if (qi >= 0) {
      const [job] = this.queue.splice(qi, 1);
      job.reject(new PoolCancelledError(jobId));
      this.checkIdle();
      return true;
    }
    for (const slot of this.slots) {
      if (slot.job?.jobId === jobId) {
        const job = slot.job;
        slot.job = undefined;
        void this.end(slot); // the thread ends in the background; its exit is expected, no crash
        job.reject(new PoolCancelledError(jobId));
        this.pump();
        return true;
      }
    }
    return false;
  }

  /**
   * Ends the worker running a job the way a crash would (no reply, the thread gone): the crash is
   * reported and the job retried like any other. Returns the job's file, or undefined when no job
   * runs. Fault injection for the editor's stress test, and the way out of a worker stuck on a file.
   */
  kill(jobId?: number): string | undefined {
    const slot = [...this.slots].find((s) => s.job && !s.ending && (jobId === undefined || s.job.jobId === jobId));
    if (!slot?.job) return undefined;
    slot.killed = true;
    void slot.worker.terminate();
    return slot.job.file;
  }

  onCrash(listener: (r: CrashReport) => void): void {
    this.crashListeners.push(listener);
  }

  /** Jobs waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Jobs running now. */
  get running(): number {
    let n = 0;
    for (const s of this.slots) if (s.job) n++;
    return n;
  }

  /** Workers that could start a job now (idle ones and ones not yet started). */
  get free(): number {
    return Math.max(0, this.size - this.running - this.queue.length);
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const job of this.queue.splice(0)) job.reject(new PoolCancelledError(job.jobId));
    const ends: Promise<number>[] = [];
    for (const slot of [...this.slots]) {
      if (slot.job) slot.job.reject(new PoolCancelledError(slot.job.jobId));
      slot.job = undefined;
      ends.push(this.end(slot));
    }
    await Promise.all(ends);
    this.checkIdle();
  }

  private spawn(): Slot {
    const worker = new Worker(this.opts.script, {
      resourceLimits: this.opts.maxOldGenerationSizeMb ? { maxOldGenerationSizeMb: this.opts.maxOldGenerationSizeMb } : undefined,
      execArgv: this.opts.execArgv,
    });
    const slot: Slot = { worker, ending: false };
    worker.on('message', (m: ReplyMessage) => this.onMessage(slot, m));
    worker.on('error', (e) => {
      slot.lastError = e;
    });
    worker.on('exit', (code) => this.onExit(slot, code));
    this.slots.add(slot);
    return slot;
  }

  private end(slot: Slot): Promise<number> {
    slot.ending = true;
    clearTimeout(slot.idleTimer);
    clearTimeout(slot.jobTimer);
    this.slots.delete(slot);
    return slot.worker.terminate();
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.disposed) {
      let slot = [...this.slots].find((s) => !s.job && !s.ending);
      if (!slot) {
        if (this.slots.size >= this.size) break;
        slot = this.spawn();
      }
      const job = this.queue.shift()!;
      this.start(slot, job);
    }
    this.checkIdle();
  }

  private start(slot: Slot, job: Job): void {
    clearTimeout(slot.idleTimer);
    slot.job = job;
    job.attempts++;
    slot.worker.ref();
    try {
      const { body, transfer } = job.make();
      // The job id is the message id: a retry goes to a fresh worker, so no worker sees one twice.
      const msg = { messageId: job.jobId, type: job.type, body } as RequestMessage;
      slot.worker.postMessage(msg, transfer ?? []);
      const limit = (this.opts.jobTimeoutMs ?? defaultJobTimeoutMs)(job.file);
      slot.jobTimer = setTimeout(() => {
        if (slot.job !== job || slot.ending) return;
        slot.timedOutMs = limit;
        void slot.worker.terminate();
      }, limit);
    } catch (e) {
      slot.job = undefined;
      job.reject(e instanceof Error ? e : new Error(String(e)));
      this.idle(slot);
    }
  }

  /** The host's one message handler: settles the job the reply answers. */
  private onMessage(slot: Slot, m: ReplyMessage): void {
    const job = slot.job;
    if (!job || m.inReplyTo !== job.jobId) return; // a reply for a job cancelled meanwhile
    slot.job = undefined;
    clearTimeout(slot.jobTimer);
    const outcome = replyOutcome(m);
    if ('error' in outcome) job.reject(outcome.error);
    else job.resolve(outcome.body);
    this.idle(slot);
    this.pump();
  }

  private idle(slot: Slot): void {
    // An idle worker must not keep a CLI or test process alive, and gives its memory back after a while.
    slot.worker.unref();
    clearTimeout(slot.idleTimer);
    const t = this.opts.idleTimeoutMs ?? 60_000;
    slot.idleTimer = setTimeout(() => {
      if (!slot.job) void this.end(slot);
    }, t);
    slot.idleTimer.unref();
  }

  private onExit(slot: Slot, code: number): void {
    clearTimeout(slot.idleTimer);
    clearTimeout(slot.jobTimer);
    this.slots.delete(slot);
    const job = slot.job;
    slot.job = undefined;
    if (job && !slot.ending) {
      const e = slot.lastError as (Error & { code?: string }) | undefined;
      const reason = slot.timedOutMs !== undefined
        ? `timed out after ${formatSeconds(slot.timedOutMs)} (its time limit on this file)`
        : slot.killed
        ? 'was killed'
        : e?.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `ran out of memory (limit ${this.opts.maxOldGenerationSizeMb ?? 'default'} MB)`
          : e
            ? `crashed (${e.message})`
            : `exited with code ${code}`;
      const willRetry = slot.timedOutMs === undefined && job.attempts < (this.opts.maxAttempts ?? 2) && !this.disposed;
      for (const l of this.crashListeners) {
        try {
          l({ jobId: job.jobId, file: job.file, reason, attempt: job.attempts, willRetry });
        } catch {
          /* a listener's failure must not stop the pool */
        }
      }
      if (willRetry) this.queue.unshift(job);
      else job.reject(new PoolCrashError(job.file, reason, job.attempts));
    }
    this.pump();
  }

  private checkIdle(): void {
    if (this.queue.length === 0 && this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}

function formatSeconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}
