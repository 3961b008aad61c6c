/**
 * HDF5 bombs made from a real h5py file (test/fixtures/hostile/gzip_chunk.h5: a Keras kernel of
 * 64×64 float32 in one gzip chunk) by patching it in place: the layout message's chunk
 * dimensions, the chunk's B-tree key (its stored size) and child address (pointing at a new
 * stream appended to the file), and the superblock's end-of-file address. The result is a valid
 * file whose one chunk inflates to `chunk[0] × chunk[1] × 4` bytes for a 64×64 dataset; and
 * never_written.h5 with its declared dimensions changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { zlibZeros } from './build';

const HOSTILE = path.join(__dirname, '..', '..', 'fixtures', 'hostile');

function find(b: Buffer, pattern: Buffer, from = 0): number {
  const i = b.indexOf(pattern, from);
  if (i < 0) throw new Error(`pattern ${pattern.toString('hex')} not found in the HDF5 template`);
  return i;
}

/** gzip_chunk.h5 with its chunk declared [c0, c1] and replaced by `stream` (default: zeros of that size, zlib-wrapped). */
export function gzipChunkBomb(c0: number, c1: number, stream?: Uint8Array): Buffer {
  const b = Buffer.from(fs.readFileSync(path.join(HOSTILE, 'gzip_chunk.h5')));
  // Layout message (v3, chunked): dims byte 3, B-tree address, then chunk dims 64, 64 and the element size 4.
  const dims = Buffer.alloc(12);
  dims.writeUInt32LE(64, 0);
  dims.writeUInt32LE(64, 4);
  dims.writeUInt32LE(4, 8);
  const at = find(b, dims);
  b.writeUInt32LE(c0, at);
  b.writeUInt32LE(c1, at + 4);
  // The chunk B-tree: 'TREE', type 1, level 0, one entry: size, mask, 3 offsets, child address.
  const tree = find(b, Buffer.from('TREE\x01\x00', 'latin1'));
  const key = tree + 24;
  const data = stream ?? zlibZeros(c0 * c1 * 4);
  b.writeUInt32LE(data.length, key);
  b.writeBigUInt64LE(BigInt(b.length), key + 8 + 3 * 8);
  const out = Buffer.concat([b, Buffer.from(data)]);
  // Superblock v0: end-of-file address at byte 40 (base address 0).
  out.writeBigUInt64LE(BigInt(out.length), 40);
  return out;
}

/** never_written.h5 with its 12000×12000 dataset declared [d0, d1] instead. */
export function neverWritten(d0: number, d1: number): Buffer {
  const b = Buffer.from(fs.readFileSync(path.join(HOSTILE, 'never_written.h5')));
  const old = Buffer.alloc(16);
  old.writeBigUInt64LE(12000n, 0);
  old.writeBigUInt64LE(12000n, 8);
  const at = find(b, old);
  b.writeBigUInt64LE(BigInt(d0), at);
  b.writeBigUInt64LE(BigInt(d1), at + 8);
  return b;
}
