/**
 * ONNX initializers as lazy tensors in PyTorch layout: data from `raw_data`, the typed fields
 * (float_data, double_data, int32_data holding float16 bits, ...) or an external file, checked
 * against the shape now and decoded on read(). Dense weights stored [in, out] are transposed lazily.
 */
import { FormatError } from '../../errors';
import { WT_I32, WT_I64, WT_VARINT, ProtoReader } from '../../io/protobuf';
import { readValues, type ByteSource } from '../../io/source';
import { DTYPE_BYTES, LazyTensor, halfToFloat, numel, permute, type DType, type TensorEntry } from '../../tensor';
import { parseIntString, type ExternalFiles } from './external';
import { F_DOUBLE, F_FLOAT, F_INT32, F_INT64, F_UINT64, type ModelInfo, type TensorInfo } from './model-proto';

/** ONNX TensorProto.DataType → our dtype (null: not read) and the ONNX name of the type. */
export const ONNX_DTYPES: Record<number, { dtype: DType | null; label: string }> = {
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

export function shapeStr(n: number | readonly number[]): string {
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

/** Builds the lazy tensor for a float initializer; a reason (string) for those we skip. */
export function makeTensor(file: string, src: ByteSource, t: TensorInfo, ext: ExternalFiles): TensorEntry | string {
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
    return new LazyTensor(name, dtype, shape, () => readValues(xsrc, offset, length, dtype, true, `${file} (${location})`), count);
  }

  if (t.raw) {
    const [s, e] = t.raw;
    if (e - s !== count * size) {
      throw new FormatError(file, `initializer '${name}': raw_data is ${e - s} bytes but shape ${shapeStr(shape)} of ${dtype} needs ${count * size}`);
    }
    return new LazyTensor(name, dtype, shape, () => readValues(src, s, e - s, dtype, true, file), count);
  }

  const field = typedFieldFor(t.dataType);
  const rec = t.typed.get(field);
  if (!rec) {
    if (count === 0) return new LazyTensor(name, dtype, shape, () => new Float32Array(0), 0);
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
  return new LazyTensor(name, dtype, shape, () => decodeTyped(file, src.read(msgStart, msgEnd - msgStart), field, dataType, count, name), count);
}

/** Transposes a 2-d tensor lazily ([in, out] → [out, in]). */
function transposed(t: TensorEntry): TensorEntry {
  return new LazyTensor(t.name, t.dtype, [t.shape[1], t.shape[0]], () => permute(t.read(), t.shape, [1, 0]), t.storedElements);
}

/**
 * Dense weights stored [in, out] (MatMul's second input, Gemm's B with transB=0) are replaced, in
 * the map and the list, by lazily transposed [out, in] views: PyTorch's layout.
 */
export function toPyTorchLayout(m: ModelInfo, byName: Map<string, TensorEntry>, list: TensorEntry[]): void {
  const done = new Set<string>();
  // Positions by tensor, so replacing one is not a scan of the list (100k MatMuls made it quadratic).
  const at = new Map<TensorEntry, number>();
  list.forEach((t, i) => at.set(t, i));
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
    const i = at.get(w);
    if (i !== undefined) list[i] = t;
  }
}
