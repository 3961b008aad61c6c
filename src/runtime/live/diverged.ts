/**
 * A diverged run's forecast in the editor: chance level with the reason, made by the engine's own
 * functions (run/analyze-run.ts divergedForecast, run/divergence.ts chanceLevel) from the
 * checkpoints analyzed before the divergence, exactly as `analyze` makes it. No forecaster file is
 * read, so this runs on the host without a worker job.
 */
import type { Forecast } from '../../engine/forecast/types';
import { divergedForecast as engineDivergedForecast } from '../../engine/run/analyze-run';
import { chanceLevel } from '../../engine/run/divergence';
import type { RunState } from './run-registry';

/** The chance-level forecast of a run whose facts say it diverged, else null. */
export function divergedForecast(run: RunState, forecastEpochs: number): Forecast | null {
  const facts = run.facts;
  const d = facts?.divergence;
  if (!facts || !d) return null;
  const before = run.ordered().filter((c) => c.order < d.epoch);
  const nonFinite = facts.nonFinite.find((n) => n.path === d.file) ?? null;
  const chance = chanceLevel(before.map((c) => c.analysis), nonFinite, { ...facts.hyperparameters, warnings: [] });
  // The epochs a forecast would have used: whole trained epochs before the divergence (features/definitions.ts runFeatures).
  const epochsUsed = before.filter((c) => Number.isInteger(c.order) && c.order > 0).slice(0, forecastEpochs).length;
  return engineDivergedForecast(d, epochsUsed, chance, facts.horizon);
}
