/**
 * Which runs of a sweep to stop now, and what that saves: the one stopping rule the CLI, the
 * dashboard and the editor's notifications share, so they never disagree on a run.
 *
 * The rule (interval elimination):
 *  - a run that diverged (NaN/Inf weights or loss) is stopped: nothing it computes from then on
 *    is of use;
 *  - a running run is stopped when the upper end of its forecast's 80% interval is below the
 *    best lower end in the sweep: the best run's lower bound, a finished run counting with its
 *    logged final accuracy as a point (its interval has shrunk to it). Such a run is, as far as
 *    the forecaster can tell, worse than a run the sweep already has.
 * Finished and stopped runs are never advised (nothing left to save); a running run without a
 * forecast is never advised either.
 *
 * This is the elimination step of successive elimination for best-arm identification (Even-Dar,
 * Mannor & Mansour, "Action Elimination and Stopping Conditions for the Multi-Armed Bandit and
 * Reinforcement Learning Problems", JMLR 7, 2006: drop an arm whose upper confidence bound is
 * below the best lower confidence bound), which is what Hyperband-style pruning (Li et al.,
 * "Hyperband: A Novel Bandit-Based Approach to Hyperparameter Optimization", JMLR 18, 2018)
 * reduces to when each run's forecast comes with an interval instead of a single rank: only runs
 * that are worse with confidence are dropped, not a fixed fraction. With 80% intervals, a run
 * advised to stop ends above the best run's lower bound about once in ten (its own upper tail).
 *
 * Kept small (`adviseSweep(runs) → {perRun, summary}`) so that another rule, measured on the model
 * zoo, can take its place without touching its callers.
 */

export type SweepRunStatus = 'running' | 'finished' | 'stopped' | 'diverged' | 'unknown';

export interface SweepRun {
  /** The run's identity (its folder). */
  id: string;
  /** Its name, for the reasons. */
  name: string;
  status: SweepRunStatus;
  /** The forecast of its final accuracy and its 80% interval, in [0, 1]. */
  forecast: { accuracy: number; low: number; high: number } | null;
  /** The logged final accuracy of a finished run. */
  finalAccuracy: number | null;
  /** Epochs completed so far. */
  epochsDone: number | null;
  /** The epoch the run is set to end at. */
  horizon: number | null;
  /** Where a diverged run diverged, in words ("at epoch 4: NaN in fc1.weight"). */
  divergence?: string | null;
}

export interface RunAdvice {
  stop: boolean;
  /** Why, with the numbers that decide it. */
  reason: string;
  /** Epochs of compute saved by stopping now (horizon minus epochs done), when the horizon is known. */
  epochsSaved: number | null;
}

export interface SweepSummary {
  /** The runs to stop, best saving first. */
  stop: { id: string; name: string; epochsSaved: number | null; reason: string }[];
  /** Epochs saved by those whose horizon is known. */
  epochsSaved: number;
  /** Runs to stop whose saving is unknown (no horizon). */
  unknownSavings: number;
  /** "Stop these 2 runs now, saving about 21 epochs of compute." (or that no run needs stopping). */
  text: string;
}

export interface SweepAdvice {
  perRun: Map<string, RunAdvice>;
  summary: SweepSummary;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const num = (x: number): string => String(Math.round(x * 100) / 100);
const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** The best lower bound among runs that have finished or are still running, and whose it is. */
function bestLowerBound(runs: SweepRun[]): { run: SweepRun; low: number; point: boolean } | null {
  let best: { run: SweepRun; low: number; point: boolean } | null = null;
  for (const r of runs) {
    let low: number | undefined;
    let point = false;
    if (r.status === 'finished' && finite(r.finalAccuracy)) {
      low = r.finalAccuracy;
      point = true;
    } else if (r.status === 'running' && r.forecast && finite(r.forecast.low)) low = r.forecast.low;
    if (low !== undefined && (!best || low > best.low)) best = { run: r, low, point };
  }
  return best;
}

function saved(r: SweepRun): number | null {
  return finite(r.horizon) && finite(r.epochsDone) ? Math.max(0, Math.round((r.horizon - r.epochsDone) * 100) / 100) : null;
}

function adviseRun(r: SweepRun, best: ReturnType<typeof bestLowerBound>): RunAdvice {
  const epochsSaved = saved(r);
  const left = epochsSaved ? `; stopping now saves ${num(epochsSaved)} of its ${num(r.horizon!)} epochs` : '';
  if (r.status === 'diverged') return { stop: true, reason: `it diverged${r.divergence ? ` ${r.divergence}` : ''}: it cannot recover${left}`, epochsSaved };
  if (r.status === 'finished') return { stop: false, reason: 'it has finished', epochsSaved: null };
  if (r.status === 'stopped') return { stop: false, reason: 'it was stopped', epochsSaved: null };
  if (r.status !== 'running') return { stop: false, reason: 'whether it is still running is not known yet', epochsSaved: null };
  const f = r.forecast;
  if (!f || !finite(f.high)) return { stop: false, reason: 'it has no forecast yet', epochsSaved };
  if (!best || best.run.id === r.id) return { stop: false, reason: `its forecast (${pct(f.accuracy)}, 80% interval ${pct(f.low)}–${pct(f.high)}) is the best of its sweep`, epochsSaved };
  const bestText = best.point ? `${best.run.name}'s final accuracy of ${pct(best.low)}` : `${best.run.name}'s lower bound of ${pct(best.low)}`;
  if (f.high < best.low) {
    return { stop: true, reason: `its forecast of ${pct(f.accuracy)} (80% interval ${pct(f.low)}–${pct(f.high)}) is below ${bestText}${left}`, epochsSaved };
  }
  return { stop: false, reason: `its forecast interval (${pct(f.low)}–${pct(f.high)}) reaches ${bestText}: it may still end as well`, epochsSaved };
}

function summaryText(stop: SweepSummary['stop'], epochsSaved: number, unknown: number): string {
  if (stop.length === 0) return 'No run needs stopping now.';
  const n = stop.length === 1 ? 'this run' : `these ${stop.length} runs`;
  const known = stop.length - unknown;
  const saving = known === 0 ? 'the epochs saved are unknown (no horizon)' : `saving about ${num(epochsSaved)} epoch${epochsSaved === 1 ? '' : 's'} of compute${unknown ? ` (and more: ${unknown} of them ${unknown === 1 ? 'has' : 'have'} no known horizon)` : ''}`;
  return `Stop ${n} now, ${saving}.`;
}

/** The advice for every run of one sweep, and the sweep's summary. */
export function adviseSweep(runs: SweepRun[]): SweepAdvice {
  const best = bestLowerBound(runs);
  const perRun = new Map<string, RunAdvice>();
  for (const r of runs) perRun.set(r.id, adviseRun(r, best));
  const stop = runs
    .filter((r) => perRun.get(r.id)!.stop)
    .map((r) => ({ id: r.id, name: r.name, epochsSaved: perRun.get(r.id)!.epochsSaved, reason: perRun.get(r.id)!.reason }))
    .sort((a, b) => (b.epochsSaved ?? -1) - (a.epochsSaved ?? -1) || a.name.localeCompare(b.name));
  const epochsSaved = stop.reduce((s, r) => s + (r.epochsSaved ?? 0), 0);
  const unknownSavings = stop.filter((r) => r.epochsSaved === null).length;
  return { perRun, summary: { stop, epochsSaved, unknownSavings, text: summaryText(stop, epochsSaved, unknownSavings) } };
}
