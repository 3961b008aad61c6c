/**
 * Everything about a run that is not its checkpoints' graphs: its training logs on the progress
 * axis, its hyperparameters and horizon, whether it diverged, its status, and its accuracy (with a
 * final accuracy only once it has finished). Shared by the analysis report (analyze-run.ts), by
 * `train` (which learns from finished runs only) and by the editor's accuracy jobs
 * (logs/run-accuracy.ts runAccuracyStatus).
 */
import * as path from 'node:path';
import type { Problem } from '../errors';
import type { RunLog } from '../logs/common';
import { readRunLogs } from '../logs/index';
import { accuracyFromLogs, type AccuracyLog } from '../logs/index';
import { readTrainerState, type TrainerState } from '../logs/trainer-state';
import { lossDivergence, type Divergence } from './divergence';
import { resolveHorizon, type Horizon } from './horizon';
import { readHyperparameters, type Hyperparameters } from './hyperparameters';
import type { RunLayout } from './layout';
import { placeLogs, type ProgressOptions } from './progress';
import { runStatus, type StatusResult } from './status';

export interface OutcomeOptions extends ProgressOptions {
  /** `--horizon T`: the epoch the run is set to end at, over what its config says. */
  horizon?: number;
}

/** What the checkpoints' placement found out about the run's numbering (progress.ts Placement). */
export interface CheckpointFindings {
  zeroBased?: boolean;
}

export interface RunOutcome {
  /** The run's logs with epochs on the checkpoints' axis. */
  logs: RunLog[];
  /** How each log's epochs were placed. */
  logRules: string[];
  accuracy: AccuracyLog | null;
  hyperparameters: Hyperparameters;
  horizon: Horizon | null;
  trainerState?: TrainerState;
  /** The earliest sign of divergence: the weights' (given) or the loss's (from the logs). */
  divergence: Divergence | null;
  status: StatusResult;
  warnings: string[];
}

/** The run's logs as its layout places them; a plain run without logs of its own reads its parent's own files. */
function layoutLogs(layout: RunLayout, errors: Problem[]): RunLog[] {
  const logs: RunLog[] = [];
  const read = (dir: string, topOnly: boolean) => {
    const r = readRunLogs(dir, topOnly);
    for (const e of r.errors) errors.push({ path: e.file, message: e.problem });
    for (const l of r.logs) if (!logs.some((x) => x.source === l.source)) logs.push(l);
  };
  for (const d of layout.logDirs) read(d.dir, d.topOnly);
  // Lightning keeps checkpoints in a subfolder of the logs; other tools write logs beside the run folder.
  if (!logs.length && (layout.kind === 'plain' || layout.kind === 'keras')) read(path.dirname(layout.dir), true);
  return logs;
}

export function runOutcome(
  layout: RunLayout,
  checkpoints: { path: string; epoch: number; step: number | null; metadata?: Record<string, string | number | boolean | null> }[],
  weightsDivergence: Divergence | null,
  errors: Problem[],
  opts: OutcomeOptions = {},
  found: CheckpointFindings = {},
): RunOutcome {
  const warnings: string[] = [];
  const raw = layoutLogs(layout, errors);
  const placed = placeLogs(raw, layout.kind, opts, found.zeroBased);
  warnings.push(...placed.warnings);
  const stateLog = raw.find((l) => l.format === 'hf-trainer-state');
  let trainerState: TrainerState | undefined;
  if (stateLog) {
    try {
      trainerState = readTrainerState(stateLog.source);
    } catch {
      /* reported with the logs */
    }
  }
  const hyperparameters = readHyperparameters(layout);
  warnings.push(...hyperparameters.warnings);
  let horizon = resolveHorizon(hyperparameters, trainerState, opts.horizon, trainerState && path.relative(layout.dir, trainerState.file));
  const loss = lossDivergence(placed.logs);
  const divergence = [weightsDivergence, loss].filter((d): d is Divergence => d !== null).sort((a, b) => a.epoch - b.epoch || (a.source === 'weights' ? -1 : 1))[0] ?? null;
  const holders = [...new Set(checkpoints.map((c) => path.dirname(c.path)))];
  const status = runStatus({ dir: layout.dir, holders, checkpoints, logs: placed.logs, horizon, completed: trainerState?.completed ?? false, divergence });
  warnings.push(...status.warnings);
  if (!horizon && status.status === 'finished' && status.testEpoch !== null && status.testEpoch > 0) {
    horizon = { epochs: status.testEpoch, steps: null, source: 'log' };
  }
  if (horizon?.epochs != null && status.lastEpoch !== null && status.lastEpoch > horizon.epochs + 1e-6 && horizon.source !== 'flag') {
    warnings.push(`the run reached epoch ${status.lastEpoch}, past its configured horizon of ${horizon.epochs} (${horizon.key ?? horizon.source}): check the epoch convention`);
  }
  let accuracy = accuracyFromLogs(placed.logs, placed.rules);
  if (accuracy && status.status !== 'finished') accuracy = { ...accuracy, final: null };
  return { logs: placed.logs, logRules: placed.rules, accuracy, hyperparameters, horizon, trainerState, divergence, status, warnings };
}
