/**
 * Chunked HDF5 datasets (layout class 2, chunk index a version-1 B-tree: what h5py writes for
 * compressed or resizable datasets), read without jsfive's chunk assembly. jsfive builds a plain
 * JS array of every element and walks each chunk's full declared extent element by element: a
 * 64×64 dataset whose one gzip chunk declared 512 MiB cost gigabytes and minutes. Here:
 *  - the B-tree is walked once (each node at most once, so a cycle cannot spin), and the elements
 *    the written chunks cover are counted: that is the dataset's storedElements (a dataset whose
 *    chunks were never written stores nothing);
 *  - a chunk is inflated only when the tensor is read, to exactly its declared size, charged to
 *    the checkpoint's decompression budget (io/inflate.ts);
 *  - only the part of a chunk inside the dataset is decoded, a row at a time, into the result.
 * Reference: HDF5 File Format Specification 3.0, III.A.1 (B-tree v1), IV.A.2.i (Data Layout),
 * IV.A.2.l (Filter Pipeline).
 */
import { FormatError } from '../../errors';
import { inflateAtMost, type InflateBudget } from '../../io/inflate';
import { DType, decodeElements, numel } from '../../tensor';

/** What of an HDF5 file this needs (hdf5.ts's H5File): its bytes, its names for messages, its error wrapper. */
interface H5Bytes {
  readonly file: string;
  readonly label: string;
  readonly bytes: Uint8Array;
  call<T>(what: string, fn: () => T): T;
}

/** What of a jsfive dataset this needs: its filter pipeline. */
interface H5Filtered {
  readonly _dataobjects: { readonly filter_pipeline: Map<string, unknown>[] | null };
}

const UNDEFINED = 0xffffffffffffffffn;
const GZIP = 1;
const SHUFFLE = 2;
const FLETCHER32 = 3;

interface Chunk {
  offset: number[];
  /** Bytes stored (filtered size when filters apply). */
  size: number;
  filterMask: number;
  address: number;
}

export interface ChunkedData {
  /** Elements of the dataset covered by written chunks. */
  storedElements: number;
  load: () => Float32Array;
}

function u64(dv: DataView, at: number): number {
  const v = dv.getBigUint64(at, true);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
}

/**
 * The chunked layout of `ds` as a reader, or undefined when the dataset is not chunked.
 * `props` are jsfive's [version, dims, layoutClass, propertyOffset] of its layout message.
 */
export function chunkedData(
  h5: H5Bytes,
  ds: H5Filtered,
  where: string,
  props: [number, number, number, number],
  shape: number[],
  dtype: DType,
  littleEndian: boolean,
  itemSize: number,
  budget: InflateBudget,
): ChunkedData | undefined {
  const [version, dimsField, layoutClass, prop] = props;
  if (layoutClass !== 2) return undefined;
  const fail = (what: string): never => {
    throw new FormatError(h5.file, `${h5.label}dataset '${where}': ${what}`);
  };
  const bytes = h5.bytes;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number, what: string): void => {
    if (!(at >= 0 && at + n <= bytes.length)) fail(`${what} at offset ${at} lies outside the file (${bytes.length} bytes)`);
  };
  let dims: number;
  let addressAt: number;
  if (version === 1 || version === 2) {
    dims = dimsField;
    addressAt = prop;
  } else if (version === 3) {
    need(prop, 1, 'the chunk layout');
    dims = bytes[prop];
    addressAt = prop + 1;
  } else return fail(`chunked layout version ${version} is not supported`);
  const rank = shape.length;
  if (rank === 0) fail('a chunked dataset without dimensions');
  if (dims !== rank + 1) fail(`its chunk layout has ${dims - 1} dimensions, the dataset ${rank}`);
  need(addressAt, 8 + 4 * rank, 'the chunk layout');
  const chunk = Array.from({ length: rank }, (_, d) => dv.getUint32(addressAt + 8 + 4 * d, true));
  if (chunk.some((c) => c === 0)) fail(`a chunk dimension is 0 ([${chunk.join(', ')}])`);
  const chunkBytes = numel(chunk) * itemSize;
  if (!Number.isSafeInteger(chunkBytes)) fail(`chunks of [${chunk.join(', ')}] are too large`);
  const root = dv.getBigUint64(addressAt, true);
  const count = numel(shape);
  // h5py refuses chunks larger than a fixed-size dataset; one that is far larger can only inflate
  // to bytes nobody reads (a chunk of 64 MiB for a 64×64 dataset): refused before any is inflated.
  if (chunkBytes > Math.max(4 * count * itemSize, 2 ** 20)) fail(`its chunks of [${chunk.join(', ')}] would each inflate to ${chunkBytes} bytes, far more than the dataset's own ${count * itemSize} bytes (h5py never writes chunks larger than a dataset): refused as a likely decompression bomb`);
  if (root === UNDEFINED || count === 0) return { storedElements: 0, load: () => new Float32Array(count) };

  // Walk the B-tree: every node once; keys hold each chunk's offset, children its address.
  const chunks: Chunk[] = [];
  const seen = new Set<number>();
  const stack: { at: number; level: number }[] = [{ at: Number(root), level: -1 }];
  const keyBytes = 8 + 8 * dims;
  while (stack.length) {
    const { at, level } = stack.pop()!;
    if (!Number.isSafeInteger(at) || seen.has(at)) fail(`its chunk index (B-tree) refers to node ${at} twice or out of range`);
    seen.add(at);
    need(at, 24, 'a chunk index node');
    if (bytes[at] !== 0x54 || bytes[at + 1] !== 0x52 || bytes[at + 2] !== 0x45 || bytes[at + 3] !== 0x45 || bytes[at + 4] !== 1) fail(`no chunk index node (TREE, type 1) at offset ${at}`);
    const nodeLevel = bytes[at + 5];
    if (level >= 0 && nodeLevel !== level) fail(`chunk index node at offset ${at} has level ${nodeLevel}, expected ${level}`);
    const used = dv.getUint16(at + 6, true);
    need(at + 24, used * (keyBytes + 8) + keyBytes, `chunk index node of ${used} entries`);
    let p = at + 24;
    for (let i = 0; i < used; i++) {
      const size = dv.getUint32(p, true);
      const filterMask = dv.getUint32(p + 4, true);
      const offset = Array.from({ length: rank }, (_, d) => u64(dv, p + 8 + 8 * d));
      const child = u64(dv, p + keyBytes);
      p += keyBytes + 8;
      if (nodeLevel > 0) stack.push({ at: child, level: nodeLevel - 1 });
      else chunks.push({ offset, size, filterMask, address: child });
    }
  }

  // Elements the written chunks cover; overlapping chunks would be decoded twice: refused.
  let stored = 0;
  for (const c of chunks) {
    let n = 1;
    for (let d = 0; d < rank; d++) {
      const o = c.offset[d];
      if (!Number.isSafeInteger(o) || o % chunk[d] !== 0 || o >= shape[d]) fail(`a chunk at offset [${c.offset.join(', ')}] does not fit chunks of [${chunk.join(', ')}] in shape [${shape.join(', ')}]`);
      n *= Math.min(chunk[d], shape[d] - o);
    }
    stored += n;
  }
  if (stored > count) fail(`its chunks cover ${stored} elements, more than its ${count}: chunks overlap`);

  let pipeline: { id: number }[] = [];
  const filters = h5.call(`the filters of '${where}'`, () => ds._dataobjects.filter_pipeline) as Map<string, unknown>[] | null;
  if (filters) pipeline = filters.map((f) => ({ id: Number(f.get('filter_id')) }));
  for (const f of pipeline) {
    if (f.id !== GZIP && f.id !== SHUFFLE && f.id !== FLETCHER32) fail(`uses HDF5 filter ${f.id}, which is not supported (gzip, shuffle and fletcher32 are)`);
  }

  const decodeChunk = (c: Chunk): Uint8Array => {
    need(c.address, pipeline.length ? c.size : chunkBytes, `chunk [${c.offset.join(', ')}]`);
    let buf: Uint8Array = bytes.subarray(c.address, c.address + (pipeline.length ? c.size : chunkBytes));
    // Filters were applied first to last when writing: undo them last to first.
    for (let i = pipeline.length - 1; i >= 0; i--) {
      if (c.filterMask & (1 << i)) continue;
      const id = pipeline[i].id;
      if (id === FLETCHER32) buf = buf.subarray(0, Math.max(0, buf.length - 4));
      else if (id === GZIP) buf = inflateAtMost(budget, buf, chunkBytes + 4, `${h5.label}gzip chunk [${c.offset.join(', ')}] of dataset '${where}'`);
      else buf = unshuffle(buf, itemSize);
    }
    if (buf.length !== chunkBytes) fail(`chunk [${c.offset.join(', ')}] holds ${buf.length} bytes after its filters, not ${chunkBytes}`);
    return buf;
  };

  return {
    storedElements: stored,
    load: () => {
      const out = new Float32Array(count);
      const strides = new Array<number>(rank).fill(1);
      for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
      const cstrides = new Array<number>(rank).fill(1);
      for (let d = rank - 2; d >= 0; d--) cstrides[d] = cstrides[d + 1] * chunk[d + 1];
      for (const c of chunks) {
        const data = decodeChunk(c);
        const ext = c.offset.map((o, d) => Math.min(chunk[d], shape[d] - o));
        const row = ext[rank - 1];
        const idx = new Array<number>(rank).fill(0);
        // Each row of the chunk's part inside the dataset: one decode into place.
        for (;;) {
          let src = 0;
          let dst = 0;
          for (let d = 0; d < rank; d++) {
            src += idx[d] * cstrides[d];
            dst += (c.offset[d] + idx[d]) * strides[d];
          }
          out.set(decodeElements(data.subarray(src * itemSize, (src + row) * itemSize), dtype, littleEndian, h5.file), dst);
          let d = rank - 2;
          for (; d >= 0; d--) {
            if (++idx[d] < ext[d]) break;
            idx[d] = 0;
          }
          if (d < 0) break;
        }
      }
      return out;
    },
  };
}

/** HDF5's shuffle filter undone: byte j of every element was stored in plane j. */
function unshuffle(buf: Uint8Array, itemSize: number): Uint8Array {
  if (itemSize <= 1) return buf;
  const n = Math.floor(buf.length / itemSize);
  const out = new Uint8Array(buf.length);
  for (let j = 0; j < itemSize; j++) for (let i = 0; i < n; i++) out[i * itemSize + j] = buf[j * n + i];
  out.set(buf.subarray(n * itemSize), n * itemSize);
  return out;
}
