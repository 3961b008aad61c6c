/**
 * Analysis worker (node:worker_threads, bundled to dist/worker.js). Runs one job at a time:
 * analyzing a checkpoint (optionally with a thinned drawable graph), reading a run's training logs,
 * or training the forecaster. Everything heavy happens here so the editor's extension host never
 * blocks on a parse or an eigen-solve. Errors are answered as messages naming the file; only a
 * real crash (out of memory, a bug that kills the thread) ends the worker, and the pool retries.
 */
import { parentPort } from 'node:worker_threads';
import { analyzeCheckpointFull } from '../engine/analyze-checkpoint';
import { runAccuracyStatus } from '../engine/logs/run-accuracy';
import { problemMessage } from '../engine/errors';
import { thinGraph } from '../engine/graph/thin';
import { trainForecaster } from '../engine/forecast/train';
import type { AccuracyJob, AnalyzeJob, HostToWorker, TrainJob, WorkerToHost } from '../shared/protocol';

const port = parentPort;
if (!port) throw new Error('dist/worker.js runs as a worker thread of the extension, not on its own');

function post(msg: WorkerToHost, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

/** A transferable copy when the vector shares its buffer (transferring would detach more than it). */
function ownBuffer(v: Float64Array): Float64Array {
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer ? v : v.slice();
}

function analyze(job: AnalyzeJob): void {
  const full = analyzeCheckpointFull(job.file, { inputSize: job.inputSize, eigen: job.warmStart ? { start: job.warmStart } : undefined });
  const draw = job.drawMaxEdges !== undefined ? thinGraph(full, job.drawMaxEdges) : undefined;
  const centrality = ownBuffer(full.nodes.centrality);
  post({ type: 'result', jobId: job.jobId, analysis: full.analysis, centrality, draw }, [centrality.buffer as ArrayBuffer]);
}

/** The run's accuracy as the CLI reads it, and whether the run has finished. */
function accuracy(job: AccuracyJob): void {
  post({ type: 'accuracy', jobId: job.jobId, ...runAccuracyStatus(job.runDir) });
}

function train(job: TrainJob): void {
  const r = trainForecaster(job.root, { outFile: job.outFile, inputSize: job.inputSize });
  const best = [...r.predictors].sort((x, y) => y.oobR2 - x.oobR2)[0];
  const summary = `${r.predictors.length} predictor${r.predictors.length === 1 ? '' : 's'} from ${r.finished} finished runs of ${r.runsFound}` + (best ? `; best out-of-bag R² ${best.oobR2.toFixed(2)}, Kendall τ ${best.oobTau.toFixed(2)}` : '') + (r.skipped.length ? `; ${r.skipped.length} runs skipped` : '');
  post({ type: 'trained', jobId: job.jobId, outFile: r.outFile, runsFound: r.runsFound, finished: r.finished, predictors: r.predictors.length, summary });
}

port.on('message', (msg: HostToWorker) => {
  const jobId = msg.type === 'cancel' ? msg.jobId : msg.job.jobId;
  const file = msg.type === 'analyze' ? msg.job.file : msg.type === 'accuracy' ? msg.job.runDir : msg.type === 'train' ? msg.job.root : '';
  // Jobs run to their end synchronously, so a cancel can only arrive between jobs: nothing to do.
  if (msg.type === 'cancel') return;
  try {
    if (msg.type === 'analyze') analyze(msg.job);
    else if (msg.type === 'accuracy') accuracy(msg.job);
    else train(msg.job);
  } catch (e) {
    post({ type: 'error', jobId, file, message: problemMessage(e, file), name: e instanceof Error ? e.name : 'Error' });
  }
});
