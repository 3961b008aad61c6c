/**
 * Which runs deserve a "stop it?" notification. Pure, unit-tested.
 *
 * A notification must be one a user can trust, so it follows the sweep's stopping advice (engine
 * run/sweep-advice.ts, the rule the dashboard and the CLI show) and says what the dashboard says:
 *  - a run that diverged is notified at once, naming the epoch and the tensor (or the loss);
 *  - a run still running is notified when the advice says stop; its forecast must rest on at
 *    least `minEpochs` epochs, and, when `belowBest` is set, lie that far below the best run of
 *    its sweep (a finished run counts with its final accuracy, a running one with its forecast);
 *  - a run still running whose whole 80% interval is under the user's `threshold` is notified too.
 * Never for a run that has finished or was stopped, nor for one whose logs are not read yet (its
 * advice is null until then, and a forecast made before the logs were read gives none: see
 * runtime/live/facts-view.ts). At most one notification per run and state (diverged, or advised to
 * stop): `already` holds the keys shown before.
 */
import type { RunSummary } from '../shared/dashboard-protocol';

export interface NotifySettings {
  /** Absolute accuracy in [0, 1]; 0 turns this rule off. */
  threshold: number;
  /** Gap to the sweep's best in accuracy points ([0, 1]) an advised stop must also show; 0: every advised stop. */
  belowBest: number;
  /** Epochs a forecast must rest on before it may ask to stop a run (trainingDynamics.forecastEpochs). */
  minEpochs: number;
}

export type NotifyState = 'diverged' | 'stop';

export interface NotifyDecision {
  runId: string;
  name: string;
  state: NotifyState;
  /** The run and state, remembered so that it is shown once. */
  key: string;
  /** Why, without the question: what a STOP file records as its reason. */
  reason: string;
  message: string;
}

export const notifyKey = (runId: string, state: NotifyState): string => `${runId}#${state}`;

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const num = (x: number): string => String(Math.round(x * 100) / 100);

/** The best accuracy of a run's sweep besides it: finished runs' final accuracy, running runs' forecast. */
function bestOf(run: RunSummary, runs: RunSummary[]): number | null {
  let best: number | null = null;
  for (const o of runs) {
    if (o.id === run.id || o.sweep !== run.sweep) continue;
    const acc = o.training.status === 'finished' ? o.finalAccuracy : o.training.status === 'running' ? o.forecast?.accuracy : undefined;
    if (typeof acc === 'number' && Number.isFinite(acc) && (best === null || acc > best)) best = acc;
  }
  return best;
}

function divergedText(run: RunSummary): string {
  const d = run.diverged!;
  const where = d.tensor ? `${d.value ?? 'a non-finite value'} in \`${d.tensor}\`` : d.metric ? `${d.metric} is ${d.value ?? 'not finite'}` : 'its weights are not finite';
  return `Run ${run.name} diverged at epoch ${num(d.epoch)}: ${where}`;
}

function decide(run: RunSummary, runs: RunSummary[], s: NotifySettings): { state: NotifyState; reason: string } | null {
  if (run.training.status === 'diverged' && run.diverged) return { state: 'diverged', reason: divergedText(run) };
  if (run.training.status !== 'running' || !run.advice || !run.forecast) return null;
  const f = run.forecast;
  // An early forecast (from fewer epochs than configured) is shown, but never asks to stop a run.
  if (f.epochsUsed < s.minEpochs || !Number.isFinite(f.accuracy)) return null;
  if (run.advice.stop) {
    const best = bestOf(run, runs);
    if (s.belowBest <= 0 || (best !== null && f.accuracy < best - s.belowBest)) return { state: 'stop', reason: `Run ${run.name}: ${run.advice.reason}` };
  }
  if (s.threshold > 0 && f.high < s.threshold) {
    return { state: 'stop', reason: `Run ${run.name} is forecast to reach ${pct(f.accuracy)} (80% interval ${pct(f.low)}–${pct(f.high)}), below your threshold of ${pct(s.threshold)}` };
  }
  return null;
}

export function decideNotifications(runs: RunSummary[], s: NotifySettings, already: ReadonlySet<string>): NotifyDecision[] {
  const out: NotifyDecision[] = [];
  for (const run of runs) {
    const d = decide(run, runs, s);
    if (!d) continue;
    const key = notifyKey(run.id, d.state);
    if (already.has(key)) continue;
    out.push({ runId: run.id, name: run.name, state: d.state, key, reason: d.reason, message: `${d.reason} — stop it?` });
  }
  return out;
}
