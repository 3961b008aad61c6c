/**
 * The editor's view of a run's outcome, computed in a worker (logs, configs and NaN checks read
 * files): where the run stands (running, finished, stopped, diverged), its horizon,
 * hyperparameters, divergence and logged accuracy, with a final accuracy only once it has finished.
 *
 * No logic of its own: the run's checkpoints are placed and checked for NaN/Inf by the engine's
 * placeRun (run/placed-run.ts) and its outcome read by runOutcome (run/outcome.ts), the same two
 * calls `analyze` makes, so the editor and the CLI say the same of a run.
 */
import type { Problem } from '../engine/errors';
import type { AccuracyLog } from '../engine/logs/run-accuracy';
import type { Divergence, NonFinite } from '../engine/run/divergence';
import type { Horizon } from '../engine/run/horizon';
import type { HyperValue } from '../engine/run/hyperparameters';
import type { LayoutKind } from '../engine/run/layout';
import { runOutcome } from '../engine/run/outcome';
import { placeRun } from '../engine/run/placed-run';
import type { StatusResult } from '../engine/run/status';

/** An analyzed checkpoint as the host knows it: what the file stores about its epoch. */
export interface KnownCheckpoint {
  path: string;
  epoch: number | null;
  metadata: Record<string, string | number | boolean | null>;
}

export interface RunFacts {
  /** The run's name by its framework's layout (a Lightning run is named after the folder holding lightning_logs). */
  name: string;
  layout: LayoutKind;
  status: Omit<StatusResult, 'warnings'>;
  horizon: Horizon | null;
  hyperparameters: { values: Record<string, HyperValue>; sources: Record<string, string> };
  divergence: Divergence | null;
  /** Failed checkpoints whose weights hold NaN/Inf: the divergence, not unreadable files. */
  nonFinite: (NonFinite & { path: string })[];
  warnings: string[];
}

export interface RunFactsResult {
  accuracy: AccuracyLog | null;
  finished: boolean;
  errors: Problem[];
  facts: RunFacts;
}

/** The run's facts from its analyzed checkpoints and the paths of those that failed. */
export function runFacts(runDir: string, checkpoints: KnownCheckpoint[], failed: string[]): RunFactsResult {
  const errors: Problem[] = [];
  const placed = placeRun(runDir, checkpoints, failed.map((f) => ({ path: f, message: 'failed' })));
  const analyzed = placed.placement.placed.filter((c) => c.item).map((c) => ({ path: c.path, epoch: c.epoch, step: c.step, metadata: c.metadata }));
  const o = runOutcome(placed.layout, analyzed, placed.weightsDivergence, errors, {}, { zeroBased: placed.placement.zeroBased });
  const { warnings: _w, ...status } = o.status;
  const facts: RunFacts = {
    name: placed.layout.name,
    layout: placed.layout.kind,
    status,
    horizon: o.horizon,
    hyperparameters: { values: o.hyperparameters.values, sources: o.hyperparameters.sources },
    divergence: o.divergence,
    nonFinite: [...placed.nonFinite].map(([p, nf]) => ({ ...nf, path: p })),
    warnings: [...new Set([...placed.layout.notes, ...placed.placement.warnings, ...o.warnings])],
  };
  return { accuracy: o.accuracy, finished: o.status.status === 'finished', errors, facts };
}
