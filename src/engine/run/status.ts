/**
 * Where a run stands: `diverged` (its weights or loss are no longer finite: divergence.ts),
 * `finished`, `stopped` or `running`. A run is finished only when it says so or reached its
 * horizon:
 *  - it logged a test metric (`test_acc`, `test/loss`, …: training scripts test last), or its
 *    framework logged completion (Hugging Face: the `train_runtime` summary, or the trainer
 *    control's `should_training_stop`; Lightning: EarlyStopping's `stopped_epoch` in a checkpoint),
 *    or it wrote a results file at its end (`final.json`, Hugging Face examples' `all_results.json`
 *    / `train_results.json`);
 *  - or its checkpoints or logs reached the horizon's epoch or step (horizon.ts).
 * A run that is not finished holds a `STOP` file (written by the editor's Stop) that was honoured
 * when at most one checkpoint is newer than the request (the loop checks the file after saving the
 * epoch it was in): `stopped`. Otherwise it is `running` (which includes a run that crashed: no
 * file says so).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunLog } from '../logs/common';
import type { Divergence } from './divergence';
import type { Horizon } from './horizon';

export type RunStatus = 'running' | 'finished' | 'stopped' | 'diverged';

export interface StatusInput {
  dir: string;
  /** Folders holding the run's checkpoints (where a STOP file is written). */
  holders: string[];
  checkpoints: { path: string; epoch: number; step: number | null; metadata?: Record<string, string | number | boolean | null> }[];
  /** The run's logs, on the progress axis. */
  logs: RunLog[];
  horizon: Horizon | null;
  /** The trainer state logged completion (Hugging Face). */
  completed: boolean;
  divergence: Divergence | null;
}

export interface StatusResult {
  status: RunStatus;
  /** Why, in words. */
  reason: string;
  /** The furthest epoch and step the run's checkpoints or logs reached. */
  lastEpoch: number | null;
  lastStep: number | null;
  /** The epoch the run logged its test result at (a horizon when none is configured). */
  testEpoch: number | null;
  warnings: string[];
}

const COMPLETION_FILES = ['final.json', 'all_results.json', 'train_results.json'];
const isTest = (name: string): boolean => /(^|[^a-z])test/i.test(name) && !/runtime|per_second/i.test(name);

function mtime(p: string): number | undefined {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Checkpoints written within this long after the STOP file count as written with it (copies and checkouts give every file about the same time). */
const SAME_TIME_MS = 2000;

/** The run's STOP file, when (its modification time: the clock of the machine that holds the run) and by whom. */
function stopRequest(input: StatusInput): { file: string; time: number; by: string } | undefined {
  for (const d of [input.dir, ...input.holders]) {
    const f = path.join(d, 'STOP');
    const time = mtime(f);
    if (time === undefined) continue;
    let by = '';
    try {
      const doc = JSON.parse(fs.readFileSync(f, 'utf8').slice(0, 100_000)) as { requestedBy?: unknown; reason?: unknown };
      if (typeof doc.requestedBy === 'string') by = ` by ${doc.requestedBy}`;
      if (typeof doc.reason === 'string') by += `: ${doc.reason.slice(0, 200)}`;
    } catch {
      /* an empty or free-form STOP file is still a stop request */
    }
    return { file: f, time, by };
  }
  return undefined;
}

const fmt = (x: number): string => String(Math.round(x * 1000) / 1000);

export function runStatus(input: StatusInput): StatusResult {
  const warnings: string[] = [];
  let lastEpoch: number | null = null;
  let lastStep: number | null = null;
  let testEpoch: number | null = null;
  const see = (epoch: number, step: number | null | undefined) => {
    if (Number.isFinite(epoch)) lastEpoch = Math.max(lastEpoch ?? -Infinity, epoch);
    if (step !== null && step !== undefined && Number.isFinite(step)) lastStep = Math.max(lastStep ?? -Infinity, step);
  };
  for (const c of input.checkpoints) see(c.epoch, c.step);
  let testMetric: string | undefined;
  for (const log of input.logs) {
    for (const [name, pts] of Object.entries(log.series)) {
      for (const p of pts) see(p.epoch, p.step);
      if (isTest(name) && pts.length) {
        testMetric ??= `${name} (${path.basename(log.source)})`;
        for (const p of pts) testEpoch = Math.max(testEpoch ?? -Infinity, p.epoch);
      }
    }
  }
  const result = (status: RunStatus, reason: string): StatusResult => ({ status, reason, lastEpoch, lastStep, testEpoch, warnings });
  const d = input.divergence;
  if (d) {
    const where = d.tensor ? `tensor '${d.tensor}' of ${path.basename(d.file)} holds ${d.value}` : `${d.metric} is ${d.value} in ${path.basename(d.file)}`;
    return result('diverged', `diverged at epoch ${fmt(d.epoch)}: ${where}`);
  }
  if (testMetric) return result('finished', `a test result was logged: ${testMetric}`);
  if (input.completed) return result('finished', 'the trainer logged the end of training');
  const early = input.checkpoints.find((c) => typeof c.metadata?.early_stopped_epoch === 'number');
  if (early) return result('finished', `early stopping ended it at epoch ${early.metadata!.early_stopped_epoch as number} (${path.basename(early.path)})`);
  const done = COMPLETION_FILES.find((f) => mtime(path.join(input.dir, f)) !== undefined);
  if (done) return result('finished', `it wrote ${done}`);
  const h = input.horizon;
  if (h && h.epochs !== null && lastEpoch !== null && lastEpoch >= h.epochs - 1e-6) return result('finished', `it reached its horizon of ${fmt(h.epochs)} epochs`);
  if (h && h.steps !== null && lastStep !== null && lastStep >= h.steps) return result('finished', `it reached its horizon of ${h.steps} steps`);
  const stop = stopRequest(input);
  if (stop) {
    const after = input.checkpoints.filter((c) => (mtime(c.path) ?? 0) > stop.time + SAME_TIME_MS).length;
    if (after <= 1) return result('stopped', `a STOP file was honoured (${path.relative(input.dir, stop.file) || 'STOP'}${stop.by})`);
    warnings.push(`${path.relative(input.dir, stop.file) || 'STOP'} asks the run to stop, but ${after} checkpoints were written after it: the loop does not check for it`);
  }
  const of = h?.epochs != null ? ` of ${fmt(h.epochs)}` : '';
  return result('running', lastEpoch === null ? 'no epoch reached yet' : `at epoch ${fmt(lastEpoch)}${of}, and no test result or end of training logged`);
}
