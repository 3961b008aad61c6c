/**
 * `analyze` over many checkpoints on a pool of worker threads (the same dist/worker.js the editor
 * uses): every run's RunPlan (engine/run/run-plan.ts) is queued, checkpoints in epoch order, and
 * analyzed side by side, one per worker. Each job takes its warm start from the plan when it
 * starts, so the eigen-solver still follows training. The report is the one analyzePath gives:
 * the same runs, checkpoints, errors and forecasts.
 */
import * as fs from 'node:fs';
import type { CheckpointAnalysis } from '../engine/analyze-checkpoint';
import { analyzeRun, findRuns, finishRun, type AnalyzePathOptions } from '../engine/run/analyze-run';
import type { AnalysisReport, RunReport } from '../engine/run/report';
import { RunPlan } from '../engine/run/run-plan';
import { WorkerPool } from './pool/worker-pool';
import { analyzeRequest } from './worker-protocol';

/** Checkpoint bytes a worker must have to pay for its start-up. */
const BYTES_PER_WORKER = 32 * 2 ** 20;

export interface ParallelOptions extends AnalyzePathOptions {
  /** Worker threads; 1 analyzes in this thread, one checkpoint after another. */
  workers: number;
  /**
   * Take `workers` as an upper bound and use no more than one per 32 MiB of checkpoints: starting
   * a worker costs about 0.1 s, more than a small checkpoint takes to analyze (measured: a LeNet
   * run of 6 epochs takes 0.8 s in-thread, 1.1 s on two workers).
   */
  auto?: boolean;
  /** The worker bundle (dist/worker.js). */
  workerScript: string;
}

export async function analyzePathParallel(target: string, opts: ParallelOptions): Promise<AnalysisReport> {
  const runs = findRuns(target);
  const total = runs.reduce((n, r) => n + r.checkpoints.length, 0);
  let bytes = 0;
  for (const r of runs) for (const f of r.checkpoints) bytes += fileSize(f);
  const bySize = opts.auto ? Math.max(1, Math.floor(bytes / BYTES_PER_WORKER)) : Infinity;
  const workers = Math.max(1, Math.min(Math.floor(opts.workers), total, bySize));
  if (workers === 1) return { runs: runs.map((r) => analyzeRun(r.dir, r.checkpoints, opts)) };

  const pool = new WorkerPool({ script: opts.workerScript, size: workers });
  let finished = 0;
  try {
    const reports = runs.map(async (run): Promise<RunReport> => {
      const plan = new RunPlan<{ analysis: CheckpointAnalysis; centrality: Float64Array }>(run.checkpoints);
      await Promise.all(
        plan.items.map(async (item) => {
          try {
            const reply = await pool.submit('analyze', item.file, () => analyzeRequest(item.file, { inputSize: opts.inputSize, warmStart: plan.warmStart(item) })).promise;
            plan.complete(item, { analysis: reply.analysis, centrality: reply.centrality });
          } catch (e) {
            // The worker's error (WorkerJobError, the cause without the file) or a crash.
            plan.fail(item, e);
          }
          opts.onProgress?.(++finished, total, item.file);
        }),
      );
      return finishRun(
        run.dir,
        plan.done().map((d) => d.result.analysis),
        plan.errors,
        opts,
      );
    });
    return { runs: await Promise.all(reports) };
  } finally {
    await pool.dispose();
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0; // gone: its analysis reports that
  }
}
