/**
 * `train`: fit a forecaster on the user's own finished runs, so that a sweep in progress is forecast
 * from its completed runs (one architecture, many hyperparameters: the paper's setting).
 * A run counts when it has finished (run/status.ts: a test result or the end of training logged,
 * or its horizon reached; its final accuracy is then the logged test accuracy, else the last
 * validation accuracy) or diverged (its final accuracy is chance level). Only checkpoints of epochs
 * 0..5 are read: the forecaster looks at the first epochs only. The forecaster records the horizons
 * of the runs it learned from: its forecasts are for that many epochs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeInThread, finishRun } from '../run/analyze-run';
import { RunPlan, runPlanInThread } from '../run/run-plan';
import { discoverRuns } from '../run/discover';
import type { OutcomeOptions } from '../run/outcome';
import { FORECAST_EPOCHS } from './limits';
import { hasEpochs, hasValAcc, signatureOf, type FeatureGroup, type RunObservation } from '../features/definitions';
import { fitPredictor, type Predictor } from './predictor';
import { observationOf } from './index';
import { USER_MODEL_PATH } from './user-model';
import { writeBundle, BUNDLE_FORMAT, BUNDLE_VERSION } from './bundle';
import { r2, kendallTau } from './metrics';

export interface TrainReport {
  outFile: string;
  runsFound: number;
  finished: number;
  predictors: { signature: string; k: number; groups: FeatureGroup[]; runs: number; oobR2: number; oobTau: number }[];
  skipped: { path: string; reason: string }[];
}

export interface TrainOptions extends OutcomeOptions {
  outFile?: string;
  inputSize?: number;
  onProgress?: (done: number, total: number, run: string) => void;
}

export interface ObservedRun {
  obs: RunObservation;
  /** The accuracy to learn: the finished run's final accuracy, chance level for a diverged one; null otherwise. */
  final: number | null;
  /** Why there is none, when `final` is null. */
  why?: string;
  /** The epochs it trained for (its horizon), when known. */
  horizon: number | null;
  errors: string[];
}

/** Analyzes a run's checkpoints of epochs ≤ 5 and reads its logs, status and horizon as `analyze` does. */
export function observeRun(dir: string, files: string[], inputSize?: number, opts: OutcomeOptions = {}): ObservedRun {
  const plan = runPlanInThread(new RunPlan<ReturnType<typeof analyzeInThread>>(files, { maxOrder: FORECAST_EPOCHS.max, progress: opts, inputSize }), (item, warm) => analyzeInThread(item.file, warm, { inputSize }));
  const r = finishRun(dir, plan.done().map((d) => d.result.analysis), plan.errors, { ...opts, inputSize });
  const whole = r.checkpoints.filter((c) => Number.isInteger(c.epoch)).map((c) => ({ epoch: c.epoch, analysis: c }));
  const obs = observationOf({ checkpoints: whole, valAcc: r.accuracy?.points ?? null });
  const errors = r.errors.map((e) => `${e.path}: ${e.message}`);
  const horizon = r.horizon?.epochs ?? null;
  if (r.status === 'finished') return r.accuracy?.final != null ? { obs, final: r.accuracy.final, horizon, errors } : { obs, final: null, why: 'finished, but no test or validation accuracy logged', horizon, errors };
  if (r.status === 'diverged') {
    const chance = r.forecast?.accuracy;
    return chance !== undefined && Number.isFinite(chance) ? { obs, final: chance, horizon, errors } : { obs, final: null, why: 'diverged, with an unknown number of classes', horizon, errors };
  }
  return { obs, final: null, why: `${r.status}: ${r.statusReason}`, horizon, errors };
}

export function trainForecaster(root: string, opts: TrainOptions = {}): TrainReport {
  const outFile = opts.outFile ?? path.join(root, USER_MODEL_PATH);
  const runs = discoverRuns(path.resolve(root));
  const skipped: TrainReport['skipped'] = [];
  const data: { obs: RunObservation; final: number; horizon: number | null }[] = [];
  runs.forEach((r, i) => {
    opts.onProgress?.(i, runs.length, r.dir);
    const { obs, final, why, horizon, errors } = observeRun(r.dir, r.checkpoints, opts.inputSize, opts);
    if (final === null) skipped.push({ path: r.dir, reason: `no final accuracy (${why})` });
    else if (!hasEpochs(obs, 1)) skipped.push({ path: r.dir, reason: `no readable checkpoint of epoch 1${errors.length ? `: ${errors[0]}` : ''}` });
    else data.push({ obs, final, horizon });
  });
  opts.onProgress?.(runs.length, runs.length, '');
  const bySig = new Map<string, typeof data>();
  for (const d of data) {
    const s = signatureOf(d.obs.layers);
    bySig.set(s, [...(bySig.get(s) ?? []), d]);
  }
  const predictors: Predictor[] = [];
  const report: TrainReport['predictors'] = [];
  for (const [signature, items] of bySig) {
    for (let k = FORECAST_EPOCHS.min; k <= FORECAST_EPOCHS.max; k++) {
      for (const groups of [['graph'], ['graph', 'val']] as FeatureGroup[][]) {
        const use = items.filter((d) => hasEpochs(d.obs, k) && (!groups.includes('val') || hasValAcc(d.obs, k)));
        if (use.length < 8) continue;
        const y = use.map((d) => d.final);
        const p = fitPredictor(use.map((d) => d.obs), y, { signature, k, groups }, `runs under ${path.basename(path.resolve(root))}`);
        predictors.push(p);
        report.push({ signature, k, groups, runs: use.length, ...oobScores(p, use.map((d) => d.obs), y) });
      }
    }
  }
  if (!predictors.length) {
    throw new Error(`${root}: found ${runs.length} runs, ${data.length} finished with a readable epoch 1; a forecaster needs at least 8 finished runs of one architecture`);
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const horizons = data.map((d) => d.horizon).filter((h): h is number => h !== null);
  const horizon = horizons.length ? { min: horizons.reduce((a, b) => Math.min(a, b)), max: horizons.reduce((a, b) => Math.max(a, b)) } : undefined;
  writeBundle(outFile, { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, source: `your runs (${path.basename(path.resolve(root))})`, created: new Date().toISOString(), horizon, predictors });
  return { outFile, runsFound: runs.length, finished: data.length, predictors: report, skipped };
}

/** Out-of-bag quality, recomputed from the calibration data kept in the predictor's fit. */
function oobScores(p: Predictor, _obs: RunObservation[], y: number[]): { oobR2: number; oobTau: number } {
  const oob = p.oob ?? [];
  const ok = oob.map((v, i) => [v, y[i]] as const).filter(([v]) => Number.isFinite(v));
  return { oobR2: r2(ok.map((x) => x[1]), ok.map((x) => x[0])), oobTau: kendallTau(ok.map((x) => x[1]), ok.map((x) => x[0])) };
}
