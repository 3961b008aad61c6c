/**
 * y += A x for the symmetric adjacency of a rolled graph: the product the eigen solvers spend
 * nearly all their time in (a ResNet-50 takes ~40 products of 15M edges each).
 *
 * Same arithmetic as the plain row-by-row product (`symmetricMatVec` in test/helpers/reference-matvec.ts, which bench:smoke compares it with), bit for bit — the committed zoo
 * features are compared at 7 significant digits, so a faster kernel must not change a single
 * rounding — but eight output rows at a time: each source-side x[c] is loaded once for eight
 * weights and each y[c] is read and written once instead of eight times. Every y[c] still receives
 * its terms in ascending row order and every row sum is still accumulated in column order, so
 * the results are identical. On ResNet-50's graph: 40 ms per product row by row, 21 ms four rows
 * at a time, 17.5 ms eight.
 * A grouped (or depthwise) convolution is a dense block per group.
 */
import type { EdgeBlock, RolledGraph } from '../graph/rolled';
import { blockRows } from '../graph/packed';

/**
 * Rows [0, rows) of a dense block whose row r holds weights w[w0 + r*cols + c] for edges
 * (src c) -> (dst r): yd[r] += Σ_c w·xs[c] and ys[c] += w·xd[r].
 */
function denseRows(w: Float32Array, w0: number, rows: number, cols: number, xs: Float64Array, ys: Float64Array, xd: Float64Array, yd: Float64Array): void {
  let r = 0;
  for (; r + 8 <= rows; r += 8) {
    const r0 = w0 + r * cols;
    const r1 = r0 + cols;
    const r2 = r1 + cols;
    const r3 = r2 + cols;
    const r4 = r3 + cols;
    const r5 = r4 + cols;
    const r6 = r5 + cols;
    const r7 = r6 + cols;
    const x0 = xd[r];
    const x1 = xd[r + 1];
    const x2 = xd[r + 2];
    const x3 = xd[r + 3];
    const x4 = xd[r + 4];
    const x5 = xd[r + 5];
    const x6 = xd[r + 6];
    const x7 = xd[r + 7];
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    for (let c = 0; c < cols; c++) {
      const xc = xs[c];
      const w0c = w[r0 + c];
      const w1c = w[r1 + c];
      const w2c = w[r2 + c];
      const w3c = w[r3 + c];
      const w4c = w[r4 + c];
      const w5c = w[r5 + c];
      const w6c = w[r6 + c];
      const w7c = w[r7 + c];
      a0 += w0c * xc;
      a1 += w1c * xc;
      a2 += w2c * xc;
      a3 += w3c * xc;
      a4 += w4c * xc;
      a5 += w5c * xc;
      a6 += w6c * xc;
      a7 += w7c * xc;
      // Left to right, as eight separate `ys[c] += w * x` in row order would add them.
      ys[c] = ys[c] + w0c * x0 + w1c * x1 + w2c * x2 + w3c * x3 + w4c * x4 + w5c * x5 + w6c * x6 + w7c * x7;
    }
    yd[r] += a0;
    yd[r + 1] += a1;
    yd[r + 2] += a2;
    yd[r + 3] += a3;
    yd[r + 4] += a4;
    yd[r + 5] += a5;
    yd[r + 6] += a6;
    yd[r + 7] += a7;
  }
  for (; r < rows; r++) {
    const row = w0 + r * cols;
    const xr = xd[r];
    let acc = 0;
    for (let c = 0; c < cols; c++) {
      const wv = w[row + c];
      acc += wv * xs[c];
      ys[c] += wv * xr;
    }
    yd[r] += acc;
  }
}

/** y += A x, A the symmetric adjacency of `g` (each block used in both directions). */
export function symmetricProduct(g: RolledGraph, x: Float64Array, y: Float64Array): void {
  for (const b of g.blocks) {
    if (b.srcIndex) {
      gatheredProduct(g, b, x, y);
      continue;
    }
    const so = g.groups[b.src].offset;
    const dof = g.groups[b.dst].offset;
    const dn = g.groups[b.dst].size;
    if (b.kind === 'identity') {
      for (let c = 0; c < dn; c++) {
        y[dof + c] += x[so + c];
        y[so + c] += x[dof + c];
      }
    } else if (b.kind === 'dense') {
      const cols = b.perGroup;
      blockProduct(b, 0, dn, cols, x.subarray(so, so + cols), y.subarray(so, so + cols), x.subarray(dof, dof + dn), y.subarray(dof, dof + dn));
    } else {
      // Group q: outputs [q*opg, (q+1)*opg) read inputs [q*pg, (q+1)*pg), weights row-major from
      // q*opg*pg. buildRolledGraph has checked that pg * groups = source size and groups | dn.
      const pg = b.perGroup;
      const opg = dn / b.groups;
      for (let q = 0; q < b.groups; q++) {
        const s0 = so + q * pg;
        const d0 = dof + q * opg;
        blockProduct(b, q * opg * pg, opg, pg, x.subarray(s0, s0 + pg), y.subarray(s0, s0 + pg), x.subarray(d0, d0 + opg), y.subarray(d0, d0 + opg));
      }
    }
  }
}

/**
 * A block whose source columns are scattered nodes (it reads a concatenation, split or shuffle):
 * the same kernel on the gathered source values, then the source side scattered back.
 */
function gatheredProduct(g: RolledGraph, b: EdgeBlock, x: Float64Array, y: Float64Array): void {
  const idx = b.srcIndex!;
  const dof = g.groups[b.dst].offset;
  const dn = g.groups[b.dst].size;
  const xs = new Float64Array(idx.length);
  const ys = new Float64Array(idx.length);
  for (let c = 0; c < idx.length; c++) xs[c] = x[idx[c]];
  const xd = x.subarray(dof, dof + dn);
  const yd = y.subarray(dof, dof + dn);
  if (b.kind === 'identity') {
    for (let c = 0; c < dn; c++) {
      yd[c] += xs[c];
      ys[c] += xd[c];
    }
  } else if (b.kind === 'dense') {
    blockProduct(b, 0, dn, b.perGroup, xs, ys, xd, yd);
  } else {
    const pg = b.perGroup;
    const opg = dn / b.groups;
    for (let q = 0; q < b.groups; q++) {
      blockProduct(b, q * opg * pg, opg, pg, xs.subarray(q * pg, (q + 1) * pg), ys.subarray(q * pg, (q + 1) * pg), xd.subarray(q * opg, (q + 1) * opg), yd.subarray(q * opg, (q + 1) * opg));
    }
  }
  for (let c = 0; c < idx.length; c++) y[idx[c]] += ys[c];
}

/** denseRows over a block's weights, decoded chunk by chunk when they are packed (graph/packed.ts). */
function blockProduct(b: EdgeBlock, w0: number, rows: number, cols: number, xs: Float64Array, ys: Float64Array, xd: Float64Array, yd: Float64Array): void {
  if (!b.packed) {
    denseRows(b.weights, w0, rows, cols, xs, ys, xd, yd);
    return;
  }
  blockRows(b, w0, rows, cols, (values, offset, n, first) => denseRows(values, offset, n, cols, xs, ys, xd.subarray(first, first + n), yd.subarray(first, first + n)));
}
