/**
 * A predictor: one forest for one architecture signature, one horizon k (epochs seen) and one set
 * of feature groups, with its calibrated interval. Fitting needs ml-random-forest; predicting
 * needs only the compact trees, so a serialized predictor is plain JSON.
 */
import { forecastFeatures, type FeatureGroup, type RunObservation } from '../features/definitions';
import { fitForest, type ForestOptions } from './forest';
import { calibrate, interval, type Conformal } from './conformal';
import { predictTrees, type CompactTree } from './trees';

export interface PredictorSpec {
  /** Layer kinds in order (signatureOf), or '*' for the architecture-independent predictor. */
  signature: string;
  k: number;
  groups: FeatureGroup[];
}

export interface Predictor {
  spec: PredictorSpec;
  names: string[];
  medians: number[];
  trees: CompactTree[];
  conformal: Conformal;
  trainedOn: { runs: number; label: string };
  /** Out-of-bag predictions of the training runs (kept for reports, not serialized). */
  oob?: number[];
}

export interface Prediction {
  accuracy: number;
  low: number;
  high: number;
  spread: number;
}

/** Feature rows of runs, all with the same names (the union; absent values are NaN, imputed later). */
export function featureMatrix(runs: RunObservation[], k: number, groups: FeatureGroup[], names?: string[]): { names: string[]; rows: number[][] } {
  const maps = runs.map((r) => forecastFeatures(r, k, groups));
  let cols = names;
  if (!cols) {
    const seen = new Set<string>();
    cols = [];
    for (const m of maps) for (const n of m.keys()) if (!seen.has(n)) { seen.add(n); cols.push(n); }
  }
  const rows = maps.map((m) => cols!.map((n) => m.get(n) ?? NaN));
  return { names: cols, rows };
}

export function fitPredictor(runs: RunObservation[], finals: number[], spec: PredictorSpec, label: string, opts: Partial<ForestOptions> = {}): Predictor {
  if (runs.length < 8) throw new Error(`a predictor needs at least 8 finished runs, got ${runs.length}`);
  const { names, rows } = featureMatrix(runs, spec.k, spec.groups);
  if (!names.length) throw new Error(`no features for ${spec.groups.join('+')} at k=${spec.k}`);
  const fit = fitForest(rows, finals, opts);
  return {
    spec,
    names,
    medians: fit.medians.map((m) => Number(m.toPrecision(7))),
    trees: fit.trees,
    conformal: calibrate(finals, fit.oob),
    trainedOn: { runs: runs.length, label },
    oob: fit.oob.map((o) => o.predicted),
  };
}

export function predict(p: Predictor, runs: RunObservation[]): Prediction[] {
  const { rows } = featureMatrix(runs, p.spec.k, p.spec.groups, p.names);
  return rows.map((row) => {
    const x = row.map((v, j) => (Number.isFinite(v) ? v : p.medians[j]));
    const { predicted, spread } = predictTrees(p.trees, x);
    const accuracy = Math.min(1, Math.max(0, predicted));
    return { accuracy, ...interval(p.conformal, accuracy, spread), spread };
  });
}
