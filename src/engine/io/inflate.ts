/**
 * One decompression budget per checkpoint. A per-entry limit is not enough: 300 deflated storages
 * of 16 MiB each fit in a 4.9 MB `.pt` and each passes any per-entry ratio check, yet together
 * they inflate to 5 GB. So every inflation a checkpoint causes (zip entries, the prefixes read to
 * find an .npz header, HDF5 gzip chunks) is charged to the budget of the file it came from, and
 * the total may not pass
 *
 *     INFLATE_FACTOR × file size + INFLATE_FREE_BYTES   (= 1.25 × the file's own size + 24 MiB)
 *
 * Real checkpoints are weights, which deflate compresses barely (about 1.1:1), so they stay well
 * inside it whatever their size; a tiny archive inflating to the constant term is analyzed within
 * the memory bound of any input (2 × its size + 256 MB, the bounds fuzzer's); a bomb is refused at the first inflation that would cross it, before its output is
 * allocated. This also bounds the time spent inflating: linear in the file size.
 */
import * as zlib from 'node:zlib';
import { FormatError, errorMessage } from '../errors';

export const INFLATE_FACTOR = 1.25;
export const INFLATE_FREE_BYTES = 24 * 2 ** 20;

export class InflateBudget {
  private used = 0;
  readonly limit: number;
  constructor(
    /** The checkpoint whose budget this is, for messages. */
    readonly file: string,
    fileSize: number,
  ) {
    this.limit = Math.floor(INFLATE_FACTOR * fileSize) + INFLATE_FREE_BYTES;
  }

  get spent(): number {
    return this.used;
  }

  /** Takes `bytes` of output from the budget, or refuses naming `what` (before anything is inflated). */
  charge(bytes: number, what: string): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0 || this.used + bytes > this.limit) {
      throw new FormatError(
        this.file,
        `${what} would inflate to ${bytes} bytes, bringing this checkpoint's decompressed data to ${this.used + bytes} bytes: ` +
          `more than the ${this.limit}-byte limit (${INFLATE_FACTOR} × the file's size + ${INFLATE_FREE_BYTES / 2 ** 20} MiB); refused as a likely decompression bomb`,
      );
    }
    this.used += bytes;
  }
}

/**
 * Inflates `packed` (raw deflate, or zlib-wrapped as HDF5 writes it) to exactly `size` bytes,
 * charging `size` to `budget` first; the output can never grow past it.
 */
export function inflateExact(budget: InflateBudget, packed: Uint8Array, size: number, what: string, wrapped = false): Buffer {
  budget.charge(size, what);
  let out: Buffer;
  try {
    const opts = { maxOutputLength: Math.max(1, size) };
    out = wrapped ? zlib.inflateSync(packed, opts) : zlib.inflateRawSync(packed, opts);
  } catch (e) {
    throw new FormatError(budget.file, `${what} does not inflate to its declared ${size} bytes (${errorMessage(e)})`);
  }
  if (out.length !== size) throw new FormatError(budget.file, `${what} inflates to ${out.length} bytes, not the declared ${size}`);
  return out;
}

/**
 * Inflates a prefix of a raw deflate stream with output capped at `maxOutput` bytes (for headers
 * at the start of a member): charges what came out; 'too-large' when the cap was hit.
 */
export function inflatePrefix(budget: InflateBudget, packed: Uint8Array, maxOutput: number, what: string): Uint8Array | 'too-large' {
  budget.charge(0, what);
  try {
    const out = zlib.inflateRawSync(packed, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: maxOutput });
    budget.charge(out.length, what);
    return out;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      budget.charge(maxOutput, what);
      return 'too-large';
    }
    throw e;
  }
}

/** Inflates a zlib-wrapped stream (HDF5's gzip filter) to at most `max` bytes, charging `max` first. */
export function inflateAtMost(budget: InflateBudget, packed: Uint8Array, max: number, what: string): Buffer {
  budget.charge(max, what);
  try {
    return zlib.inflateSync(packed, { maxOutputLength: Math.max(1, max) });
  } catch (e) {
    throw new FormatError(budget.file, `${what} does not inflate within its declared ${max} bytes (${errorMessage(e)})`);
  }
}
