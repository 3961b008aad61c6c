/**
 * Edge weights kept as 16-bit floats, for graphs too large to hold as float32 (a 1B-parameter
 * transformer has about 600M edges: 2.4 GB as float32, 1.2 GB packed). Each block is scaled by
 * its largest weight so that every value is in half precision's normal range: a weight w is stored
 * as half(w / s) with s = max|w| / 2¹⁵, so its relative rounding is at most 2⁻¹¹ (weights below
 * max|w| · 2⁻²⁹ lose more, and count for nothing next to the largest). The graph builder packs
 * blocks once the graph passes PACK_ABOVE_EDGES, and says so in a warning; metrics decode rows
 * into a scratch buffer as they go (blockRows), and anything else decodes a whole block (blockWeights).
 */
import { halfTable } from '../tensor';

/** What these helpers need of an edge block (graph/rolled.ts's EdgeBlock). */
interface Weighted {
  weights: Float32Array;
  packed?: PackedWeights;
}

export interface PackedWeights {
  bits: Uint16Array;
  scale: number;
}

/** Edges above which a graph's blocks are packed: 128M edges are 512 MB as float32. */
export const PACK_ABOVE_EDGES = 128 * 2 ** 20;
/** Blocks smaller than this stay float32 (their share of memory is small). */
export const PACK_MIN_BLOCK = 2 ** 16;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Float → IEEE half, rounding to nearest even (finite inputs within half's range). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 112; // rebias 127 → 15
  let m = x & 0x7fffff;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    m |= 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (m >>> 13);
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

export function pack(w: Float32Array): PackedWeights {
  let max = 0;
  for (let i = 0; i < w.length; i++) if (Math.abs(w[i]) > max) max = Math.abs(w[i]);
  const scale = max > 0 ? max / 32768 : 1;
  const inv = 1 / scale;
  const bits = new Uint16Array(w.length);
  for (let i = 0; i < w.length; i++) bits[i] = floatToHalf(w[i] * inv);
  return { bits, scale };
}

/** Weights of a block, packed or not. */
export function edgeWeightCount(b: Weighted): number {
  return b.packed ? b.packed.bits.length : b.weights.length;
}

let scratchBuf = new Float32Array(0);

/** The weights [start, start + count) of a packed block as float32, into `out`. */
export function unpackRange(p: PackedWeights, start: number, count: number, out: Float32Array): Float32Array {
  const lut = halfTable();
  const s = p.scale;
  for (let i = 0; i < count; i++) out[i] = lut[p.bits[start + i]] * s;
  return out;
}

/** All of a block's weights as float32 (a copy when packed). */
export function blockWeights(b: Weighted): Float32Array {
  return b.packed ? unpackRange(b.packed, 0, b.packed.bits.length, new Float32Array(b.packed.bits.length)) : b.weights;
}

/**
 * Calls `f(values, offset, rowsN)` over `rows` rows of `cols` weights starting at weight `w0`: for
 * a float32 block once with the weights themselves, for a packed one in chunks decoded to a scratch
 * buffer (offset 0).
 */
export function blockRows(b: Weighted, w0: number, rows: number, cols: number, f: (values: Float32Array, offset: number, rowsN: number, firstRow: number) => void): void {
  if (!b.packed) {
    f(b.weights, w0, rows, 0);
    return;
  }
  const chunk = Math.max(8, Math.floor(65536 / Math.max(1, cols)));
  const need = Math.min(rows, chunk) * cols;
  // One scratch buffer for all blocks (the engine is single-threaded; f never re-enters).
  if (scratchBuf.length < need) scratchBuf = new Float32Array(need);
  const scratch = scratchBuf;
  for (let r = 0; r < rows; r += chunk) {
    const n = Math.min(chunk, rows - r);
    unpackRange(b.packed, w0 + r * cols, n * cols, scratch);
    f(scratch, 0, n, r);
  }
}
