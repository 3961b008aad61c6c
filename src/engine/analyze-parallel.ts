/**
 * `analyze` over many checkpoints on a pool of worker threads (the same dist/worker.js the editor
 * uses): checkpoints of every run are queued in epoch order and analyzed side by side, one per
 * worker. Each job takes its warm start when it starts, from the nearest epoch of its run already
 * analyzed (as analyze.ts does one after another), so the eigen-solver still follows training.
 * The report is the one analyzePath gives: the same runs, checkpoints, errors and forecasts.
 */
import * as fs from 'node:fs';
import { analyzeRun, findRuns, finishRun, type AnalysisReport, type AnalyzePathOptions, type RunReport } from './analyze';
import type { CheckpointAnalysis } from './analyze-checkpoint';
import { orderCheckpoints } from './run/discover';
import { WorkerPool, type PoolReply } from './pool/worker-pool';

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
  const bySize = opts.auto ? Math.max(1, Math.floor(bytes / (32 * 2 ** 20))) : Infinity;
  const workers = Math.max(1, Math.min(Math.floor(opts.workers), total, bySize));
  if (workers === 1) return { runs: runs.map((r) => analyzeRun(r.dir, r.checkpoints, opts)) };

  const pool = new WorkerPool({ script: opts.workerScript, size: workers });
  let finished = 0;
  try {
    const reports = runs.map(async (run): Promise<RunReport> => {
      const files = orderCheckpoints(run.checkpoints.map((p) => ({ path: p, epoch: null }))).map((f) => f.path);
      const centrality: (Float64Array | undefined)[] = files.map(() => undefined);
      const results: (CheckpointAnalysis | undefined)[] = files.map(() => undefined);
      const failures: ({ path: string; message: string } | undefined)[] = files.map(() => undefined);
      /** The centrality of the analyzed epoch nearest to i, earlier ones first. */
      const warm = (i: number): Float64Array | undefined => {
        for (let d = 1; d < files.length; d++) {
          const c = centrality[i - d] ?? centrality[i + d];
          if (c) return c;
        }
        return undefined;
      };
      await Promise.all(
        files.map(async (file, i) => {
          const reply: PoolReply = await pool
            .submit(file, (jobId) => {
              const ws = warm(i)?.slice(); // a copy per attempt: the transfer detaches it
              return { msg: { type: 'analyze', job: { jobId, file, inputSize: opts.inputSize, warmStart: ws } }, transfer: ws ? [ws.buffer] : [] };
            })
            .promise.catch((e: Error) => ({ type: 'error' as const, jobId: 0, file, message: e.message, name: e.name }));
          if (reply.type === 'result') {
            results[i] = reply.analysis;
            centrality[i] = reply.centrality;
          } else {
            const message = reply.type === 'error' ? reply.message : `internal error: the worker answered '${reply.type}'`;
            failures[i] = { path: file, message: message.startsWith(file + ': ') ? message.slice(file.length + 2) : message };
          }
          opts.onProgress?.(++finished, total, file);
        }),
      );
      const errors = failures.filter((f): f is { path: string; message: string } => !!f);
      return finishRun(run.dir, results.filter((r): r is CheckpointAnalysis => !!r), errors, opts);
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
