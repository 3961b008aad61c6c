/** What a forecast says about a run: its result, as the CLI's JSON and the dashboard show it. */
export interface Forecast {
  /** Forecast final accuracy, in [0, 1] (NaN, null in JSON, when it cannot be known: a diverged run of unknown classes). */
  accuracy: number;
  /** The 80% interval around it. */
  low: number;
  high: number;
  /** Trained epochs the forecast was made from. */
  epochsUsed: number;
  /** Which predictor made it, in words. */
  model?: string;
  /**
   * The epoch the forecast accuracy is for: the end of training of the runs the forecaster learned
   * from (the model zoo's runs end at 12–15 epochs: 15, with `horizonNote` saying so), or the
   * run's own horizon for a diverged run; null when not known.
   */
  horizon?: number | null;
  /** The horizon in words, and whether it matches the run's. */
  horizonNote?: string;
  /** Why the forecast is what it is when no predictor made it (a diverged run: chance level). */
  reason?: string;
}
