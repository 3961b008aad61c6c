/**
 * numpy `.npy` (one array) and `.npz` (a zip of `<key>.npy` members, stored by `numpy.savez`,
 * deflated by `numpy.savez_compressed`).
 *
 * .npy layout: magic `\x93NUMPY`, major and minor version bytes, a header length (uint16 LE in
 * version 1, uint32 LE in versions 2 and 3), a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, then the raw data.
 * Fortran-order arrays are stored column-major and are reordered to row-major on read.
 */
import { CHECKPOINT_DEFAULTS, checkTensorCount, type Checkpoint, type CheckpointReader } from '../checkpoint';
import { FormatError, errorMessage } from '../errors';
import { inflatePrefix } from '../io/inflate';
import { hexHead, readValues, type ByteSource } from '../io/source';
import { ZipArchive, ZipEntry, openZipOf } from '../io/zip';
import { DTYPE_BYTES, DType, LazyTensor, TensorEntry, numel, permute } from '../tensor';
import { stripWrapperPrefixes } from './names';
import { preview } from '../text/safe-text';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy itself refuses headers longer than this (see numpy.lib.format._MAX_HEADER_SIZE). */
const MAX_NPY_HEADER = 1 << 20;

export function isNpy(head: Uint8Array): boolean {
  return head.length >= 6 && NPY_MAGIC.every((b, i) => head[i] === b);
}

export interface NpyHeader {
  descr: string;
  dtype?: DType;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data from the start of the .npy stream. */
  dataOffset: number;
}

// ------------------------------------------------------------------ Python literal parser
type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/** Parses the small subset of Python literals numpy writes in .npy headers (dict, tuple, list, str, int, bool, None). */
function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${i} of ${preview(text.slice(0, 120))}`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  let depth = 0;
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{' || c === '(' || c === '[') {
      if (++depth > 32) fail('nesting too deep');
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      const dict: Record<string, PyValue> = {};
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          break;
        }
        const k = value();
        if (c === '{') {
          ws();
          if (text[i] !== ':') fail("expected ':'");
          i++;
          if (typeof k !== 'string') fail('dict key is not a string');
          Object.defineProperty(dict, k as string, { value: value(), enumerable: true, writable: true, configurable: true });
        } else {
          items.push(k);
        }
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
      depth--;
      return c === '{' ? dict : items;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(-?\d+)L?|^(True|False|None)/.exec(text.slice(i, i + 40));
    if (!m) fail('unexpected token');
    i += m![0].length;
    if (m![2] === 'True') return true;
    if (m![2] === 'False') return false;
    if (m![2] === 'None') return null;
    return Number(m![1]);
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

/** Maps a numpy type string ('<f4', '>i8', '|u1', '|b1') to our dtype and byte order. */
function npyDtype(descr: string): { dtype?: DType; littleEndian: boolean } {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) return { littleEndian: true };
  const littleEndian = m[1] !== '>';
  const key = `${m[2]}${m[3]}`;
  const map: Record<string, DType> = { f8: 'float64', f4: 'float32', f2: 'float16', i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8', u1: 'uint8', b1: 'bool' };
  return { dtype: map[key], littleEndian };
}

/**
 * Parses a .npy header from the first bytes of the stream (`bytes` may be a prefix of it).
 * Returns 'short' when `bytes` ends before the header does.
 */
export function parseNpyHeader(bytes: Uint8Array, where: string, file: string): NpyHeader | 'short' {
  if (bytes.length < 10) {
    if (bytes.length >= 6 && !isNpy(bytes)) throw badMagic(bytes, where, file);
    return 'short';
  }
  if (!isNpy(bytes)) throw badMagic(bytes, where, file);
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) return 'short';
    hlen = dv.getUint32(8, true);
    start = 12;
  } else {
    throw new FormatError(file, `${where}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (hlen > MAX_NPY_HEADER) throw new FormatError(file, `${where}: .npy header length ${hlen} is above the ${MAX_NPY_HEADER}-byte limit`);
  if (bytes.length < start + hlen) return 'short';
  const text = Buffer.from(bytes.subarray(start, start + hlen)).toString(major === 3 ? 'utf8' : 'latin1');
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text.trim());
  } catch (e) {
    throw new FormatError(file, `${where}: .npy header is not a Python dict literal (${(e as Error).message})`);
  }
  if (!dict || typeof dict !== 'object' || Array.isArray(dict)) throw new FormatError(file, `${where}: .npy header ${preview(text.trim(), 200)} is not a dict`);
  const { descr, fortran_order: fortran, shape } = dict as Record<string, PyValue>;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError(file, `${where}: .npy header shape ${preview(shape)} is not a tuple of non-negative integers`);
  }
  if (typeof fortran !== 'boolean') throw new FormatError(file, `${where}: .npy header fortran_order ${preview(fortran)} is not True/False`);
  const descrText = typeof descr === 'string' ? descr : preview(descr);
  const { dtype, littleEndian } = typeof descr === 'string' ? npyDtype(descr) : { dtype: undefined, littleEndian: true };
  return { descr: descrText, dtype, littleEndian, fortranOrder: fortran, shape: shape as number[], dataOffset: start + hlen };
}

function badMagic(bytes: Uint8Array, where: string, file: string): FormatError {
  return new FormatError(file, `${where}: not a .npy array (first bytes ${hexHead(bytes.subarray(0, 6))}, expected the magic 934e554d5059 '\\x93NUMPY')`);
}

/** Checks the header against the bytes that follow it and returns a lazy tensor, or a reason to skip. */
function npyTensor(name: string, h: NpyHeader, streamSize: number, where: string, file: string, stream: () => ByteSource): TensorEntry | string {
  if (!h.dtype) return `array '${name}' has dtype ${h.descr}, which is not a numeric tensor type; skipped`;
  const dtype = h.dtype;
  const need = numel(h.shape) * DTYPE_BYTES[dtype];
  const have = streamSize - h.dataOffset;
  if (!Number.isSafeInteger(need) || need !== have) {
    throw new FormatError(file, `${where}: shape (${h.shape.join(', ')}) of ${h.descr} needs ${need} bytes of data but ${have} follow the ${h.dataOffset}-byte header`);
  }
  const shape = h.shape;
  return new LazyTensor(name, dtype, shape, () => {
    const values = readValues(stream(), h.dataOffset, need, dtype, h.littleEndian, file);
    if (!h.fortranOrder || shape.length < 2) return values;
    // Column-major data is the row-major layout of the reversed shape; transpose it back.
    const rev = [...shape].reverse();
    return permute(values, rev, rev.map((_, i) => rev.length - 1 - i));
  }, numel(shape));
}

// ------------------------------------------------------------------ .npy
export const npyReader: CheckpointReader = {
  id: 'npy',
  match(file, head) {
    return /\.npy$/i.test(file) || isNpy(head);
  },
  open(file, src) {
    const prefix = src.read(0, Math.min(src.size, 12));
    let h = parseNpyHeader(prefix, 'array', file);
    if (h === 'short' && prefix.length >= 12) {
      const dv = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
      const total = prefix[6] === 1 ? 10 + dv.getUint16(8, true) : 12 + dv.getUint32(8, true);
      if (total <= src.size) h = parseNpyHeader(src.read(0, total), 'array', file);
    }
    if (h === 'short') throw new FormatError(file, `array: file of ${src.size} bytes ends inside the .npy header (truncated file?)`);
    const base = file.replace(/^.*[\\/]/, '').replace(/\.npy$/i, '') || 'array';
    const t = npyTensor(base, h, src.size, 'array', file, () => src);
    if (typeof t === 'string') throw new FormatError(file, t.replace(/; skipped$/, ''));
    return { ...CHECKPOINT_DEFAULTS, file, format: 'npy', tensors: [t], metadata: {}, warnings: [], close: () => src.close?.() };
  },
};

// ------------------------------------------------------------------ .npz

/**
 * The first bytes of a deflated zip entry, without inflating all of it: the header of a .npy is at
 * the front, and a savez_compressed archive of a large model should not be inflated at open time.
 */
function entryDataStart(zip: ZipArchive, entry: ZipEntry): number {
  const local = zip.src.read(entry.localHeaderOffset, 30);
  const dv = new DataView(local.buffer, local.byteOffset, 30);
  return entry.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
}

/**
 * Inflated bytes enough for any .npy header (12-byte preamble + the longest header numpy writes),
 * with a margin: one more compressed byte can add a few KB of output, so the longest prefix within
 * this cap still holds a whole header whenever the stream goes on past it.
 */
const HEADER_OUTPUT_LIMIT = MAX_NPY_HEADER + 12 + (64 << 10);

/**
 * The inflated start of a deflated member, from its first `compressedBytes` bytes, or 'too-large'
 * when they inflate to more than any header needs. The output is capped at HEADER_OUTPUT_LIMIT:
 * a 1.6 MB crafted .npz (a long random header, then 1 GiB of zeros) used to make this inflate the
 * whole gigabyte just to read the header.
 */
function deflatedPrefix(zip: ZipArchive, entry: ZipEntry, dataStart: number, compressedBytes: number): Uint8Array | 'too-large' {
  const take = Math.min(compressedBytes, entry.compressedSize);
  const packed = zip.src.read(dataStart, take);
  // Charged to the checkpoint's decompression budget like any inflation (io/inflate.ts).
  return inflatePrefix(zip.budget, packed, HEADER_OUTPUT_LIMIT, `the .npy header of member '${entry.name}'`);
}

/**
 * The longest inflated prefix within HEADER_OUTPUT_LIMIT, when `fits` compressed bytes inflate
 * within it and `over` do not: output grows with input, so a bisection finds it in ~log2(over)
 * bounded inflations.
 */
function boundedPrefix(zip: ZipArchive, entry: ZipEntry, dataStart: number, fits: number, over: number): Uint8Array {
  let best: Uint8Array = new Uint8Array(0);
  while (over - fits > 1) {
    const mid = (fits + over) >>> 1;
    const out = deflatedPrefix(zip, entry, dataStart, mid);
    if (out === 'too-large') over = mid;
    else {
      fits = mid;
      best = out;
    }
  }
  return best;
}

function readNpzHeader(zip: ZipArchive, entry: ZipEntry, where: string, file: string): NpyHeader {
  if (entry.method === 0) {
    const member = zip.open(entry);
    const prefix = member.read(0, Math.min(member.size, 12));
    let h = parseNpyHeader(prefix, where, file);
    if (h === 'short' && prefix.length >= 12) {
      const dv = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
      const total = prefix[6] === 1 ? 10 + dv.getUint16(8, true) : 12 + dv.getUint32(8, true);
      if (total <= member.size) h = parseNpyHeader(member.read(0, total), where, file);
    }
    if (h === 'short') throw new FormatError(file, `${where}: member of ${member.size} bytes ends inside the .npy header`);
    return h;
  }
  const dataStart = entryDataStart(zip, entry);
  if (dataStart + entry.compressedSize > zip.src.size) {
    throw new FormatError(file, `${where}: declares ${entry.compressedSize} compressed bytes at offset ${dataStart}, past the end of the file (${zip.src.size} bytes)`);
  }
  let fits = 0;
  for (const n of [4096, 65536, 1 << 21]) {
    let prefix: Uint8Array | 'too-large';
    let capped = false;
    try {
      prefix = deflatedPrefix(zip, entry, dataStart, n);
      if (prefix === 'too-large') {
        // More output than a header can need: the header, if any, ends within a shorter prefix.
        prefix = boundedPrefix(zip, entry, dataStart, fits, Math.min(n, entry.compressedSize));
        capped = true;
      }
    } catch (e) {
      if (e instanceof FormatError) throw e; // the decompression budget, said as it is
      throw new FormatError(file, `${where}: deflated data is corrupt (${errorMessage(e)})`);
    }
    const h = parseNpyHeader(prefix, where, file);
    if (h !== 'short') return h;
    if (capped || n >= entry.compressedSize) break;
    fits = n;
  }
  // Never the whole member: it may declare a gigabyte (the read of the tensor checks that later).
  throw new FormatError(file, `${where}: no complete .npy header at the start of the deflated member`);
}

export const npzReader: CheckpointReader = {
  id: 'npz',
  match(file) {
    return /\.npz$/i.test(file);
  },
  open(file, src) {
    const zip = openZipOf(src, file, 'a .npz');
    const warnings: string[] = [];
    const raw: { key: string; tensor: TensorEntry }[] = [];
    checkTensorCount(file, zip.entries.length);
    for (const entry of zip.entries) {
      if (entry.name.endsWith('/')) continue;
      if (!entry.name.endsWith('.npy')) {
        warnings.push(`archive member '${entry.name}' is not a .npy array; skipped`);
        continue;
      }
      const key = entry.name.slice(0, -4);
      const where = `member '${entry.name}'`;
      const h = readNpzHeader(zip, entry, where, file);
      if (entry.size < h.dataOffset) throw new FormatError(file, `${where}: declared size ${entry.size} is smaller than its .npy header`);
      const t = npyTensor(key, h, entry.size, where, file, () => zip.open(entry));
      if (typeof t === 'string') warnings.push(t);
      else raw.push({ key, tensor: t });
    }
    if (raw.length === 0 && zip.entries.length === 0) throw new FormatError(file, 'the .npz archive holds no arrays');
    const { names, stripped } = stripWrapperPrefixes(raw.map((r) => r.key));
    const tensors = raw.map((r, i) => (names[i] === r.key ? r.tensor : new LazyTensor(names[i], r.tensor.dtype, r.tensor.shape, () => r.tensor.read(), r.tensor.storedElements)));
    const metadata: Record<string, string | number | boolean | null> = {};
    if (stripped) metadata.strippedPrefix = stripped;
    // Members are in the order np.savez was given them, which need not be the model's.
    const ckpt: Checkpoint = { ...CHECKPOINT_DEFAULTS, tensorOrder: 'unknown', file, format: 'npz', tensors, metadata, warnings, close: () => src.close?.() };
    return ckpt;
  },
};
