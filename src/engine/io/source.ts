/**
 * Random-access byte sources. Checkpoints can be larger than 2 GiB, so they are never read whole:
 * readers ask for (offset, length) ranges, and every range is checked against the source size
 * before any allocation, so a size field read from a hostile file cannot make us allocate more
 * than the file holds. Files are opened through openRegularFile (regular files only), and each
 * file source carries the decompression budget of its checkpoint (inflate.ts), which the sources
 * derived from it (zip entries, slices) share.
 */
import * as fs from 'node:fs';
import { FormatError } from '../errors';
import { DTYPE_BYTES, decodeElements, type DType } from '../tensor';
import { InflateBudget } from './inflate';
import { openRegularFile } from './regular-file';

export interface ByteSource {
  /** Name used in error messages: the file path, or `archive.zip!entry`. */
  readonly name: string;
  readonly size: number;
  /** Returns exactly `length` bytes starting at `offset`, or throws FormatError when out of range. */
  read(offset: number, length: number): Uint8Array;
  /**
   * Reads `target.length` bytes at `offset` straight into `target`, for sources that can do it
   * without an intermediate buffer (a file: the tensor's own array is the read buffer).
   */
  readInto?(offset: number, target: Uint8Array): void;
  /** Releases the file handle, for sources that hold one. */
  close?(): void;
  /** The decompression budget of the checkpoint this source belongs to (see inflate.ts). */
  readonly budget?: InflateBudget;
}

/** The budget of `src`'s checkpoint, or a fresh one sized by `src` for a source used on its own. */
export function budgetOf(src: ByteSource): InflateBudget {
  return src.budget ?? new InflateBudget(src.name, src.size);
}

export function checkRange(src: { name: string; size: number }, offset: number, length: number, what = 'data'): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > src.size) {
    throw new FormatError(src.name, `${what} at offset ${offset} with length ${length} runs past the end of the data (${src.size} bytes)`);
  }
}

export class FileSource implements ByteSource {
  readonly size: number;
  readonly budget: InflateBudget;
  private fd: number;

  /** `what` names the file's role in messages (e.g. 'weight shard'); it must be a regular file. */
  constructor(
    readonly name: string,
    what = 'file',
  ) {
    const { fd, size } = openRegularFile(name, what);
    this.fd = fd;
    this.size = size;
    this.budget = new InflateBudget(name, size);
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length); // before allocating: `length` may come from a hostile file
    const out = Buffer.allocUnsafe(length);
    this.readInto(offset, out);
    return out;
  }

  readInto(offset: number, target: Uint8Array): void {
    const length = target.length;
    checkRange(this, offset, length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, target, done, length - done, offset + done);
      if (n === 0) throw new FormatError(this.name, `file shrank while being read (wanted ${length} bytes at ${offset})`);
      done += n;
    }
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(
    readonly name: string,
    private readonly bytes: Uint8Array,
    readonly budget?: InflateBudget,
  ) {
    this.size = bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** A window [start, start+size) of another source, e.g. a stored (uncompressed) zip entry. */
export class SliceSource implements ByteSource {
  constructor(
    readonly name: string,
    private readonly parent: ByteSource,
    private readonly start: number,
    readonly size: number,
  ) {
    checkRange(parent, start, size, `slice ${name}`);
  }
  get budget(): InflateBudget | undefined {
    return this.parent.budget;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return this.parent.read(this.start + offset, length);
  }
  readInto(offset: number, target: Uint8Array): void {
    checkRange(this, offset, target.length);
    if (this.parent.readInto) this.parent.readInto(this.start + offset, target);
    else target.set(this.parent.read(this.start + offset, target.length));
  }
}

/**
 * `byteLength` bytes of `dtype` elements at `offset`, as float32. Little-endian float32 (nearly
 * every checkpoint) is read straight into the returned array when the source can (files): no
 * second buffer and no copy, which halves the peak memory of reading a large layer (VGG-16's
 * first dense weight is 411 MB). Other dtypes are decoded from the bytes.
 */
export function readValues(src: ByteSource, offset: number, byteLength: number, dtype: DType, littleEndian = true, file = src.name): Float32Array {
  if (dtype === 'float32' && littleEndian && src.readInto && byteLength % 4 === 0) {
    checkRange(src, offset, byteLength);
    const out = new Float32Array(byteLength / 4);
    src.readInto(offset, new Uint8Array(out.buffer));
    return out;
  }
  const size = DTYPE_BYTES[dtype];
  if (!src.readInto || byteLength <= DECODE_CHUNK || byteLength % size !== 0) return decodeElements(src.read(offset, byteLength), dtype, littleEndian, file);
  // Other dtypes from a file: decoded a chunk at a time, so the raw bytes are never held whole
  // beside their float32 values (a float16 tensor as big as the file would cost 3× its size).
  checkRange(src, offset, byteLength);
  const out = new Float32Array(byteLength / size);
  const step = DECODE_CHUNK - (DECODE_CHUNK % size);
  for (let at = 0; at < byteLength; at += step) {
    const n = Math.min(step, byteLength - at);
    out.set(decodeElements(src.read(offset + at, n), dtype, littleEndian, file), at / size);
  }
  return out;
}

/** Bytes decoded at a time by readValues for dtypes other than little-endian float32. */
const DECODE_CHUNK = 8 << 20;

/** The first bytes of a file as hex, for 'wrong magic' messages. */
export function hexHead(b: Uint8Array): string {
  return b.length ? Buffer.from(b).toString('hex') : 'none (empty file)';
}
