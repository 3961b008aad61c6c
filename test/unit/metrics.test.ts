// Graph metrics on graphs whose answers are known in closed form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRolledGraph, type RolledGraph } from '../../src/engine/graph/rolled';
import { weightedDegree } from '../../src/engine/metrics/degree';
import { eigenvectorCentrality, tridiagonalEigen } from '../../src/engine/metrics/eigenvector';
import { summarize } from '../../src/engine/metrics/stats';
import { NumericError } from '../../src/engine/errors';
import type { NetOp } from '../../src/engine/graph/netspec';
import { filled, tensor } from '../helpers/tensors';

const close = (a: number, b: number, tol = 1e-6, msg = ''): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${msg} ${a} vs ${b}`);

// K_{m,n} as one dense layer: m inputs, n outputs, every weight w.
function completeBipartite(m: number, n: number, w: number) {
  const ops: NetOp[] = [{ op: 'dense', name: 'fc', weight: filled('fc.weight', [n, m], w), input: 'input' }];
  return buildRolledGraph(ops, { file: 'kmn' });
}

for (const method of ['lanczos', 'power'] as const) {
  test(`complete bipartite K(3,5): eigenvalue w·sqrt(mn) and sides 1/sqrt(2m), 1/sqrt(2n) (${method})`, () => {
    const g = completeBipartite(3, 5, 0.5);
    assert.equal(g.nodeCount, 8);
    assert.equal(g.edgeCount, 15);
    const r = eigenvectorCentrality(g, { method, tol: 1e-10 });
    close(r.eigenvalue, 0.5 * Math.sqrt(15), 1e-7, 'eigenvalue');
    for (let i = 0; i < 3; i++) close(r.vector[i], 1 / Math.sqrt(6), 1e-6, `input ${i}`);
    for (let i = 3; i < 8; i++) close(r.vector[i], 1 / Math.sqrt(10), 1e-6, `output ${i}`);
  });

  test(`star with 7 leaves: centre 1/sqrt(2), leaves 1/sqrt(14) (${method})`, () => {
    const ops: NetOp[] = [{ op: 'dense', name: 'fc', weight: filled('fc.weight', [7, 1], 1), input: 'input' }];
    const g = buildRolledGraph(ops, { file: 'star' });
    const r = eigenvectorCentrality(g, { method, tol: 1e-10 });
    close(r.eigenvalue, Math.sqrt(7), 1e-7);
    close(r.vector[0], 1 / Math.SQRT2, 1e-6, 'centre');
    for (let i = 1; i < 8; i++) close(r.vector[i], 1 / Math.sqrt(14), 1e-6, 'leaf');
  });

  test(`path of 9 nodes: eigenvalue 2cos(π/10), v_j ∝ sin(jπ/10) (${method})`, () => {
    // A chain of width-1 dense layers is a path graph.
    const ops: NetOp[] = [];
    let prev = 'input';
    for (let i = 0; i < 8; i++) {
      ops.push({ op: 'dense', name: `fc${i}`, weight: filled(`fc${i}.weight`, [1, 1], 1), input: prev });
      prev = `fc${i}`;
    }
    const g = buildRolledGraph(ops, { file: 'path' });
    const r = eigenvectorCentrality(g, { method, tol: 1e-12, maxIter: 200000 });
    close(r.eigenvalue, 2 * Math.cos(Math.PI / 10), 1e-7);
    const ref = Array.from({ length: 9 }, (_, j) => Math.sin(((j + 1) * Math.PI) / 10));
    const s = Math.hypot(...ref);
    for (let j = 0; j < 9; j++) close(r.vector[j], ref[j] / s, 1e-5, `node ${j}`);
  });
}

test('weighted degree: in, out and total on K(3,5) with weight 0.5', () => {
  const g = completeBipartite(3, 5, 0.5);
  const d = weightedDegree(g);
  for (let i = 0; i < 3; i++) {
    assert.equal(d.in[i], 0);
    close(d.out[i], 2.5);
    close(d.total[i], 2.5);
  }
  for (let i = 3; i < 8; i++) {
    close(d.in[i], 1.5);
    assert.equal(d.out[i], 0);
  }
});

test('conv edges are L2 norms of kernel slices, scaled by the folded BatchNorm', () => {
  // 2 inputs → 2 outputs, 2x2 kernels; output 1 gets BN scale |γ|/sqrt(var+eps) = 2/sqrt(4) = 1.
  const w = tensor('c.weight', [2, 2, 2, 2], (i) => (i < 4 ? 1 : i < 8 ? 2 : 3));
  const ops: NetOp[] = [{ op: 'conv', name: 'c', weight: w, input: 'input', groups: 1, norm: { name: 'bn', weight: tensor('bn.weight', [2], [0.5, -2]), runningVar: tensor('bn.running_var', [2], [1 - 1e-5, 4 - 1e-5]), eps: 1e-5 } }];
  const g = buildRolledGraph(ops, { file: 'conv' });
  const b = g.blocks[0];
  close(b.weights[0], 2 * 0.5, 1e-6); // ‖[1,1,1,1]‖ = 2, × 0.5
  close(b.weights[1], 4 * 0.5, 1e-6); // ‖[2,2,2,2]‖ = 4
  close(b.weights[2], 6 * 1, 1e-6);
  close(b.weights[3], 6 * 1, 1e-6);
});

test('depthwise conv gives one edge per channel; channel multiplier 2 gives two', () => {
  const ops: NetOp[] = [
    { op: 'conv', name: 'stem', weight: filled('stem.weight', [4, 1, 1, 1], 1), input: 'input', groups: 1 },
    { op: 'conv', name: 'dw', weight: tensor('dw.weight', [8, 1, 3, 3], (i) => Math.floor(i / 9) + 1), input: 'stem', groups: 4 },
  ];
  const g = buildRolledGraph(ops, { file: 'dw' });
  assert.equal(g.edgeCount, 4 + 8);
  const d = weightedDegree(g);
  // stem node c feeds dw outputs 2c and 2c+1, weights 3·(2c+1) and 3·(2c+2).
  for (let c = 0; c < 4; c++) close(d.out[1 + c], 3 * (2 * c + 1) + 3 * (2 * c + 2), 1e-6, `stem ${c}`);
});

test('dense after a flatten: one edge per (neuron, channel), L2 norm over positions; hwc order too', () => {
  const conv = { op: 'conv' as const, name: 'c', weight: filled('c.weight', [2, 1, 1, 1], 1), input: 'input', groups: 1 };
  // fc: 1 output, 2 channels × 3 positions: chw = [1,1,1, 2,2,2]
  const fc = tensor('fc.weight', [1, 6], [1, 1, 1, 2, 2, 2]);
  const chw = buildRolledGraph([conv, { op: 'dense', name: 'fc', weight: fc, input: 'c' }], { file: 'f' });
  close(chw.blocks[1].weights[0], Math.sqrt(3));
  close(chw.blocks[1].weights[1], Math.sqrt(12));
  const hwc = buildRolledGraph([conv, { op: 'dense', name: 'fc', weight: fc, input: 'c' }], { file: 'f', flattenOrder: 'hwc' });
  close(hwc.blocks[1].weights[0], Math.sqrt(1 + 1 + 2 * 2)); // positions 0,2,4
});

test('identity shortcut adds weight-1 edges c → c; projection shortcut feeds the block output group', () => {
  const ops: NetOp[] = [
    { op: 'conv', name: 'a', weight: filled('a.weight', [3, 1, 1, 1], 1), input: 'input', groups: 1 },
    { op: 'conv', name: 'b1', weight: filled('b1.weight', [3, 3, 1, 1], 1), input: 'a', groups: 1 },
    { op: 'conv', name: 'b2', weight: filled('b2.weight', [3, 3, 1, 1], 1), input: 'b1', groups: 1 },
    { op: 'add', name: 'blk', inputs: ['b2', 'a'] },
    { op: 'conv', name: 'c1', weight: filled('c1.weight', [5, 3, 1, 1], 1), input: 'blk', groups: 1 },
    { op: 'conv', name: 'proj', weight: filled('proj.weight', [5, 3, 1, 1], 2), input: 'blk', groups: 1 },
    { op: 'add', name: 'blk2', inputs: ['c1', 'proj'] },
  ];
  const g = buildRolledGraph(ops, { file: 'res' });
  assert.deepEqual(g.groups.map((x) => x.name), ['input', 'a', 'b1', 'b2', 'c1']);
  assert.equal(g.edgeCount, 3 + 9 + 9 + 3 + 15 + 15);
  const d = weightedDegree(g);
  const b2 = g.groups[3];
  // b2 nodes (the block output): in = 3 from b1 + 1 from the identity shortcut; out = 5 (c1) + 10 (proj into c1's group)
  close(d.in[b2.offset], 4);
  close(d.out[b2.offset], 15);
  // a nodes: out = 3 (to b1) + 1 (identity to b2)
  close(d.out[g.groups[1].offset], 4);
});

test('eigenvector centrality fails loudly when it cannot converge', () => {
  const g = completeBipartite(40, 30, 1);
  // Perturb weights so the answer is not reached in one Krylov step.
  g.blocks[0].weights.forEach((_, i, a) => (a[i] = 1 + ((i * 7919) % 13) / 13));
  assert.throws(() => eigenvectorCentrality(g, { method: 'power', tol: 1e-15, maxIter: 3 }), NumericError);
  assert.throws(() => eigenvectorCentrality(g, { method: 'lanczos', tol: 1e-300, krylov: 2, maxRestarts: 1 }), /did not converge/);
});

test('eigenvector centrality refuses a graph without edges', () => {
  // buildRolledGraph refuses empty weights (an ArchitectureError), so the edgeless graph is built by hand.
  const g: RolledGraph = { file: 'empty', groups: [{ name: 'input', kind: 'input', size: 3, offset: 0 }], blocks: [], nodeCount: 3, edgeCount: 0, warnings: [], convInfo: new Map() };
  assert.throws(() => eigenvectorCentrality(g), /empty: eigenvector centrality is undefined on a graph without edges/);
  const ops: NetOp[] = [{ op: 'dense', name: 'fc', weight: filled('fc.weight', [0, 3], 0), input: 'input' }];
  assert.throws(() => buildRolledGraph(ops, { file: 'empty' }), /empty: layer 'fc' has an empty weight/);
});

test('NaN weights are refused with the tensor name and position', () => {
  const w = tensor('fc.weight', [2, 2], [1, NaN, 1, 1]);
  assert.throws(() => buildRolledGraph([{ op: 'dense', name: 'fc', weight: w, input: 'input' }], { file: 'x.pt' }), /x\.pt: tensor 'fc\.weight' holds NaN at flat index 1/);
});

test('tridiagonal QL matches the closed form of the path graph spectrum', () => {
  const n = 12;
  const { values } = tridiagonalEigen(new Array(n).fill(0), new Array(n - 1).fill(1));
  const sorted = Array.from(values).sort((a, b) => b - a);
  for (let k = 1; k <= n; k++) close(sorted[k - 1], 2 * Math.cos((k * Math.PI) / (n + 1)), 1e-12);
});

test('summary statistics follow numpy: population std, linear quantiles', () => {
  const s = summarize([4, 1, 3, 2, 10]);
  assert.equal(s.mean, 4);
  close(s.std, Math.sqrt((0 + 9 + 1 + 4 + 36) / 5));
  assert.equal(s.median, 3);
  assert.equal(s.q25, 2);
  assert.equal(s.q75, 4);
  assert.deepEqual([s.min, s.max], [1, 10]);
  const e = summarize([1, 2]);
  assert.equal(e.q25, 1.25);
});

test('Lanczos on a large graph stops once the residual bound is below tol, with the same answer', () => {
  const g = completeBipartite(300, 200, 1);
  g.blocks[0].weights.forEach((_, i, a) => (a[i] = 0.5 + ((i * 7919) % 101) / 101));
  const full = eigenvectorCentrality(g, { earlyStopEdges: Infinity });
  const early = eigenvectorCentrality(g, { earlyStopEdges: 0 });
  assert.ok(early.products < full.products, `${early.products} products early, ${full.products} full`);
  assert.ok(early.residual <= 1e-8 * early.eigenvalue);
  assert.ok(Math.abs(early.eigenvalue - full.eigenvalue) <= 1e-9 * full.eigenvalue);
  let d = 0;
  for (let i = 0; i < g.nodeCount; i++) d = Math.max(d, Math.abs(early.vector[i] - full.vector[i]));
  assert.ok(d < 1e-7, `vectors differ by ${d}`);
});
