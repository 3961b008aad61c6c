/**
 * A run's accuracy curve as the reports carry it: the validation accuracy per epoch from its
 * training logs and the final accuracy when it was logged, with the log files it came from.
 */
import * as path from 'node:path';
import { problemOf, type Problem } from '../errors';
import { accuracyCurve, finalAccuracy, readLog, readRunLogs, type MetricPoint } from './index';

export interface AccuracyLog {
  /** Series name as logged, e.g. `val_acc`. */
  metric: string;
  /** Log files read. */
  sources: string[];
  points: MetricPoint[];
  /** Final test accuracy when logged (else the last validation accuracy), in [0, 1]. */
  final: number | null;
}

/** Training logs of a run: in its folder (and one level below), else in its parent (Lightning keeps checkpoints in a subfolder). */
export function runAccuracy(dir: string, errors: Problem[]): AccuracyLog | null {
  // Logs never cost a run its checkpoints' report: any failure here is reported and the run goes on.
  try {
    return readAccuracy(dir, errors);
  } catch (e) {
    errors.push(problemOf(e, dir));
    return null;
  }
}

function readAccuracy(dir: string, errors: Problem[]): AccuracyLog | null {
  for (const d of [dir, path.dirname(dir)]) {
    // In the parent, only its own files: its other subfolders are sibling runs with their own logs.
    const { logs, errors: logErrors } = readRunLogs(d, d !== dir);
    for (const e of logErrors) errors.push({ path: e.file, message: e.problem });
    const curve = accuracyCurve(logs);
    if (curve) return { metric: curve.metric, sources: logs.map((l) => l.source), points: curve.points, final: finalAccuracy(logs) };
    if (logs.length) return null;
  }
  return null;
}

/** A test accuracy in the logs means the run reached its end (training scripts log it last). */
const isTestAccuracy = (name: string): boolean => /(^|[^a-z])test/i.test(name) && /acc|top1/i.test(name);

/** The run's accuracy and whether it has finished (a test accuracy was logged, so `final` is its result). */
export function runAccuracyStatus(dir: string): { accuracy: AccuracyLog | null; finished: boolean; errors: Problem[] } {
  const errors: Problem[] = [];
  const accuracy = runAccuracy(dir, errors);
  let finished = false;
  if (accuracy && accuracy.final !== null) {
    for (const f of accuracy.sources) {
      try {
        if (Object.keys(readLog(f).series).some(isTestAccuracy)) finished = true;
      } catch {
        /* reported by runAccuracy already */
      }
    }
  }
  return { accuracy, finished, errors };
}
