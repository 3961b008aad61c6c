/**
 * How a drawn graph's numbers become colours and sizes: node colour from eigenvector centrality
 * (sequential scale) or from its change against another epoch (diverging scale), node diameter
 * from weighted degree, edge width and opacity from weight. Pure functions of the data.
 */
import type { DrawEdge, DrawGraph, DrawNode } from '../src/shared/dashboard-protocol';
import { normalize, type Scale } from './colors';
import type { Layout } from './layout';

/** Centrality and degree are skewed (a few hubs): colours and sizes use their square root. */
export const VALUE_POWER = 0.5;

/** Distinct node sizes per layer column. */
export const SIZE_STEPS = 16;

/** Distinct edge widths (and opacities). */
export const EDGE_STEPS = 12;

export interface NodeVisualOptions {
  sequential: Scale;
  diverging: Scale;
  /** Upper end of the colour scale: the run's largest centrality (so epochs compare), else the graph's. */
  centralityMax: number;
  /** Largest weighted degree of the run (node sizes compare across epochs), else the graph's. */
  degreeMax: number;
  /** Compare mode: centrality of each node id at the other epoch. */
  compare?: ReadonlyMap<string, number> | null;
}

export interface NodeVisuals {
  colors: string[];
  sizes: number[];
  /** Compare mode: centrality change per node (NaN where the other epoch lacks the node). */
  deltas: number[] | null;
  /** Compare mode: the largest |change|, the diverging scale's end. */
  deltaMax: number;
}

export function maxOf(values: Iterable<number>): number {
  let m = 0;
  for (const v of values) if (Number.isFinite(v) && v > m) m = v;
  return m;
}

export function nodeVisuals(nodes: readonly DrawNode[], layout: Layout, o: NodeVisualOptions): NodeVisuals {
  const n = nodes.length;
  const colors = new Array<string>(n);
  const sizes = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const d = layout.columns[layout.column[i]].diameter;
    // Sizes in 1/16 steps of the column's diameter: differences finer than that do not show.
    const t = Math.round(normalize(nodes[i].degree, 0, o.degreeMax, VALUE_POWER) * SIZE_STEPS) / SIZE_STEPS;
    sizes[i] = Math.max(0.5, Math.round(d * (0.3 + 0.7 * t) * 100) / 100);
  }
  if (!o.compare) {
    for (let i = 0; i < n; i++) colors[i] = o.sequential(normalize(nodes[i].centrality, 0, o.centralityMax, VALUE_POWER));
    return { colors, sizes, deltas: null, deltaMax: 0 };
  }
  const deltas = new Array<number>(n);
  let dMax = 0;
  for (let i = 0; i < n; i++) {
    const before = o.compare.get(nodes[i].id);
    const d = before === undefined ? NaN : nodes[i].centrality - before;
    deltas[i] = d;
    if (Number.isFinite(d) && Math.abs(d) > dMax) dMax = Math.abs(d);
  }
  for (let i = 0; i < n; i++) {
    const d = deltas[i];
    const t = Number.isFinite(d) && dMax > 0 ? d / dMax : 0;
    colors[i] = o.diverging(Math.sign(t) * Math.pow(Math.abs(t), VALUE_POWER));
  }
  return { colors, sizes, deltas, deltaMax: dMax };
}

/** The q-quantile of the weights (q in 0..1), by sorting a copy. */
export function quantile(values: readonly number[], q: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return 0;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, v.length - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

export interface EdgeVisuals {
  widths: number[];
  opacities: number[];
}

/**
 * Edge width and opacity grow with weight, normalised by the graph's 98th percentile so that a few
 * very heavy edges (identity shortcuts weigh 1) do not make every other edge invisible.
 */
export function edgeVisuals(edges: readonly Pick<DrawEdge, 'weight'>[], layout: Layout): EdgeVisuals {
  const ref = quantile(edges.map((e) => Math.abs(e.weight)), 0.98) || maxOf(edges.map((e) => Math.abs(e.weight))) || 1;
  const widths = new Array<number>(edges.length);
  const opacities = new Array<number>(edges.length);
  const u = layout.edgeUnit;
  for (let i = 0; i < edges.length; i++) {
    const t = normalize(Math.abs(edges[i].weight), 0, ref);
    // Quantised (EDGE_STEPS levels): edges sorted by weight come in runs of equal width and
    // opacity, so the painter rarely changes its line state.
    const q = Math.round(t * EDGE_STEPS) / EDGE_STEPS;
    widths[i] = Math.round(u * (0.3 + 2.7 * q) * 1000) / 1000;
    // Light edges fade out (thousands of them overlap), heavy ones stand out.
    opacities[i] = Math.round((0.03 + 0.5 * Math.pow(q, 1.3)) * 100) / 100;
  }
  return { widths, opacities };
}

/** Per-node values of a graph by id (for compare mode and "change since the previous epoch"). */
export function centralityById(g: DrawGraph): Map<string, number> {
  const m = new Map<string, number>();
  for (const n of g.nodes) m.set(n.id, n.centrality);
  return m;
}

/** Rank of each node's centrality within its layer, as a percentile 0..100 (for the details). */
export function percentileInLayer(g: DrawGraph, id: string): number | null {
  const node = g.nodes.find((n) => n.id === id);
  if (!node) return null;
  const peers = g.nodes.filter((n) => n.layer === node.layer);
  if (peers.length <= 1) return null;
  const below = peers.filter((n) => n.centrality < node.centrality).length;
  return Math.round((below / (peers.length - 1)) * 100);
}
