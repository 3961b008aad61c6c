/** The report of an analysis: per run, its analyzed checkpoints, logs, features, forecast and failures. */
import type { CheckpointAnalysis } from '../analyze-checkpoint';
import type { Problem } from '../errors';
import type { RunFeatureVector } from '../features/definitions';
import type { Forecast } from '../forecast/types';
import type { AccuracyLog } from '../logs/index';
import type { Divergence } from './divergence';
import type { Horizon } from './horizon';
import type { HyperValue } from './hyperparameters';
import type { LayoutKind } from './layout';
import type { EpochSource } from './progress';
import type { ReusedFrom } from './result-store';
import type { RunStatus } from './status';

/** An analyzed checkpoint on the run's progress axis (run/progress.ts). */
export type ReportCheckpoint = CheckpointAnalysis & {
  /** Training epochs completed when it was written (0: weights before any training; fractional mid-epoch). */
  epoch: number;
  /** Optimizer steps done, when known. */
  step: number | null;
  /** Where the epoch comes from: the file, its name, the run's log, or the order of the files (the last two, and names of plain loops, are guesses: see `warnings`). */
  epochSource: EpochSource;
  /** The same as `epoch` (kept for readers of earlier reports). */
  order: number;
  /** Present when the result was read from the run's `.training-dynamics/results/` instead of computed. */
  reused?: ReusedFrom;
};

export interface RunReport {
  path: string;
  /** The run's name: its folder, with `/version_<n>` for one of several Lightning versions. */
  name: string;
  layout: LayoutKind;
  status: RunStatus;
  /** Why the status is what it is, in words. */
  statusReason: string;
  /** The epoch (and step) the run is set to end at, and where that was read; null when unknown. */
  horizon: Horizon | null;
  /** Flat dotted keys, numbers as numbers, and the file each came from. */
  hyperparameters: { values: Record<string, HyperValue>; sources: Record<string, string> };
  /** Where and when the run diverged (NaN/Inf weights or loss); null when it did not. */
  diverged: Divergence | null;
  checkpoints: ReportCheckpoint[];
  /** Accuracy per epoch from the run's training logs, when it keeps any; `final` only once finished. */
  accuracy: AccuracyLog | null;
  /** The forecaster's input: temporal graph features over the first K epochs (features/definitions.ts). */
  features: RunFeatureVector;
  forecast: Forecast | null;
  /** Guesses and facts worth knowing (an epoch taken from a file name, a log's epoch convention, …). */
  warnings: string[];
  errors: Problem[];
}

export interface AnalysisReport {
  runs: RunReport[];
}
