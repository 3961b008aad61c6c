/**
 * Analysis worker (node:worker_threads, bundled to dist/worker.js). Runs one request at a time
 * (worker-protocol.ts): analyzing a checkpoint (optionally with a thinned drawable graph), reading
 * a run's logs and outcome, forecasting a run, or training the forecaster. Everything heavy or
 * blocking happens here so the editor's extension host never waits on a parse, an eigen-solve or a
 * forecaster file. A failure is answered as an error naming the file; only a real crash (out of
 * memory, a bug that kills the thread) ends the worker, and the pool retries.
 */
import { parentPort } from 'node:worker_threads';
import { analyzeCheckpointFull } from '../engine/analyze-checkpoint';
import { thinGraph } from '../engine/graph/thin';
import { forecastRun } from '../engine/forecast/index';
import { findUserModel } from '../engine/forecast/user-model';
import { trainForecaster } from '../engine/forecast/train';
import { runFacts } from './run-facts';
import { answerRequest, type RequestHandlers, type RequestMessage } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('dist/worker.js runs as a worker thread of the extension, not on its own');

/** A transferable copy when the vector shares its buffer (transferring would detach more than it). */
function ownBuffer(v: Float64Array): Float64Array {
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer ? v : v.slice();
}

const handlers: RequestHandlers = {
  analyze(job) {
    const full = analyzeCheckpointFull(job.file, { inputSize: job.inputSize, eigen: job.warmStart ? { start: job.warmStart } : undefined });
    const draw = job.drawMaxEdges !== undefined ? thinGraph(full, job.drawMaxEdges) : undefined;
    const centrality = ownBuffer(full.nodes.centrality);
    return { body: { type: 'result', analysis: full.analysis, centrality, draw }, transfer: [centrality.buffer as ArrayBuffer] };
  },

  /** The run's outcome as `analyze` reads it: accuracy, status, horizon, hyperparameters, divergence. */
  accuracy(job) {
    return { body: { type: 'accuracy', ...runFacts(job.runDir, job.checkpoints ?? [], job.failed ?? []) } };
  },

  /** The user's forecaster found above the run first (as analyze.ts does), then the shipped one. */
  forecast(job) {
    return { body: { type: 'forecast', forecast: forecastRun(job.input, { epochs: job.epochs, modelFile: findUserModel(job.runDir) }) } };
  },

  train(job) {
    const r = trainForecaster(job.root, { outFile: job.outFile, inputSize: job.inputSize });
    const best = [...r.predictors].sort((x, y) => y.oobR2 - x.oobR2)[0];
    const summary = `${r.predictors.length} predictor${r.predictors.length === 1 ? '' : 's'} from ${r.finished} finished runs of ${r.runsFound}` + (best ? `; best out-of-bag R² ${best.oobR2.toFixed(2)}, Kendall τ ${best.oobTau.toFixed(2)}` : '') + (r.skipped.length ? `; ${r.skipped.length} runs skipped` : '');
    return { body: { type: 'trained', outFile: r.outFile, runsFound: r.runsFound, finished: r.finished, predictors: r.predictors.length, summary } };
  },
};

port.on('message', (m: RequestMessage) => answerRequest(m, handlers, (reply, transfer) => port.postMessage(reply, transfer)));
