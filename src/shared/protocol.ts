/**
 * The message protocol between the host and its analysis workers (node:worker_threads). Plain
 * shapes plus typed arrays, which are transferred. The dashboard's protocol is in
 * dashboard-protocol.ts.
 */
import type { CheckpointAnalysis } from '../engine/analyze-checkpoint';
import type { ThinGraph } from '../engine/graph/thin';
import type { AccuracyLog } from '../engine/logs/run-accuracy';

export interface AnalyzeJob {
  jobId: number;
  file: string;
  inputSize?: number;
  /** Previous epoch's centrality vector: a warm start for the eigen-solver. */
  warmStart?: Float64Array;
  /** Also return a thinned drawable graph with at most this many edges. */
  drawMaxEdges?: number;
}

/** Reads a run's training logs off the host thread (event files can be large). */
export interface AccuracyJob {
  jobId: number;
  runDir: string;
}

/** Trains a forecaster from the finished runs below a folder (forecast/train.ts `trainForecaster`). */
export interface TrainJob {
  jobId: number;
  root: string;
  /** Default: `<root>/.training-dynamics/forecaster.json`, where forecasts of runs below look first. */
  outFile?: string;
  inputSize?: number;
}

export type HostToWorker =
  | { type: 'analyze'; job: AnalyzeJob }
  | { type: 'accuracy'; job: AccuracyJob }
  | { type: 'train'; job: TrainJob }
  /** A worker runs one job at a time to its end; the pool cancels a running job by ending the worker. */
  | { type: 'cancel'; jobId: number };

export type WorkerToHost =
  | { type: 'result'; jobId: number; analysis: CheckpointAnalysis; centrality: Float64Array; draw?: ThinGraph }
  | {
      type: 'accuracy';
      jobId: number;
      accuracy: AccuracyLog | null;
      /** A test accuracy was logged: the run has finished and `accuracy.final` is its result. */
      finished: boolean;
      errors: { path: string; message: string }[];
    }
  | { type: 'trained'; jobId: number; outFile: string; runsFound: number; finished: number; predictors: number; summary: string }
  | { type: 'error'; jobId: number; file: string; message: string; name: string };
