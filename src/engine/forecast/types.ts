/** What a forecast says about a run: its result, as the CLI's JSON and the dashboard show it. */
export interface Forecast {
  /** Forecast final accuracy, in [0, 1]. */
  accuracy: number;
  /** The 80% interval around it. */
  low: number;
  high: number;
  /** Trained epochs the forecast was made from. */
  epochsUsed: number;
  /** Which predictor made it, in words. */
  model?: string;
}
