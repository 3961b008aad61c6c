/**
 * Finds training runs under a path. A path may be one checkpoint, one run folder, or a folder of
 * run folders (a sweep) at any depth. A checkpoint is a file a reader claims, or a Hugging Face
 * `checkpoint-<step>/` folder; which folder is the run follows the framework's layout (layout.ts):
 * a Hugging Face output folder, the folder holding Lightning's `lightning_logs`, the parent of a
 * `checkpoints/` folder, else the folder holding the checkpoint files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findReader, readHead } from '../readers/index';
import { folderWeights, isFolderCheckpoint } from '../readers/folder';
import { hfCheckpointStep, isWeightsFile, runDirFor } from './layout';
import { placeCheckpoints, type ProgressOptions } from './progress';

export { epochFromName } from './progress';

/** Extensions worth opening to test; anything else is skipped without reading it. */
const CANDIDATE = /\.(pt|pth|ckpt|bin|tar|safetensors|h5|hdf5|keras|onnx|npz|json)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', '__pycache__', '.venv', 'venv', 'wandb', '.ipynb_checkpoints']);
export const MAX_DEPTH = 8;

export interface RunFiles {
  dir: string;
  /** Checkpoint files, and Hugging Face checkpoint folders. */
  checkpoints: string[];
}

/** What a search left out, so that "nothing found" can say where it did not look. */
export interface DiscoveryInfo {
  /** Folders at the depth limit whose subfolders were not searched. */
  cutAtDepth?: string[];
  /** Folders that could not be listed, with the reason. */
  unlisted?: { dir: string; reason: string }[];
}

/**
 * Whether a file whose name makes it a candidate goes to the analysis. Files some reader claims
 * do; so do those that cannot be tested (unreadable, a FIFO or device, a link out of the folder):
 * the analysis then reports them by name and cause instead of their being skipped in silence.
 * A link is never opened here (its target may be anything): one that leads out of its folder goes
 * to the analysis, which reports it and does not follow it; one inside is left out, its target
 * being analyzed under its own name (Lightning's `last.ckpt` links to a sibling).
 */
function worthAnalyzing(file: string, entry: fs.Dirent): boolean {
  if (entry.isSymbolicLink()) return leavesFolder(file);
  if (!entry.isFile()) return entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice();
  try {
    return findReader(file, readHead(file)) !== undefined;
  } catch {
    return true;
  }
}

export function isCandidate(file: string): boolean {
  if (!CANDIDATE.test(file)) return false;
  // A .json is a TF.js model only when named so; other JSON (configs, logs) is not a checkpoint.
  if (/\.json$/i.test(file)) return /model\.json$/i.test(path.basename(file));
  return isWeightsFile(file);
}

/** The checkpoints directly in `dir`: its files, its `checkpoint-<step>/` folders, and the folder itself when it holds Hugging Face weights and no such folders. */
function checkpointsIn(dir: string, entries: fs.Dirent[]): { checkpoints: string[]; descend: string[] } {
  const folders = entries.filter((e) => e.isDirectory() && hfCheckpointStep(e.name) !== undefined && isFolderCheckpoint(path.join(dir, e.name))).map((e) => path.join(dir, e.name));
  const own = folderWeights(dir);
  const ownFiles = new Set(own ? [...own.files, ...(own.index ? [own.index] : [])] : []);
  const files = entries
    .filter((e) => !e.isDirectory() && isCandidate(e.name) && !ownFiles.has(path.join(dir, e.name)))
    .filter((e) => worthAnalyzing(path.join(dir, e.name), e))
    .map((e) => path.join(dir, e.name));
  // An ONNX export beside state-dict checkpoints is the run's wiring file (graph/wiring-file.ts), not an epoch.
  const weights = files.some((f) => !/\.onnx$/i.test(f)) || folders.length > 0 ? files.filter((f) => !/\.onnx$/i.test(f)) : files;
  const checkpoints = [...weights, ...folders];
  if (own && folders.length === 0) checkpoints.push(dir);
  const skip = new Set(folders);
  const descend = entries.filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')).map((e) => path.join(dir, e.name)).filter((d) => !skip.has(d));
  return { checkpoints, descend };
}

/** True when the link `file` leads outside the folder that holds it (or nowhere). */
function leavesFolder(file: string): boolean {
  try {
    const rel = path.relative(fs.realpathSync(path.dirname(file)), fs.realpathSync(file));
    return rel.startsWith('..') || path.isAbsolute(rel);
  } catch {
    return true; // a dangling link: reported as unreadable
  }
}

export function discoverRuns(target: string, maxDepth = MAX_DEPTH, info: DiscoveryInfo = {}): RunFiles[] {
  const st = fs.statSync(target);
  if (!st.isDirectory() || (isFolderCheckpoint(target) && hfCheckpointStep(target) !== undefined)) {
    const holder = path.dirname(target);
    return [{ dir: runDirFor(holder, new Set([holder])), checkpoints: [target] }];
  }
  const holders = new Map<string, string[]>();
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      (info.unlisted ??= []).push({ dir, reason: (e as Error).message });
      return;
    }
    const { checkpoints, descend } = checkpointsIn(dir, entries);
    if (checkpoints.length) holders.set(dir, checkpoints);
    if (depth >= maxDepth) {
      if (descend.length) (info.cutAtDepth ??= []).push(dir);
      return;
    }
    for (const d of descend) walk(d, depth + 1);
  };
  walk(target, 0);
  const keys = new Set(holders.keys());
  const runs = new Map<string, string[]>();
  for (const [holder, files] of holders) {
    const dir = runDirFor(holder, keys);
    runs.set(dir, [...(runs.get(dir) ?? []), ...files]);
  }
  return [...runs].map(([dir, checkpoints]) => ({ dir, checkpoints })).sort((a, b) => a.dir.localeCompare(b.dir));
}

/**
 * Orders a run's checkpoints on the progress axis (progress.ts): the epoch each stores, read by its
 * framework's convention, else the number in its name, else modification order. `order` is the
 * checkpoint's epoch; the items are returned unchanged otherwise.
 */
export function orderCheckpoints<T extends { path: string; epoch: number | null; metadata?: Record<string, string | number | boolean | null> }>(items: T[], opts: ProgressOptions = {}): (T & { order: number })[] {
  const { placed, unplaced } = placeCheckpoints(items.map((it) => ({ path: it.path, epoch: it.epoch, metadata: it.metadata, it })), opts);
  return [...placed, ...unplaced].map((p) => ({ ...p.it, order: p.epoch }));
}
