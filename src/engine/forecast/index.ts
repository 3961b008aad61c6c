/**
 * The forecast of a run: pick the predictor that fits the run (its architecture signature, the
 * epochs it has, whether it logs validation accuracy) from the user's own forecaster when there is
 * one, else from the shipped one trained on the model zoo, and apply it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckpointAnalysis } from '../analyze-checkpoint';
import type { Forecast } from './types';
import { clampForecastEpochs } from './limits';
import { epochFeatures, hasEpochs, hasValAcc, signatureOf, type RunObservation } from '../features/definitions';
import { readBundle, type ForecasterBundle } from './bundle';
import { predict, type Predictor } from './predictor';

export interface ForecastInput {
  /** The run's analyzed checkpoints with their effective epochs; epoch 0 = initialisation. */
  checkpoints: { epoch: number | null; analysis: CheckpointAnalysis }[];
  /** Validation accuracy per epoch from the run's logs, if any. */
  valAcc: { epoch: number; value: number }[] | null;
}

export interface ForecastOptions {
  /** Epochs to forecast from (1..5, default 3); fewer when the run has fewer so far. */
  epochs?: number;
  /** A forecaster file to use before the shipped one (e.g. made by `train`). */
  modelFile?: string;
}

/** The shipped forecaster, next to the bundle (dist/ → ../models) or the sources (src/engine/forecast). */
export function shippedModelFile(): string | null {
  for (const dir of [path.join(__dirname, '..', 'models'), path.join(__dirname, '..', '..', '..', 'models')]) {
    const f = path.join(dir, 'forecaster.json.gz');
    if (fs.existsSync(f)) return f;
  }
  return null;
}

const cache = new Map<string, { mtimeMs: number; bundle: ForecasterBundle }>();

/** Reads a forecaster file (.json or .json.gz), cached by path and mtime. */
export function loadForecaster(file: string): ForecasterBundle {
  const st = fs.statSync(file);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.bundle;
  const bundle = readBundle(file);
  cache.set(file, { mtimeMs: st.mtimeMs, bundle });
  return bundle;
}

/** The forecaster's view of a run from its analyzed checkpoints. */
export function observationOf(input: ForecastInput): RunObservation {
  const epochs = input.checkpoints
    .filter((c) => c.epoch !== null)
    .map((c) => ({ epoch: c.epoch as number, graph: Object.fromEntries(epochFeatures(c.analysis)) }))
    .sort((a, b) => a.epoch - b.epoch);
  const any = input.checkpoints[0]?.analysis;
  return { layers: any ? any.layers.filter((l) => l.kind !== 'input').map((l) => l.kind) : [], epochs, valAcc: input.valAcc ?? [] };
}

/** The largest k ≤ wanted with a graph for every epoch 1..k. */
export function availableEpochs(obs: RunObservation, wanted: number): number {
  let k = 0;
  while (k < wanted && hasEpochs(obs, k + 1)) k++;
  return k;
}

/** The best predictor for a run at horizon k: its own architecture first, then the global one. */
export function choosePredictor(bundle: ForecasterBundle, obs: RunObservation, k: number): Predictor | null {
  const withVal = hasValAcc(obs, k);
  const sig = signatureOf(obs.layers);
  const fits = (p: Predictor, s: string) => p.spec.signature === s && p.spec.k === k && p.spec.groups.includes('val') === withVal;
  return bundle.predictors.find((p) => fits(p, sig)) ?? bundle.predictors.find((p) => fits(p, '*')) ?? null;
}

function describe(p: Predictor, bundle: ForecasterBundle): string {
  const arch = p.spec.signature === '*' ? 'any architecture (global features)' : `${p.spec.signature.split(',').length}-layer ${p.spec.signature.includes('conv') ? 'conv net' : 'MLP'}`;
  const inputs = p.spec.groups.includes('val') ? 'graph + validation accuracy' : 'graph only (no validation accuracy logged)';
  return `${bundle.source}: ${arch}, ${inputs}, ${p.trainedOn.runs} runs`;
}

/** The epoch a bundle's forecasts are for: where the runs it learned from ended. */
export function forecastHorizon(bundle: ForecasterBundle): Pick<Forecast, 'horizon' | 'horizonNote'> {
  const h = bundle.horizon;
  if (!h) return { horizon: null, horizonNote: `the final accuracy of the runs ${bundle.source} learned from; their number of epochs was not recorded` };
  const span = h.min === h.max ? `${h.max} epochs` : `${h.min}–${h.max} epochs`;
  return { horizon: h.max, horizonNote: `the accuracy at the end of training after ${span}, where the runs of ${bundle.source} ended` };
}

/** Forecast of the run's final accuracy, or null when no predictor fits the run or no epoch ≥ 1 is there yet. */
export function forecastRun(input: ForecastInput, opts: ForecastOptions = {}): Forecast | null {
  const obs = observationOf(input);
  const k = availableEpochs(obs, clampForecastEpochs(opts.epochs));
  if (k < 1) return null;
  const files = [opts.modelFile, shippedModelFile()].filter((f): f is string => !!f);
  for (const file of files) {
    const bundle = loadForecaster(file);
    const p = choosePredictor(bundle, obs, k);
    if (!p) continue;
    const [r] = predict(p, [obs]);
    return { accuracy: r.accuracy, low: r.low, high: r.high, epochsUsed: k, model: describe(p, bundle), ...forecastHorizon(bundle) };
  }
  return null;
}
