/**
 * TensorBoard event files (`events.out.tfevents.*`), read without TensorFlow.
 *
 * Framing (TFRecord): per record a uint64 LE length, the masked CRC32C of those 8 bytes, the data,
 * the masked CRC32C of the data. Each record is an `Event` protobuf; scalars are in
 * `summary.value[]`, either as `simple_value` (PyTorch's SummaryWriter, TF1) or as a scalar
 * `tensor` (TF2 / Keras: `float_val`, `double_val`, ... or `tensor_content`).
 *
 * A file that is still being written usually ends in a half-written record: reading stops there
 * with a warning. A record whose data checksum fails is skipped with a warning; a length whose
 * checksum fails ends the reading (nothing after it can be framed) with a warning, or an error
 * when it is the very first record (then the file is not an event file at all).
 *
 * The series name is the tag, except that files in a split folder get the folder as a prefix:
 * Keras writes `logs/train/…` and `logs/validation/…` with the same tags (`epoch_accuracy`), which
 * become `train/epoch_accuracy` and `validation/epoch_accuracy`; PyTorch's `add_scalars('acc',
 * {'val': …})` writes tag `acc` into a folder `acc_val`, which becomes the series `acc_val`.
 *
 * epoch = step, unless the file has an `epoch` scalar series (PyTorch Lightning logs one): then a
 * point's epoch is the last `epoch` value logged at or before its step.
 */
import * as path from 'node:path';
import { FormatError } from '../errors';
import { WT_I32, WT_I64, WT_LEN, WT_VARINT, ProtoReader } from '../io/protobuf';
import { FileSource } from '../io/source';
import { halfToFloat } from '../tensor';
import { checkLogFile, SeriesBuilder, type MetricPoint, type RunLog } from './common';

// ---------------------------------------------------------------------------------------------
// CRC32C (Castagnoli), as TFRecord uses it
// ---------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

// TF DataType values
const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_INT32 = 3;
const DT_UINT8 = 4;
const DT_INT16 = 5;
const DT_INT8 = 6;
const DT_INT64 = 9;
const DT_BOOL = 10;
const DT_BFLOAT16 = 14;
const DT_HALF = 19;

/** A scalar from a TF TensorProto ending at `end`, or undefined when the tensor is not a single number. */
function tensorScalar(r: ProtoReader, end: number): number | undefined {
  const msg = 'TensorProto';
  let dtype = 0;
  let numel = 1;
  let content: Uint8Array | undefined;
  const vals: Record<number, number[]> = {};
  /** The first values (at most 16) of a repeated scalar field, packed or not. */
  const collect = (field: number, wt: number, elemWt: number, read: (end: number) => number): void => {
    const out = (vals[field] ??= []);
    const one = (e: number): void => {
      const v = read(e);
      if (out.length < 16) out.push(v);
    };
    if (!r.repeated(wt, elemWt, end, `${msg} field ${field}`, one, () => out.length < 16)) r.skip(wt, end, field, msg);
  };
  for (let t = r.tag(end, msg); t; t = r.tag(end, msg)) {
    const { field, wt } = t;
    switch (field) {
      case 1: dtype = r.varint(end, 'dtype'); break;
      case 2: {
        // TensorShapeProto: dim (2) { size (1) }
        const shapeEnd = r.enter(end, 'tensor_shape');
        for (let u = r.tag(shapeEnd, 'TensorShapeProto'); u; u = r.tag(shapeEnd, 'TensorShapeProto')) {
          if (u.field === 2 && u.wt === WT_LEN) {
            const dimEnd = r.enter(shapeEnd, 'dim');
            for (let d = r.tag(dimEnd, 'Dim'); d; d = r.tag(dimEnd, 'Dim')) {
              if (d.field === 1 && d.wt === WT_VARINT) numel *= r.varint(dimEnd, 'dim size');
              else r.skip(d.wt, dimEnd, d.field, 'Dim');
            }
          } else r.skip(u.wt, shapeEnd, u.field, 'TensorShapeProto');
        }
        break;
      }
      case 4: if (wt === WT_LEN) content = r.bytes(end, 'tensor_content'); else r.skip(wt, end, field, msg); break;
      case 5: collect(field, wt, WT_I32, (e) => r.fixed32(e, 'float_val').getFloat32(0, true)); break;
      case 6: collect(field, wt, WT_I64, (e) => r.fixed64(e, 'double_val').getFloat64(0, true)); break;
      case 7: case 10: case 11: case 13: collect(field, wt, WT_VARINT, (e) => r.varint(e, `${msg} field ${field}`)); break;
      default: r.skip(wt, end, field, msg);
    }
  }
  if (numel !== 1) return undefined;
  if (content && content.length > 0) {
    const dv = new DataView(content.buffer, content.byteOffset, content.byteLength);
    const need: Record<number, number> = { [DT_FLOAT]: 4, [DT_DOUBLE]: 8, [DT_INT32]: 4, [DT_INT64]: 8, [DT_HALF]: 2, [DT_BFLOAT16]: 2, [DT_INT16]: 2, [DT_INT8]: 1, [DT_UINT8]: 1, [DT_BOOL]: 1 };
    if (need[dtype] === undefined || content.length !== need[dtype]) return undefined;
    switch (dtype) {
      case DT_FLOAT: return dv.getFloat32(0, true);
      case DT_DOUBLE: return dv.getFloat64(0, true);
      case DT_INT32: return dv.getInt32(0, true);
      case DT_INT64: return Number(dv.getBigInt64(0, true));
      case DT_HALF: return halfToFloat(dv.getUint16(0, true));
      case DT_BFLOAT16: return new Float32Array(new Uint32Array([dv.getUint16(0, true) << 16]).buffer)[0];
      case DT_INT16: return dv.getInt16(0, true);
      case DT_INT8: return dv.getInt8(0);
      default: return dv.getUint8(0);
    }
  }
  const first = (f: number): number | undefined => vals[f]?.[0];
  switch (dtype) {
    case DT_FLOAT: return first(5);
    case DT_DOUBLE: return first(6);
    case DT_INT32: case DT_INT16: case DT_INT8: case DT_UINT8: { const v = first(7); return v === undefined ? undefined : v | 0; }
    case DT_INT64: return first(10);
    case DT_BOOL: return first(11);
    case DT_HALF: { const v = first(13); return v === undefined ? undefined : halfToFloat(v & 0xffff); }
    case DT_BFLOAT16: { const v = first(13); return v === undefined ? undefined : new Float32Array(new Uint32Array([(v & 0xffff) << 16]).buffer)[0]; }
    default: return undefined;
  }
}

interface Scalar {
  tag: string;
  value: number;
}

/** Step and scalar values of one Event record (other kinds of event give no scalars). */
function decodeEvent(file: string, data: Uint8Array): { step: number; scalars: Scalar[] } {
  // Records are in memory and were length-checked by their framing: no string limit, and (as
  // before) a field number 0 is skipped like any unknown field.
  const r = ProtoReader.fromBytes(file, data, { whole: 'record', maxString: Infinity, allowFieldZero: true });
  const end = data.length;
  let step = 0;
  const scalars: Scalar[] = [];
  for (let t = r.tag(end, 'Event'); t; t = r.tag(end, 'Event')) {
    if (t.field === 2 && t.wt === WT_VARINT) step = r.varint(end, 'step');
    else if (t.field === 5 && t.wt === WT_LEN) {
      const summaryEnd = r.enter(end, 'summary');
      for (let s = r.tag(summaryEnd, 'Summary'); s; s = r.tag(summaryEnd, 'Summary')) {
        if (s.field !== 1 || s.wt !== WT_LEN) {
          r.skip(s.wt, summaryEnd, s.field, 'Summary');
          continue;
        }
        const valueEnd = r.enter(summaryEnd, 'Summary.Value');
        let tag = '';
        let simple: number | undefined;
        let tensor: number | undefined;
        let hasTensor = false;
        let plugin: string | undefined;
        let dataClass = 0;
        for (let u = r.tag(valueEnd, 'Summary.Value'); u; u = r.tag(valueEnd, 'Summary.Value')) {
          if (u.field === 1 && u.wt === WT_LEN) tag = r.string(valueEnd, 'tag');
          else if (u.field === 7 && u.wt === WT_LEN && !tag) tag = r.string(valueEnd, 'node_name'); // (TF1)
          else if (u.field === 2 && u.wt === WT_I32) simple = r.fixed32(valueEnd, 'simple_value').getFloat32(0, true);
          else if (u.field === 8 && u.wt === WT_LEN) {
            hasTensor = true;
            tensor = tensorScalar(r, r.enter(valueEnd, 'tensor'));
          } else if (u.field === 9 && u.wt === WT_LEN) {
            const mdEnd = r.enter(valueEnd, 'metadata');
            for (let w = r.tag(mdEnd, 'SummaryMetadata'); w; w = r.tag(mdEnd, 'SummaryMetadata')) {
              if (w.field === 1 && w.wt === WT_LEN) {
                const pdEnd = r.enter(mdEnd, 'plugin_data');
                for (let x = r.tag(pdEnd, 'PluginData'); x; x = r.tag(pdEnd, 'PluginData')) {
                  if (x.field === 1 && x.wt === WT_LEN) plugin = r.string(pdEnd, 'plugin_name');
                  else r.skip(x.wt, pdEnd, x.field, 'PluginData');
                }
              } else if (w.field === 4 && w.wt === WT_VARINT) dataClass = r.varint(mdEnd, 'data_class');
              else r.skip(w.wt, mdEnd, w.field, 'SummaryMetadata');
            }
          } else r.skip(u.wt, valueEnd, u.field, 'Summary.Value');
        }
        if (!tag) continue;
        if (simple !== undefined) scalars.push({ tag, value: simple });
        else if (hasTensor && tensor !== undefined) {
          // Tensors of other plugins (histograms, images, text, hparams) are not scalars.
          const scalarPlugin = plugin === undefined || plugin === '' || plugin === 'scalars';
          const scalarClass = dataClass === 0 || dataClass === 1;
          if (scalarPlugin && scalarClass) scalars.push({ tag, value: tensor });
        }
      }
    } else r.skip(t.wt, end, t.field, 'Event');
  }
  return { step, scalars };
}

// ---------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------

const SPLIT_FOLDERS = /^(train|training|validation|valid|val|eval|evaluation|test|testing)$/i;

function seriesName(file: string, tag: string): string {
  const folder = path.basename(path.dirname(path.resolve(file)));
  if (SPLIT_FOLDERS.test(folder)) return `${folder}/${tag}`;
  if (folder.startsWith(`${tag}_`)) return folder; // SummaryWriter.add_scalars
  return tag;
}

export function isTensorBoardFile(file: string): boolean {
  return path.basename(file).startsWith('events.out.tfevents.');
}

/** Positioned reads served from a 1 MiB chunk: event records are small and read in order. */
class ChunkedReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private start = 0;
  constructor(private readonly src: FileSource) {}
  read(offset: number, length: number): Uint8Array {
    if (offset >= this.start && offset + length <= this.start + this.chunk.length) {
      return this.chunk.subarray(offset - this.start, offset - this.start + length);
    }
    if (length > CHUNK || offset + length > this.src.size) return this.src.read(offset, length); // (throws past the end)
    this.start = offset;
    this.chunk = this.src.read(offset, Math.min(CHUNK, this.src.size - offset));
    return this.chunk.subarray(0, length);
  }
}
const CHUNK = 1 << 20;

export function readTensorBoard(file: string): RunLog {
  checkLogFile(file);
  const fileSrc = new FileSource(file, 'log file');
  const size = fileSrc.size;
  const src = new ChunkedReader(fileSrc);
  const warnings: string[] = [];
  const builder = new SeriesBuilder();
  /** Raw points with their step; epochs are assigned once all are read. */
  const raw = new RawScalars();
  let records = 0;
  try {
    let pos = 0;
    while (pos < size) {
      if (size - pos < 12) {
        warnings.push(`the last record (at offset ${pos}) is incomplete: ${size - pos} byte(s) of a 12-byte header; the file is probably still being written`);
        break;
      }
      const header = src.read(pos, 12);
      const lenBytes = header.subarray(0, 8);
      const dv = new DataView(header.buffer, header.byteOffset, 12);
      if (maskedCrc32c(lenBytes) !== dv.getUint32(8, true)) {
        if (records === 0) throw new FormatError(file, 'not a TensorBoard event file: the first record\'s length checksum does not match');
        warnings.push(`record at offset ${pos} has a bad length checksum; stopped reading there (${records} records read)`);
        break;
      }
      const len = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
      if (pos + 12 + len + 4 > size) {
        warnings.push(`the last record (at offset ${pos}, ${len} bytes) is incomplete: the file ends after ${size - pos - 12} of its ${len + 4} bytes; the file is probably still being written`);
        break;
      }
      const body = src.read(pos + 12, len + 4);
      const data = body.subarray(0, len);
      const crc = new DataView(body.buffer, body.byteOffset + len, 4).getUint32(0, true);
      const at = pos;
      pos += 12 + len + 4;
      records++;
      if (maskedCrc32c(data) !== crc) {
        warnings.push(`record at offset ${at} has a bad data checksum; skipped`);
        continue;
      }
      let ev: ReturnType<typeof decodeEvent>;
      try {
        ev = decodeEvent(file, data);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        warnings.push(`record at offset ${at} is not a valid Event (${e.problem}); skipped`);
        continue;
      }
      for (const s of ev.scalars) raw.push(seriesName(file, s.tag), ev.step, s.value);
    }
  } finally {
    fileSrc.close();
  }

  // epoch = step unless an 'epoch' series exists: then the last epoch logged at or before the step.
  const epochPts: { step: number; epoch: number }[] = [];
  const epochId = raw.idOf('epoch');
  for (let i = 0; i < raw.length; i++) {
    if (raw.ids[i] === epochId && Number.isFinite(raw.values[i])) epochPts.push({ step: raw.steps[i], epoch: raw.values[i] });
  }
  epochPts.sort((a, b) => a.step - b.step);
  const epochAt = (step: number): number => {
    if (epochPts.length === 0) return step;
    let lo = 0;
    let hi = epochPts.length - 1;
    if (step < epochPts[0].step) return epochPts[0].epoch;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (epochPts[mid].step <= step) lo = mid;
      else hi = mid - 1;
    }
    // Among several epoch points at the same step, the last logged one.
    return epochPts[lo].epoch;
  };
  for (let i = 0; i < raw.length; i++) {
    const step = raw.steps[i];
    const p: MetricPoint = { epoch: epochAt(step), step, value: raw.values[i] };
    if (!builder.add(raw.names[raw.ids[i]], p)) break;
  }
  warnings.push(...builder.notes('scalars'));
  return { source: file, format: 'tensorboard', series: builder.toRecord(), warnings };
}

/**
 * Scalars as read, in columns (20 bytes a point instead of an object each): a 256 MB event file
 * holds up to ~8M of them, and they must all be seen before epochs can be assigned.
 */
class RawScalars {
  ids = new Int32Array(1024);
  steps = new Float64Array(1024);
  values = new Float64Array(1024);
  length = 0;
  readonly names: string[] = [];
  private readonly byName = new Map<string, number>();

  idOf(name: string): number {
    return this.byName.get(name) ?? -1;
  }

  push(name: string, step: number, value: number): void {
    let id = this.byName.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.byName.set(name, id);
    }
    if (this.length === this.ids.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.ids = grow(this.ids, (n) => new Int32Array(n));
      this.steps = grow(this.steps, (n) => new Float64Array(n));
      this.values = grow(this.values, (n) => new Float64Array(n));
    }
    this.ids[this.length] = id;
    this.steps[this.length] = step;
    this.values[this.length] = value;
    this.length++;
  }
}
