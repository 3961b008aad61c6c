/**
 * Connected components of a rolled graph's wiring (its edges, whatever their weight: a layer
 * initialised to zeros, as torchvision's ViT head is, is wired all the same).
 * Several components mean eigenvector centrality is zero outside the one with the largest
 * eigenvalue: the analysis says so in a warning.
 */
import type { RolledGraph } from './rolled';

export interface Components {
  count: number;
  /** Component of every node, numbered by first node. */
  label: Int32Array;
  /** Nodes per component. */
  sizes: number[];
}

export function connectedComponents(g: RolledGraph): Components {
  const parent = new Int32Array(g.nodeCount).map((_, i) => i);
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra < rb ? rb : ra] = ra < rb ? ra : rb;
  };
  for (const b of g.blocks) {
    const so = g.groups[b.src].offset;
    const dof = g.groups[b.dst].offset;
    const dn = g.groups[b.dst].size;
    const srcNode = (c: number): number => (b.srcIndex ? b.srcIndex[c] : so + c);
    if (b.kind === 'identity') {
      for (let c = 0; c < dn; c++) union(srcNode(c), dof + c);
      continue;
    }
    // Every edge of a dense block joins its sources to its outputs; a grouped block, group by group.
    const pg = b.perGroup;
    const outPerGroup = dn / b.groups;
    for (let o = 0; o < dn; o++) {
      const col = b.kind === 'grouped' ? Math.floor(o / outPerGroup) * pg : 0;
      if (b.kind === 'dense' && o > 0) {
        union(srcNode(0), dof + o);
        continue;
      }
      for (let j = 0; j < pg; j++) union(srcNode(col + j), dof + o);
    }
  }
  const label = new Int32Array(g.nodeCount);
  const ids = new Map<number, number>();
  const sizes: number[] = [];
  for (let i = 0; i < g.nodeCount; i++) {
    const r = find(i);
    let id = ids.get(r);
    if (id === undefined) {
      ids.set(r, (id = sizes.length));
      sizes.push(0);
    }
    label[i] = id;
    sizes[id]++;
  }
  return { count: sizes.length, label, sizes };
}

/** The warning for a graph of several components: how many, and which layers are cut off from the largest. */
export function componentsWarning(g: RolledGraph, c: Components): string | undefined {
  if (c.count <= 1) return undefined;
  let main = 0;
  for (let i = 1; i < c.sizes.length; i++) if (c.sizes[i] > c.sizes[main]) main = i;
  const apart = g.groups.filter((gr) => {
    for (let i = 0; i < gr.size; i++) if (c.label[gr.offset + i] === main) return false;
    return true;
  });
  const names = apart.slice(0, 6).map((gr) => `'${gr.name}'`).join(', ') + (apart.length > 6 ? `, … (${apart.length} layers)` : '');
  return `the rolled graph has ${c.count} connected components (the largest holds ${c.sizes[main]} of ${g.nodeCount} nodes); eigenvector centrality is zero outside the component with the largest eigenvalue${apart.length ? `; not connected to the largest: ${names}` : ''}`;
}
