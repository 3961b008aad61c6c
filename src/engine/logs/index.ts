/**
 * Training logs: the accuracy a run reached, read from the files its training wrote next to the
 * checkpoints. Formats: TensorBoard event files, Lightning's metrics.csv, Keras' CSVLogger, JSON
 * lines, Hugging Face's trainer_state.json. Every reader is bounded (files above MAX_LOG_BYTES are refused) and treats a half-written
 * last record or line as normal: it stops there and records a warning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, asInputError } from '../errors';
import { readRegularHead } from '../io/regular-file';
import { csvHeader, readCsvLog } from './csv';
import { readJsonlLog } from './jsonl';
import { isTensorBoardFile, readTensorBoard } from './tfevents';
import { isTrainerStateFile, latestTrainerState, readTrainerState } from './trainer-state';
import type { MetricPoint, RunLog } from './common';

export type { LogFormat, MetricPoint, RunLog } from './common';
export { MAX_LOG_BYTES } from './common';

// ---------------------------------------------------------------------------------------------
// Finding and reading log files
// ---------------------------------------------------------------------------------------------

/** Folders looked into below the run folder: everything one level down, and Lightning's two. */
const MAX_ENTRIES = 10_000;

function isCsvWithEpoch(file: string): boolean {
  try {
    const head = readRegularHead(file, 8192);
    return csvHeader(Buffer.from(head).toString('utf8').replace(/^\uFEFF/, '')).includes('epoch');
  } catch {
    return false;
  }
}

/** A log by its name alone (no reading): what is reported when it cannot be read. */
function looksLikeLog(base: string): boolean {
  return isTensorBoardFile(base) || /\.(jsonl|csv|log)$/i.test(base);
}

function isLogFile(file: string): boolean {
  const base = path.basename(file);
  if (isTensorBoardFile(base)) return true;
  if (/\.jsonl$/i.test(base)) return true;
  if (base === 'metrics.csv') return true;
  if (isTrainerStateFile(file)) return true;
  // Keras' CSVLogger writes wherever it is told; 'training.log' is the documented example.
  if (/\.(csv|log)$/i.test(base)) return isCsvWithEpoch(file);
  return false;
}

/** True when `p` is `root` or inside it. */
function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

interface Listing {
  files: string[];
  dirs: string[];
  /** Entries that look like logs but are not read, and why. */
  refused: InputError[];
}

/**
 * The regular files and folders of `dir`. A link is followed only when it leads to somewhere
 * inside `root` (the run folder): a log linked from elsewhere is reported, not read. Entries that
 * look like logs but are not regular files (FIFOs, devices) are reported too, never opened.
 */
function listDir(dir: string, root: string): Listing {
  const out: Listing = { files: [], dirs: [], refused: [] };
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    realRoot = root;
  }
  for (const name of names.sort().slice(0, MAX_ENTRIES)) {
    if (name.startsWith('.')) continue;
    const p = path.join(dir, name);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
      if (st.isSymbolicLink()) {
        const real = fs.realpathSync(p);
        if (!inside(realRoot, real)) {
          if (looksLikeLog(name)) out.refused.push(new InputError(p, `is a link to '${real}', outside the run folder; not followed`));
          continue;
        }
        st = fs.statSync(p);
      }
    } catch (e) {
      if (looksLikeLog(name)) out.refused.push(new InputError(p, `cannot be read: ${(e as Error).message}`));
      continue;
    }
    if (st.isFile()) out.files.push(p);
    else if (st.isDirectory()) out.dirs.push(p);
    else if (looksLikeLog(name)) out.refused.push(new InputError(p, 'is not a regular file (a FIFO, socket or device); not read'));
  }
  return out;
}

/**
 * Log files of a run folder: event files, metrics.csv, Keras CSVLogger files (a .csv or .log
 * whose header has an `epoch` column), *.jsonl; in the folder and its direct subfolders (Keras' `train/`,
 * `validation/`; Lightning's `version_N/`), and in `lightning_logs/version_N/`.
 * `refused`, when given, collects the entries that look like logs but are not read, and why.
 */
export function findLogs(runDir: string, topOnly = false, refused?: InputError[]): string[] {
  const out: string[] = [];
  const list = (d: string): Listing => {
    const l = listDir(d, runDir);
    refused?.push(...l.refused);
    return l;
  };
  const top = list(runDir);
  out.push(...top.files.filter(isLogFile));
  if (!topOnly) {
    for (const d of top.dirs) {
      const sub = list(d);
      out.push(...sub.files.filter(isLogFile));
      if (path.basename(d) === 'lightning_logs') {
        for (const v of sub.dirs) out.push(...list(v).files.filter(isLogFile));
      }
    }
  }
  // Hugging Face keeps a trainer_state.json in the output folder and in every checkpoint-<step>/,
  // each holding the whole history so far: only the most advanced one is read.
  const states = out.filter(isTrainerStateFile);
  if (states.length <= 1) return out;
  const keep = latestTrainerState(states);
  return out.filter((f) => !isTrainerStateFile(f) || f === keep);
}

/** Reads one log file, choosing the reader by its name (and a CSV's header). */
export function readLog(file: string): RunLog {
  const base = path.basename(file);
  if (isTensorBoardFile(base)) return readTensorBoard(file);
  if (/\.jsonl$/i.test(base)) return readJsonlLog(file);
  if (isTrainerStateFile(file)) return readTrainerState(file).log;
  if (/\.(csv|log)$/i.test(base)) return readCsvLog(file);
  throw new InputError(file, 'not a known training log (expected events.out.tfevents.*, a .csv with an epoch column, .jsonl or trainer_state.json)');
}

// ---------------------------------------------------------------------------------------------
// Picking the accuracy
// ---------------------------------------------------------------------------------------------

type Split = 'val' | 'test' | 'train';

interface Candidate {
  metric: string;
  split: Split;
  /** Logged per step/batch rather than per epoch (Lightning's `val_acc_step`). */
  stepLevel: boolean;
  final: boolean;
  /** Points of this name across all logs, in the order given. */
  points: MetricPoint[];
}

const VAL_TOKENS = new Set(['val', 'valid', 'validation', 'eval', 'evaluation', 'dev']);
const TEST_TOKENS = new Set(['test', 'testing']);
const ACC_TOKENS = new Set(['acc', 'accuracy', 'acc1', 'top1', 'accuracy1']);
const NOT_ACC_TOKENS = new Set(['loss', 'top5', 'acc5', 'err', 'error', 'std', 'var', 'lr']);
const STEP_TOKENS = new Set(['step', 'steps', 'batch', 'iter', 'iters', 'iteration', 'iterations']);

function tokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function classify(metric: string): Omit<Candidate, 'points'> | null {
  const t = tokens(metric);
  if (!t.some((x) => ACC_TOKENS.has(x)) || t.some((x) => NOT_ACC_TOKENS.has(x))) return null;
  const split: Split = t.some((x) => VAL_TOKENS.has(x)) ? 'val' : t.some((x) => TEST_TOKENS.has(x)) ? 'test' : 'train';
  return { metric, split, stepLevel: t.some((x) => STEP_TOKENS.has(x)), final: t.includes('final') };
}

function candidates(logs: RunLog[]): Candidate[] {
  const byName = new Map<string, Candidate>();
  for (const log of logs) {
    for (const [metric, points] of Object.entries(log.series)) {
      let c = byName.get(metric);
      if (!c) {
        const k = classify(metric);
        if (!k) continue;
        c = { ...k, points: [] };
        byName.set(metric, c);
      }
      // One by one: spreading 150k points as arguments overflowed the call stack.
      for (const p of points) c.points.push(p);
    }
  }
  return [...byName.values()];
}

/**
 * Fractions in [0, 1]: a series with any value above 1 is taken as percent and divided by 100.
 * Non-finite values and values outside [0, 1] after that are dropped.
 */
function normalise(points: MetricPoint[]): MetricPoint[] {
  const finite = points.filter((p) => Number.isFinite(p.value));
  const percent = finite.some((p) => p.value > 1);
  const out: MetricPoint[] = [];
  for (const p of finite) {
    const v = percent ? p.value / 100 : p.value;
    if (v < 0 || v > 1) continue;
    out.push({ ...p, value: v });
  }
  return out;
}

/** One point per epoch, the last one logged winning, in epoch order. */
function perEpoch(points: MetricPoint[]): MetricPoint[] {
  const m = new Map<number, MetricPoint>();
  for (const p of points) m.set(p.epoch, p);
  return [...m.values()].sort((a, b) => a.epoch - b.epoch);
}

const SPLIT_RANK: Record<Split, number> = { val: 0, test: 1, train: 2 };

function rank(a: Candidate & { curve: MetricPoint[] }, b: Candidate & { curve: MetricPoint[] }): number {
  return (
    SPLIT_RANK[a.split] - SPLIT_RANK[b.split] ||
    Number(a.stepLevel) - Number(b.stepLevel) ||
    b.curve.length - a.curve.length ||
    a.metric.length - b.metric.length ||
    (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0)
  );
}

function pickCurve(logs: RunLog[], splits: Split[]): { metric: string; points: MetricPoint[]; split: Split } | null {
  const list = candidates(logs)
    .filter((c) => splits.includes(c.split))
    .map((c) => ({ ...c, curve: perEpoch(normalise(c.points)) }))
    .filter((c) => c.curve.length > 0)
    .sort(rank);
  if (list.length === 0) return null;
  return { metric: list[0].metric, points: list[0].curve, split: list[0].split };
}

/**
 * The validation accuracy per epoch: `val_acc`, `val_accuracy`, `valid/acc`, `val/acc`,
 * `accuracy/val`, `validation/epoch_accuracy` ... preferring validation over test over train
 * series, epoch-level over step-level ones, then the longest. Values are fractions in [0, 1]
 * (percent series are divided by 100); one value per epoch, the last logged winning. Series of
 * the same name in several logs (a resumed run) are joined in the order the logs are given.
 */
export function accuracyCurve(logs: RunLog[]): { metric: string; points: MetricPoint[] } | null {
  const c = pickCurve(logs, ['val', 'test', 'train']);
  return c && { metric: c.metric, points: c.points };
}

/**
 * The run's final test accuracy when it was logged (`test_acc`, `final_test_acc`,
 * `test/accuracy`: its last value), else the last validation accuracy; null when neither is
 * logged (a training accuracy is not taken for a test accuracy).
 */
export function finalAccuracy(logs: RunLog[]): number | null {
  const tests = candidates(logs)
    .filter((c) => c.split === 'test')
    .map((c) => ({ ...c, curve: normalise(c.points) }))
    .filter((c) => c.curve.length > 0)
    .sort((a, b) => Number(b.final) - Number(a.final) || Number(a.stepLevel) - Number(b.stepLevel) || a.metric.length - b.metric.length);
  if (tests.length > 0) return tests[0].curve[tests[0].curve.length - 1].value;
  const val = pickCurve(logs, ['val']);
  return val ? val.points[val.points.length - 1].value : null;
}

export interface AccuracyLog {
  /** Series name as logged, e.g. `val_acc`. */
  metric: string;
  /** Log files read. */
  sources: string[];
  /** One value per epoch, on the checkpoints' epoch axis (run/progress.ts). */
  points: MetricPoint[];
  /** Final test accuracy (else the last validation accuracy), in [0, 1]; null until the run has finished (run/status.ts). */
  final: number | null;
  /** How each log's epochs were put on the checkpoints' axis. */
  epochRules?: string[];
}

/** The accuracy of logs already on the progress axis; `final` as logged (the caller clears it for an unfinished run). */
export function accuracyFromLogs(logs: RunLog[], rules: string[] = []): AccuracyLog | null {
  const curve = accuracyCurve(logs);
  if (!curve) return null;
  return { metric: curve.metric, sources: logs.map((l) => l.source), points: curve.points, final: finalAccuracy(logs), epochRules: rules };
}

/** Reads every log of a run folder; files that fail are reported, not thrown. */
/** Logs of a run; `topOnly` reads just the folder's own files (a parent folder's subfolders are other runs). */
export function readRunLogs(runDir: string, topOnly = false): { logs: RunLog[]; errors: InputError[] } {
  const logs: RunLog[] = [];
  const errors: InputError[] = [];
  for (const f of findLogs(runDir, topOnly, errors)) {
    try {
      logs.push(readLog(f));
    } catch (e) {
      errors.push(asInputError(e, f));
    }
  }
  return { logs, errors };
}
