/**
 * HDF5 access for the Keras readers, over jsfive (an untyped CommonJS module). jsfive needs the
 * whole file in memory (limit: 2 GiB). Every jsfive failure comes out as a FormatError naming the
 * file. Contiguous datasets (what h5py writes by default) are decoded straight from the file bytes
 * after their extent is checked against the file size; chunked ones by h5-chunks.ts; only compact
 * ones (data inside the header, at most 64 KiB) go through jsfive on read(). Each dataset states
 * the elements the file stores for it: none for one that was never written (h5py creates those
 * without storage), so openCheckpoint refuses to conjure a 12000×12000 tensor out of an 8 KB file.
 */
import { FormatError, errorMessage } from '../../errors';
import { InflateBudget } from '../../io/inflate';
import { hexHead, type ByteSource } from '../../io/source';
import { chunkedData } from './h5-chunks';
import { DTYPE_BYTES, DType, decodeElements, numel } from '../../tensor';
import { preview } from '../../text/safe-text';

// ------------------------------------------------------------------ jsfive's shapes
interface H5Node {
  readonly name: string;
  readonly attrs: Record<string, unknown>;
}
export interface H5Group extends H5Node {
  readonly keys: string[];
  get(path: string): H5Group | H5Dataset | null;
}
interface H5Message {
  get(key: string): number;
}
export interface H5Dataset extends H5Node {
  readonly shape: number[];
  readonly dtype: unknown;
  readonly value: ArrayLike<number | bigint>;
  readonly _dataobjects: {
    find_msg_type(type: number): H5Message[];
    _get_data_message_properties(offset: number): [number, number, number, number];
    readonly filter_pipeline: Map<string, unknown>[] | null;
  };
}
interface Jsfive {
  File: new (buffer: ArrayBuffer, filename: string) => H5Group;
  Dataset: abstract new (...args: never[]) => H5Dataset;
}
let jsfiveModule: Jsfive | undefined;
function jsfive(): Jsfive {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jsfiveModule ??= require('jsfive') as Jsfive;
  return jsfiveModule;
}

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const DATA_LAYOUT_MSG = 0x0008;
/** jsfive works on one ArrayBuffer; Node's Buffer limit and memory make 2 GiB a sane ceiling. */
const MAX_HDF5_BYTES = 2 ** 31 - 1;

export function isHdf5(head: Uint8Array): boolean {
  return head.length >= 8 && HDF5_MAGIC.every((b, i) => head[i] === b);
}

/**
 * The file size the HDF5 superblock states (base address + end-of-file address), when it uses
 * 8-byte addresses: superblock versions 0/1 keep it at byte 40/44, versions 2/3 at byte 28.
 */
function hdf5DeclaredSize(bytes: Uint8Array): bigint | undefined {
  if (bytes.length < 48) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[8];
  let base: number;
  let eof: number;
  if (version === 0 || version === 1) {
    if (bytes[13] !== 8) return undefined;
    base = 24;
    eof = version === 0 ? 40 : 44;
  } else if (version === 2 || version === 3) {
    if (bytes[9] !== 8) return undefined;
    base = 12;
    eof = 28;
  } else {
    return undefined;
  }
  if (version === 1) base = 28;
  return dv.getBigUint64(base, true) + dv.getBigUint64(eof, true);
}

/** An HDF5 file loaded in memory, with every jsfive failure turned into a FormatError naming the file. */
export class H5File {
  readonly root: H5Group;
  constructor(
    readonly file: string,
    /** Prefix for messages about an HDF5 file inside an archive, e.g. 'model.weights.h5: '. */
    readonly label: string,
    readonly bytes: Uint8Array,
    /** The checkpoint's decompression budget, which gzip chunks are charged to. */
    readonly budget: InflateBudget = new InflateBudget(file, bytes.length),
  ) {
    if (!isHdf5(bytes)) {
      throw new FormatError(file, `${label}not an HDF5 file: first bytes ${hexHead(bytes.subarray(0, 8))}, expected the signature 894844460d0a1a0a`);
    }
    const declared = hdf5DeclaredSize(bytes);
    if (declared !== undefined && declared > BigInt(bytes.length)) {
      throw new FormatError(file, `${label}truncated HDF5 file: its superblock declares ${declared} bytes, but there are ${bytes.length}`);
    }
    this.root = this.call('the superblock', () => new (jsfive().File)(bytes.buffer as ArrayBuffer, file));
  }

  call<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError(this.file, `${this.label}HDF5 structure unreadable at ${what} (${errorMessage(e)}; truncated or corrupt file?)`);
    }
  }

  attrs(node: H5Node): Record<string, unknown> {
    return this.call(`the attributes of '${node.name}'`, () => node.attrs);
  }

  /** Members of each group, listed once: jsfive builds the list anew on every call. */
  private readonly members = new Map<H5Group, { list: string[]; set: Set<string> }>();

  private membersOf(g: H5Group): { list: string[]; set: Set<string> } {
    let m = this.members.get(g);
    if (!m) {
      const list = this.call(`the members of '${g.name}'`, () => g.keys);
      this.members.set(g, (m = { list, set: new Set(list) }));
    }
    return m;
  }

  keys(g: H5Group): string[] {
    return this.membersOf(g).list;
  }

  child(g: H5Group, name: string): H5Group | H5Dataset | undefined {
    if (!this.membersOf(g).set.has(name.split('/')[0])) return undefined;
    return this.call(`'${g.name === '/' ? '' : g.name}/${name}'`, () => g.get(name)) ?? undefined;
  }

  group(g: H5Group, name: string): H5Group | undefined {
    const c = this.child(g, name);
    return c && !this.isDataset(c) ? (c as H5Group) : undefined;
  }

  isDataset(n: H5Group | H5Dataset): n is H5Dataset {
    return n instanceof jsfive().Dataset;
  }
}

/** Reads a whole source into its own ArrayBuffer (jsfive wants one), in bounded chunks. */
export function readAll(file: string, src: ByteSource, label = ''): Uint8Array {
  if (src.size > MAX_HDF5_BYTES) throw new FormatError(file, `${label}HDF5 file of ${src.size} bytes is above the ${MAX_HDF5_BYTES}-byte limit of the in-memory HDF5 reader`);
  const out = new Uint8Array(new ArrayBuffer(src.size));
  const CHUNK = 64 << 20;
  for (let off = 0; off < src.size; off += CHUNK) out.set(src.read(off, Math.min(CHUNK, src.size - off)), off);
  return out;
}

/** Bytes already in memory (an inflated archive member) as jsfive takes them: as they are when they own their ArrayBuffer, else copied. */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes;
  return new Uint8Array(bytes);
}

// ------------------------------------------------------------------ attributes

function str(v: unknown): string {
  if (typeof v === 'string') return v.replace(/\0+$/, '');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8').replace(/\0+$/, '');
  return String(v);
}

/** A string-list attribute, joining Keras' chunked `name0`, `name1`, ... form. */
export function attrStrings(attrs: Record<string, unknown>, name: string): string[] | undefined {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : v === undefined || v === null ? [] : [str(v)]);
  if (Object.prototype.hasOwnProperty.call(attrs, name)) return list(attrs[name]);
  if (!Object.prototype.hasOwnProperty.call(attrs, `${name}0`)) return undefined;
  const out: string[] = [];
  for (let i = 0; Object.prototype.hasOwnProperty.call(attrs, `${name}${i}`); i++) for (const v of list(attrs[`${name}${i}`])) out.push(v);
  return out;
}

export function attrString(attrs: Record<string, unknown>, name: string): string | undefined {
  const v = attrs[name];
  if (v === undefined || v === null) return undefined;
  return str(Array.isArray(v) && v.length === 1 ? v[0] : v);
}

// ------------------------------------------------------------------ datasets

function h5Dtype(dt: unknown): { dtype?: DType; littleEndian: boolean } {
  if (typeof dt !== 'string') return { littleEndian: true };
  const m = /^([<>|=!]?)([fiu])(\d+)$/.exec(dt);
  if (!m) return { littleEndian: true };
  const map: Record<string, DType> = { f2: 'float16', f4: 'float32', f8: 'float64', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64', u1: 'uint8' };
  return { dtype: map[`${m[2]}${m[3]}`], littleEndian: m[1] !== '>' && m[1] !== '!' };
}

/** A numeric dataset: shape and dtype checked now, values decoded on load(). */
export interface DatasetValues {
  dtype: DType;
  shape: number[];
  load: () => Float32Array;
  /** Elements the file stores for it (TensorEntry.storedElements). */
  storedElements: number;
}

/** Tensor for one HDF5 dataset; a reason (string) for a dataset that is not a numeric tensor. */
export function datasetValues(h5: H5File, ds: H5Dataset, where: string): DatasetValues | string {
  const shape = h5.call(`the shape of '${where}'`, () => [...(ds.shape ?? [])]);
  const { dtype, littleEndian } = h5Dtype(h5.call(`the type of '${where}'`, () => ds.dtype));
  if (!dtype) return `dataset '${where}' has HDF5 type ${preview(h5.call('a type', () => ds.dtype))}, which is not a numeric tensor type; skipped`;
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new FormatError(h5.file, `${h5.label}dataset '${where}' has a bad shape ${preview(shape)}`);
  const count = numel(shape);
  const nbytes = count * DTYPE_BYTES[dtype];
  // Fast path: contiguous storage, decoded straight from the file bytes after a bounds check.
  let address: bigint | undefined;
  let declared: bigint | undefined;
  let props: [number, number, number, number] | undefined;
  try {
    const dobj = ds._dataobjects;
    const msg = dobj.find_msg_type(DATA_LAYOUT_MSG)[0];
    props = dobj._get_data_message_properties(msg.get('offset_to_message'));
    const [version, , layoutClass, prop] = props;
    if (layoutClass === 1) {
      const dv = new DataView(h5.bytes.buffer, h5.bytes.byteOffset, h5.bytes.byteLength);
      address = dv.getBigUint64(prop, true);
      if (version >= 3) declared = dv.getBigUint64(prop + 8, true);
    }
  } catch {
    address = undefined;
  }
  if (address !== undefined) {
    if (address === 0xffffffffffffffffn) {
      // Never written: HDF5 reads it as the fill value, but the file stores none of it.
      return { dtype, shape, load: () => new Float32Array(count), storedElements: 0 };
    }
    if (declared !== undefined && declared !== BigInt(nbytes)) {
      throw new FormatError(h5.file, `${h5.label}dataset '${where}' stores ${declared} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${nbytes}`);
    }
    if (address + BigInt(nbytes) > BigInt(h5.bytes.length)) {
      throw new FormatError(h5.file, `${h5.label}dataset '${where}' (${nbytes} bytes at offset ${address}) runs past the end of the file (${h5.bytes.length} bytes)`);
    }
    const start = Number(address);
    return { dtype, shape, load: () => decodeElements(h5.bytes.subarray(start, start + nbytes), dtype, littleEndian, h5.file), storedElements: count };
  }
  const size = DTYPE_BYTES[dtype];
  const chunked = props && h5.call(`the chunks of '${where}'`, () => chunkedData(h5, ds, where, props!, shape, dtype, littleEndian, size, h5.budget));
  if (chunked) return { dtype, shape, ...chunked };
  // Compact layout: the data sits in the layout message, whose size field (16 bits) bounds it.
  let compactBytes = 0;
  if (props && props[2] === 0) {
    const at = props[0] >= 3 ? props[3] : -1;
    if (at >= 0 && at + 2 <= h5.bytes.length) compactBytes = h5.bytes[at] | (h5.bytes[at + 1] << 8);
  }
  return {
    dtype,
    shape,
    storedElements: Math.floor(compactBytes / size),
    load: () => {
      const v = h5.call(`the data of '${where}'`, () => ds.value);
      if (!v || v.length !== count) throw new FormatError(h5.file, `${h5.label}dataset '${where}' yields ${v?.length ?? 0} values, expected ${count}`);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(v[i]);
      return out;
    },
  };
}
