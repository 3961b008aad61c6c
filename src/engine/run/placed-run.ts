/**
 * A run's checkpoints on the progress axis, with those that could not be analyzed because their
 * weights are no longer finite taken as the run's divergence instead of as unreadable files.
 *
 * One function for the two places that have a run's checkpoints: the analysis report
 * (analyze-run.ts finishRun, with the analyses in hand) and the editor's run-facts job (the worker
 * gets the analyzed checkpoints' stored epochs and metadata, and the files that failed). Both
 * then read the run's outcome with runOutcome (outcome.ts), so the editor and `analyze` agree on
 * a run's epochs, status and divergence.
 */
import * as fs from 'node:fs';
import type { Problem } from '../errors';
import { firstNonFinite, type Divergence, type NonFinite } from './divergence';
import { layoutOf, type RunLayout } from './layout';
import { placeCheckpoints, type CheckpointFacts, type Placement, type ProgressOptions } from './progress';

export interface PlacedRun<T extends CheckpointFacts> {
  layout: RunLayout;
  /** Analyzed checkpoints (`item` set) and non-finite ones (`item` undefined), on the axis. */
  placement: Placement<CheckpointFacts & { item?: T }>;
  /** The non-finite value found in each checkpoint that failed for that reason. */
  nonFinite: Map<string, NonFinite>;
  /** The first non-finite checkpoint on the axis: where the weights diverged. */
  weightsDivergence: Divergence | null;
  /** Failures that are not divergence: unreadable files. */
  errors: Problem[];
}

/** The non-finite value of a failed checkpoint that still exists, else null. */
function nonFiniteOf(file: string): NonFinite | null {
  return fs.existsSync(file) ? firstNonFinite(file) : null;
}

export function placeRun<T extends CheckpointFacts>(dir: string, done: T[], failures: Problem[], opts: ProgressOptions = {}, findNonFinite = nonFiniteOf): PlacedRun<T> {
  const layout = layoutOf(dir, [...done.map((a) => a.path), ...failures.map((e) => e.path)]);
  const nonFinite = new Map<string, NonFinite>();
  const errors: Problem[] = [];
  for (const e of failures) {
    const nf = findNonFinite(e.path);
    if (nf) nonFinite.set(e.path, nf);
    else errors.push(e);
  }
  const facts: (CheckpointFacts & { item?: T })[] = [
    ...done.map((a) => ({ path: a.path, epoch: a.epoch, metadata: a.metadata, item: a })),
    ...[...nonFinite].map(([p, nf]) => ({ path: p, epoch: nf.epoch, metadata: nf.metadata, item: undefined })),
  ];
  const placement = placeCheckpoints(facts, opts);
  const firstBad = placement.placed.find((c) => !c.item);
  const nf = firstBad && nonFinite.get(firstBad.path);
  const weightsDivergence: Divergence | null = firstBad && nf ? { epoch: firstBad.epoch, step: firstBad.step, source: 'weights', tensor: nf.tensor, file: firstBad.path, value: String(nf.value) } : null;
  return { layout, placement, nonFinite, weightsDivergence, errors };
}
