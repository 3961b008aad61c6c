/**
 * On-disk cache of per-checkpoint results (the analysis and the centrality vector, which is the
 * next epoch's warm start), so reopening the editor recomputes nothing. Drawable graphs are
 * cached beside them per edge budget.
 *
 * Layout: <dir>/v1/<hash of the folder holding the checkpoint>/<hash of file>.bin (and
 * .draw-<maxEdges>.bin), written with v8.serialize (exact for NaN, ±Infinity and typed arrays),
 * each written to a temporary name and renamed so a reader (another window) never sees half a
 * file. One cache folder per folder of checkpoints (a run has one, or a few) lets the results of
 * checkpoints that training has since deleted (Lightning's `save_top_k`) be found again.
 *
 * An entry is used only when its whole key matches: path, size, mtime, a hash of the content,
 * the engine version and the analysis options.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import * as v8 from 'node:v8';
import type { CheckpointAnalysis } from '../../engine/analyze-checkpoint';
import type { ThinGraph } from '../../engine/graph/thin';
import { filesContentHash } from '../../engine/io/content-hash';
import { folderWeights } from '../../engine/readers/folder';
import { realDeps, type FileStat } from './deps';

export interface CacheKey {
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
  /** Engine version: results of an older engine are not reused. */
  engine: string;
  inputSize: number | null;
}

export interface CachedResult {
  key: CacheKey;
  analysis: CheckpointAnalysis;
  centrality: Float64Array;
}

const EDGE_BYTES = 64 * 1024;

/**
 * SHA-1 of the size, the first 64 KiB and the last 64 KiB (of each weight file, for a checkpoint folder). Hashing a whole multi-GB checkpoint
 * would cost as much I/O as analyzing it; these two ends change with the content in every format
 * read here: zip-based files (PyTorch, Lightning, .keras, .npz) end with the central directory,
 * which holds a CRC-32 of every entry, and HDF5, safetensors and ONNX keep their headers and
 * offsets at the start. Beside size and mtime this catches rewrites that keep the mtime (cp -p,
 * rsync -t, a checkout) or fall within a coarse mtime granularity.
 */
export async function contentHash(file: string): Promise<{ hash: string; stat: FileStat }> {
  if ((await fs.promises.stat(file)).isDirectory()) return folderContentHash(file);
  const fh = await fs.promises.open(file, 'r');
  try {
    const st = await fh.stat();
    const h = crypto.createHash('sha1');
    h.update(String(st.size));
    const head = Buffer.alloc(Math.min(EDGE_BYTES, st.size));
    await fh.read(head, 0, head.length, 0);
    h.update(head);
    if (st.size > EDGE_BYTES) {
      const tailLen = Math.min(EDGE_BYTES, st.size - EDGE_BYTES);
      const tail = Buffer.alloc(tailLen);
      await fh.read(tail, 0, tailLen, st.size - tailLen);
      h.update(tail);
    }
    return { hash: h.digest('hex'), stat: { size: st.size, mtimeMs: st.mtimeMs } };
  } finally {
    await fh.close();
  }
}

/** A Hugging Face checkpoint folder: the engine's hash over its weight files (io/content-hash.ts, as result-store.ts keys it). */
function folderContentHash(dir: string): { hash: string; stat: FileStat } {
  const stat = realDeps.stat(dir);
  const w = folderWeights(dir);
  if (!stat || !w || w.files.length === 0) throw new Error(`${dir}: no weight files`);
  return { hash: filesContentHash(w.files), stat };
}

const short = (s: string): string => crypto.createHash('sha1').update(s).digest('hex').slice(0, 20);

export const sameKey = (a: CacheKey, b: CacheKey): boolean =>
  a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs && a.hash === b.hash && a.engine === b.engine && a.inputSize === b.inputSize;

export class ResultCache {
  private readonly root: string;

  constructor(dir: string) {
    this.root = path.join(dir, 'v1');
  }

  private fileFor(key: Pick<CacheKey, 'path'>, suffix = ''): string {
    return path.join(this.root, short(path.dirname(key.path)), short(key.path) + suffix + '.bin');
  }

  private async read<T>(file: string): Promise<T | undefined> {
    try {
      return v8.deserialize(await fs.promises.readFile(file)) as T;
    } catch {
      return undefined; // missing, or unreadable (written by another runtime): a miss
    }
  }

  private async write(file: string, value: unknown): Promise<void> {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fs.promises.writeFile(tmp, v8.serialize(value));
    await fs.promises.rename(tmp, file);
  }

  async get(key: CacheKey): Promise<CachedResult | undefined> {
    const e = await this.read<CachedResult>(this.fileFor(key));
    return e && e.key && sameKey(e.key, key) && e.centrality instanceof Float64Array ? e : undefined;
  }

  async put(entry: CachedResult): Promise<void> {
    await this.write(this.fileFor(entry.key), entry);
  }

  async getDraw(key: CacheKey, maxEdges: number): Promise<ThinGraph | undefined> {
    const e = await this.read<{ key: CacheKey; draw: ThinGraph }>(this.fileFor(key, `.draw-${maxEdges}`));
    return e && e.key && sameKey(e.key, key) ? e.draw : undefined;
  }

  async putDraw(key: CacheKey, maxEdges: number, draw: ThinGraph): Promise<void> {
    await this.write(this.fileFor(key, `.draw-${maxEdges}`), { key, draw });
  }

  /** Every analysis cached for checkpoints held by one folder (including files deleted since). */
  async listRun(runDir: string): Promise<CachedResult[]> {
    const dir = path.join(this.root, short(runDir));
    let names: string[];
    try {
      names = await fs.promises.readdir(dir);
    } catch {
      return [];
    }
    const out: CachedResult[] = [];
    for (const n of names) {
      if (!/^[0-9a-f]+\.bin$/.test(n)) continue;
      const e = await this.read<CachedResult>(path.join(dir, n));
      if (e?.key && path.dirname(e.key.path) === runDir && e.centrality instanceof Float64Array) out.push(e);
    }
    return out;
  }

  /** Forgets a folder of checkpoints (its run was deleted): its results must not come back with a new run of that name. */
  async dropRun(runDir: string): Promise<void> {
    await fs.promises.rm(path.join(this.root, short(runDir)), { recursive: true, force: true });
  }

  /** Removes every entry; returns how many results were removed. */
  async clear(): Promise<number> {
    let n = 0;
    try {
      for (const d of await fs.promises.readdir(this.root)) {
        try {
          n += (await fs.promises.readdir(path.join(this.root, d))).filter((f) => /^[0-9a-f]+\.bin$/.test(f)).length;
        } catch {
          /* not a folder */
        }
      }
    } catch {
      return 0;
    }
    await fs.promises.rm(this.root, { recursive: true, force: true });
    return n;
  }
}
