/**
 * Builds the rolled graph (docs/rolled-graph.md) from a wiring (NetOp[]): node groups, one per
 * layer output, and edge blocks between pairs of groups stored as typed arrays. Metrics then work
 * block by block (a matrix-vector product is one loop per block), never on a generic adjacency
 * structure, which keeps a ResNet-50 with 15M edges within a few hundred MB and milliseconds per
 * product.
 *
 * Tensors are read one op at a time and dropped once reduced to edge weights.
 */
import { ArchitectureError, NumericError } from '../errors';
import type { TensorEntry } from '../tensor';
import type { NetOp, ConvOp, DenseOp, BatchNormRef, ValueId } from './netspec';

export interface NodeGroup {
  name: string;
  kind: 'input' | 'conv' | 'dense';
  size: number;
  /** Index of the group's first node in graph-wide node numbering. */
  offset: number;
}

/**
 * Edges from group `src` to group `dst`.
 *  - 'dense':   weights[o * srcSize + c] is the edge c → o (a full bipartite block, zeros allowed).
 *  - 'grouped': convolution with `groups` groups: weights[o * perGroup + j] is the edge
 *               (q(o) * perGroup + j) → o, q(o) = floor(o / (dstSize / groups)).
 *  - 'identity': one edge c → c of weight 1 per node (an identity shortcut).
 */
export interface EdgeBlock {
  src: number;
  dst: number;
  op: string;
  kind: 'dense' | 'grouped' | 'identity';
  weights: Float32Array;
  perGroup: number;
  groups: number;
}

export interface RolledGraph {
  /** The checkpoint it was built from, for the metrics' error messages. */
  file: string;
  groups: NodeGroup[];
  blocks: EdgeBlock[];
  nodeCount: number;
  edgeCount: number;
  warnings: string[];
  /** For the unrolled estimate: per conv group, kernel positions and the producing op. */
  convInfo: Map<number, { kernel: number; perGroup: number; inputGroup: number }>;
}

function normScale(norm: BatchNormRef | undefined, out: number, file: string): Float32Array | undefined {
  if (!norm) return undefined;
  const s = new Float32Array(out).fill(1);
  const gamma = norm.weight?.read();
  const rv = norm.runningVar?.read();
  // Keras and ONNX attach a norm by wiring, not by width: a short vector would read undefined (NaN).
  for (const [what, t] of [['weight', gamma], ['running_var', rv]] as const) {
    if (t && t.length !== out) throw new ArchitectureError(file, `norm '${norm.name}' has a ${what} of ${t.length} values for a layer of ${out} channels`);
  }
  for (let o = 0; o < out; o++) {
    const g = gamma ? Math.abs(gamma[o]) : 1;
    const v = rv ? rv[o] : undefined;
    if (v !== undefined && !(v >= 0)) throw new NumericError(`${file}: norm '${norm.name}' has running_var ${v} for channel ${o}`);
    s[o] = v === undefined ? g : g / Math.sqrt(v + norm.eps);
    if (!Number.isFinite(s[o])) throw new NumericError(`${file}: norm '${norm.name}' scales channel ${o} by ${s[o]} (weight ${g}, running_var ${v}, eps ${norm.eps})`);
  }
  return s;
}

function checkFinite(values: Float32Array, t: TensorEntry, file: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new NumericError(`${file}: tensor '${t.name}' holds ${values[i]} at flat index ${i}; the graph of a diverged run has no defined properties`);
    }
  }
}

/** Finite weights can still give an edge past float32's range (|w| near 3.4e38, or a huge norm scale). */
function checkEdges(weights: Float32Array, op: string, file: string): void {
  for (let i = 0; i < weights.length; i++) {
    if (!Number.isFinite(weights[i])) throw new NumericError(`${file}: layer '${op}' gives an edge weight of ${weights[i]} (its weights or norm scale overflow single precision)`);
  }
}

export interface BuildOptions {
  file: string;
  flattenOrder?: 'chw' | 'hwc';
}

export function buildRolledGraph(ops: NetOp[], opts: BuildOptions): RolledGraph {
  const file = opts.file;
  const groups: NodeGroup[] = [];
  const blocks: EdgeBlock[] = [];
  const warnings: string[] = [];
  const convInfo: RolledGraph['convInfo'] = new Map();
  /** Which group holds a value; a projection shortcut's value maps to the group it is summed into. */
  const groupOf = new Map<ValueId, number>();
  let nodeCount = 0;
  const addGroup = (name: string, kind: NodeGroup['kind'], size: number): number => {
    groups.push({ name, kind, size, offset: nodeCount });
    nodeCount += size;
    return groups.length - 1;
  };

  // A conv/dense op whose only consumer is an add, and which is not the add's first (main-branch)
  // input, is a projection shortcut: its edges go into the main branch's group.
  // Counted and looked up through maps: a chain of 20k layers must not cost 20k scans of the list.
  const consumers = new Map<ValueId, number>();
  const layerByName = new Map<string, ConvOp | DenseOp>();
  const firstByName = new Map<string, NetOp>();
  for (const op of ops) {
    const ins = op.op === 'add' ? op.inputs : [op.input];
    for (const v of ins) consumers.set(v, (consumers.get(v) ?? 0) + 1);
    if (op.op !== 'add' && !layerByName.has(op.name)) layerByName.set(op.name, op);
    if (!firstByName.has(op.name)) firstByName.set(op.name, op);
  }
  const projectionInto = new Map<string, ValueId>();
  for (const op of ops) {
    if (op.op !== 'add') continue;
    for (const v of op.inputs.slice(1)) {
      if (layerByName.has(v) && consumers.get(v) === 1) projectionInto.set(v, op.inputs[0]);
    }
  }

  const first = ops.find((o) => o.op !== 'add') as ConvOp | DenseOp | undefined;
  if (!first) throw new ArchitectureError(file, 'the network has no conv or dense layer');
  const inputSize = first.op === 'conv' ? first.weight.shape[1] * first.groups : first.weight.shape[1];
  groupOf.set('input', addGroup('input', 'input', inputSize));

  for (const op of ops) {
    if (op.op === 'add') {
      const target = op.inputs[0];
      const g = groupOf.get(target);
      if (g === undefined) throw new ArchitectureError(file, `add '${op.name}' sums '${target}', which no earlier layer produces`);
      for (const v of op.inputs.slice(1)) {
        if (projectionInto.has(v)) continue; // its edges were routed into g already
        const sg = groupOf.get(v);
        if (sg === undefined) throw new ArchitectureError(file, `add '${op.name}' sums '${v}', which no earlier layer produces`);
        if (groups[sg].size !== groups[g].size) {
          throw new ArchitectureError(file, `add '${op.name}' sums '${v}' (${groups[sg].size} channels) with '${target}' (${groups[g].size} channels)`);
        }
        blocks.push({ src: sg, dst: g, op: `${op.name} (identity shortcut)`, kind: 'identity', weights: new Float32Array(0), perGroup: 1, groups: groups[g].size });
      }
      groupOf.set(op.name, g);
      continue;
    }
    const src = groupOf.get(op.input);
    if (src === undefined) throw new ArchitectureError(file, `layer '${op.name}' reads '${op.input}', which no earlier layer produces`);
    const w = op.weight;
    const out = w.shape[0];
    let dst: number;
    const into = projectionInto.get(op.name);
    if (into !== undefined) {
      // The main branch's last op comes before the add but may come after this op in the list.
      const mainOp = firstByName.get(into);
      const mg = groupOf.get(into);
      if (mg === undefined) {
        if (!mainOp || mainOp.op === 'add') throw new ArchitectureError(file, `shortcut '${op.name}' is summed into '${into}', which is not a layer`);
        // Create the main branch's group now; the main op will reuse it.
        dst = addGroup(mainOp.name, mainOp.op, mainOp.weight.shape[0]);
        groupOf.set(into, dst);
      } else dst = mg;
      if (groups[dst].size !== out) throw new ArchitectureError(file, `shortcut '${op.name}' gives ${out} channels but '${into}' has ${groups[dst].size}`);
      groupOf.set(op.name, dst);
    } else {
      const existing = groupOf.get(op.name);
      dst = existing ?? addGroup(op.name, op.op, out);
      groupOf.set(op.name, dst);
    }
    // A weight without elements (a zero dimension) has no edges to give, and its other dimensions
    // would size the edge block unchecked (fuzzing: shape [0, 2^40] asked for 2^45 floats).
    if (w.shape.some((d) => d === 0)) throw new ArchitectureError(file, `layer '${op.name}' has an empty weight '${w.name}' of shape [${w.shape.join(', ')}]`);
    const values = w.read();
    checkFinite(values, w, file);
    const scale = normScale(op.norm, out, file);
    const srcSize = groups[src].size;
    if (op.op === 'conv') {
      const perGroup = w.shape[1];
      const k = w.shape.slice(2).reduce((a, b) => a * b, 1);
      const ng = op.groups;
      if (perGroup * ng !== srcSize || out % ng !== 0) {
        throw new ArchitectureError(file, `conv '${w.name}' [${w.shape}] with ${ng} groups does not fit its input '${groups[src].name}' of ${srcSize} channels`);
      }
      const weights = new Float32Array(out * perGroup);
      for (let o = 0; o < out; o++) {
        const s = scale ? scale[o] : 1;
        for (let j = 0; j < perGroup; j++) {
          let acc = 0;
          const base = (o * perGroup + j) * k;
          for (let p = 0; p < k; p++) acc += values[base + p] * values[base + p];
          weights[o * perGroup + j] = Math.sqrt(acc) * s;
        }
      }
      checkEdges(weights, op.name, file);
      blocks.push({ src, dst, op: op.name, kind: ng === 1 ? 'dense' : 'grouped', weights, perGroup, groups: ng });
      convInfo.set(dst, { kernel: k, perGroup, inputGroup: src });
    } else {
      const fanIn = w.shape[1];
      if (fanIn % srcSize !== 0) {
        throw new ArchitectureError(file, `dense '${w.name}' [${w.shape}] has ${fanIn} inputs, not a multiple of the ${srcSize} nodes of '${groups[src].name}'`);
      }
      const P = fanIn / srcSize; // positions per channel after a flatten (1 for a dense chain or global pooling)
      const hwc = opts.flattenOrder === 'hwc';
      const weights = new Float32Array(out * srcSize);
      for (let o = 0; o < out; o++) {
        const s = scale ? scale[o] : 1;
        const row = o * fanIn;
        if (P === 1) {
          for (let c = 0; c < srcSize; c++) weights[o * srcSize + c] = Math.abs(values[row + c]) * s;
        } else {
          for (let c = 0; c < srcSize; c++) {
            let acc = 0;
            for (let p = 0; p < P; p++) {
              const v = values[row + (hwc ? p * srcSize + c : c * P + p)];
              acc += v * v;
            }
            weights[o * srcSize + c] = Math.sqrt(acc) * s;
          }
        }
      }
      checkEdges(weights, op.name, file);
      blocks.push({ src, dst, op: op.name, kind: 'dense', weights, perGroup: srcSize, groups: 1 });
      if (P > 1) convInfo.set(dst, { kernel: P, perGroup: srcSize, inputGroup: src });
    }
  }

  // Distinct (src, dst) node pairs: an identity block that parallels a dense block adds no pairs.
  let edgeCount = 0;
  const denseKey = (src: number, dst: number): number => src * (groups.length + 1) + dst;
  const dense = new Set(blocks.filter((b) => b.kind === 'dense').map((b) => denseKey(b.src, b.dst)));
  for (const b of blocks) {
    if (b.kind === 'identity' && dense.has(denseKey(b.src, b.dst))) continue;
    edgeCount += b.kind === 'identity' ? groups[b.dst].size : b.weights.length;
  }
  return { file, groups, blocks, nodeCount, edgeCount, warnings, convInfo };
}
