/**
 * The clock and the file system as the live service sees them, in one object handed to every part
 * of it (settling, tracking, scheduling, drawing, log and forecast updates). The real ones are the
 * default; tests pass fakes to decide when a file is "written" and when a timer fires, instead of
 * waiting on real time.
 */
import * as fs from 'node:fs';

export interface FileStat {
  size: number;
  mtimeMs: number;
}

/** The same size and mtime: taken as the same content (a rewrite changes at least the mtime). */
export const sameStat = (a: FileStat | null | undefined, b: FileStat | null | undefined): boolean =>
  !!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs;

export interface LiveDeps {
  /** The file's size and mtime, or null when it is gone or not a file. */
  stat(file: string): FileStat | null;
  /** Whether anything exists at the path. */
  exists(file: string): boolean;
  /** Milliseconds since the epoch, on the same clock as file mtimes. */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realDeps: LiveDeps = {
  stat: (file) => {
    try {
      const st = fs.statSync(file);
      return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : null;
    } catch {
      return null;
    }
  },
  exists: (file) => fs.existsSync(file),
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};
