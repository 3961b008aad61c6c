/**
 * Finds training runs under a path. A run is a folder that directly holds checkpoint files; a
 * path may be one checkpoint, one run folder, or a folder of run folders (a sweep) at any depth.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findReader, readHead } from '../readers/index';

/** Extensions worth opening to test; anything else is skipped without reading it. */
const CANDIDATE = /\.(pt|pth|ckpt|bin|tar|safetensors|h5|hdf5|keras|onnx|npz|json)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', '__pycache__', '.venv', 'venv', 'wandb', '.ipynb_checkpoints']);
export const MAX_DEPTH = 8;

export interface RunFiles {
  dir: string;
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
  return true;
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
  if (!st.isDirectory()) return [{ dir: path.dirname(target), checkpoints: [target] }];
  const runs: RunFiles[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      (info.unlisted ??= []).push({ dir, reason: (e as Error).message });
      return;
    }
    const ckpts = entries
      .filter((e) => !e.isDirectory() && isCandidate(e.name))
      .filter((e) => worthAnalyzing(path.join(dir, e.name), e))
      .map((e) => path.join(dir, e.name));
    if (ckpts.length) runs.push({ dir, checkpoints: ckpts });
    const subdirs = entries.filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.'));
    if (depth >= maxDepth) {
      if (subdirs.length) (info.cutAtDepth ??= []).push(dir);
      return;
    }
    for (const e of subdirs) walk(path.join(dir, e.name), depth + 1);
  };
  walk(target, 0);
  return runs.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** The number a file name gives its epoch: `epoch=3.ckpt`, `ckpt_0005.pt`, `model-12.pth` (the last integer). */
export function epochFromName(file: string): number | undefined {
  const base = path.basename(file).replace(/\.[^.]+$/, '');
  const tagged = /(?:epoch|ep|e)[=_-]?(\d+)/i.exec(base);
  if (tagged) return Number(tagged[1]);
  const all = base.match(/\d+/g);
  return all ? Number(all[all.length - 1]) : undefined;
}

/**
 * Orders a run's checkpoints: by the epoch stored in the file, else by the number in the file
 * name, else by modification time. Returns the effective epoch of each.
 */
export function orderCheckpoints<T extends { path: string; epoch: number | null }>(items: T[]): (T & { order: number })[] {
  const withKeys = items.map((it) => {
    let mtime = 0;
    try {
      mtime = fs.statSync(it.path).mtimeMs;
    } catch {
      /* gone since: keep it last */
    }
    return { it, stored: it.epoch, named: epochFromName(it.path), mtime };
  });
  const allStored = withKeys.every((k) => k.stored !== null);
  // A bare number in a name is an epoch only when the run's files differ by that number alone
  // (ckpt_1.pt, ckpt_2.pt), so 'resnet18.pt' is not taken for epoch 18; tagged names always count.
  const stems = new Set(withKeys.map((k) => path.basename(k.it.path).replace(/\d+/g, '#')));
  const tagged = withKeys.every((k) => /(?:epoch|ep|e)[=_-]?\d+/i.test(path.basename(k.it.path)));
  const allNamed = withKeys.every((k) => k.named !== undefined) && (tagged || (stems.size === 1 && withKeys.length > 1));
  withKeys.sort((a, b) => (allStored ? a.stored! - b.stored! : allNamed ? a.named! - b.named! : a.mtime - b.mtime) || a.it.path.localeCompare(b.it.path));
  return withKeys.map((k, i) => ({ ...k.it, order: allStored ? k.stored! : allNamed ? k.named! : i }));
}
