/**
 * The layered layout of a drawn graph: one column per layer in network order (DrawLayer.index),
 * the nodes of a layer spread vertically in index order. Deterministic and O(nodes): it is fed to
 * Cytoscape's `preset` layout. Pure function of the graph's structure (never of its values), so
 * every epoch of a run with the same thinning lands on the same positions.
 */
import type { DrawLayer, DrawNode } from '../src/shared/dashboard-protocol';

export interface LayoutColumn {
  /** DrawLayer.index */
  layer: number;
  name: string;
  x: number;
  /** Nodes in the column. */
  count: number;
  /** Vertical distance between neighbouring nodes (Infinity for a single node). */
  pitch: number;
  /** Largest node diameter that fits the column without overlaps. */
  diameter: number;
}

export interface Layout {
  /** One position per input node, same order. */
  positions: { x: number; y: number }[];
  columns: LayoutColumn[];
  /** Column of each input node (index into `columns`). */
  column: number[];
  width: number;
  height: number;
  /** Column spacing. */
  gap: number;
  /** Edge width scale: the thickest edge is about `4 * edgeUnit`. */
  edgeUnit: number;
}

export interface LayoutOptions {
  /** Width / height the drawing should roughly have (the container's, when known). */
  aspect?: number;
}

/** Height given to the tallest column, in model units (Cytoscape scales everything to fit). */
const BASE_HEIGHT = 1000;

export function layeredLayout(layers: readonly DrawLayer[], nodes: readonly DrawNode[], opts: LayoutOptions = {}): Layout {
  const aspect = opts.aspect && Number.isFinite(opts.aspect) && opts.aspect > 0 ? Math.min(Math.max(opts.aspect, 0.5), 4) : 1.6;
  // Columns: every layer listed, plus any layer a node names that the list forgot (defensive).
  const names = new Map<number, string>();
  for (const l of layers) names.set(l.index, l.name);
  for (const n of nodes) if (!names.has(n.layer)) names.set(n.layer, `layer ${n.layer}`);
  const order = [...names.keys()].sort((a, b) => a - b);
  const colOf = new Map<number, number>();
  order.forEach((layer, k) => colOf.set(layer, k));

  // Members of each column in index order (ties: input order, so the result is deterministic).
  const members: number[][] = order.map(() => []);
  nodes.forEach((n, i) => members[colOf.get(n.layer)!].push(i));
  for (const m of members) m.sort((a, b) => nodes[a].index - nodes[b].index || a - b);

  const nMax = Math.max(1, ...members.map((m) => m.length));
  const H = BASE_HEIGHT;
  const L = order.length;
  const gap = L > 1 ? Math.max((H * aspect) / (L - 1), H * 0.05) : H * 0.5;
  const dMax = H * 0.05;

  const positions: { x: number; y: number }[] = new Array(nodes.length);
  const column: number[] = new Array(nodes.length);
  const columns: LayoutColumn[] = order.map((layer, k) => {
    const m = members[k];
    const n = m.length;
    // A column's span grows with the square root of its share of the tallest column: narrow
    // layers stay readable instead of being stretched over the full height or squeezed together.
    const span = n > 1 ? (nMax > 1 ? H * Math.sqrt((n - 1) / (nMax - 1)) : 0) : 0;
    const pitch = n > 1 ? span / (n - 1) : Infinity;
    const x = k * gap;
    m.forEach((nodeIndex, i) => {
      positions[nodeIndex] = { x, y: n > 1 ? -span / 2 + i * pitch : 0 };
      column[nodeIndex] = k;
    });
    const diameter = Math.min(dMax, 0.8 * pitch, 0.6 * gap);
    return { layer, name: names.get(layer)!, x, count: n, pitch, diameter };
  });
  return { positions, columns, column, width: (L - 1) * gap, height: H, gap, edgeUnit: H * 0.001 };
}

/** Identity of a drawing's structure: equal keys ⇒ same nodes in the same places. */
export function structureKey(layers: readonly DrawLayer[], nodes: readonly DrawNode[]): string {
  let h = 0x811c9dc5;
  const feed = (s: string): void => {
    for (let j = 0; j < s.length; j++) {
      h ^= s.charCodeAt(j);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f;
    h = Math.imul(h, 0x01000193);
  };
  for (const l of layers) feed(`${l.index}:${l.name}`);
  for (const n of nodes) feed(`${n.id}@${n.layer}:${n.index}`);
  return `${nodes.length}:${layers.length}:${(h >>> 0).toString(16)}`;
}
