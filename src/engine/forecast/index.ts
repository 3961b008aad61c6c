/**
 * Forecast entry point for the CLI and the extension (implementation in progress: returns null).
 */
import type { CheckpointAnalysis } from '../analyze-checkpoint';
import type { Forecast } from '../analyze';

export interface ForecastInput {
  /** The run's analyzed checkpoints, any order; epoch 0 = initialisation when present. */
  checkpoints: { epoch: number | null; analysis: CheckpointAnalysis }[];
  /** Validation accuracy per epoch from the run's logs, if any. */
  valAcc: { epoch: number; value: number }[] | null;
}

/** Forecast of the run's final accuracy, or null when no predictor fits the run or too few epochs. */
export function forecastRun(_input: ForecastInput, _opts: { epochs?: number; modelFile?: string } = {}): Forecast | null {
  return null;
}
