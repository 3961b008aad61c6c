/**
 * A run's accuracy from its logs alone (no checkpoint is read), as the editor's accuracy jobs and
 * `train` want it: the validation curve on the run's progress axis (run/progress.ts), and the final
 * accuracy only once the run has finished (run/status.ts: a test result or the end of training
 * logged, or its horizon reached).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { problemOf, type Problem } from '../errors';
import { layoutOf, runDirFor } from '../run/layout';
import { runOutcome, type OutcomeOptions } from '../run/outcome';
import type { AccuracyLog } from './index';

export type { AccuracyLog } from './index';

/** The candidate checkpoint files directly in a folder (by name only: nothing is opened). */
function checkpointNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((n) => /\.(pt|pth|ckpt|bin|safetensors|h5|keras|onnx|npz)$/i.test(n)).map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/** The run's accuracy and whether it has finished (then `final` is its result). `dir` is the run folder or the folder holding its checkpoints. */
export function runAccuracyStatus(dir: string, opts: OutcomeOptions = {}): { accuracy: AccuracyLog | null; finished: boolean; errors: Problem[] } {
  const errors: Problem[] = [];
  // Logs never cost a run its checkpoints' report: any failure here is reported and the run goes on.
  try {
    const runDir = runDirFor(dir, new Set([dir]));
    const o = runOutcome(layoutOf(runDir, checkpointNames(dir)), [], null, errors, opts);
    return { accuracy: o.accuracy, finished: o.status.status === 'finished', errors };
  } catch (e) {
    errors.push(problemOf(e, dir));
    return { accuracy: null, finished: false, errors };
  }
}

/** The run's accuracy (see runAccuracyStatus); its log errors are added to `errors`. */
export function runAccuracy(dir: string, errors: Problem[], opts: OutcomeOptions = {}): AccuracyLog | null {
  const r = runAccuracyStatus(dir, opts);
  errors.push(...r.errors);
  return r.accuracy;
}
