/**
 * The epochs a forecast is made from, defined once: the forecaster reads the first `max` trained
 * epochs of a run at most (the zoo keeps checkpoints of epochs 0-5), and `default` unless told.
 */
export const FORECAST_EPOCHS = { min: 1, default: 3, max: 5 } as const;

/** A requested number of forecast epochs brought into range. */
export function clampForecastEpochs(k: number | undefined): number {
  return Math.min(FORECAST_EPOCHS.max, Math.max(FORECAST_EPOCHS.min, Math.floor(k ?? FORECAST_EPOCHS.default)));
}
