/**
 * Eigenvector centrality component by component, for graphs that are disconnected by construction
 * (the layer-local fallback): each component's Perron vector, scaled so that its squared norm is
 * its share of the nodes (a component's nodes then average 1 after the usual ×√N, as in a
 * connected graph). The eigenvalue reported is the largest.
 */
import { NumericError } from '../errors';
import type { Components } from '../graph/components';
import type { RolledGraph, EdgeBlock, NodeGroup } from '../graph/rolled';
import { eigenvectorCentrality, type EigenOptions, type EigenResult } from './eigenvector';
import { edgeWeightCount } from '../graph/packed';

export function centralityByComponent(g: RolledGraph, comps: Components, opts: Partial<EigenOptions> = {}): EigenResult & { failed: string[] } {
  const vector = new Float64Array(g.nodeCount);
  let eigenvalue = 0;
  let products = 0;
  let residual = 0;
  const failed: string[] = [];
  // Groups and blocks of each component (a group belongs to the component of its first node).
  const byComp = new Map<number, { groups: number[]; blocks: EdgeBlock[] }>();
  g.groups.forEach((gr, i) => {
    const c = comps.label[gr.offset];
    const e = byComp.get(c) ?? { groups: [], blocks: [] };
    e.groups.push(i);
    byComp.set(c, e);
  });
  for (const b of g.blocks) byComp.get(comps.label[g.groups[b.dst].offset])?.blocks.push(b);
  for (const { groups, blocks } of byComp.values()) {
    if (blocks.length === 0 || blocks.some((b) => b.srcIndex || !groups.includes(b.src))) continue;
    const remap = new Map<number, number>();
    let n = 0;
    const sub: NodeGroup[] = groups.map((gi, k) => {
      remap.set(gi, k);
      const gr = { ...g.groups[gi], offset: n };
      n += gr.size;
      return gr;
    });
    const sg: RolledGraph = { ...g, groups: sub, blocks: blocks.map((b) => ({ ...b, src: remap.get(b.src)!, dst: remap.get(b.dst)! })), nodeCount: n, edgeCount: blocks.reduce((a, b) => a + edgeWeightCount(b), 0), convInfo: new Map() };
    const start = opts.start && opts.start.length === g.nodeCount ? gather(g, groups, opts.start, n) : undefined;
    try {
      const r = eigenvectorCentrality(sg, { ...opts, start });
      const scale = Math.sqrt(n / g.nodeCount);
      let k = 0;
      for (const gi of groups) {
        const gr = g.groups[gi];
        for (let i = 0; i < gr.size; i++) vector[gr.offset + i] = r.vector[k++] * scale;
      }
      eigenvalue = Math.max(eigenvalue, r.eigenvalue);
      products += r.products;
      residual = Math.max(residual, r.residual);
    } catch (e) {
      if (!(e instanceof NumericError)) throw e;
      failed.push(groups.map((gi) => g.groups[gi].name).join(' → '));
    }
  }
  return { vector, eigenvalue, products, residual, failed };
}

function gather(g: RolledGraph, groups: number[], start: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  let k = 0;
  for (const gi of groups) {
    const gr = g.groups[gi];
    for (let i = 0; i < gr.size; i++) out[k++] = start[gr.offset + i];
  }
  return out;
}
