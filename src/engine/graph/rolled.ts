/**
 * Builds the rolled graph (docs/rolled-graph.md) from a wiring (NetOp[]): node groups, one per
 * layer output, and edge blocks between pairs of groups stored as typed arrays. Metrics then work
 * block by block (a matrix-vector product is one loop per block), never on a generic adjacency
 * structure, which keeps a ResNet-50 with 15M edges within a few hundred MB and milliseconds per
 * product.
 *
 * Values that are not one whole group (a concatenation, a split, a shuffle) are lists of node
 * indices; an op reading one gets a block with `srcIndex`. Tensors are read one op at a time and
 * dropped once reduced to edge weights.
 */
import { ArchitectureError } from '../errors';
import type { NetOp, ValueId, WeightOp } from './netspec';
import { PACK_ABOVE_EDGES, PACK_MIN_BLOCK, blockWeights, edgeWeightCount, pack, type PackedWeights } from './packed';
import { checkEdges, checkFinite, convEdges, denseEdges, normScale } from './rolled-edges';

export interface NodeGroup {
  name: string;
  kind: 'input' | 'conv' | 'dense';
  size: number;
  /** Index of the group's first node in graph-wide node numbering. */
  offset: number;
  /** Per-node properties that are not edges (class token, relative-position tables per head). */
  attributes?: Record<string, Float32Array>;
}

/**
 * Edges from group `src` to group `dst`.
 *  - 'dense':   weights[o * srcSize + c] is the edge c → o (a full bipartite block, zeros allowed).
 *  - 'grouped': convolution with `groups` groups: weights[o * perGroup + j] is the edge
 *               (q(o) * perGroup + j) → o, q(o) = floor(o / (dstSize / groups)).
 *  - 'identity': one edge c → c of weight 1 per node (an identity shortcut).
 * With `srcIndex`, source column c is the graph-wide node srcIndex[c] instead of src's node c
 * (the block reads a concatenation, a split or a shuffle; `src` is the group of srcIndex[0]).
 * `diagonal`: a 'grouped' block with one edge c → c per node (an identity scaled by a post-norm).
 */
export interface EdgeBlock {
  src: number;
  dst: number;
  op: string;
  kind: 'dense' | 'grouped' | 'identity';
  weights: Float32Array;
  perGroup: number;
  groups: number;
  srcIndex?: Int32Array;
  diagonal?: boolean;
  /** The weights as scaled 16-bit floats (graph/packed.ts); `weights` is then empty. */
  packed?: PackedWeights;
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

export interface BuildOptions {
  file: string;
  flattenOrder?: 'chw' | 'hwc';
  /** Edges above which blocks are stored as 16-bit floats (default PACK_ABOVE_EDGES). */
  packAboveEdges?: number;
  /** Blocks with fewer edges stay float32 (default PACK_MIN_BLOCK). */
  packMinBlock?: number;
}

const EMPTY = new Float32Array(0);

/** A value: one whole group, or graph-wide node indices. */
type Val = { group: number } | { nodes: Int32Array };

const isWeightOp = (o: NetOp): o is WeightOp => o.op === 'conv' || o.op === 'dense' || o.op === 'matrix';
const inputsOf = (o: NetOp): ValueId[] => (o.op === 'add' || o.op === 'concat' ? o.inputs : o.op === 'input' ? [] : [o.input]);

export function buildRolledGraph(ops: NetOp[], opts: BuildOptions): RolledGraph {
  const file = opts.file;
  const groups: NodeGroup[] = [];
  const blocks: EdgeBlock[] = [];
  const warnings: string[] = [];
  const convInfo: RolledGraph['convInfo'] = new Map();
  const values = new Map<ValueId, Val>();
  /** Blocks of ops with an explicit `into`. */
  const routed = new Set<EdgeBlock>();
  let nodeCount = 0;
  const addGroup = (name: string, kind: NodeGroup['kind'], size: number): number => {
    groups.push({ name, kind, size, offset: nodeCount });
    nodeCount += size;
    return groups.length - 1;
  };
  const sizeOf = (v: Val): number => ('group' in v ? groups[v.group].size : v.nodes.length);
  const groupOfNode = (n: number): number => {
    let lo = 0;
    let hi = groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (groups[mid].offset <= n) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const nodesOf = (v: Val): Int32Array => {
    if (!('group' in v)) return v.nodes;
    const g = groups[v.group];
    return Int32Array.from({ length: g.size }, (_, i) => g.offset + i);
  };
  /** A node list that is exactly one whole group is that group. */
  const normal = (nodes: Int32Array): Val => {
    if (nodes.length === 0) return { nodes };
    const g = groupOfNode(nodes[0]);
    const gr = groups[g];
    if (nodes.length === gr.size && nodes.every((n, i) => n === gr.offset + i)) return { group: g };
    return { nodes };
  };
  const read = (v: ValueId, by: string): Val => {
    const val = values.get(v);
    if (!val) throw new ArchitectureError(file, `layer '${by}' reads '${v}', which no earlier layer produces`);
    return val;
  };

  // A conv/dense op whose only consumer is an add, and which is not the add's first (main-branch)
  // input, is a projection shortcut: its edges go into the main branch's group.
  // Looked up through maps: a chain of 20k layers must not cost 20k scans of the list.
  const consumers = new Map<ValueId, NetOp[]>();
  for (const op of ops) {
    for (const v of inputsOf(op)) {
      const list = consumers.get(v);
      if (list) list.push(op);
      else consumers.set(v, [op]);
    }
  }
  const producers = new Map<ValueId, NetOp>();
  for (const op of ops) if (!producers.has(op.name)) producers.set(op.name, op);
  const projectionInto = new Map<string, ValueId>();
  for (const op of ops) {
    if (op.op !== 'add') continue;
    for (const v of op.inputs.slice(1)) {
      const c = consumers.get(v) ?? [];
      const producer = producers.get(v);
      if (producer && (producer.op === 'conv' || producer.op === 'dense') && !producer.into && c.length === 1) projectionInto.set(v, op.inputs[0]);
    }
  }

  // Past packAboveEdges edges, every large block is kept as 16-bit floats (graph/packed.ts),
  // those built so far included: memory stays near 2 bytes per edge for the largest graphs.
  let weightsHeld = 0;
  let packing = false;
  /** Whole dense blocks by (src, dst): where a parallel block (a SwiGLU gate) is summed in. */
  const wholeDense = new Map<string, EdgeBlock>();
  const packAbove = opts.packAboveEdges ?? PACK_ABOVE_EDGES;
  const packMin = opts.packMinBlock ?? PACK_MIN_BLOCK;
  const packBlock = (b: EdgeBlock): void => {
    if (b.packed || b.weights.length < packMin) return;
    b.packed = pack(b.weights);
    b.weights = EMPTY;
  };
  const first = ops.find(isWeightOp);
  if (!first) throw new ArchitectureError(file, 'the network has no conv or dense layer');
  if (consumers.has('input') && !ops.some((o) => o.op === 'input' && o.name === 'input')) {
    const reader = ops.find((o) => isWeightOp(o) && o.input === 'input') as WeightOp | undefined;
    if (!reader || reader.op === 'matrix') throw new ArchitectureError(file, `the network input's width is not stated`);
    const inputSize = reader.op === 'conv' ? reader.weight.shape[1] * reader.groups : reader.weight.shape[1];
    values.set('input', { group: addGroup('input', 'input', inputSize) });
  }

  for (const op of ops) {
    if (op.op === 'input') {
      values.set(op.name, { group: addGroup(op.name, 'input', op.size) });
      continue;
    }
    if (op.op === 'concat') {
      const parts = op.inputs.map((v) => nodesOf(read(v, op.name)));
      const all = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      values.set(op.name, normal(all));
      continue;
    }
    if (op.op === 'select') {
      const src = nodesOf(read(op.input, op.name));
      const out = new Int32Array(op.channels.length);
      op.channels.forEach((c, i) => {
        if (!(c >= 0 && c < src.length)) throw new ArchitectureError(file, `'${op.name}' selects channel ${c} of '${op.input}', which has ${src.length}`);
        out[i] = src[c];
      });
      values.set(op.name, normal(out));
      continue;
    }
    if (op.op === 'add') {
      const target = op.inputs[0];
      const tv = values.get(target);
      if (tv === undefined) throw new ArchitectureError(file, `add '${op.name}' sums '${target}', which no earlier layer produces`);
      if (!('group' in tv)) throw new ArchitectureError(file, `add '${op.name}' sums into '${target}', which is not one layer's output`);
      const g = tv.group;
      const scale = normScale(op.norm, groups[g].size, file);
      for (const v of op.inputs.slice(1)) {
        if (projectionInto.has(v)) continue; // its edges were routed into g already
        const sv = values.get(v);
        if (sv === undefined) throw new ArchitectureError(file, `add '${op.name}' sums '${v}', which no earlier layer produces`);
        if (sizeOf(sv) !== groups[g].size) {
          throw new ArchitectureError(file, `add '${op.name}' sums '${v}' (${sizeOf(sv)} channels) with '${target}' (${groups[g].size} channels)`);
        }
        const srcIndex = 'group' in sv ? undefined : sv.nodes;
        const src = 'group' in sv ? sv.group : groupOfNode(sv.nodes[0]);
        const n = groups[g].size;
        if (scale) blocks.push({ src, dst: g, op: `${op.name} (identity shortcut, ${op.norm!.name} folded)`, kind: 'grouped', weights: scale.slice(), perGroup: 1, groups: n, srcIndex, diagonal: true });
        else blocks.push({ src, dst: g, op: `${op.name} (identity shortcut)`, kind: 'identity', weights: new Float32Array(0), perGroup: 1, groups: n, srcIndex });
      }
      values.set(op.name, { group: g });
      continue;
    }
    weightOp(op);
  }

  function weightOp(op: WeightOp): void {
    const before = blocks.length;
    weightOpBlocks(op);
    const last = blocks[blocks.length - 1];
    if (blocks.length === before + 1 && last.kind === 'dense' && !last.srcIndex) {
      const key = `${last.src}>${last.dst}`;
      const twin = wholeDense.get(key);
      if (op.into && twin && twin.weights.length + (twin.packed?.bits.length ?? 0) === last.weights.length) {
        // Parallel edges between the same two groups (a gate and its up projection): one block of
        // summed weights, which is what every metric sees of them, in half the memory.
        const sum = blockWeights(twin).slice();
        for (let i = 0; i < sum.length; i++) sum[i] += last.weights[i];
        twin.weights = sum;
        twin.packed = undefined;
        twin.op = `${twin.op} + ${last.op}`;
        blocks.pop();
        weightsHeld -= sum.length;
        if (packing) packBlock(twin);
        return;
      }
      if (!twin) wholeDense.set(key, last);
    }
    if (op.into) for (let i = before; i < blocks.length; i++) routed.add(blocks[i]);
    for (let i = before; i < blocks.length; i++) {
      weightsHeld += blocks[i].weights.length;
      if (packing) packBlock(blocks[i]);
    }
    if (!packing && weightsHeld > packAbove) {
      packing = true;
      for (const b of blocks) packBlock(b);
      warnings.push(`the graph has more than ${packAbove} edges: edge weights are kept as 16-bit floats scaled per block (relative rounding at most 2⁻¹¹ per weight) to hold it in memory`);
    }
  }
  function weightOpBlocks(op: WeightOp): void {
    const sv = read(op.input, op.name);
    const srcSize = sizeOf(sv);
    const out = op.op === 'matrix' ? op.out : op.weight.shape[0];
    let dst: number;
    const into = op.into ?? projectionInto.get(op.name);
    if (into !== undefined) {
      // The main branch's last op comes before the add but may come after this op in the list.
      let mv = values.get(into);
      if (mv === undefined && !op.into) {
        const mainOp = producers.get(into);
        if (!mainOp || (mainOp.op !== 'conv' && mainOp.op !== 'dense')) throw new ArchitectureError(file, `shortcut '${op.name}' is summed into '${into}', which is not a layer`);
        // Create the main branch's group now; the main op will reuse it.
        mv = { group: addGroup(mainOp.name, mainOp.op, mainOp.weight.shape[0]) };
        values.set(into, mv);
      }
      if (mv === undefined || !('group' in mv)) throw new ArchitectureError(file, `'${op.name}' is routed into '${into}', which is not one earlier layer's output`);
      dst = mv.group;
      if (groups[dst].size !== out) throw new ArchitectureError(file, `${op.into ? `'${op.name}'` : `shortcut '${op.name}'`} gives ${out} channels but '${into}' has ${groups[dst].size}`);
      if (!op.into) values.set(op.name, { group: dst });
    } else {
      const existing = values.get(op.name);
      dst = existing && 'group' in existing ? existing.group : addGroup(op.name, op.op === 'matrix' ? op.kind : op.op, out);
      values.set(op.name, { group: dst });
    }
    const srcIndex = 'group' in sv ? undefined : sv.nodes;
    const src = 'group' in sv ? sv.group : groupOfNode(sv.nodes[0]);
    if (op.op === 'matrix') {
      const ng = op.groups ?? 1;
      const weights = op.edges();
      if (weights.length !== out * (srcSize / ng) || srcSize % ng !== 0) throw new ArchitectureError(file, `'${op.name}' gives ${weights.length} edges for ${out} outputs from ${srcSize} inputs`);
      checkEdges(weights, op.name, file);
      blocks.push({ src, dst, op: op.name, kind: ng === 1 ? 'dense' : 'grouped', weights, perGroup: srcSize / ng, groups: ng, srcIndex });
      if (op.attributes) {
        const gr = groups[dst];
        gr.attributes = { ...gr.attributes };
        for (const [k, f] of Object.entries(op.attributes)) gr.attributes[k] = f();
      }
      return;
    }
    const w = op.weight;
    // A weight without elements (a zero dimension) has no edges to give, and its other dimensions
    // would size the edge block unchecked (fuzzing: shape [0, 2^40] asked for 2^45 floats).
    if (w.shape.some((d) => d === 0)) throw new ArchitectureError(file, `layer '${op.name}' has an empty weight '${w.name}' of shape [${w.shape.join(', ')}]`);
    const values_ = w.read();
    checkFinite(values_, w, file);
    const scale = normScale(op.norm, out, file);
    if (op.op === 'conv') {
      const perGroup = w.shape[1];
      const k = w.shape.slice(2).reduce((a, b) => a * b, 1);
      const ng = op.groups;
      if (perGroup * ng !== srcSize || out % ng !== 0) {
        throw new ArchitectureError(file, `conv '${w.name}' [${w.shape}] with ${ng} groups does not fit its input '${srcIndex ? op.input : groups[src].name}' of ${srcSize} channels`);
      }
      const inScale = op.inNorm ? normScale(op.inNorm, srcSize, file) : undefined;
      const weights = convEdges(values_, out, perGroup, k, ng, scale, inScale);
      checkEdges(weights, op.name, file);
      blocks.push({ src, dst, op: op.name, kind: ng === 1 ? 'dense' : 'grouped', weights, perGroup, groups: ng, srcIndex });
      convInfo.set(dst, { kernel: k, perGroup, inputGroup: src });
    } else {
      const fanIn = w.shape[1];
      if (fanIn % srcSize !== 0) {
        throw new ArchitectureError(file, `dense '${w.name}' [${w.shape}] has ${fanIn} inputs, not a multiple of the ${srcSize} nodes of '${srcIndex ? op.input : groups[src].name}'`);
      }
      const P = fanIn / srcSize; // positions per channel after a flatten (1 for a dense chain or global pooling)
      const n = op.inNorm ? (op.inNorm.weight ?? op.inNorm.runningVar)!.shape[0] : 0;
      const inScale = op.inNorm ? normScale(op.inNorm, n === fanIn ? fanIn : srcSize, file) : undefined;
      // values_ is this op's own copy (every TensorEntry.read returns a fresh array).
      const weights = denseEdges(values_, out, fanIn, srcSize, (op.flatten ?? opts.flattenOrder) === 'hwc', scale, inScale, true);
      checkEdges(weights, op.name, file);
      blocks.push({ src, dst, op: op.name, kind: 'dense', weights, perGroup: srcSize, groups: 1, srcIndex });
      if (P > 1) convInfo.set(dst, { kernel: P, perGroup: srcSize, inputGroup: src });
    }
  }

  return { file, groups, blocks, nodeCount, edgeCount: countEdges(groups, blocks, routed), warnings, convInfo };
}

/**
 * Distinct (src, dst) node pairs: an identity block that parallels a whole dense block adds no
 * pairs, nor does a block routed (`into`) parallel to a whole dense block between the same groups
 * (a SwiGLU gate). Projection shortcuts keep their own count, as they always have.
 */
function countEdges(groups: NodeGroup[], blocks: EdgeBlock[], routed: Set<EdgeBlock>): number {
  // Whole dense blocks per (src, dst) pair, counted once up front: linear in the blocks, however long the chain.
  const key = (b: EdgeBlock): number => b.src * (groups.length + 1) + b.dst;
  const isWholeDense = (b: EdgeBlock): boolean => b.kind === 'dense' && !b.srcIndex;
  const wholeDense = new Map<number, { count: number; first: number }>();
  blocks.forEach((o, i) => {
    if (!isWholeDense(o)) return;
    const e = wholeDense.get(key(o));
    if (e) e.count++;
    else wholeDense.set(key(o), { count: 1, first: i });
  });
  let edgeCount = 0;
  for (const [i, b] of blocks.entries()) {
    const diag = b.kind === 'identity' || b.diagonal === true;
    const e = wholeDense.get(key(b));
    const others = (e?.count ?? 0) - (isWholeDense(b) ? 1 : 0);
    if (diag && !b.srcIndex && others > 0) continue;
    if (routed.has(b) && isWholeDense(b) && e !== undefined && e.first < i) continue;
    edgeCount += b.kind === 'identity' ? groups[b.dst].size : edgeWeightCount(b);
  }
  return edgeCount;
}
