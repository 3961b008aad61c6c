/**
 * The `analyze` job: a path (checkpoint, run folder, or sweep folder) in, one report out.
 * A bad file is reported in its run's `errors` and the other files are still analyzed.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { analyzeCheckpointFull, type CheckpointAnalysis, type AnalyzeOptions } from './analyze-checkpoint';
import { discoverRuns, orderCheckpoints } from './run/discover';
import { errorMessage, InputError } from './errors';
import { readRunLogs, accuracyCurve, finalAccuracy } from './logs/index';
import type { MetricPoint } from './logs/index';
import { runFeatures, type RunFeatureVector } from './features/definitions';
import { forecastRun, USER_MODEL_PATH } from './forecast/index';

export interface Forecast {
  accuracy: number;
  low: number;
  high: number;
  epochsUsed: number;
  model?: string;
}

export interface AccuracyLog {
  /** Series name as logged, e.g. `val_acc`. */
  metric: string;
  /** Log files read. */
  sources: string[];
  points: MetricPoint[];
  /** Final test accuracy when logged (else the last validation accuracy), in [0, 1]. */
  final: number | null;
}

export interface RunReport {
  path: string;
  checkpoints: (CheckpointAnalysis & { order: number })[];
  /** Accuracy per epoch from the run's training logs, when it keeps any. */
  accuracy: AccuracyLog | null;
  /** The forecaster's input: temporal graph features over the first K epochs (features/definitions.ts). */
  features: RunFeatureVector;
  forecast: Forecast | null;
  errors: { path: string; message: string }[];
}

/** Training logs of a run: in its folder (and one level below), else in its parent (Lightning keeps checkpoints in a subfolder). */
export function runAccuracy(dir: string, errors: RunReport['errors']): AccuracyLog | null {
  for (const d of [dir, path.dirname(dir)]) {
    // In the parent, only its own files: its other subfolders are sibling runs with their own logs.
    const { logs, errors: logErrors } = readRunLogs(d, d !== dir);
    for (const e of logErrors) errors.push({ path: e.file, message: e.problem });
    const curve = accuracyCurve(logs);
    if (curve) return { metric: curve.metric, sources: logs.map((l) => l.source), points: curve.points, final: finalAccuracy(logs) };
    if (logs.length) return null;
  }
  return null;
}

export interface AnalysisReport {
  runs: RunReport[];
}

export interface AnalyzePathOptions extends AnalyzeOptions {
  /** Epochs used for the forecast. */
  epochs?: number;
  /** A forecaster file to use before the shipped one; by default the nearest `.training-dynamics/forecaster.json` above the run. */
  modelFile?: string;
  onProgress?: (done: number, total: number, file: string) => void;
}

export function analyzeRun(dir: string, files: string[], opts: AnalyzePathOptions = {}): RunReport {
  const errors: RunReport['errors'] = [];
  const done: CheckpointAnalysis[] = [];
  // Files named in epoch order first, so the warm start of the eigen-solver follows training.
  const byName = orderCheckpoints(files.map((p) => ({ path: p, epoch: null })));
  let start: Float64Array | undefined;
  let startNodes = -1;
  byName.forEach((f, i) => {
    try {
      const r = analyzeCheckpointFull(f.path, { ...opts, eigen: { ...opts.eigen, start: startNodes >= 0 ? start : undefined } });
      done.push(r.analysis);
      start = r.nodes.centrality;
      startNodes = r.graph.nodeCount;
    } catch (e) {
      errors.push({ path: f.path, message: e instanceof InputError ? e.problem : errorMessage(e).replace(f.path + ': ', '') });
    }
    opts.onProgress?.(i + 1, byName.length, f.path);
  });
  return finishRun(dir, done, errors, opts);
}

/** A run's report from its analyzed checkpoints: logs, features and forecast. */
export function finishRun(dir: string, done: CheckpointAnalysis[], errors: RunReport['errors'], opts: AnalyzePathOptions = {}): RunReport {
  const accuracy = runAccuracy(dir, errors);
  const checkpoints = orderCheckpoints(done);
  const features = runFeatures(checkpoints.map((c) => ({ epoch: c.order, analysis: c })), opts.epochs ?? 3);
  let forecast: Forecast | null = null;
  const modelFile = opts.modelFile ?? findUserModel(dir);
  try {
    forecast = forecastRun({ checkpoints: checkpoints.map((c) => ({ epoch: c.order, analysis: c })), valAcc: accuracy?.points ?? null }, { epochs: opts.epochs, modelFile });
  } catch (e) {
    errors.push({ path: modelFile ?? 'forecaster', message: `no forecast: ${e instanceof InputError ? e.problem : errorMessage(e)}` });
  }
  return { path: dir, checkpoints, accuracy, features, forecast, errors };
}

/** The user's own forecaster (made by `train`) in the run's folder or up to three folders above it. */
export function findUserModel(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (let i = 0; i < 4; i++) {
    const f = path.join(d, USER_MODEL_PATH);
    if (fs.existsSync(f)) return f;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return undefined;
}

export function analyzePath(target: string, opts: AnalyzePathOptions = {}): AnalysisReport {
  return { runs: findRuns(target).map((r) => analyzeRun(r.dir, r.checkpoints, opts)) };
}

/** The runs under a file or folder, or an InputError saying why there are none. */
export function findRuns(target: string): ReturnType<typeof discoverRuns> {
  const abs = path.resolve(target);
  if (!fs.existsSync(abs)) throw new InputError(target, 'no such file or folder');
  const runs = discoverRuns(abs);
  if (runs.length === 0) {
    if (fs.statSync(abs).isFile()) throw new InputError(target, 'not a checkpoint this tool can read');
    throw new InputError(target, 'no checkpoint files found (looked for .pt/.pth/.ckpt/.safetensors/.h5/.keras/.onnx/.npz/model.json)');
  }
  return runs;
}
