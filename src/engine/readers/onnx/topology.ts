/**
 * The wiring an ONNX graph states, as NetOps (see graph/netspec.ts): Conv / Gemm / MatMul / Add
 * nodes, with a BatchNormalization that directly follows a Conv or Gemm folded into it, following
 * values through ops that do not change which channel feeds which (activations, pooling, flatten,
 * reshape, dropout...). A graph that joins or transforms values in a way the op list cannot state
 * yields no topology (with a warning), and the wiring is left to name/shape inference.
 */
import type { AddOp, BatchNormRef, ConcatOp, ConvOp, DenseOp, NetOp, ValueId } from '../../graph/netspec';
import type { TensorEntry } from '../../tensor';
import type { ModelInfo, NodeInfo } from './model-proto';
import { shapeStr } from './tensors';

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

export function buildTopology(m: ModelInfo, tensors: Map<string, TensorEntry>, constNames: Set<string>, warnings: string[]): NetOp[] | undefined {
  const values = new Map<string, Val>();
  const CONST: Val = { kind: 'const' };
  for (const n of constNames) values.set(n, CONST);
  for (const i of m.inputs) if (!values.has(i)) values.set(i, { kind: 'data', id: 'input', direct: false });

  const ops: NetOp[] = [];
  const names = new Set<string>();
  const followed = new Set<string>();
  // Where each base name's suffix search resumes: 100k nodes of one name must not retry 2..k each.
  const nextSuffix = new Map<string, number>();
  const unique = (base: string): string => {
    let n = base;
    let k = nextSuffix.get(base) ?? 2;
    while (names.has(n)) n = `${base}#${k++}`;
    nextSuffix.set(base, k);
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
      case 'Concat': {
        // Channels side by side (axis 1 of NCHW / N×features); other axes join positions or tokens.
        const axis = node.ints.get('axis') ?? 0;
        if (ins.length === 1) {
          setOut({ ...ins[0], direct: false });
          break;
        }
        if (axis !== 1 && axis !== -1) return give(node, `joins ${ins.length} values along axis ${axis}`);
        const op: ConcatOp = { op: 'concat', name: unique(node.name || node.outputs[0] || `concat${ops.length}`), inputs: ins.map((v) => v.id) };
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
  if (!ops.some((o) => o.op === 'conv' || o.op === 'dense')) return undefined;
  return ops;
}
