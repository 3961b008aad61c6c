/**
 * A drawable version of a checkpoint's rolled graph (`ThinGraph`), small enough for a webview to
 * lay out: a ResNet's rolled graph has tens of thousands of nodes and millions of edges,
 * a browser draws a few thousand of each.
 *
 * Two steps, both reported in words in `thinned`:
 *  1. Layers wider than `groupAbove` nodes are drawn as `groups` groups of consecutive nodes. A
 *     group's degree and centrality are the means over its members (the same scale as a single
 *     node, so colours compare across layers), and an edge between two drawn nodes carries the
 *     SUM of the member edges it stands for (parallel edges are summed in the rolled graph too).
 *  2. When more than `maxEdges` drawn edges remain, each edge is ranked at both of its ends
 *     (its position among that node's edges by weight, heaviest first) and keeps the better rank;
 *     edges are then taken by rank, heaviest first within a rank. The result holds the top k edges
 *     of every node for the largest k that fits, filled up with the heaviest edges of rank k, so
 *     no node loses its strongest connection while a heavier edge elsewhere is drawn.
 */
import type { CheckpointAnalysis } from '../analyze-checkpoint';
import type { RolledGraph } from './rolled';
import { blockWeights } from './packed';

/** One drawn layer: a column of the layered layout. */
export interface ThinLayer {
  index: number;
  name: string;
  kind: 'input' | 'conv' | 'dense';
  /** Nodes of the layer in the full rolled graph. */
  nodes: number;
  /** Nodes drawn: fewer than `nodes` when neighbouring nodes are aggregated into groups. */
  drawn: number;
}

export interface ThinNode {
  /** `<layer>:<index>`. */
  id: string;
  layer: number;
  /** Position within the layer (group index when aggregated). */
  index: number;
  /** Rolled-graph nodes this drawn node stands for (1 unless aggregated). */
  members: number;
  /** Weighted degree and eigenvector centrality, means over the members. */
  degree: number;
  centrality: number;
}

export interface ThinEdge {
  source: string;
  target: string;
  /** Sum of the rolled-graph edge weights it stands for. */
  weight: number;
}

/**
 * The thinned graph. The engine owns this shape; the dashboard's DrawGraph is mapped from it on
 * the host (runtime/live/view-model.ts), so the two can evolve separately.
 */
export interface ThinGraph {
  file: string;
  epoch: number | null;
  layers: ThinLayer[];
  nodes: ThinNode[];
  edges: ThinEdge[];
  totalNodes: number;
  totalEdges: number;
  /** Why and how the drawing was thinned, in words, or null when everything is drawn. */
  thinned: string | null;
}

export interface ThinOptions {
  /** Layers with more nodes than this are aggregated. */
  groupAbove: number;
  /** Number of groups an aggregated layer is drawn as. */
  groups: number;
}

export const THIN_DEFAULTS: ThinOptions = { groupAbove: 64, groups: 64 };

export interface ThinInput {
  analysis: Pick<CheckpointAnalysis, 'path' | 'epoch'>;
  graph: RolledGraph;
  nodes: { degree: ArrayLike<number>; centrality: ArrayLike<number> };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Drawn position of every node of a layer: identity, or the group of consecutive nodes it falls in. */
function layerMap(size: number, opts: ThinOptions): { drawn: number; of: (i: number) => number } {
  if (size <= opts.groupAbove) return { drawn: size, of: (i) => i };
  const g = Math.min(opts.groups, size);
  return { drawn: g, of: (i) => Math.floor((i * g) / size) };
}

export function thinGraph(input: ThinInput, maxEdges: number, options: Partial<ThinOptions> = {}): ThinGraph {
  const opts = { ...THIN_DEFAULTS, ...options };
  const { graph, nodes } = input;
  const budget = Math.max(0, Math.floor(maxEdges));

  // Step 1: layers and (possibly aggregated) nodes.
  const maps = graph.groups.map((gr) => layerMap(gr.size, opts));
  const layers: ThinLayer[] = graph.groups.map((gr, i) => ({ index: i, name: gr.name, kind: gr.kind, nodes: gr.size, drawn: maps[i].drawn }));
  const drawNodes: ThinNode[] = [];
  const firstDrawn: number[] = [];
  graph.groups.forEach((gr, li) => {
    firstDrawn.push(drawNodes.length);
    const m = maps[li];
    const members = new Array<number>(m.drawn).fill(0);
    const deg = new Array<number>(m.drawn).fill(0);
    const cen = new Array<number>(m.drawn).fill(0);
    for (let i = 0; i < gr.size; i++) {
      const d = m.of(i);
      members[d]++;
      deg[d] += nodes.degree[gr.offset + i];
      cen[d] += nodes.centrality[gr.offset + i];
    }
    for (let d = 0; d < m.drawn; d++) {
      drawNodes.push({ id: `${li}:${d}`, layer: li, index: d, members: members[d], degree: deg[d] / members[d], centrality: cen[d] / members[d] });
    }
  });
  const aggregated = layers.filter((l) => l.drawn < l.nodes);

  // Edges between drawn nodes, accumulated per pair of layers in a dense matrix (drawn sizes are small).
  const pairs = new Map<string, { src: number; dst: number; w: Float64Array }>();
  const pairOf = (src: number, dst: number): Float64Array => {
    const key = `${src}>${dst}`;
    let acc = pairs.get(key);
    if (!acc) pairs.set(key, (acc = { src, dst, w: new Float64Array(maps[src].drawn * maps[dst].drawn) }));
    return acc.w;
  };
  const starts = graph.groups.map((g) => g.offset);
  const groupOfNode = (n: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= n) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const b of graph.blocks) {
    // A packed block (graph/packed.ts) is decoded for its turn only.
    const bw = blockWeights(b);
    if (b.srcIndex) {
      // Scattered sources (a concatenation, split or shuffle): edge by edge, into the pair of each source's layer.
      const dn = graph.groups[b.dst].size;
      const dm = maps[b.dst];
      const pg = b.kind === 'identity' ? 1 : b.perGroup;
      const outPerGroup = dn / (b.kind === 'dense' ? 1 : b.groups);
      for (let o = 0; o < dn; o++) {
        const col = b.kind === 'identity' ? o : b.kind === 'dense' ? 0 : Math.floor(o / outPerGroup) * pg;
        for (let j = 0; j < pg; j++) {
          const s = b.srcIndex[col + j];
          const gs = groupOfNode(s);
          pairOf(gs, b.dst)[dm.of(o) * maps[gs].drawn + maps[gs].of(s - starts[gs])] += b.kind === 'identity' ? 1 : bw[o * pg + j];
        }
      }
      continue;
    }
    const key = `${b.src}>${b.dst}`;
    const sm = maps[b.src];
    const dm = maps[b.dst];
    let acc = pairs.get(key);
    if (!acc) pairs.set(key, (acc = { src: b.src, dst: b.dst, w: new Float64Array(sm.drawn * dm.drawn) }));
    const w = acc.w;
    const dn = graph.groups[b.dst].size;
    const sn = sm.drawn;
    if (b.kind === 'identity') {
      for (let c = 0; c < dn; c++) w[dm.of(c) * sn + sm.of(c)] += 1;
    } else if (b.kind === 'dense') {
      const fan = b.perGroup;
      for (let o = 0; o < dn; o++) {
        const row = dm.of(o) * sn;
        for (let c = 0; c < fan; c++) w[row + sm.of(c)] += bw[o * fan + c];
      }
    } else {
      const pg = b.perGroup;
      const outPerGroup = dn / b.groups;
      for (let o = 0; o < dn; o++) {
        const row = dm.of(o) * sn;
        const base = Math.floor(o / outPerGroup) * pg;
        for (let j = 0; j < pg; j++) w[row + sm.of(base + j)] += bw[o * pg + j];
      }
    }
  }
  const cand: { s: number; t: number; w: number }[] = [];
  for (const { src, dst, w } of pairs.values()) {
    const sn = maps[src].drawn;
    for (let i = 0; i < w.length; i++) {
      if (w[i] > 0) cand.push({ s: firstDrawn[src] + (i % sn), t: firstDrawn[dst] + Math.floor(i / sn), w: w[i] });
    }
  }

  // Step 2: keep at most `budget` edges, by rank at the better end, heaviest first.
  let kept = cand;
  let perNode: number | null = null;
  let filled = false;
  if (cand.length > budget) {
    cand.sort((a, b) => b.w - a.w);
    const seen = new Int32Array(drawNodes.length);
    const rank = cand.map((e) => Math.min(seen[e.s]++, seen[e.t]++));
    const order = cand.map((_, i) => i).sort((a, b) => rank[a] - rank[b] || cand[b].w - cand[a].w);
    kept = order.slice(0, budget).map((i) => cand[i]);
    // The largest k with every edge of rank < k kept.
    perNode = rank[order[budget]];
    filled = budget > 0 && rank[order[budget - 1]] === perNode;
  }
  const edges: ThinEdge[] = kept.map((e) => ({ source: drawNodes[e.s].id, target: drawNodes[e.t].id, weight: e.w }));

  const notes: string[] = [];
  if (perNode !== null) {
    notes.push(
      perNode >= 1
        ? `Showing ${fmt(edges.length)} of ${fmt(graph.edgeCount)} edges: top ${perNode} per node${filled ? ', then the heaviest of the rest' : ''}`
        : `Showing ${fmt(edges.length)} of ${fmt(graph.edgeCount)} edges: the heaviest edge of as many nodes as fit (fewer edges allowed than nodes)`,
    );
  } else if (aggregated.length) {
    notes.push(`Showing ${fmt(edges.length)} group edges for ${fmt(graph.edgeCount)} edges`);
  }
  if (aggregated.length) {
    const sizes = [...new Set(aggregated.map((l) => l.drawn))];
    notes.push(`layers wider than ${opts.groupAbove} nodes drawn as ${sizes.join('/')} groups of consecutive nodes (${aggregated.length} layer${aggregated.length === 1 ? '' : 's'}; group edges are sums of member edges)`);
  }
  return {
    file: input.analysis.path,
    epoch: input.analysis.epoch,
    layers,
    nodes: drawNodes,
    edges,
    totalNodes: graph.nodeCount,
    totalEdges: graph.edgeCount,
    thinned: notes.length ? notes.join('; ') : null,
  };
}
