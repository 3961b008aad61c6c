/**
 * Format-blind byte mutations: truncation, bit flips, runs overwritten, inserted or deleted,
 * interesting integers written over whatever is there. Each returns new bytes and a short
 * description (what the report and a replay show).
 */
import { Rng, INTERESTING } from '../rng';

export interface Mutation {
  bytes: Uint8Array;
  desc: string;
}

/** Writes `value` as an unsigned integer of `width` bytes at `off` (clipped to the array). */
export function writeUint(b: Uint8Array, off: number, width: number, value: number | bigint, littleEndian = true): void {
  let v = BigInt.asUintN(width * 8, BigInt(value));
  for (let i = 0; i < width; i++) {
    const at = littleEndian ? off + i : off + width - 1 - i;
    if (at >= 0 && at < b.length) b[at] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export function interestingValue(rng: Rng, width: number): bigint {
  const base = BigInt(rng.pick(INTERESTING));
  const v = rng.chance(0.2) ? -base : rng.chance(0.2) ? base + BigInt(rng.range(-2, 2)) : base;
  return BigInt.asUintN(width * 8, v);
}

function randomRun(rng: Rng, n: number): Uint8Array {
  const fill = rng.int(4);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = fill === 0 ? rng.int(256) : fill === 1 ? 0 : fill === 2 ? 0xff : rng.pick([0x7f, 0x80, 0x2e, 0x28, 0x7d, 0x5d]);
  return out;
}

/** A position biased towards the start, where headers and length fields live. */
export function position(rng: Rng, len: number): number {
  if (len === 0) return 0;
  return rng.chance(0.5) ? rng.int(Math.min(len, 512)) : rng.int(len);
}

export function truncate(b: Uint8Array, rng: Rng): Mutation {
  const at = rng.chance(0.3) ? Math.max(0, b.length - rng.range(1, 64)) : rng.int(b.length + 1);
  return { bytes: b.slice(0, at), desc: `truncate to ${at} of ${b.length}` };
}

export function bitFlips(b: Uint8Array, rng: Rng): Mutation {
  const out = b.slice();
  const n = rng.range(1, 8);
  const at: number[] = [];
  for (let i = 0; i < n && out.length; i++) {
    const p = position(rng, out.length);
    out[p] ^= 1 << rng.int(8);
    at.push(p);
  }
  return { bytes: out, desc: `flip bits at ${at.join(',')}` };
}

export function overwriteRun(b: Uint8Array, rng: Rng): Mutation {
  const out = b.slice();
  const p = position(rng, out.length);
  const run = randomRun(rng, rng.range(1, 64));
  out.set(run.subarray(0, Math.max(0, out.length - p)), p);
  return { bytes: out, desc: `overwrite ${run.length} bytes at ${p}` };
}

export function insertRun(b: Uint8Array, rng: Rng): Mutation {
  const p = position(rng, b.length);
  const run = randomRun(rng, rng.range(1, 64));
  const out = new Uint8Array(b.length + run.length);
  out.set(b.subarray(0, p));
  out.set(run, p);
  out.set(b.subarray(p), p + run.length);
  return { bytes: out, desc: `insert ${run.length} bytes at ${p}` };
}

export function deleteRun(b: Uint8Array, rng: Rng): Mutation {
  const p = position(rng, b.length);
  const n = Math.min(rng.range(1, 64), b.length - p);
  const out = new Uint8Array(b.length - n);
  out.set(b.subarray(0, p));
  out.set(b.subarray(p + n), p);
  return { bytes: out, desc: `delete ${n} bytes at ${p}` };
}

export function interestingInt(b: Uint8Array, rng: Rng): Mutation {
  const out = b.slice();
  const width = rng.pick([1, 2, 4, 8]);
  const p = position(rng, out.length);
  const le = rng.chance(0.85);
  const v = interestingValue(rng, width);
  writeUint(out, p, width, v, le);
  return { bytes: out, desc: `write u${width * 8}${le ? 'le' : 'be'} ${v} at ${p}` };
}

export function duplicateChunk(b: Uint8Array, rng: Rng): Mutation {
  const from = rng.int(b.length + 1);
  const n = Math.min(rng.range(1, 256), b.length - from);
  const to = rng.int(b.length + 1);
  const out = new Uint8Array(b.length + n);
  out.set(b.subarray(0, to));
  out.set(b.subarray(from, from + n), to);
  out.set(b.subarray(to), to + n);
  return { bytes: out, desc: `copy ${n} bytes from ${from} to ${to}` };
}

const BYTE_MUTATORS = [truncate, bitFlips, overwriteRun, insertRun, deleteRun, interestingInt, duplicateChunk];

/** One to three format-blind mutations in a row. */
export function mutateBytes(b: Uint8Array, rng: Rng): Mutation {
  let m: Mutation = { bytes: b, desc: '' };
  const descs: string[] = [];
  const n = rng.chance(0.7) ? 1 : rng.range(2, 3);
  for (let i = 0; i < n; i++) {
    m = rng.pick(BYTE_MUTATORS)(m.bytes, rng);
    descs.push(m.desc);
  }
  return { bytes: m.bytes, desc: descs.join('; ') };
}
