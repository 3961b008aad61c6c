/**
 * The wiring an ONNX graph states, as NetOps (see graph/netspec.ts), for any exported network:
 * convolutions and CNNs (Conv / Gemm / MatMul / Add / Concat, a BatchNormalization that directly
 * follows a Conv or Gemm folded into it) and transformers (docs/rolled-graph.md, "ONNX"):
 *  - Gather of an embedding table by the input ids: the table collapsed to one input node, edge
 *    ‖E[:, c]‖₂ into channel c; a table gathered by constant indices (positions) likewise;
 *  - MatMul of two activations: the first (Q·Kᵀ) makes attention scores, which carry no channels;
 *    the second (scores·V) carries the channels of V; Q and K projections end in the scores, so
 *    attention is wired entrywise (Q, K, V and O projections as dense layers);
 *  - LayerNorm and RMSNorm, decomposed or not: the scale γ is folded into the input side of the
 *    layers that read the normalised value;
 *  - Split and Slice of a fused projection: part j of the value in the order the parts are taken;
 *  - a gating product (SwiGLU, squeeze-excitation): the later projection's edges go into the
 *    earlier projection's channels.
 * Values are followed through ops that do not change which channel feeds which (activations,
 * pooling, reshape, transpose...). A graph that joins or transforms values in a way the op list
 * cannot state yields no topology (with a warning), and the wiring is left to name/shape inference.
 */
import type { AddOp, BatchNormRef, ConcatOp, ConvOp, DenseOp, MatrixOp, NetOp, SelectOp, ValueId } from '../../graph/netspec';
import { columnNorms } from '../../graph/families/kit';
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
  'Transpose', 'Pow', 'Expand', 'Tile', 'Slice', 'Gather', 'Where', 'Trilu', 'Sin', 'Cos', 'Einsum', 'DepthToSpace', 'SpaceToDepth',
]);
/** Ops that only move values between positions and heads: no note that they were followed. */
const SILENT = new Set(['Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'Identity', 'Dropout', 'Cast', 'CastLike', 'Expand', 'Slice', 'Gather', 'Split']);
/** Ops that keep an op's output "direct", so a following BatchNormalization is still folded into it. */
const KEEPS_DIRECT = new Set(['Identity', 'Cast', 'Dropout']);
/** Ops whose output is shape data, never network activations. */
const SHAPE_OPS = new Set(['Shape', 'Size', 'ConstantOfShape', 'Range', 'NonZero']);

interface Data {
  kind: 'data';
  id: ValueId;
  /** The weight op whose output this is, through ops that keep channels (for gating merges). */
  op?: ConvOp | DenseOp;
  /** Still the op's direct output: a following norm folds into the op's output side. */
  direct: boolean;
  /** Channels, when known. */
  size?: number;
  /** A norm scale waiting for the layers that read this value (LayerNorm/RMSNorm γ). */
  scale?: BatchNormRef;
  /** Part `index` of a fused value (a Slice or a Split of it), resolved by the layer that reads it. */
  part?: { source: ValueId; index: number };
  /** An embedding table's op, not yet joined to anything (a position table added to the tokens). */
  table?: MatrixOp;
  /** Came out of softmax(QKᵀ)·V. */
  attended?: boolean;
}
type Val = { kind: 'const' } | Data | { kind: 'scores' };

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
  const SCORES: Val = { kind: 'scores' };
  for (const n of constNames) values.set(n, CONST);
  for (const i of m.inputs) if (!values.has(i)) values.set(i, { kind: 'data', id: 'input', direct: false });

  const ops: NetOp[] = [];
  const names = new Set<string>();
  const followed = new Set<string>();
  const notes = new Set<string>();
  /** Parts already taken of each value (the order of Slice nodes over a fused projection). */
  const partsTaken = new Map<ValueId, number>();
  /** Outputs of Transpose(initializer): the weight of a MatMul that reads them. */
  const transposedWeights = new Map<string, TensorEntry>();
  let attention = 0;
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
  const nodeLabel = (node: NodeInfo): string => node.name || node.outputs[0] || node.opType;
  const give = (node: NodeInfo, what: string): undefined => {
    warnings.push(`topology not read from the graph: ${node.opType} node '${nodeLabel(node)}' ${what}`);
    return undefined;
  };
  /** The value a weight op reads: a part of a fused value becomes a selection of its channels. */
  const source = (v: Data, fanIn: number, node: NodeInfo): Data | undefined => {
    if (v.attended && v.size !== undefined && fanIn > v.size && fanIn % v.size === 0) {
      notes.add(`an output projection reads ${fanIn / v.size}× the channels of the attention values (grouped-query attention: key/value heads shared by several query heads): each value channel feeds a block of ${fanIn / v.size} consecutive columns, an approximation of which heads share it`);
    }
    if (!v.part || v.size === undefined || v.size === fanIn || v.size % fanIn !== 0) return v;
    const k = v.size / fanIn;
    if (v.part.index >= k) return give(node, `reads part ${v.part.index + 1} of '${v.part.source}', which has ${k} parts of ${fanIn} channels`);
    const start = v.part.index * fanIn;
    const sel: SelectOp = { op: 'select', name: unique(`${v.part.source}[${start}:${start + fanIn}]`), input: v.part.source, channels: Array.from({ length: fanIn }, (_, c) => start + c) };
    ops.push(sel);
    notes.add(`the parts of a fused projection (Slice/Split) taken as equal parts in the order they are read`);
    return { kind: 'data', id: sel.name, direct: false, size: fanIn, scale: v.scale };
  };
  const inNormOf = (v: Data): BatchNormRef | undefined => v.scale;
  /** A 1-d initializer among the node's inputs (a norm's γ, a LayerScale). */
  const vectorInput = (node: NodeInfo, v: Data): TensorEntry | undefined =>
    node.inputs
      .map((n) => tensors.get(n))
      .find((t) => t !== undefined && t.shape.filter((d) => d > 1).length === 1 && (v.size === undefined || t.shape.reduce((a, b) => a * b, 1) === v.size));
  const tableOp = (node: NodeInfo, table: TensorEntry, input: string): Data => {
    const d = table.shape[table.shape.length - 1];
    const rowsN = table.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const inName = unique(input);
    ops.push({ op: 'input', name: inName, size: 1 });
    const op: MatrixOp = { op: 'matrix', name: opName(table.name, node), input: inName, out: d, kind: 'dense', edges: () => columnNorms(table.read(), rowsN, d) };
    ops.push(op);
    return { kind: 'data', id: op.name, direct: false, size: d, table: op };
  };

  for (const node of m.nodes) {
    const ins: Data[] = [];
    let scores = 0;
    for (const name of node.inputs) {
      if (name === '') continue;
      const v = values.get(name);
      if (!v) return give(node, `reads '${name}', which no earlier node produces`);
      if (v.kind === 'data') ins.push(v);
      else if (v.kind === 'scores') scores++;
    }
    const setOut = (v: Val, all = true): void => {
      (all ? node.outputs : node.outputs.slice(0, 1)).forEach((o) => o && values.set(o, v));
      if (!all) node.outputs.slice(1).forEach((o) => o && values.set(o, CONST));
    };
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      if (ins.length > 1) return give(node, `(domain ${node.domain}) joins ${ins.length} values`);
      if (ins.length === 1) followed.add(`${node.domain}.${node.opType}`);
      setOut(ins.length ? { ...ins[0], direct: false } : scores ? SCORES : CONST);
      continue;
    }
    if (SHAPE_OPS.has(node.opType)) {
      setOut(CONST);
      continue;
    }
    if (scores > 0) {
      // Attention scores: scaled, masked, normalised; scores·V carries V's channels.
      if (ins.length === 0) setOut(SCORES);
      else if (node.opType === 'MatMul' && ins.length === 1) {
        attention++;
        setOut({ ...ins[0], direct: false, op: undefined, scale: undefined, attended: true });
      } else return give(node, `combines attention scores with ${ins.length} values`);
      continue;
    }
    if (ins.length === 0 && node.opType === 'Transpose' && node.outputs[0]) {
      // Transpose(W) feeding MatMul(x, ·) is how nn.Linear exports without constant folding: x·Wᵀ,
      // whose weight in [out, in] layout is W itself.
      const t = tensors.get(node.inputs[0] ?? '');
      if (t && t.shape.length === 2) transposedWeights.set(node.outputs[0], t);
    }
    if (ins.length === 0) {
      // A table gathered by constant indices (a position embedding) is an input of its own.
      const table = node.opType === 'Gather' ? tensors.get(node.inputs[0] ?? '') : undefined;
      setOut(table && table.shape.length === 2 && (node.ints.get('axis') ?? 0) === 0 ? tableOp(node, table, 'positions') : CONST);
      continue;
    }
    const data0 = values.get(node.inputs[0]);
    switch (node.opType) {
      case 'Gather': {
        const table = tensors.get(node.inputs[0] ?? '');
        if (table && ins.length === 1 && table.shape.length === 2 && (node.ints.get('axis') ?? 0) === 0) {
          setOut(tableOp(node, table, 'tokens'));
          break;
        }
        setOut({ ...ins[0], direct: false });
        break;
      }
      case 'Conv': {
        const w = tensors.get(node.inputs[1] ?? '');
        if (!w || data0?.kind !== 'data' || ins.length !== 1) return give(node, 'has no initializer weight');
        if (w.shape.length < 3) return give(node, `has a weight of shape ${shapeStr(w.shape)}`);
        const group = node.ints.get('group') ?? 1;
        // A varint from the file: 0, negative or larger than the output channels cannot be a grouping.
        if (!Number.isSafeInteger(group) || group < 1 || group > w.shape[0]) return give(node, `has group ${group}, not a positive integer up to its ${w.shape[0]} output channels`);
        const src = source(data0, w.shape[1] * group, node);
        if (!src) return undefined;
        const op: ConvOp = { op: 'conv', name: opName(w.name, node), weight: w, input: src.id, groups: group, inNorm: inNormOf(src) };
        ops.push(op);
        setOut({ kind: 'data', id: op.name, op, direct: true, size: w.shape[0] }, false);
        break;
      }
      case 'Gemm':
      case 'MatMul': {
        const bName = node.inputs[1] ?? '';
        const w = tensors.get(bName) ?? (node.opType === 'MatMul' ? transposedWeights.get(bName) : undefined);
        if (node.opType === 'MatMul' && !w && ins.length === 2) {
          setOut(SCORES); // Q·Kᵀ: positions by positions, no channels
          break;
        }
        if (!w || data0?.kind !== 'data' || ins.length !== 1) return give(node, 'has no initializer weight as its second input');
        if (w.shape.length !== 2) return give(node, `has a weight of shape ${shapeStr(w.shape)}`);
        if (node.opType === 'Gemm' && node.ints.get('transA')) return give(node, 'has transA=1');
        const src = source(data0, w.shape[1], node);
        if (!src) return undefined;
        // [in, out] weights were transposed to [out, in] by toPyTorchLayout.
        // A transposed weight is named after the node's module (a tied lm_head reads wte's weight).
        const name = tensors.has(bName) ? opName(bName, node) : unique(modulePathFromNodeName(node.name) ?? stripParam(w.name, '.weight') ?? w.name);
        const op: DenseOp = { op: 'dense', name, weight: w, input: src.id, inNorm: inNormOf(src) };
        ops.push(op);
        setOut({ kind: 'data', id: op.name, op, direct: true, size: w.shape[0] }, false);
        break;
      }
      case 'BatchNormalization':
      case 'InstanceNormalization':
      case 'LayerNormalization':
      case 'GroupNormalization':
      case 'SimplifiedLayerNormalization': {
        if (data0?.kind !== 'data') return give(node, 'normalises a constant');
        const isBN = node.opType === 'BatchNormalization';
        const scaleName = node.inputs[1] ?? '';
        const scale = tensors.get(scaleName);
        const norm: BatchNormRef = {
          name: stripParam(scaleName, '.weight') ?? modulePathFromNodeName(node.name) ?? (node.name || scaleName),
          weight: scale,
          runningVar: isBN ? tensors.get(node.inputs[4] ?? '') : undefined,
          eps: node.floats.get('epsilon') ?? 1e-5,
        };
        const target = data0.direct ? data0.op : undefined;
        if (target && !target.norm && isBN) target.norm = norm;
        else if (!isBN && scale) {
          // LayerNorm and kin: γ scales what the next layers read.
          setOut({ ...data0, direct: false, scale: { name: norm.name, weight: scale, eps: 0 } }, false);
          break;
        } else if (isBN) warnings.push(`${node.opType} '${nodeLabel(node)}' does not directly follow a Conv/Gemm; its scale is not folded into the graph`);
        setOut({ ...data0, direct: false, scale: undefined }, false);
        break;
      }
      case 'Add':
      case 'Sum': {
        if (ins.length === 1) {
          // A bias add keeps the op "direct" for a following BatchNormalization; a table added to
          // every position (ViT's position embedding) is taken like a bias.
          const v = ins[0];
          const table = node.inputs.map((n) => tensors.get(n)).find((t) => t && t.shape.filter((d) => d > 1).length >= 2);
          if (table && v.id !== 'input' && table.shape[table.shape.length - 1] === v.size) {
            // A table added to every position (a position embedding): an input of its own, into
            // the channels it is added to, as Gather'd position tables are.
            const pos = tableOp(node, table, 'positions');
            pos.table!.into = v.id;
            setOut({ ...v, direct: false });
            break;
          }
          setOut({ ...v });
          break;
        }
        const root = (v: Data): ValueId => v.part?.source ?? v.id;
        if (ins.every((v) => root(v) === root(ins[0]))) {
          // x·cos + rotate_half(x)·sin (rotary embeddings): one value's channels.
          setOut({ ...ins[0], direct: false, part: undefined });
          break;
        }
        const size = ins[0].size;
        const pos = ins.length === 2 ? ins.find((v) => v.table && !v.table.into && ops.indexOf(v.table) > ops.findIndex((o) => o.name === ins[ins[0] === v ? 1 : 0].id)) : undefined;
        if (pos && pos.size === size) {
          // A position table added to the token embeddings: its edges go into the tokens' channels.
          const other = ins[0] === pos ? ins[1] : ins[0];
          pos.table!.into = other.id;
          setOut({ ...other, direct: false, table: undefined });
          break;
        }
        // The branch first, the stream second: the sum's nodes are the branch's output, and the stream
        // joins them by identity edges (x + attn(x) is exported with the stream first).
        const ordered = ins.length === 2 && !ins[0].op && ins[1].op ? [ins[1], ins[0]] : ins;
        const op: AddOp = { op: 'add', name: unique(node.name || node.outputs[0] || `add${ops.length}`), inputs: ordered.map((v) => v.id) };
        ops.push(op);
        setOut({ kind: 'data', id: op.name, direct: false, size });
        break;
      }
      case 'Concat': {
        // Channels side by side (axis 1 of NCHW / N×features); other axes join positions or tokens.
        const axis = node.ints.get('axis') ?? 0;
        if (ins.length === 1) {
          setOut({ ...ins[0], direct: false });
          break;
        }
        if (ins.every((v) => (v.part?.source ?? v.id) === (ins[0].part?.source ?? ins[0].id))) {
          // Pieces of one value put back together (rotary embeddings' rotate_half): its channels.
          setOut({ ...ins[0], direct: false, part: undefined });
          break;
        }
        if (axis !== 1 && axis !== -1) return give(node, `joins ${ins.length} values along axis ${axis}`);
        const op: ConcatOp = { op: 'concat', name: unique(node.name || node.outputs[0] || `concat${ops.length}`), inputs: ins.map((v) => v.id) };
        ops.push(op);
        const size = ins.every((v) => v.size !== undefined) ? ins.reduce((a, v) => a + v.size!, 0) : undefined;
        setOut({ kind: 'data', id: op.name, direct: false, size });
        break;
      }
      case 'Split': {
        const v = ins[0];
        const axis = node.ints.get('axis') ?? 0;
        if (ins.length !== 1 || axis === 0) {
          setOut({ ...v, direct: false });
          break;
        }
        node.outputs.forEach((o, index) => {
          if (o) values.set(o, { ...v, direct: false, op: undefined, part: { source: v.part?.source ?? v.id, index } });
        });
        break;
      }
      case 'Sub':
      case 'Mul':
      case 'Div':
        if (ins.length === 1) {
          const v = ins[0];
          const vec = node.opType === 'Mul' ? vectorInput(node, v) : undefined;
          if (vec && v.direct && v.op && !v.op.norm) {
            // A per-channel scale right after a layer (LayerScale): its output side.
            v.op.norm = { name: stripParam(vec.name, '.weight') ?? vec.name, weight: vec, eps: 0 };
            setOut({ ...v, direct: false });
          } else if (vec && !v.direct) {
            // γ of a decomposed LayerNorm / RMSNorm: the input side of the next layers.
            setOut({ ...v, scale: { name: stripParam(vec.name, '.weight') ?? vec.name, weight: vec, eps: 0 } });
          } else {
            // Subtracting a constant keeps the op direct (like a bias); scaling does not.
            setOut({ ...v, direct: node.opType === 'Sub' && v.direct });
          }
          break;
        }
        if (ins.length === 2 && node.opType === 'Mul') {
          const [a, b] = ins;
          const [early, late] = ops.indexOf(a.op!) <= ops.indexOf(b.op!) ? [a, b] : [b, a];
          if (a.op && b.op && a.op !== b.op && !late.op!.into && a.size !== undefined && a.size === b.size && !ops.some((o) => 'input' in o && o.input === late.op!.name)) {
            // A gating product (SwiGLU, squeeze-excitation): the later projection writes into the
            // earlier one's channels, as the product mixes them.
            late.op!.into = early.op!.name;
            notes.add(`gating products (SwiGLU, squeeze-excitation): the later projection wired into the earlier one's channels`);
            setOut({ ...early, direct: false });
            break;
          }
        }
        if (ins.every((v) => v.id === ins[0].id)) {
          // x − mean(x), x / rms(x), x · rsqrt(...): one value normalised by its own statistics.
          setOut({ ...ins[0], direct: false, scale: undefined });
          break;
        }
        if (node.opType !== 'Sub') {
          // Gating (attention weights, a sigmoid of another branch): the first input carries the channels.
          followed.add(`${node.opType} of two values (gating; first input followed)`);
          setOut({ ...ins[0], direct: false });
          break;
        }
        return give(node, `subtracts two different values`);
      default: {
        if (ins.length > 1) return give(node, `joins ${ins.length} values, which the op list cannot express`);
        const v = ins[0];
        if (!PASS_THROUGH.has(node.opType)) {
          // An op we do not know that holds a weight matrix (ConvTranspose, LSTM, QLinearConv...)
          // changes the wiring in a way the op list cannot say: better no topology than a wrong one.
          const w = node.inputs.map((n) => tensors.get(n) ?? transposedWeights.get(n)).find((t) => t && t.shape.length >= 2);
          if (w) return give(node, `holds the weight '${w.name}' ${shapeStr(w.shape)}, which the op list cannot express`);
        }
        if (!SILENT.has(node.opType) && !PASS_THROUGH.has(node.opType)) followed.add(node.opType);
        if (node.opType === 'Slice' && v.size !== undefined) {
          // A piece of a fused projection; which one is settled by the layer that reads it.
          const src = v.part?.source ?? v.id;
          const index = partsTaken.get(src) ?? 0;
          partsTaken.set(src, index + 1);
          setOut({ ...v, direct: false, op: undefined, part: { source: src, index } });
          break;
        }
        setOut({ ...v, direct: v.direct && KEEPS_DIRECT.has(node.opType) });
      }
    }
  }
  if (attention > 0) notes.add(`${attention} attention product${attention === 1 ? '' : 's'} (softmax(QKᵀ)·V) wired entrywise: V's channels carried through, Q and K projections ending in the scores`);
  if (followed.size > 0) warnings.push(`topology: followed values through ${[...followed].join(', ')} as if they kept the channel wiring`);
  for (const n of notes) warnings.push(`topology: ${n}`);
  if (!ops.some((o) => o.op === 'conv' || o.op === 'dense')) return undefined;
  return ops;
}
