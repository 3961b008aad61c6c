/**
 * The `analyze` job: a path (checkpoint, run folder, or sweep folder) in, one report out.
 * A bad file is reported in its run's `errors` and the other files are still analyzed.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { analyzeCheckpointFull, type CheckpointAnalysis, type AnalyzeOptions } from './analyze-checkpoint';
import { discoverRuns, orderCheckpoints } from './run/discover';
import { errorMessage, InputError } from './errors';

export interface Forecast {
  accuracy: number;
  low: number;
  high: number;
  epochsUsed: number;
  model?: string;
}

export interface RunReport {
  path: string;
  checkpoints: (CheckpointAnalysis & { order: number })[];
  forecast: Forecast | null;
  errors: { path: string; message: string }[];
}

export interface AnalysisReport {
  runs: RunReport[];
}

export interface AnalyzePathOptions extends AnalyzeOptions {
  /** Epochs used for the forecast. */
  epochs?: number;
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
  return { path: dir, checkpoints: orderCheckpoints(done), forecast: null, errors };
}

export function analyzePath(target: string, opts: AnalyzePathOptions = {}): AnalysisReport {
  const abs = path.resolve(target);
  if (!fs.existsSync(abs)) throw new InputError(target, 'no such file or folder');
  const runs = discoverRuns(abs);
  if (runs.length === 0) {
    if (fs.statSync(abs).isFile()) throw new InputError(target, 'not a checkpoint this tool can read');
    throw new InputError(target, 'no checkpoint files found (looked for .pt/.pth/.ckpt/.safetensors/.h5/.keras/.onnx/.npz/model.json)');
  }
  return { runs: runs.map((r) => analyzeRun(r.dir, r.checkpoints, opts)) };
}
