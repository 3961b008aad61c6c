/**
 * Weighted degree of every node of a rolled graph: `in` sums the weights of edges from earlier
 * layers, `out` the weights of edges to later layers, `total = in + out` is the undirected
 * weighted degree (networkx `G.degree(weight="weight")`).
 *
 * Reference: Barrat et al., "The architecture of complex weighted networks", PNAS 2004 (strength).
 */
import type { RolledGraph } from '../graph/rolled';
import { blockRows } from '../graph/packed';

export interface Degrees {
  in: Float64Array;
  out: Float64Array;
  total: Float64Array;
}

export function weightedDegree(g: RolledGraph): Degrees {
  const n = g.nodeCount;
  const din = new Float64Array(n);
  const dout = new Float64Array(n);
  for (const b of g.blocks) {
    const so = g.groups[b.src].offset;
    const dof = g.groups[b.dst].offset;
    const dn = g.groups[b.dst].size;
    // A block reading scattered nodes (srcIndex) adds its source side node by node.
    const idx = b.srcIndex;
    if (b.kind === 'identity') {
      for (let c = 0; c < dn; c++) {
        din[dof + c] += 1;
        dout[idx ? idx[c] : so + c] += 1;
      }
      continue;
    }
    const pg = b.perGroup;
    const outPerGroup = dn / b.groups;
    // Row o of the block is weights [o·pg, (o+1)·pg); packed blocks are decoded a chunk of rows at a time.
    blockRows(b, 0, dn, pg, (weights, offset, rowsN, first) => {
      for (let r = 0; r < rowsN; r++) {
        const o = first + r;
        const col = b.kind === 'grouped' ? Math.floor(o / outPerGroup) * pg : 0;
        const base = so + col;
        const row = offset + r * pg;
        let acc = 0;
        for (let j = 0; j < pg; j++) {
          const w = weights[row + j];
          acc += w;
          if (idx) dout[idx[col + j]] += w;
          else dout[base + j] += w;
        }
        din[dof + o] += acc;
      }
    });
  }
  const total = new Float64Array(n);
  for (let i = 0; i < n; i++) total[i] = din[i] + dout[i];
  return { in: din, out: dout, total };
}
