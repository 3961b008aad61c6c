/**
 * The clock and the file system as the live service sees them, in one object handed to every part
 * of it (settling, tracking, scheduling, drawing, log and forecast updates). The real ones are the
 * default; tests pass fakes to decide when a file is "written" and when a timer fires, instead of
 * waiting on real time.
 */
import * as fs from 'node:fs';
import { folderWeights } from '../../engine/readers/folder';

export interface FileStat {
  size: number;
  mtimeMs: number;
}

/** The same size and mtime: taken as the same content (a rewrite changes at least the mtime). */
export const sameStat = (a: FileStat | null | undefined, b: FileStat | null | undefined): boolean =>
  !!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs;

export interface LiveDeps {
  /** The file's size and mtime (a checkpoint folder's: over its weight files), or null when it is gone or not a checkpoint. */
  stat(file: string): FileStat | null;
  /** Whether anything exists at the path. */
  exists(file: string): boolean;
  /** Milliseconds since the epoch, on the same clock as file mtimes. */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * A Hugging Face checkpoint folder's "size and mtime": the total size and the latest mtime of its
 * weight files (and index), so a shard still being written keeps the folder unsettled.
 */
function folderStat(dir: string): FileStat | null {
  const w = folderWeights(dir);
  if (!w) return null;
  let size = 0;
  let mtimeMs = 0;
  for (const f of [...w.files, ...(w.index ? [w.index] : [])]) {
    try {
      const st = fs.statSync(f);
      size += st.size;
      mtimeMs = Math.max(mtimeMs, st.mtimeMs);
    } catch {
      /* a shard not written yet: the analysis says which */
    }
  }
  return { size, mtimeMs };
}

export const realDeps: LiveDeps = {
  stat: (file) => {
    try {
      const st = fs.statSync(file);
      return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : st.isDirectory() ? folderStat(file) : null;
    } catch {
      return null;
    }
  },
  exists: (file) => fs.existsSync(file),
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};
