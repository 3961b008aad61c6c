/**
 * Results next to the runs: `analyze --write` stores each checkpoint's analysis in
 * `<run>/.training-dynamics/results/<content hash>-<input size>.json`, and every RunPlan (the CLI
 * in a thread or on workers, `train`) reuses what it finds there instead of reading the checkpoint
 * again. So the analysis can run where the training runs (inside the job, a Slurm array task, a
 * Ray task), and a login node only reads results. The editor's live service keeps its own cache
 * (src/runtime/live/result-cache.ts); it can read these with `readStored` / `storesFor`.
 *
 *  - Content-addressed (io/content-hash.ts, the recipe of the editor's own cache): a checkpoint
 *    rewritten in place gets a new key; a run folder moved or copied elsewhere keeps its results.
 *  - Keyed by the analysis options that change a result (the input size of the unrolled-graph
 *    estimate) and by RESULT_VERSION, which is bumped whenever an analysis changes, so results of
 *    another engine are never reused.
 *  - Written atomically: to a temporary name in the same folder, then renamed, so a reader (the
 *    editor, another array task) never sees half a file. Non-finite numbers are kept exactly.
 *  - Read defensively: a stored result is untrusted input (bounded size, checked shape); one that
 *    does not check out is a miss, never an error.
 * `<run>/.training-dynamics/report.json` holds the run's last report (status, horizon, forecast).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckpointAnalysis } from '../analyze-checkpoint';
import { fileContentHash, filesContentHash } from '../io/content-hash';
import { folderWeights } from '../readers/folder';

export const STORE_DIR = path.join('.training-dynamics', 'results');
export const REPORT_FILE = path.join('.training-dynamics', 'report.json');
/** Bump whenever analyzeCheckpointFull's output changes: older stored results are then ignored. */
export const RESULT_VERSION = 1;
const FORMAT = 'training-dynamics-result';
const MAX_RESULT_BYTES = 16 * 2 ** 20;
/** Folders above a checkpoint searched for a store: a Lightning checkpoint sits three below its run. */
const LEVELS_UP = 4;

/** Where a stored analysis came from, on a reused CheckpointAnalysis. */
export interface ReusedFrom {
  file: string;
  inputSize: number | null;
}

/** The content key of a checkpoint file, or of a folder checkpoint's weight files. */
export function checkpointHash(file: string): string {
  const w = fs.statSync(file).isDirectory() ? folderWeights(file) : null;
  return w ? filesContentHash(w.files) : fileContentHash(file);
}

const entryName = (hash: string, inputSize: number | null): string => `${hash}-${inputSize ?? 'auto'}.json`;

/** Stores searched for a checkpoint: `<folder>/.training-dynamics/results` from its folder up, nearest first, those that exist. */
export function storesFor(file: string, exists: (dir: string) => boolean = fs.existsSync): string[] {
  const out: string[] = [];
  let d = path.dirname(path.resolve(file));
  for (let i = 0; i <= LEVELS_UP; i++) {
    const s = path.join(d, STORE_DIR);
    if (exists(s)) out.push(s);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return out;
}

const NONFINITE = '__nonfinite__';
function encode(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? { [NONFINITE]: String(v) } : v;
}
function decode(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && NONFINITE in v) {
    const s = (v as Record<string, unknown>)[NONFINITE];
    return s === 'Infinity' ? Infinity : s === '-Infinity' ? -Infinity : NaN;
  }
  return v;
}

const STATS = ['mean', 'std', 'min', 'q25', 'median', 'q75', 'max'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStats = (v: unknown): boolean => isObject(v) && STATS.every((k) => typeof v[k] === 'number');

/** A stored analysis has every field the report, the features and the forecaster read, of the right type. */
function isAnalysis(a: unknown): a is CheckpointAnalysis {
  if (!isObject(a) || typeof a.format !== 'string' || typeof a.eigenvalue !== 'number' || !(a.epoch === null || typeof a.epoch === 'number')) return false;
  const g = a.graph;
  if (!isObject(g) || !['nodes', 'edges', 'unrolledNodes', 'unrolledEdges', 'inputSize'].every((k) => typeof g[k] === 'number') || typeof g.unrolledEstimated !== 'boolean') return false;
  if (!Array.isArray(a.warnings) || !a.warnings.every((w) => typeof w === 'string')) return false;
  if (!isObject(a.metadata) || !Object.values(a.metadata).every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) return false;
  if (!isObject(a.timings) || !Array.isArray(a.layers)) return false;
  return a.layers.every((l) => isObject(l) && typeof l.name === 'string' && ['input', 'conv', 'dense'].includes(l.kind as string) && typeof l.nodes === 'number' && ['weightedDegree', 'inDegree', 'outDegree', 'eigenvectorCentrality'].every((k) => isStats(l[k])));
}

/** A stored analysis of this checkpoint's content and options, or undefined. */
export function readStored(file: string, inputSize: number | null, stores = storesFor(file)): (CheckpointAnalysis & { reused: ReusedFrom }) | undefined {
  if (!stores.length) return undefined;
  let hash: string;
  try {
    hash = checkpointHash(file);
  } catch {
    return undefined; // unreadable: the analysis reports why
  }
  for (const s of stores) {
    const f = path.join(s, entryName(hash, inputSize));
    try {
      if (fs.statSync(f).size > MAX_RESULT_BYTES) continue;
      const doc = JSON.parse(fs.readFileSync(f, 'utf8'), decode) as { format?: unknown; version?: unknown; hash?: unknown; inputSize?: unknown; analysis?: unknown };
      if (doc.format !== FORMAT || doc.version !== RESULT_VERSION || doc.hash !== hash || doc.inputSize !== inputSize || !isAnalysis(doc.analysis)) continue;
      return { ...doc.analysis, path: file, reused: { file: f, inputSize } };
    } catch {
      /* missing or unreadable: a miss */
    }
  }
  return undefined;
}

/** Writes a file atomically: a temporary name in the same folder, then a rename. */
export function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Stores a checkpoint's analysis in its run's store; returns the file written. */
export function writeStored(runDir: string, analysis: CheckpointAnalysis, inputSize: number | null): string {
  const hash = checkpointHash(analysis.path);
  const f = path.join(runDir, STORE_DIR, entryName(hash, inputSize));
  const { reused: _r, ...plain } = analysis as CheckpointAnalysis & { reused?: unknown };
  writeAtomic(f, JSON.stringify({ format: FORMAT, version: RESULT_VERSION, hash, inputSize, analysis: { ...plain, path: path.relative(runDir, analysis.path) } }, encode));
  return f;
}

/** Stores a run's report (for readers that only want the outcome: status, horizon, forecast). */
export function writeRunReport(runDir: string, report: unknown): string {
  const f = path.join(runDir, REPORT_FILE);
  writeAtomic(f, JSON.stringify(report, encode, 1));
  return f;
}
