/** The report of an analysis: per run, its analyzed checkpoints, logs, features, forecast and failures. */
import type { CheckpointAnalysis } from '../analyze-checkpoint';
import type { Problem } from '../errors';
import type { RunFeatureVector } from '../features/definitions';
import type { Forecast } from '../forecast/types';
import type { AccuracyLog } from '../logs/run-accuracy';

export interface RunReport {
  path: string;
  checkpoints: (CheckpointAnalysis & { order: number })[];
  /** Accuracy per epoch from the run's training logs, when it keeps any. */
  accuracy: AccuracyLog | null;
  /** The forecaster's input: temporal graph features over the first K epochs (features/definitions.ts). */
  features: RunFeatureVector;
  forecast: Forecast | null;
  errors: Problem[];
}

export interface AnalysisReport {
  runs: RunReport[];
}
