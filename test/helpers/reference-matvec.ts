/**
 * The plain, row-by-row product y += A x on a rolled graph's symmetric adjacency: the reference
 * the engine's eight-rows-at-a-time kernel (src/engine/metrics/matvec.ts) must equal bit for bit.
 * Kept beside the tests, not in the engine, since only the checks use it.
 */
import type { RolledGraph } from '../../src/engine/graph/rolled';

/** y += A x for the symmetric adjacency A (each block used in both directions). */
export function symmetricMatVec(g: RolledGraph, x: Float64Array, y: Float64Array): void {
  for (const b of g.blocks) {
    const so = g.groups[b.src].offset;
    const dof = g.groups[b.dst].offset;
    const dn = g.groups[b.dst].size;
    const w = b.weights;
    if (b.srcIndex) {
      // Scattered source nodes: the plain definition, edge by edge.
      const idx = b.srcIndex;
      const pg = b.kind === 'identity' ? 1 : b.perGroup;
      const outPerGroup = dn / (b.kind === 'dense' ? 1 : b.groups);
      for (let o = 0; o < dn; o++) {
        const col = b.kind === 'identity' ? o : b.kind === 'dense' ? 0 : Math.floor(o / outPerGroup) * pg;
        for (let j = 0; j < pg; j++) {
          const wv = b.kind === 'identity' ? 1 : w[o * pg + j];
          const s = idx[col + j];
          y[dof + o] += wv * x[s];
          y[s] += wv * x[dof + o];
        }
      }
      continue;
    }
    if (b.kind === 'identity') {
      for (let c = 0; c < dn; c++) {
        y[dof + c] += x[so + c];
        y[so + c] += x[dof + c];
      }
    } else if (b.kind === 'dense') {
      const sn = b.perGroup;
      for (let o = 0; o < dn; o++) {
        const row = o * sn;
        let acc = 0;
        const xo = x[dof + o];
        for (let c = 0; c < sn; c++) {
          const wv = w[row + c];
          acc += wv * x[so + c];
          y[so + c] += wv * xo;
        }
        y[dof + o] += acc;
      }
    } else {
      const pg = b.perGroup;
      const outPerGroup = dn / b.groups;
      for (let o = 0; o < dn; o++) {
        const base = so + Math.floor(o / outPerGroup) * pg;
        const xo = x[dof + o];
        let acc = 0;
        for (let j = 0; j < pg; j++) {
          const wv = w[o * pg + j];
          acc += wv * x[base + j];
          y[base + j] += wv * xo;
        }
        y[dof + o] += acc;
      }
    }
  }
}
