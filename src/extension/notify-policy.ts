/**
 * Which runs deserve a "this run will end badly — stop it?" notification. Pure, unit-tested.
 *
 * A run is flagged when its forecast is below the absolute threshold (if set), or more than
 * `belowBest` below the best run of its sweep (runs sharing a parent folder), where a finished
 * run counts with its logged final accuracy and a running one with its forecast. Finished runs,
 * runs already notified and forecasts from fewer epochs than configured are never flagged: one
 * notification per run, ever, and only on a forecast the user said to trust.
 */
import type { RunSummary } from '../shared/dashboard-protocol';

export interface NotifySettings {
  /** Absolute accuracy in [0, 1]; 0 turns this rule off. */
  threshold: number;
  /** Gap to the sweep's best in accuracy points ([0, 1]); 0 turns this rule off. */
  belowBest: number;
  /** Epochs a forecast must rest on before it may ask to stop a run (trainingDynamics.forecastEpochs). */
  minEpochs: number;
}

export interface NotifyDecision {
  runId: string;
  name: string;
  forecast: number;
  best: { runId: string; name: string; accuracy: number } | null;
  reason: 'threshold' | 'belowBest';
  message: string;
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;

export function decideNotifications(runs: RunSummary[], s: NotifySettings, already: ReadonlySet<string>): NotifyDecision[] {
  const out: NotifyDecision[] = [];
  for (const run of runs) {
    if (!run.forecast || run.finalAccuracy !== null || already.has(run.id)) continue;
    // An early forecast (from fewer epochs than configured) is shown, but never asks to stop a run.
    if (run.forecast.epochsUsed < s.minEpochs) continue;
    const f = run.forecast.accuracy;
    if (!Number.isFinite(f)) continue;
    let best: NotifyDecision['best'] = null;
    for (const other of runs) {
      if (other.id === run.id || other.sweep !== run.sweep) continue;
      const acc = other.finalAccuracy ?? other.forecast?.accuracy;
      if (acc === undefined || !Number.isFinite(acc)) continue;
      if (!best || acc > best.accuracy) best = { runId: other.id, name: other.name, accuracy: acc };
    }
    if (s.belowBest > 0 && best && f < best.accuracy - s.belowBest) {
      out.push({ runId: run.id, name: run.name, forecast: f, best, reason: 'belowBest', message: `Run ${run.name} is forecast to reach ${pct(f)} (best run: ${pct(best.accuracy)}) — stop it?` });
    } else if (s.threshold > 0 && f < s.threshold) {
      out.push({ runId: run.id, name: run.name, forecast: f, best, reason: 'threshold', message: `Run ${run.name} is forecast to reach ${pct(f)}, below your threshold of ${pct(s.threshold)} — stop it?` });
    }
  }
  return out;
}
