/**
 * The `analyze` job: a path (checkpoint, run folder, or sweep folder) in, one report out.
 * A bad file is reported in its run's `errors` and the other files are still analyzed.
 * Checkpoints go through a RunPlan (run-plan.ts); this file runs it in this thread and turns the
 * results into the run's report, which every driver (worker threads included) shares.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCheckpointFull, type AnalyzeOptions, type CheckpointAnalysis } from '../analyze-checkpoint';
import { InputError, problemMessage, type Problem } from '../errors';
import { runFeatures } from '../features/definitions';
import { FORECAST_EPOCHS } from '../forecast/limits';
import { forecastRun } from '../forecast/index';
import type { Forecast } from '../forecast/types';
import { findUserModel } from '../forecast/user-model';
import { runAccuracy } from '../logs/run-accuracy';
import { MAX_DEPTH, discoverRuns, orderCheckpoints, type DiscoveryInfo, type RunFiles } from './discover';
import type { AnalysisReport, RunReport } from './report';
import { RunPlan, runPlanInThread } from './run-plan';

export interface AnalyzePathOptions extends AnalyzeOptions {
  /** Epochs used for the forecast. */
  epochs?: number;
  /** A forecaster file to use before the shipped one; by default the nearest `.training-dynamics/forecaster.json` above the run. */
  modelFile?: string;
  onProgress?: (done: number, total: number, file: string) => void;
}

/** A checkpoint analyzed in this thread, warm-started as the plan says. */
export function analyzeInThread(file: string, warmStart: Float64Array | undefined, opts: AnalyzeOptions = {}): { analysis: CheckpointAnalysis; centrality: Float64Array } {
  const r = analyzeCheckpointFull(file, { ...opts, eigen: { ...opts.eigen, start: warmStart } });
  return { analysis: r.analysis, centrality: r.nodes.centrality };
}

export function analyzeRun(dir: string, files: string[], opts: AnalyzePathOptions = {}): RunReport {
  const plan = runPlanInThread(new RunPlan<ReturnType<typeof analyzeInThread>>(files), (item, warm) => analyzeInThread(item.file, warm, opts), opts.onProgress);
  return finishRun(
    dir,
    plan.done().map((d) => d.result.analysis),
    plan.errors,
    opts,
  );
}

/** A run's report from its analyzed checkpoints: logs, features and forecast. */
export function finishRun(dir: string, done: CheckpointAnalysis[], errors: Problem[], opts: AnalyzePathOptions = {}): RunReport {
  const accuracy = runAccuracy(dir, errors);
  const checkpoints = orderCheckpoints(done);
  const epochs = opts.epochs ?? FORECAST_EPOCHS.default;
  const features = runFeatures(checkpoints.map((c) => ({ epoch: c.order, analysis: c })), epochs);
  let forecast: Forecast | null = null;
  const modelFile = opts.modelFile ?? findUserModel(dir);
  try {
    forecast = forecastRun({ checkpoints: checkpoints.map((c) => ({ epoch: c.order, analysis: c })), valAcc: accuracy?.points ?? null }, { epochs, modelFile });
  } catch (e) {
    const file = modelFile ?? 'forecaster';
    errors.push({ path: file, message: `no forecast: ${problemMessage(e, file)}` });
  }
  return { path: dir, checkpoints, accuracy, features, forecast, errors };
}

export function analyzePath(target: string, opts: AnalyzePathOptions = {}): AnalysisReport {
  return { runs: findRuns(target).map((r) => analyzeRun(r.dir, r.checkpoints, opts)) };
}

/** The runs under a file or folder, or an InputError saying why there are none. */
export function findRuns(target: string): RunFiles[] {
  const abs = path.resolve(target);
  if (!fs.existsSync(abs)) throw new InputError(target, 'no such file or folder');
  const info: DiscoveryInfo = {};
  const runs = discoverRuns(abs, MAX_DEPTH, info);
  if (runs.length === 0) {
    if (fs.statSync(abs).isFile()) throw new InputError(target, 'not a checkpoint this tool can read');
    // Say where the search did not look: folders below the depth limit, folders it could not list.
    const cut = info.cutAtDepth ?? [];
    const unlisted = info.unlisted ?? [];
    const also = [
      cut.length ? `; folders more than ${MAX_DEPTH} levels below it were not searched (${cut.length} cut there, e.g. '${path.relative(abs, cut[0]) || '.'}')` : '',
      unlisted.length ? `; ${unlisted.length} folder(s) could not be listed (e.g. '${path.relative(abs, unlisted[0].dir) || '.'}': ${unlisted[0].reason})` : '',
    ].join('');
    throw new InputError(target, `no checkpoint files found (looked for .pt/.pth/.ckpt/.safetensors/.h5/.keras/.onnx/.npz/model.json)${also}`);
  }
  return runs;
}
