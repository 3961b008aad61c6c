/**
 * ONNX models (`.onnx`): a ModelProto protobuf. Decoded by the bounded protobuf reader (io/protobuf)
 * that walks the file with bounded positioned reads, so the weights (raw_data, often nearly the
 * whole file) are never loaded at open: each initializer records where its bytes are and reads
 * them on demand. Every length is checked against its enclosing message and the file size.
 *
 * Yields:
 *  - the float initializers as tensors, with their names as written (`conv1.weight` for a torch
 *    export of an unfolded module; `onnx::Conv_89` when BatchNorm was folded into a conv). Dense
 *    weights stored [in, out] (MatMul, Gemm with transB=0) are transposed lazily to [out, in];
 *  - data from `raw_data`, the typed fields (float_data, double_data, int32_data holding float16
 *    bits, ...), or an external file (`location` relative to the model's folder, never outside it);
 *  - `topology`: the wiring of Conv / Gemm / MatMul / Add nodes, following values through ops that
 *    do not change which channel feeds which (activations, pooling, flatten, reshape, dropout...).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Checkpoint, CheckpointReader } from '../checkpoint';
import { FormatError } from '../errors';
import type { AddOp, BatchNormRef, ConvOp, DenseOp, NetOp, ValueId } from '../graph/netspec';
import { WT_I32, WT_I64, WT_LEN, WT_VARINT, ProtoReader } from '../io/protobuf';
import { FileSource, readValues, type ByteSource } from '../io/source';
import { DTYPE_BYTES, LazyTensor, halfToFloat, isFloat, numel, permute, type DType, type TensorEntry } from '../tensor';

// ---------------------------------------------------------------------------------------------
// ModelProto subset
// ---------------------------------------------------------------------------------------------

/** ONNX TensorProto.DataType → our dtype, with the typed field that holds it when not raw. */
const ONNX_DTYPES: Record<number, { dtype: DType | null; label: string }> = {
  1: { dtype: 'float32', label: 'FLOAT' },
  2: { dtype: 'uint8', label: 'UINT8' },
  3: { dtype: 'int8', label: 'INT8' },
  4: { dtype: null, label: 'UINT16' },
  5: { dtype: 'int16', label: 'INT16' },
  6: { dtype: 'int32', label: 'INT32' },
  7: { dtype: 'int64', label: 'INT64' },
  8: { dtype: null, label: 'STRING' },
  9: { dtype: 'bool', label: 'BOOL' },
  10: { dtype: 'float16', label: 'FLOAT16' },
  11: { dtype: 'float64', label: 'DOUBLE' },
  12: { dtype: null, label: 'UINT32' },
  13: { dtype: null, label: 'UINT64' },
  14: { dtype: null, label: 'COMPLEX64' },
  15: { dtype: null, label: 'COMPLEX128' },
  16: { dtype: 'bfloat16', label: 'BFLOAT16' },
};

/** TensorProto field numbers of the typed data fields. */
const F_FLOAT = 4;
const F_INT32 = 5;
const F_STRING = 6;
const F_INT64 = 7;
const F_RAW = 9;
const F_DOUBLE = 10;
const F_UINT64 = 11;

interface TensorInfo {
  name: string;
  dataType: number;
  dims: number[];
  /** Byte range of the whole TensorProto message (typed fields are decoded from it on demand). */
  msgStart: number;
  msgEnd: number;
  raw?: [number, number];
  /** Typed data fields present, with bytes of packed payload and count of unpacked elements. */
  typed: Map<number, { packedBytes: number; unpacked: number }>;
  external: Map<string, string>;
  dataLocation: number;
  hasSegment: boolean;
}

interface NodeInfo {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  ints: Map<string, number>;
  floats: Map<string, number>;
}

interface ModelInfo {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  modelVersion?: number;
  opsets: Map<string, number>;
  props: Map<string, string>;
  graphName?: string;
  nodes: NodeInfo[];
  initializers: TensorInfo[];
  inputs: string[];
  sparseInitializers: number;
  hasGraph: boolean;
}

function parseModel(r: ProtoReader): ModelInfo {
  const m: ModelInfo = { opsets: new Map(), props: new Map(), nodes: [], initializers: [], inputs: [], sparseInitializers: 0, hasGraph: false };
  const end = r.limit;
  const msg = 'ModelProto';
  for (let t = r.tag(end, msg); t; t = r.tag(end, msg)) {
    const { field, wt } = t;
    switch (field) {
      case 1: r.expect(wt, WT_VARINT, field, msg); m.irVersion = r.varint(end, 'ir_version'); break;
      case 2: r.expect(wt, WT_LEN, field, msg); m.producerName = r.string(end, 'producer_name'); break;
      case 3: r.expect(wt, WT_LEN, field, msg); m.producerVersion = r.string(end, 'producer_version'); break;
      case 5: r.expect(wt, WT_VARINT, field, msg); m.modelVersion = r.varint(end, 'model_version'); break;
      case 7: {
        r.expect(wt, WT_LEN, field, msg);
        const e = r.enter(end, 'graph');
        parseGraph(r, e, m);
        m.hasGraph = true;
        break;
      }
      case 8: {
        r.expect(wt, WT_LEN, field, msg);
        const e = r.enter(end, 'opset_import');
        let domain = '';
        let version = 0;
        for (let u = r.tag(e, 'OperatorSetIdProto'); u; u = r.tag(e, 'OperatorSetIdProto')) {
          if (u.field === 1 && u.wt === WT_LEN) domain = r.string(e, 'opset domain');
          else if (u.field === 2 && u.wt === WT_VARINT) version = r.varint(e, 'opset version');
          else r.skip(u.wt, e, u.field, 'OperatorSetIdProto');
        }
        m.opsets.set(domain, version);
        break;
      }
      case 14: {
        r.expect(wt, WT_LEN, field, msg);
        const e = r.enter(end, 'metadata_props');
        const [k, v] = parseStringPair(r, e);
        if (m.props.size < 64) m.props.set(k, v);
        break;
      }
      default:
        r.skip(wt, end, field, msg);
    }
  }
  return m;
}

function parseStringPair(r: ProtoReader, end: number): [string, string] {
  let k = '';
  let v = '';
  for (let u = r.tag(end, 'StringStringEntryProto'); u; u = r.tag(end, 'StringStringEntryProto')) {
    if (u.field === 1 && u.wt === WT_LEN) k = r.string(end, 'key');
    else if (u.field === 2 && u.wt === WT_LEN) v = r.string(end, 'value');
    else r.skip(u.wt, end, u.field, 'StringStringEntryProto');
  }
  return [k, v];
}

function parseGraph(r: ProtoReader, end: number, m: ModelInfo): void {
  const msg = 'GraphProto';
  for (let t = r.tag(end, msg); t; t = r.tag(end, msg)) {
    const { field, wt } = t;
    if (field === 1 || field === 5 || field === 11) {
      r.expect(wt, WT_LEN, field, msg);
      const e = r.enter(end, field === 1 ? 'node' : field === 5 ? 'initializer' : 'graph input');
      const s = r.pos;
      if (field === 1) m.nodes.push(parseNode(r, e));
      else if (field === 5) m.initializers.push(parseTensor(r, s, e));
      else {
        // ValueInfoProto: only the name matters.
        let name = '';
        for (let u = r.tag(e, 'ValueInfoProto'); u; u = r.tag(e, 'ValueInfoProto')) {
          if (u.field === 1 && u.wt === WT_LEN) name = r.string(e, 'input name');
          else r.skip(u.wt, e, u.field, 'ValueInfoProto');
        }
        m.inputs.push(name);
      }
      r.pos = e;
    } else if (field === 2 && wt === WT_LEN) {
      m.graphName = r.string(end, 'graph name');
    } else {
      if (field === 15) m.sparseInitializers++;
      r.skip(wt, end, field, msg);
    }
  }
}

function parseNode(r: ProtoReader, end: number): NodeInfo {
  const n: NodeInfo = { name: '', opType: '', domain: '', inputs: [], outputs: [], ints: new Map(), floats: new Map() };
  const msg = 'NodeProto';
  for (let t = r.tag(end, msg); t; t = r.tag(end, msg)) {
    const { field, wt } = t;
    if (wt === WT_LEN && field === 1) n.inputs.push(r.string(end, 'node input'));
    else if (wt === WT_LEN && field === 2) n.outputs.push(r.string(end, 'node output'));
    else if (wt === WT_LEN && field === 3) n.name = r.string(end, 'node name');
    else if (wt === WT_LEN && field === 4) n.opType = r.string(end, 'op_type');
    else if (wt === WT_LEN && field === 7) n.domain = r.string(end, 'node domain');
    else if (wt === WT_LEN && field === 5) {
      const e = r.enter(end, 'attribute');
      let name = '';
      let i: number | undefined;
      let f: number | undefined;
      for (let u = r.tag(e, 'AttributeProto'); u; u = r.tag(e, 'AttributeProto')) {
        if (u.field === 1 && u.wt === WT_LEN) name = r.string(e, 'attribute name');
        else if (u.field === 2 && u.wt === WT_I32) f = r.fixed32(e, 'attribute f').getFloat32(0, true);
        else if (u.field === 3 && u.wt === WT_VARINT) i = r.varint(e, 'attribute i');
        else r.skip(u.wt, e, u.field, 'AttributeProto'); // tensors, subgraphs, lists: not needed
      }
      if (i !== undefined) n.ints.set(name, i);
      if (f !== undefined) n.floats.set(name, f);
      r.pos = e;
    } else r.skip(wt, end, field, msg);
  }
  return n;
}

function parseTensor(r: ProtoReader, msgStart: number, end: number): TensorInfo {
  const t: TensorInfo = { name: '', dataType: 0, dims: [], msgStart, msgEnd: end, typed: new Map(), external: new Map(), dataLocation: 0, hasSegment: false };
  const msg = 'TensorProto';
  for (let u = r.tag(end, msg); u; u = r.tag(end, msg)) {
    const { field, wt } = u;
    switch (field) {
      case 1: { // dims: repeated int64, packed or not
        const dim = (e: number): void => {
          if (t.dims.length >= 64) throw new FormatError(r.file, `initializer at offset ${msgStart} has more than 64 dimensions`);
          t.dims.push(r.varint(e, 'dims'));
        };
        if (!r.repeated(wt, WT_VARINT, end, 'dims', dim)) r.expect(wt, WT_VARINT, field, msg);
        break;
      }
      case 2: r.expect(wt, WT_VARINT, field, msg); t.dataType = r.varint(end, 'data_type'); break;
      case 3: t.hasSegment = true; r.skip(wt, end, field, msg); break;
      case 8: r.expect(wt, WT_LEN, field, msg); t.name = r.string(end, 'initializer name'); break;
      case F_RAW: {
        r.expect(wt, WT_LEN, field, msg);
        const [s, e] = r.lengthDelimited(end, `raw_data${t.name ? ` of '${t.name}'` : ''}`);
        t.raw = [s, e];
        r.pos = e;
        break;
      }
      case F_FLOAT: case F_INT32: case F_STRING: case F_INT64: case F_DOUBLE: case F_UINT64: {
        const rec = t.typed.get(field) ?? { packedBytes: 0, unpacked: 0 };
        t.typed.set(field, rec);
        if (wt === WT_LEN) {
          const [s, e] = r.lengthDelimited(end, `typed data field ${field}${t.name ? ` of '${t.name}'` : ''}`);
          rec.packedBytes += e - s;
          if (field === F_STRING) rec.unpacked++;
          r.pos = e;
        } else {
          rec.unpacked++;
          r.skip(wt, end, field, msg);
        }
        break;
      }
      case 13: {
        r.expect(wt, WT_LEN, field, msg);
        const e = r.enter(end, 'external_data');
        const [k, v] = parseStringPair(r, e);
        t.external.set(k, v);
        break;
      }
      case 14: r.expect(wt, WT_VARINT, field, msg); t.dataLocation = r.varint(end, 'data_location'); break;
      default:
        r.skip(wt, end, field, msg);
    }
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Tensors
// ---------------------------------------------------------------------------------------------

/** Decodes one typed data field (packed and unpacked occurrences) of a TensorProto into float32. */
function decodeTyped(file: string, bytes: Uint8Array, field: number, dataType: number, count: number, tensorName: string): Float32Array {
  const r = ProtoReader.fromBytes(file, bytes);
  const out = new Float32Array(count);
  const scratch = new DataView(new ArrayBuffer(4));
  let n = 0;
  const tooMany = (): never => {
    throw new FormatError(file, `initializer '${tensorName}' holds more values than its shape (${count})`);
  };
  const readOne = (end: number, wt: number): number => {
    if (field === F_FLOAT) {
      if (wt !== WT_I32) throw new FormatError(file, `initializer '${tensorName}': float_data has wire type ${wt}`);
      return r.fixed32(end, 'float_data').getFloat32(0, true);
    }
    if (field === F_DOUBLE) {
      if (wt !== WT_I64) throw new FormatError(file, `initializer '${tensorName}': double_data has wire type ${wt}`);
      return r.fixed64(end, 'double_data').getFloat64(0, true);
    }
    if (wt !== WT_VARINT) throw new FormatError(file, `initializer '${tensorName}': field ${field} has wire type ${wt}`);
    const v = r.varint(end, 'typed data');
    if (field === F_INT32) {
      // int32_data holds float16/bfloat16 as their 16 bits, small ints as themselves.
      if (dataType === 10) return halfToFloat(v & 0xffff);
      if (dataType === 16) {
        scratch.setUint32(0, (v & 0xffff) << 16, true);
        return scratch.getFloat32(0, true);
      }
      if (dataType === 9) return v ? 1 : 0;
      return v | 0;
    }
    return v;
  };
  const elemWt = field === F_FLOAT ? WT_I32 : field === F_DOUBLE ? WT_I64 : WT_VARINT;
  const each = (end: number, wt = elemWt): void => {
    if (n >= count) tooMany();
    out[n++] = readOne(end, wt);
  };
  for (let t = r.tag(bytes.length, 'TensorProto'); t; t = r.tag(bytes.length, 'TensorProto')) {
    if (t.field !== field) {
      r.skip(t.wt, bytes.length, t.field, 'TensorProto');
      continue;
    }
    // A wire type that is neither packed nor the element's: readOne names the problem.
    if (!r.repeated(t.wt, elemWt, bytes.length, 'packed data', each)) each(bytes.length, t.wt);
  }
  if (n !== count) throw new FormatError(file, `initializer '${tensorName}' holds ${n} values but its shape ${shapeStr(count)} needs ${count}`);
  return out;
}

function shapeStr(n: number | readonly number[]): string {
  return Array.isArray(n) ? `[${n.join(', ')}]` : `(${n} elements)`;
}

/** The typed field that holds each data type when raw_data is not used. */
function typedFieldFor(dataType: number): number {
  switch (dataType) {
    case 1: return F_FLOAT;
    case 11: return F_DOUBLE;
    case 7: return F_INT64;
    case 12: case 13: return F_UINT64;
    default: return F_INT32; // INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16
  }
}

function parseIntString(file: string, tensor: string, key: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(Number(v))) {
    throw new FormatError(file, `initializer '${tensor}': external data ${key} '${v}' is not a non-negative integer`);
  }
  return Number(v);
}

/**
 * Resolves an external data location inside the model's folder. Absolute paths and any `..`
 * component are refused, and so is a path that leaves the folder through a symlink.
 */
function resolveExternal(file: string, tensor: string, location: string): string {
  const dir = path.dirname(path.resolve(file));
  const parts = location.split(/[\\/]+/);
  if (
    location === '' || location.includes('\0') || path.isAbsolute(location) || path.win32.isAbsolute(location) ||
    /^[a-zA-Z]:/.test(location) || parts.includes('..')
  ) {
    throw new FormatError(file, `initializer '${tensor}': external data location '${location}' is outside the model's folder (absolute paths and '..' are not allowed)`);
  }
  const resolved = path.resolve(dir, ...parts.filter((p) => p !== '' && p !== '.'));
  const rel = path.relative(dir, resolved);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new FormatError(file, `initializer '${tensor}': external data location '${location}' is outside the model's folder`);
  }
  let real: string;
  try {
    real = fs.realpathSync(resolved);
  } catch {
    throw new FormatError(file, `initializer '${tensor}': external data file '${location}' not found next to the model`);
  }
  const realRel = path.relative(fs.realpathSync(dir), real);
  if (realRel === '' || realRel.startsWith('..') || path.isAbsolute(realRel)) {
    throw new FormatError(file, `initializer '${tensor}': external data location '${location}' leads outside the model's folder (through a link)`);
  }
  if (!fs.statSync(real).isFile()) throw new FormatError(file, `initializer '${tensor}': external data location '${location}' is not a file`);
  return real;
}

class ExternalFiles {
  private open = new Map<string, FileSource>();
  get(file: string, tensor: string, location: string): FileSource {
    const real = resolveExternal(file, tensor, location);
    let src = this.open.get(real);
    if (!src) {
      try {
        src = new FileSource(real);
      } catch (e) {
        throw new FormatError(file, `initializer '${tensor}': cannot open external data file '${location}': ${(e as Error).message}`);
      }
      this.open.set(real, src);
    }
    return src;
  }
  close(): void {
    for (const s of this.open.values()) s.close();
    this.open.clear();
  }
}

/** Builds the lazy tensor for a float initializer; null (with a reason) for those we skip. */
function makeTensor(file: string, src: ByteSource, t: TensorInfo, ext: ExternalFiles): TensorEntry | string {
  const info = ONNX_DTYPES[t.dataType];
  if (!info) return `initializer '${t.name}' has unknown data type ${t.dataType}; skipped`;
  for (const d of t.dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new FormatError(file, `initializer '${t.name}' has invalid dimension ${d}`);
  }
  const shape = t.dims.slice();
  const count = numel(shape);
  if (!Number.isSafeInteger(count)) throw new FormatError(file, `initializer '${t.name}' has a shape ${shapeStr(shape)} too large`);
  const dtype = info.dtype;
  if (dtype === null) return `initializer '${t.name}' has data type ${info.label}, which is not read; skipped`;
  if (t.hasSegment) return `initializer '${t.name}' is stored in segments, which is not supported; skipped`;
  const size = DTYPE_BYTES[dtype];
  const name = t.name;

  if (t.dataLocation === 1 || t.external.size > 0) {
    const location = t.external.get('location');
    if (location === undefined) throw new FormatError(file, `initializer '${name}' is stored externally but has no location`);
    const xsrc = ext.get(file, name, location);
    const offset = parseIntString(file, name, 'offset', t.external.get('offset')) ?? 0;
    const want = count * size;
    const length = parseIntString(file, name, 'length', t.external.get('length')) ?? Math.max(0, xsrc.size - offset);
    if (offset + length > xsrc.size) {
      throw new FormatError(file, `initializer '${name}': external data at offset ${offset} with length ${length} runs past the end of '${location}' (${xsrc.size} bytes)`);
    }
    if (length !== want) {
      throw new FormatError(file, `initializer '${name}': external data length ${length} does not match shape ${shapeStr(shape)} of ${dtype} (${want} bytes)`);
    }
    return new LazyTensor(name, dtype, shape, () => readValues(xsrc, offset, length, dtype, true, `${file} (${location})`));
  }

  if (t.raw) {
    const [s, e] = t.raw;
    if (e - s !== count * size) {
      throw new FormatError(file, `initializer '${name}': raw_data is ${e - s} bytes but shape ${shapeStr(shape)} of ${dtype} needs ${count * size}`);
    }
    return new LazyTensor(name, dtype, shape, () => readValues(src, s, e - s, dtype, true, file));
  }

  const field = typedFieldFor(t.dataType);
  const rec = t.typed.get(field);
  if (!rec) {
    if (count === 0) return new LazyTensor(name, dtype, shape, () => new Float32Array(0));
    throw new FormatError(file, `initializer '${name}' of shape ${shapeStr(shape)} has no data`);
  }
  // Fixed-size fields can be checked now; varint fields when read.
  const fixed = field === F_FLOAT ? 4 : field === F_DOUBLE ? 8 : 0;
  if (fixed && (rec.packedBytes % fixed !== 0 || rec.packedBytes / fixed + rec.unpacked !== count)) {
    throw new FormatError(file, `initializer '${name}' holds ${rec.packedBytes / fixed + rec.unpacked} values but shape ${shapeStr(shape)} needs ${count}`);
  }
  // A varint takes at least one byte: more values than bytes cannot be there (and must not be allocated).
  if (!fixed && count > rec.packedBytes + rec.unpacked) {
    throw new FormatError(file, `initializer '${name}' has ${rec.packedBytes + rec.unpacked} bytes of data, too few for shape ${shapeStr(shape)}`);
  }
  const { msgStart, msgEnd, dataType } = t;
  return new LazyTensor(name, dtype, shape, () => decodeTyped(file, src.read(msgStart, msgEnd - msgStart), field, dataType, count, name));
}

/** Transposes a 2-d tensor lazily ([in, out] → [out, in]). */
function transposed(t: TensorEntry): TensorEntry {
  return new LazyTensor(t.name, t.dtype, [t.shape[1], t.shape[0]], () => permute(t.read(), t.shape, [1, 0]));
}

// ---------------------------------------------------------------------------------------------
// Topology
// ---------------------------------------------------------------------------------------------

/** Ops with one data input that do not change which channel feeds which. */
const PASS_THROUGH = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu', 'Gelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Softplus',
  'Softsign', 'Mish', 'ThresholdedRelu', 'Clip', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Erf', 'Cast', 'CastLike',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'GlobalLpPool', 'MaxRoiPool',
  'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Dropout', 'Identity', 'Pad', 'Resize', 'Upsample', 'LRN',
  'Softmax', 'LogSoftmax', 'ReduceMean', 'ReduceMax', 'Floor', 'Ceil', 'Round', 'Sign', 'Reciprocal',
]);
/** Ops that keep an op's output "direct", so a following BatchNormalization is still folded into it. */
const KEEPS_DIRECT = new Set(['Identity', 'Cast', 'Dropout']);
/** Ops whose output is shape data, never network activations. */
const SHAPE_OPS = new Set(['Shape', 'Size', 'ConstantOfShape', 'Range', 'NonZero']);

type Val = { kind: 'const' } | { kind: 'data'; id: ValueId; op?: ConvOp | DenseOp; direct: boolean };

/** '/layer2/layer2.0/shortcut/shortcut.0/Conv' → 'layer2.0.shortcut.0' (torch ≥ 1.13 node names). */
export function modulePathFromNodeName(nodeName: string): string | undefined {
  if (!nodeName.startsWith('/')) return undefined;
  const parts = nodeName.slice(1).split('/').slice(0, -1);
  if (parts.length === 0 || parts.some((p) => p === '')) return undefined;
  let full = '';
  let prev = '';
  for (const s of parts) {
    if (prev && s.startsWith(prev + '.')) full += s.slice(prev.length);
    else full = full ? `${full}.${s}` : s;
    prev = s;
  }
  return full;
}

function stripParam(name: string, suffix: string): string | undefined {
  return name.endsWith(suffix) && name.length > suffix.length && !name.startsWith('onnx::') ? name.slice(0, -suffix.length) : undefined;
}

/**
 * Dense weights stored [in, out] (MatMul's second input, Gemm's B with transB=0) are replaced, in
 * the map and the list, by lazily transposed [out, in] views: PyTorch's layout.
 */
function toPyTorchLayout(m: ModelInfo, byName: Map<string, TensorEntry>, list: TensorEntry[]): void {
  const done = new Set<string>();
  for (const node of m.nodes) {
    const isMatMul = node.opType === 'MatMul';
    const isGemmN = node.opType === 'Gemm' && !node.ints.get('transB');
    if ((node.domain !== '' && node.domain !== 'ai.onnx') || !(isMatMul || isGemmN)) continue;
    const name = node.inputs[1] ?? '';
    const w = byName.get(name);
    if (!w || w.shape.length !== 2 || done.has(name)) continue;
    done.add(name);
    const t = transposed(w);
    byName.set(name, t);
    const i = list.indexOf(w);
    if (i >= 0) list[i] = t;
  }
}

function buildTopology(m: ModelInfo, tensors: Map<string, TensorEntry>, constNames: Set<string>, warnings: string[]): NetOp[] | undefined {
  const values = new Map<string, Val>();
  const CONST: Val = { kind: 'const' };
  for (const n of constNames) values.set(n, CONST);
  for (const i of m.inputs) if (!values.has(i)) values.set(i, { kind: 'data', id: 'input', direct: false });

  const ops: NetOp[] = [];
  const names = new Set<string>();
  const followed = new Set<string>();
  const unique = (base: string): string => {
    let n = base;
    for (let k = 2; names.has(n); k++) n = `${base}#${k}`;
    names.add(n);
    return n;
  };
  const opName = (weightName: string, node: NodeInfo): string =>
    unique(stripParam(weightName, '.weight') ?? modulePathFromNodeName(node.name) ?? (node.name || node.outputs[0] || weightName));
  const give = (node: NodeInfo, what: string): undefined => {
    warnings.push(`topology not read from the graph: ${node.opType} node '${node.name || node.outputs[0]}' ${what}`);
    return undefined;
  };

  for (const node of m.nodes) {
    const ins: (Val & { kind: 'data' })[] = [];
    for (const name of node.inputs) {
      if (name === '') continue;
      const v = values.get(name);
      if (!v) return give(node, `reads '${name}', which no earlier node produces`);
      if (v.kind === 'data') ins.push(v);
    }
    const setOut = (v: Val, all = true): void => {
      (all ? node.outputs : node.outputs.slice(0, 1)).forEach((o) => o && values.set(o, v));
      if (!all) node.outputs.slice(1).forEach((o) => o && values.set(o, CONST));
    };
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      if (ins.length > 1) return give(node, `(domain ${node.domain}) joins ${ins.length} values`);
      if (ins.length === 1) followed.add(`${node.domain}.${node.opType}`);
      setOut(ins.length ? { ...ins[0], direct: false } : CONST);
      continue;
    }
    if (ins.length === 0 || SHAPE_OPS.has(node.opType)) {
      setOut(CONST);
      continue;
    }
    const data0 = values.get(node.inputs[0]);
    switch (node.opType) {
      case 'Conv': {
        const w = tensors.get(node.inputs[1] ?? '');
        if (!w || data0?.kind !== 'data' || ins.length !== 1) return give(node, 'has no initializer weight');
        if (w.shape.length < 3) return give(node, `has a weight of shape ${shapeStr(w.shape)}`);
        const group = node.ints.get('group') ?? 1;
        // A varint from the file: 0, negative or larger than the output channels cannot be a grouping.
        if (!Number.isSafeInteger(group) || group < 1 || group > w.shape[0]) return give(node, `has group ${group}, not a positive integer up to its ${w.shape[0]} output channels`);
        const op: ConvOp = { op: 'conv', name: opName(w.name, node), weight: w, input: data0.id, groups: group };
        ops.push(op);
        setOut({ kind: 'data', id: op.name, op, direct: true }, false);
        break;
      }
      case 'Gemm':
      case 'MatMul': {
        const bName = node.inputs[1] ?? '';
        const w = tensors.get(bName);
        if (!w || data0?.kind !== 'data' || ins.length !== 1) return give(node, 'has no initializer weight as its second input');
        if (w.shape.length !== 2) return give(node, `has a weight of shape ${shapeStr(w.shape)}`);
        if (node.opType === 'Gemm' && node.ints.get('transA')) return give(node, 'has transA=1');
        // [in, out] weights were transposed to [out, in] by toPyTorchLayout.
        const op: DenseOp = { op: 'dense', name: opName(bName, node), weight: w, input: data0.id };
        ops.push(op);
        setOut({ kind: 'data', id: op.name, op, direct: true }, false);
        break;
      }
      case 'BatchNormalization':
      case 'InstanceNormalization':
      case 'LayerNormalization': {
        if (data0?.kind !== 'data') return give(node, 'normalises a constant');
        const isBN = node.opType === 'BatchNormalization';
        const scale = tensors.get(node.inputs[1] ?? '');
        const runningVar = isBN ? tensors.get(node.inputs[4] ?? '') : undefined;
        const target = data0.direct ? data0.op : undefined;
        if (target && !target.norm) {
          const scaleName = node.inputs[1] ?? '';
          const norm: BatchNormRef = {
            name: stripParam(scaleName, '.weight') ?? modulePathFromNodeName(node.name) ?? (node.name || scaleName),
            weight: scale,
            runningVar,
            eps: node.floats.get('epsilon') ?? 1e-5,
          };
          target.norm = norm;
        } else {
          warnings.push(`${node.opType} '${node.name || node.outputs[0]}' does not directly follow a Conv/Gemm; its scale is not folded into the graph`);
        }
        setOut({ ...data0, direct: false }, false);
        break;
      }
      case 'Add':
      case 'Sum': {
        if (ins.length === 1) {
          // A bias add: the op stays "direct" for a following BatchNormalization.
          setOut({ ...ins[0] });
          break;
        }
        const op: AddOp = { op: 'add', name: unique(node.name || node.outputs[0] || `add${ops.length}`), inputs: ins.map((v) => v.id) };
        ops.push(op);
        setOut({ kind: 'data', id: op.name, direct: false });
        break;
      }
      case 'Sub':
      case 'Mul':
      case 'Div':
        if (ins.length === 1) {
          // Subtracting a constant keeps the op direct (like a bias); scaling does not.
          setOut({ ...ins[0], direct: node.opType === 'Sub' && ins[0].direct });
          break;
        }
        if (node.opType === 'Mul' || node.opType === 'Div') {
          // Gating (squeeze-excitation, attention weights): the first input carries the channels.
          followed.add(`${node.opType} of two values (gating; first input followed)`);
          setOut({ ...ins[0], direct: false });
          break;
        }
        return give(node, `subtracts two values`);
      default:
        if (ins.length > 1 || data0?.kind !== 'data') return give(node, `joins ${ins.length} values, which the op list cannot express`);
        if (!PASS_THROUGH.has(node.opType)) {
          // An op we do not know that holds a weight matrix (ConvTranspose, LSTM, QLinearConv...)
          // changes the wiring in a way the op list cannot say: better no topology than a wrong one.
          const w = node.inputs.slice(1).map((n) => tensors.get(n)).find((t) => t && t.shape.length >= 2);
          if (w) return give(node, `holds the weight '${w.name}' ${shapeStr(w.shape)}, which the op list cannot express`);
          followed.add(node.opType);
        }
        setOut({ ...data0, direct: data0.direct && KEEPS_DIRECT.has(node.opType) });
    }
  }
  if (followed.size > 0) warnings.push(`topology: followed values through ${[...followed].join(', ')} as if they kept the channel wiring`);
  if (!ops.some((o) => o.op !== 'add')) return undefined;
  return ops;
}

// ---------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------

/** ModelProto field tags that can follow ir_version at the start of a file. */
const MODEL_TAGS = new Set([0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72]);

function looksLikeModel(head: Uint8Array): boolean {
  // ir_version (field 1, varint 1..20) then producer_name / graph / opset_import ...
  if (head.length < 4 || head[0] !== 0x08 || head[1] < 1 || head[1] > 20 || !MODEL_TAGS.has(head[2])) return false;
  if (head[2] === 0x12 || head[2] === 0x1a || head[2] === 0x22) {
    // A short printable string (producer name/version, domain).
    const len = head[3];
    if (len < 1 || len > 64 || 4 + len > head.length) return false;
    for (let i = 4; i < 4 + len; i++) if (head[i] < 0x20 || head[i] > 0x7e) return false;
  }
  return true;
}

export const onnxReader: CheckpointReader = {
  id: 'onnx',
  match(file: string, head: Uint8Array): boolean {
    return /\.onnx$/i.test(file) || looksLikeModel(head);
  },
  open(file: string, src: ByteSource): Checkpoint {
    const ext = new ExternalFiles();
    try {
      return openModel(file, src, ext);
    } catch (e) {
      ext.close();
      throw e;
    }
  },
};

function openModel(file: string, src: ByteSource, ext: ExternalFiles): Checkpoint {
  const warnings: string[] = [];
  if (src.size === 0) throw new FormatError(file, 'empty file (expected an ONNX ModelProto)');
  const model = parseModel(new ProtoReader(src, file, 0, src.size));
  if (!model.hasGraph) throw new FormatError(file, 'not an ONNX model: no graph in the ModelProto');

  const tensors: TensorEntry[] = [];
  const byName = new Map<string, TensorEntry>();
  const constNames = new Set<string>();
  for (const t of model.initializers) {
    constNames.add(t.name);
    if (byName.has(t.name)) {
      warnings.push(`initializer '${t.name}' appears twice; the first is kept`);
      continue;
    }
    // Integer and string initializers are shape constants and indices, not weights.
    const info = ONNX_DTYPES[t.dataType];
    if (info && (info.dtype === null ? ['UINT16', 'UINT32', 'UINT64', 'STRING'].includes(info.label) : !isFloat(info.dtype))) continue;
    const entry = makeTensor(file, src, t, ext);
    if (typeof entry === 'string') {
      warnings.push(entry);
      continue;
    }
    tensors.push(entry);
    byName.set(t.name, entry);
  }
  if (model.sparseInitializers > 0) warnings.push(`${model.sparseInitializers} sparse initializer(s) are not read`);

  toPyTorchLayout(model, byName, tensors);
  const topology = buildTopology(model, byName, constNames, warnings);

  const metadata: Record<string, string | number | boolean | null> = {};
  if (model.irVersion !== undefined) metadata.ir_version = model.irVersion;
  if (model.producerName) metadata.producer_name = model.producerName;
  if (model.producerVersion) metadata.producer_version = model.producerVersion;
  if (model.modelVersion !== undefined) metadata.model_version = model.modelVersion;
  const opset = model.opsets.get('') ?? model.opsets.get('ai.onnx');
  if (opset !== undefined) metadata.opset = opset;
  if (model.graphName) metadata.graph_name = model.graphName;
  let epoch: number | undefined;
  for (const [k, v] of model.props) {
    const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v.trim()) ? Number(v) : NaN;
    if (k === 'epoch' && Number.isInteger(num) && num >= 0) epoch = num;
    const value = Number.isFinite(num) ? num : v.length > 200 ? `${v.slice(0, 200)}…` : v;
    // defineProperty: a key such as '__proto__' from the file must stay an ordinary key.
    Object.defineProperty(metadata, k, { value, enumerable: true, writable: true, configurable: true });
  }

  return {
    file,
    format: 'onnx',
    tensors,
    epoch,
    metadata,
    topology,
    flattenOrder: 'chw',
    warnings,
    close(): void {
      ext.close();
      src.close?.();
    },
  };
}
