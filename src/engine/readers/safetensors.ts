/**
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * (`{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`),
 * then the raw little-endian data; offsets are relative to the end of the header.
 *
 * Tensors are listed in the header's order, which is the state-dict order for files written in that
 * order. The safetensors library itself sorts tensors by dtype, then name: such files are detected
 * and listed in natural name order (with a warning), since their file order says nothing about the model.
 */
import { CHECKPOINT_DEFAULTS, checkTensorCount, type Checkpoint, type CheckpointReader } from '../checkpoint';
import { FormatError } from '../errors';
import { readValues, type ByteSource } from '../io/source';
import { DTYPE_BYTES, DType, RangeTensor, TensorEntry, numel } from '../tensor';
import { naturalCompare, stripWrapperPrefixes } from './names';
import { preview } from '../text/safe-text';
import { scanHeader } from './safetensors-header';

const ST_DTYPES: Record<string, DType> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

/** The reference implementation refuses headers above 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

function isSafeCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * True when the tensors are in the safetensors library's own order: grouped by dtype, and by name
 * (plain string order) within each group. PyTorch state dicts never are (a module's weight comes
 * before its bias), so this tells a library-written file from a hand-ordered one.
 */
function isLibrarySorted(raw: { name: string; dtype: DType }[]): boolean {
  if (raw.length < 3) return false;
  const seen = new Set<DType>();
  for (let i = 0; i < raw.length; i++) {
    const prev = raw[i - 1];
    if (prev && prev.dtype === raw[i].dtype) {
      if (prev.name > raw[i].name) return false;
    } else {
      if (seen.has(raw[i].dtype)) return false;
      seen.add(raw[i].dtype);
    }
  }
  return true;
}

export const safetensorsReader: CheckpointReader = {
  id: 'safetensors',
  match(file, head) {
    if (/\.safetensors$/i.test(file)) return true;
    if (head.length < 10 || head[8] !== 0x7b /* { */) return false;
    const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const n = dv.getBigUint64(0, true);
    return n >= 2n && n <= BigInt(MAX_HEADER_BYTES) && (head[9] === 0x22 /* " */ || head[9] === 0x7d /* } */ || head[9] === 0x20);
  },
  open(file, src) {
    if (src.size < 8) throw new FormatError(file, `file of ${src.size} bytes is too short for a safetensors header (needs at least 8 bytes)`);
    const lenBytes = src.read(0, 8);
    const headerLen = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
    if (headerLen > BigInt(src.size - 8)) {
      throw new FormatError(file, `safetensors header length ${headerLen} runs past the end of the file (${src.size} bytes)`);
    }
    if (headerLen > BigInt(MAX_HEADER_BYTES)) throw new FormatError(file, `safetensors header length ${headerLen} is above the ${MAX_HEADER_BYTES}-byte limit`);
    const n = Number(headerLen);
    const bytes = src.read(8, n);
    if (bytes[0] !== 0x7b) throw new FormatError(file, `safetensors header does not start with '{' (starts with ${preview(Buffer.from(bytes.subarray(0, 16)).toString('utf8'))})`);
    const dataStart = 8 + n;
    const dataSize = src.size - dataStart;
    const metadata: Record<string, string | number | boolean | null> = {};
    const warnings: string[] = [];
    const raw: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
    const seen = new Set<string>();
    const shapes = new Map<string, number[]>();
    // Entry by entry, each checked as it is scanned: the header is never parsed whole (safetensors-header.ts).
    const onEntry = (name: string, info: unknown): void => {
      if (seen.has(name)) throw new FormatError(file, `tensor '${name}' appears twice in the safetensors header`);
      seen.add(name);
      checkTensorCount(file, seen.size);
      if (name === '__metadata__') {
        if (info && typeof info === 'object') {
          for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
            if (typeof v === 'string' && v.length <= 1000) metadata[k] = v;
          }
        }
        return;
      }
      if (!info || typeof info !== 'object') throw new FormatError(file, `tensor '${name}': header entry is not an object`);
      const { dtype, shape, data_offsets: offsets } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      if (!Array.isArray(shape) || !shape.every(isSafeCount)) throw new FormatError(file, `tensor '${name}': shape ${preview(shape)} is not a list of non-negative integers`);
      if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSafeCount) || offsets[0] > offsets[1]) {
        throw new FormatError(file, `tensor '${name}': data_offsets ${preview(offsets)} is not [begin, end] with begin <= end`);
      }
      const [begin, end] = offsets as number[];
      if (end > dataSize) {
        throw new FormatError(file, `tensor '${name}': data_offsets [${begin}, ${end}] run past the end of the data (${dataSize} bytes after the ${n}-byte header)`);
      }
      const dt = typeof dtype === 'string' ? ST_DTYPES[dtype] : undefined;
      if (!dt) {
        warnings.push(`tensor '${name}' has unsupported dtype ${preview(dtype)}; skipped`);
        return;
      }
      const count = numel(shape as number[]);
      const need = count * DTYPE_BYTES[dt];
      if (!Number.isSafeInteger(need) || need !== end - begin) {
        throw new FormatError(file, `tensor '${name}': shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${need} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
      }
      // Shapes are shared between tensors of the same shape (read-only): one array, not one each.
      const key = (shape as number[]).join(',');
      let shared = shapes.get(key);
      if (!shared) shapes.set(key, (shared = shape as number[]));
      raw.push({ name, dtype: dt, shape: shared, begin, end });
    };
    try {
      scanHeader(bytes, onEntry);
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError(file, `safetensors header is not valid JSON (${(e as Error).message})`);
    }
    seen.clear();
    if (isLibrarySorted(raw)) {
      // The safetensors library writes tensors sorted by dtype, then name: the file order says nothing
      // about the model. Natural name order (features.2 before features.10, each module's tensors
      // together) is the closest guess.
      raw.sort((a, b) => naturalCompare(a.name, b.name));
      warnings.push('tensors are stored in alphabetical order (as the safetensors library writes them), not in model order: listed in natural name order instead');
    }
    const { names, stripped } = stripWrapperPrefixes(raw.map((r) => r.name));
    if (stripped) metadata.strippedPrefix = stripped;
    const decode = (s: ByteSource, offset: number, length: number, dtype: DType): Float32Array => readValues(s, offset, length, dtype, true, file);
    const tensors: TensorEntry[] = raw.map((r, i) => new RangeTensor(names[i], r.dtype, r.shape, src, dataStart + r.begin, r.end - r.begin, decode));
    const epochText = metadata.epoch;
    const epoch = typeof epochText === 'string' && /^\s*\d+\s*$/.test(epochText) ? Number(epochText) : undefined;
    // Name order (the library's) is not always detectable, so the order is never vouched for.
    const ckpt: Checkpoint = { ...CHECKPOINT_DEFAULTS, tensorOrder: 'unknown', file, format: 'safetensors', tensors, epoch, metadata, warnings, close: () => src.close?.() };
    return ckpt;
  },
};
