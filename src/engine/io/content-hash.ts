/**
 * Content addressing of checkpoints, synchronous and pure (no cache, no timers): the key under
 * which a checkpoint's analysis is stored next to its run (run/result-store.ts).
 *
 * The hash is SHA-1 of the size, the first 64 KiB and the last 64 KiB, the same recipe as the
 * editor's result cache (src/runtime/live/result-cache.ts `contentHash`, which is asynchronous;
 * the runtime can reuse this one for its key). Hashing a whole multi-GB checkpoint would cost as
 * much I/O as analyzing it, and the two ends change with the content in every format read here:
 * zip-based files (PyTorch, Lightning, .keras, .npz) end with the central directory, which holds a
 * CRC-32 of every entry; HDF5, safetensors and ONNX keep their headers and offsets at the start.
 *
 * A checkpoint that is a folder (Hugging Face `checkpoint-<step>/`) is hashed over its weight
 * files, by name, in the order given.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const EDGE_BYTES = 64 * 1024;

function updateWithFile(h: crypto.Hash, file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    h.update(String(size));
    const head = Buffer.alloc(Math.min(EDGE_BYTES, size));
    fs.readSync(fd, head, 0, head.length, 0);
    h.update(head);
    if (size > EDGE_BYTES) {
      const tailLen = Math.min(EDGE_BYTES, size - EDGE_BYTES);
      const tail = Buffer.alloc(tailLen);
      fs.readSync(fd, tail, 0, tailLen, size - tailLen);
      h.update(tail);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Hex SHA-1 of a file's size and its two 64 KiB ends. */
export function fileContentHash(file: string): string {
  const h = crypto.createHash('sha1');
  updateWithFile(h, file);
  return h.digest('hex');
}

/** Hex SHA-1 over several files (a folder checkpoint's weight files): each file's name, size and ends. */
export function filesContentHash(files: string[]): string {
  const h = crypto.createHash('sha1');
  for (const f of files) {
    h.update(`\0${path.basename(f)}\0`);
    updateWithFile(h, f);
  }
  return h.digest('hex');
}
