/**
 * The forecasting methods compared, each giving out-of-fold predictions on the same runs and folds:
 *   (a) ours: rolled-graph features;   (b) ours plus validation accuracy;
 *   (c) weight statistics (Unterthiner et al. 2020); (d) the last observed validation accuracy;
 *   (e) a power-law learning-curve extrapolation of epochs 1..k to the final epoch.
 */
import { hasEpochs, hasValAcc, type FeatureGroup } from '../../src/engine/features/definitions';
import { featureMatrix } from '../../src/engine/forecast/predictor';
import { fitForest, type ForestOptions } from '../../src/engine/forecast/forest';
import { calibrate, interval } from '../../src/engine/forecast/conformal';
import { predictTrees } from '../../src/engine/forecast/trees';
import { powerLawExtrapolate } from '../../src/engine/forecast/curve';
import { FOLDS, type ZooRun } from './data';

export interface Oof {
  pred: number[];
  low?: number[];
  high?: number[];
}

/** Runs usable at horizon k: a graph for every epoch 1..k and a logged validation accuracy at k. */
export function eligible(runs: ZooRun[], k: number): ZooRun[] {
  return runs.filter((r) => hasEpochs(r.obs, k) && hasValAcc(r.obs, k));
}

/** Fits on `train`, predicts `test`: the forest with its calibrated 80% interval. */
export function forestPredict(train: ZooRun[], test: ZooRun[], k: number, groups: FeatureGroup[], filter?: (name: string) => boolean, opts: Partial<ForestOptions> = {}): Oof {
  const tr = featureMatrix(train.map((r) => r.obs), k, groups);
  const keep = tr.names.map((n, j) => (!filter || filter(n) ? j : -1)).filter((j) => j >= 0);
  if (!keep.length) throw new Error(`no features left for ${groups.join('+')}`);
  const names = keep.map((j) => tr.names[j]);
  const rows = tr.rows.map((r) => keep.map((j) => r[j]));
  const y = train.map((r) => r.rec.finalAccuracy);
  const fit = fitForest(rows, y, opts);
  const conf = calibrate(y, fit.oob);
  const te = featureMatrix(test.map((r) => r.obs), k, groups, names);
  const out: Oof = { pred: [], low: [], high: [] };
  for (const row of te.rows) {
    const x = row.map((v, j) => (Number.isFinite(v) ? v : fit.medians[j]));
    const p = predictTrees(fit.trees, x);
    const acc = Math.min(1, Math.max(0, p.predicted));
    const iv = interval(conf, acc, p.spread);
    out.pred.push(acc);
    out.low!.push(iv.low);
    out.high!.push(iv.high);
  }
  return out;
}

/** Out-of-fold predictions of a forest over the grouped folds. */
export function forestOof(runs: ZooRun[], k: number, groups: FeatureGroup[], filter?: (name: string) => boolean): Oof {
  const out: Oof = { pred: new Array(runs.length), low: new Array(runs.length), high: new Array(runs.length) };
  for (let f = 0; f < FOLDS; f++) {
    const testIdx = runs.map((r, i) => (r.fold === f ? i : -1)).filter((i) => i >= 0);
    if (!testIdx.length) continue;
    const p = forestPredict(runs.filter((r) => r.fold !== f), testIdx.map((i) => runs[i]), k, groups, filter);
    testIdx.forEach((i, j) => {
      out.pred[i] = p.pred[j];
      out.low![i] = p.low![j];
      out.high![i] = p.high![j];
    });
  }
  return out;
}

export function lastVal(r: ZooRun, k: number): number {
  return r.obs.valAcc.find((p) => p.epoch === k)!.value;
}

export function curveExtrapolation(r: ZooRun, k: number): number {
  const pts = r.obs.valAcc.filter((p) => p.epoch >= 1 && p.epoch <= k).sort((a, b) => a.epoch - b.epoch);
  return powerLawExtrapolate(pts, r.rec.epochsTrained ?? 15);
}

export const METHODS = [
  { id: 'a', label: '(a) graph', run: (runs: ZooRun[], k: number) => forestOof(runs, k, ['graph']) },
  { id: 'b', label: '(b) graph + val acc', run: (runs: ZooRun[], k: number) => forestOof(runs, k, ['graph', 'val']) },
  { id: 'c', label: '(c) weight stats', run: (runs: ZooRun[], k: number) => forestOof(runs, k, ['weights']) },
  { id: 'd', label: '(d) last val acc', run: (runs: ZooRun[], k: number): Oof => ({ pred: runs.map((r) => lastVal(r, k)) }) },
  { id: 'e', label: '(e) power-law curve', run: (runs: ZooRun[], k: number): Oof => ({ pred: runs.map((r) => curveExtrapolation(r, k)) }) },
] as const;
