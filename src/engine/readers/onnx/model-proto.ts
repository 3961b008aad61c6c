/**
 * The subset of ONNX's ModelProto the reader needs: opsets, metadata, graph inputs, nodes (op,
 * inputs, outputs, int and float attributes) and initializers. Decoded by the bounded protobuf
 * reader (io/protobuf), which walks the file with bounded positioned reads: an initializer's data
 * (raw_data, often nearly the whole file) is not loaded here; only where its bytes are is recorded.
 * Every length is checked against its enclosing message and the file size.
 */
import { FormatError } from '../../errors';
import { WT_I32, WT_LEN, WT_VARINT, ProtoReader } from '../../io/protobuf';

/** TensorProto field numbers of the typed data fields. */
export const F_FLOAT = 4;
export const F_INT32 = 5;
const F_STRING = 6;
export const F_INT64 = 7;
const F_RAW = 9;
export const F_DOUBLE = 10;
export const F_UINT64 = 11;

export interface TensorInfo {
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

export interface NodeInfo {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  ints: Map<string, number>;
  floats: Map<string, number>;
}

export interface ModelInfo {
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

export function parseModel(r: ProtoReader): ModelInfo {
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
