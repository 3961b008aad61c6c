/**
 * Runs fuzz cases on worker threads under a watchdog. Analysis is synchronous, so a stuck case
 * cannot be interrupted from inside: the pool terminates its thread instead.
 *  - hang: no answer within `timeoutMs` (5 s);
 *  - memory: the process's RSS grows more than `rssLimitMB` over its baseline while the case runs
 *    (typed arrays live outside the V8 heap, so a heap limit alone would miss them), or the
 *    thread dies of its `resourceLimits` heap limit;
 *  - a thread that dies any other way is a crash.
 * With several threads busy an incident cannot be pinned on one case, and a loaded machine can
 * make a slow case look hung: every incident is re-run alone on a fresh thread, and only one that
 * happens again is reported (the others count as 'flaky').
 *
 * The worker is bundled once with esbuild (the engine exactly as the CLI bundles it), so a fresh
 * thread starts in milliseconds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import type { CaseResult, Outcome } from './case';

export interface Job {
  target: string;
  seedNo: number;
  index: number;
}

export type PoolOutcome = Outcome | 'hang' | 'memory';

export interface JobResult extends Job, Omit<CaseResult, 'outcome'> {
  outcome: PoolOutcome;
  seed?: string;
  desc?: string;
  /** True when a first incident did not happen again alone. */
  flaky?: boolean;
  /** The thread was terminated or died: it must be replaced, and the case re-run alone. */
  died?: boolean;
}

export interface PoolOptions {
  workers: number;
  timeoutMs?: number;
  rssLimitMB?: number;
  heapLimitMB?: number;
}

interface Slot {
  worker: Worker;
  dir: string;
  job?: Job;
  started?: number;
  timer?: NodeJS.Timeout;
  done?: (r: JobResult) => void;
}

let bundled: string | undefined;
function workerScript(): string {
  if (!bundled) {
    bundled = path.join(os.tmpdir(), `td-fuzz-worker-${process.pid}.js`);
    buildSync({ entryPoints: [path.join(__dirname, 'worker.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: bundled, logLevel: 'warning' });
  }
  return bundled;
}

const FIXTURES = path.join(__dirname, '..', 'fixtures');
/** Time allowed for making a case, before the watchdog starts timing the reader. */
const MAKE_ALLOWANCE_MS = 60_000;

export class FuzzPool {
  private readonly timeoutMs: number;
  private readonly rssLimit: number;
  private readonly heapLimitMB: number;
  private baseline = process.memoryUsage.rss();
  private readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'td-fuzz-'));
  private slotNo = 0;
  /** Threads running a case now (the RSS watch suspects all of them). */
  private readonly active = new Set<Slot>();

  constructor(private readonly opts: PoolOptions) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.rssLimit = (opts.rssLimitMB ?? 1024) * 2 ** 20;
    this.heapLimitMB = opts.heapLimitMB ?? 1024;
  }

  private spawn(): Slot {
    const dir = path.join(this.root, `w${this.slotNo++}`);
    const worker = new Worker(workerScript(), {
      workerData: { dir },
      env: { ...process.env, TD_FUZZ_FIXTURES: FIXTURES },
      resourceLimits: { maxOldGenerationSizeMb: this.heapLimitMB },
      stdout: true,
      stderr: true,
    });
    worker.unref();
    // Output of the engine's dependencies (jsfive warns on odd files) is dropped, not interleaved.
    worker.stdout.resume();
    worker.stderr.resume();
    // Listeners stay for the thread's life and report to whatever job it runs now.
    const slot: Slot = { worker, dir };
    const ms = (): number => performance.now() - (slot.started ?? 0);
    worker.on('message', (m: JobResult | { started: true }) => {
      if ('started' in m) {
        // The case is made: from now on the watchdog times the reader alone.
        slot.started = performance.now();
        clearTimeout(slot.timer);
        const job = slot.job;
        if (job) slot.timer = setTimeout(() => slot.done?.({ ...job, outcome: 'hang', message: `no answer in ${this.timeoutMs} ms`, ms: performance.now() - slot.started!, died: true }), this.timeoutMs);
        return;
      }
      slot.done?.(m);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const memory = e.code === 'ERR_WORKER_OUT_OF_MEMORY';
      slot.done?.({ ...slot.job!, outcome: memory ? 'memory' : 'crash', errorClass: e.code ?? e.name, message: `the thread died: ${e.message}`, where: (e.stack ?? '').split('\n').slice(1, 6).join('\n'), ms: ms(), died: true });
    });
    worker.on('exit', (code) => slot.done?.({ ...slot.job!, outcome: 'crash', errorClass: 'WorkerExit', message: `the thread exited with code ${code}`, ms: ms(), died: true }));
    return slot;
  }

  /** Runs one job on `slot`, resolving with its result whatever happens to the thread. */
  private runOn(slot: Slot, job: Job): Promise<JobResult> {
    return new Promise((resolve) => {
      slot.job = job;
      slot.started = performance.now();
      slot.done = (r: JobResult): void => {
        if (slot.job !== job) return;
        this.active.delete(slot);
        clearTimeout(slot.timer);
        slot.job = undefined;
        slot.done = undefined;
        resolve(r);
      };
      this.active.add(slot);
      // Until the worker says the case is made, a generous allowance for making it.
      slot.timer = setTimeout(() => slot.done?.({ ...job, outcome: 'hang', message: `the case was not even made in ${MAKE_ALLOWANCE_MS} ms`, ms: performance.now() - slot.started!, died: true }), MAKE_ALLOWANCE_MS);
      slot.worker.postMessage(job);
    });
  }

  /** Runs every job; `onResult` sees each final result (after any re-run). */
  async run(jobs: Job[], onResult?: (r: JobResult) => void): Promise<JobResult[]> {
    const results: JobResult[] = [];
    const recheck: JobResult[] = [];
    const queue = jobs.slice();
    const slots: Slot[] = Array.from({ length: Math.max(1, this.opts.workers) }, () => this.spawn());
    let memoryHit = false;
    // RSS watch: with several threads busy, every running case is suspect and gets re-run alone.
    const monitor = setInterval(() => {
      const grown = process.memoryUsage.rss() - this.baseline;
      if (grown <= this.rssLimit) return;
      memoryHit = true;
      for (const s of [...this.active]) s.done?.({ ...s.job!, outcome: 'memory', message: `process RSS grew by ${Math.round(grown / 2 ** 20)} MiB (limit ${this.rssLimit / 2 ** 20} MiB) while it ran`, ms: 0, died: true });
    }, 20);
    const loop = async (k: number): Promise<void> => {
      while (queue.length) {
        const job = queue.shift()!;
        const r = await this.runOn(slots[k], job);
        if (r.died) {
          await this.replace(slots, k);
          recheck.push(r);
        } else {
          results.push(r);
          onResult?.(r);
        }
        if (memoryHit) await this.settle();
        memoryHit = false;
      }
    };
    try {
      await Promise.all(slots.map((_, k) => loop(k)));
      // Re-run each incident alone on a fresh thread: the same outcome again is the verdict.
      for (const first of recheck) {
        const single = [this.spawn()];
        const again = await this.runOn(single[0], first);
        await single[0].worker.terminate();
        await this.settle();
        // Same incident again: it is the case's doing. Otherwise the case's own outcome stands.
        const final: JobResult = again.outcome === first.outcome ? again : { ...again, flaky: true };
        delete final.died;
        results.push(final);
        onResult?.(final);
      }
    } finally {
      clearInterval(monitor);
      await Promise.all(slots.map((s) => s.worker.terminate()));
    }
    return results;
  }

  private async replace(slots: Slot[], k: number): Promise<void> {
    await slots[k].worker.terminate();
    slots[k] = this.spawn();
  }

  /** Waits (up to 5 s) for memory freed by a terminated thread to go back, then re-baselines. */
  private async settle(): Promise<void> {
    const until = Date.now() + 5000;
    while (Date.now() < until && process.memoryUsage.rss() - this.baseline > this.rssLimit / 2) await new Promise((r) => setTimeout(r, 50));
    this.baseline = Math.min(process.memoryUsage.rss(), this.baseline + this.rssLimit / 4);
  }

  close(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
    if (bundled) fs.rmSync(bundled, { force: true });
    bundled = undefined;
  }
}
