/**
 * Named tensors as every reader yields them. Values are read lazily: a reader records where the
 * bytes are (offset, dtype, shape, strides) and only `read()` touches them, one tensor at a time,
 * so a 500 MB checkpoint never sits in memory whole.
 *
 * Convention: tensors follow PyTorch's layout and naming, whatever the file format.
 *  - dense weight [out, in]; conv weight [out, in/groups, kh, kw]; BatchNorm `weight`, `bias`,
 *    `running_mean`, `running_var`; names `<module path>.<param>`.
 *  - Readers of other layouts (Keras, TF.js) transpose lazily and rename to this convention, and
 *    list tensors in the model's layer order.
 */
import { FormatError } from './errors';

export type DType = 'float64' | 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const DTYPE_BYTES: Record<DType, number> = {
  float64: 8, float32: 4, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

export interface TensorEntry {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /**
   * How many of its elements the file actually stores: the span of storage a view touches, the
   * elements of an HDF5 dataset's written chunks, numel for data checked whole against its bytes.
   * A tensor that declares more elements than this (an expanded view with stride 0, a dataset
   * that was never written) would be materialised from nothing: openCheckpoint refuses to read it.
   */
  readonly storedElements: number;
  /** Another entry holding the very same values (a tied weight saved under two names), when known. */
  readonly sameAs?: TensorEntry;
  /** The values as float32 in row-major order of `shape` (float16/bfloat16/float64 are converted): a fresh array, the caller's to keep or overwrite. */
  read(): Float32Array;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float64' || dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16';
}

/** IEEE half → float, without a lookup table (node 20 has no Float16Array). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

let HALF_LUT: Float32Array | undefined;
/** All 65536 half values, built once (256 KB): a table lookup is ~10× faster than decoding bits. */
export function halfTable(): Float32Array {
  if (!HALF_LUT) {
    HALF_LUT = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) HALF_LUT[h] = halfToFloat(h);
  }
  return HALF_LUT;
}

/**
 * Decodes `count` little- or big-endian elements of `dtype` starting at element `start` of `bytes`
 * into float32. `bytes` must already be bounded by the caller.
 */
export function decodeElements(bytes: Uint8Array, dtype: DType, littleEndian = true, file = 'tensor'): Float32Array {
  const size = DTYPE_BYTES[dtype];
  if (bytes.length % size !== 0) throw new FormatError(file, `${bytes.length} bytes is not a whole number of ${dtype} elements`);
  const n = bytes.length / size;
  const out = new Float32Array(n);
  if (dtype === 'float32' && littleEndian && bytes.byteOffset % 4 === 0) {
    out.set(new Float32Array(bytes.buffer, bytes.byteOffset, n));
    return out;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = littleEndian;
  switch (dtype) {
    case 'float32': for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, le); break;
    case 'float64': for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, le); break;
    case 'float16': {
      const lut = halfTable();
      for (let i = 0; i < n; i++) out[i] = lut[dv.getUint16(i * 2, le)];
      break;
    }
    case 'bfloat16': {
      // bfloat16 is the top half of a float32.
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = dv.getUint16(i * 2, le) << 16;
      break;
    }
    case 'int64': for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, le)); break;
    case 'int32': for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, le); break;
    case 'int16': for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, le); break;
    case 'int8': for (let i = 0; i < n; i++) out[i] = dv.getInt8(i); break;
    case 'uint8': case 'bool': for (let i = 0; i < n; i++) out[i] = bytes[i]; break;
  }
  return out;
}

/** Contiguous row-major strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Gathers a strided view (element offset + strides, as PyTorch stores views of a shared storage)
 * into a new contiguous array.
 */
export function gatherStrided(storage: Float32Array, offset: number, shape: readonly number[], strides: readonly number[]): Float32Array {
  const n = numel(shape);
  const out = new Float32Array(n);
  if (n === 0) return out;
  const rank = shape.length;
  if (rank === 2) {
    // A transposed matrix (Conv1D, Keras and ONNX [in, out] weights): in 64×64 tiles, so that
    // both the reads and the writes stay within cache lines.
    const [rowsN, cols] = shape;
    const [sr, sc] = strides;
    const T = 64;
    for (let i0 = 0; i0 < rowsN; i0 += T) {
      const i1 = Math.min(rowsN, i0 + T);
      for (let j0 = 0; j0 < cols; j0 += T) {
        const j1 = Math.min(cols, j0 + T);
        for (let i = i0; i < i1; i++) {
          const base = offset + i * sr;
          const o = i * cols;
          for (let j = j0; j < j1; j++) out[o + j] = storage[base + j * sc];
        }
      }
    }
    return out;
  }
  const idx = new Array<number>(rank).fill(0);
  let src = offset;
  for (let i = 0; i < n; i++) {
    out[i] = storage[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += strides[d];
      if (idx[d] < shape[d]) break;
      src -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * What every read of a checkpoint's tensors passes before any value is allocated: the bounds of
 * readers/gate.ts. A tensor holds a reference to its checkpoint's gate (one field, no closure:
 * a 300k-tensor file must not pay a function per tensor for it).
 */
export interface ReadGate {
  admit(t: TensorEntry): void;
}

/** A tensor whose values come from a lazily evaluated function (used for transposed or renamed views). */
export class LazyTensor implements TensorEntry {
  gate?: ReadGate;
  constructor(
    readonly name: string,
    readonly dtype: DType,
    readonly shape: readonly number[],
    private readonly load: () => Float32Array,
    /** See TensorEntry.storedElements; a view of another tensor passes that tensor's. */
    readonly storedElements: number,
  ) {}
  /** Not cached on purpose: the caller decides how long to keep the values of a big tensor. */
  read(): Float32Array {
    this.gate?.admit(this);
    return this.load();
  }
}

/**
 * A tensor stored as one contiguous run of bytes of a source (safetensors, ONNX raw data): no
 * closure per tensor, so files of hundreds of thousands of small tensors stay small in memory.
 */
export class RangeTensor<S = unknown> implements TensorEntry {
  gate?: ReadGate;
  constructor(
    readonly name: string,
    readonly dtype: DType,
    readonly shape: readonly number[],
    /** Where the bytes are (a ByteSource), handed to `decode`. */
    private readonly src: S,
    private readonly offset: number,
    private readonly byteLength: number,
    /** How the bytes become values (the reader's readValues call, naming its file). */
    private readonly decode: (src: S, offset: number, byteLength: number, dtype: DType) => Float32Array,
  ) {}
  get storedElements(): number {
    return this.byteLength / DTYPE_BYTES[this.dtype];
  }
  read(): Float32Array {
    this.gate?.admit(this);
    return this.decode(this.src, this.offset, this.byteLength, this.dtype);
  }
}

/** Transposes a row-major tensor by a permutation of its axes (e.g. Keras HWIO → PyTorch OIHW is [3,2,0,1]). */
export function permute(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const strides = contiguousStrides(shape);
  const newShape = perm.map((p) => shape[p]);
  const newStrides = perm.map((p) => strides[p]);
  return gatherStrided(values, 0, newShape, newStrides);
}
