/**
 * `train`: fit a forecaster on the user's own finished runs, so that a sweep in progress is forecast
 * from its completed runs (one architecture, many hyperparameters: the paper's setting).
 * A run counts as finished when its logs hold a final accuracy. Only checkpoints of epochs 0..5
 * are read: the forecaster looks at the first epochs only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeInThread } from '../run/analyze-run';
import { RunPlan, runPlanInThread } from '../run/run-plan';
import { runAccuracy } from '../logs/run-accuracy';
import { discoverRuns } from '../run/discover';
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

export interface TrainOptions {
  outFile?: string;
  inputSize?: number;
  onProgress?: (done: number, total: number, run: string) => void;
}

/** Analyzes a run's checkpoints of epochs ≤ 5 and reads its logs. */
export function observeRun(dir: string, files: string[], inputSize?: number): { obs: RunObservation; final: number | null; errors: string[] } {
  const plan = runPlanInThread(new RunPlan<ReturnType<typeof analyzeInThread>>(files, { maxOrder: FORECAST_EPOCHS.max }), (item, warm) => analyzeInThread(item.file, warm, { inputSize }));
  const done = plan.done().map((d) => ({ epoch: d.item.order, analysis: d.result.analysis }));
  const errors = [...plan.errors];
  const acc = runAccuracy(dir, errors);
  return { obs: observationOf({ checkpoints: done, valAcc: acc?.points ?? null }), final: acc?.final ?? null, errors: errors.map((e) => `${e.path}: ${e.message}`) };
}

export function trainForecaster(root: string, opts: TrainOptions = {}): TrainReport {
  const outFile = opts.outFile ?? path.join(root, USER_MODEL_PATH);
  const runs = discoverRuns(path.resolve(root));
  const skipped: TrainReport['skipped'] = [];
  const data: { obs: RunObservation; final: number }[] = [];
  runs.forEach((r, i) => {
    opts.onProgress?.(i, runs.length, r.dir);
    const { obs, final, errors } = observeRun(r.dir, r.checkpoints, opts.inputSize);
    if (final === null) skipped.push({ path: r.dir, reason: 'no final accuracy in its logs (not finished?)' });
    else if (!hasEpochs(obs, 1)) skipped.push({ path: r.dir, reason: `no readable checkpoint of epoch 1${errors.length ? `: ${errors[0]}` : ''}` });
    else data.push({ obs, final });
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
  writeBundle(outFile, { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, source: `your runs (${path.basename(path.resolve(root))})`, created: new Date().toISOString(), predictors });
  return { outFile, runsFound: runs.length, finished: data.length, predictors: report, skipped };
}

/** Out-of-bag quality, recomputed from the calibration data kept in the predictor's fit. */
function oobScores(p: Predictor, _obs: RunObservation[], y: number[]): { oobR2: number; oobTau: number } {
  const oob = p.oob ?? [];
  const ok = oob.map((v, i) => [v, y[i]] as const).filter(([v]) => Number.isFinite(v));
  return { oobR2: r2(ok.map((x) => x[1]), ok.map((x) => x[0])), oobTau: kendallTau(ok.map((x) => x[1]), ok.map((x) => x[0])) };
}
