// The drawable graph (graph/thin.ts) on small hand-made graphs whose answers are known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRolledGraph, type RolledGraph } from '../../src/engine/graph/rolled';
import { weightedDegree } from '../../src/engine/metrics/degree';
import { eigenvectorCentrality } from '../../src/engine/metrics/eigenvector';
import { thinGraph, type ThinGraph } from '../../src/engine/graph/thin';
import { analyzeCheckpointFull } from '../../src/engine/analyze-checkpoint';
import type { NetOp } from '../../src/engine/graph/netspec';
import { tensor } from '../helpers/tensors';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

function input(graph: RolledGraph) {
  const deg = weightedDegree(graph).total;
  const cen = eigenvectorCentrality(graph).vector;
  return { analysis: { path: '/x/epoch_1.pt', epoch: 1 }, graph, nodes: { degree: deg, centrality: cen } };
}

/** MLP 3 → 4 → 2 with distinct weights: fc1[o, c] = 1 + o*3 + c, fc2[o, c] = 100 + o*4 + c. */
function mlp(): RolledGraph {
  const ops: NetOp[] = [
    { op: 'dense', name: 'fc1', weight: tensor('fc1.weight', [4, 3], (i) => 1 + i), input: 'input' },
    { op: 'dense', name: 'fc2', weight: tensor('fc2.weight', [2, 4], (i) => 100 + i), input: 'fc1' },
  ];
  return buildRolledGraph(ops, { file: 'mlp' });
}

const sumWeights = (d: ThinGraph): number => d.edges.reduce((s, e) => s + e.weight, 0);

test('under the budget nothing is thinned: every node and edge drawn, thinned is null', () => {
  const g = mlp();
  const d = thinGraph(input(g), 1000);
  assert.equal(d.thinned, null);
  assert.equal(d.nodes.length, 9);
  assert.equal(d.edges.length, 20);
  assert.equal(d.totalNodes, 9);
  assert.equal(d.totalEdges, 20);
  assert.deepEqual(d.layers.map((l) => [l.name, l.nodes, l.drawn]), [['input', 3, 3], ['fc1', 4, 4], ['fc2', 2, 2]]);
  // Edge c → o of fc1 carries |W[o, c]|.
  const e = d.edges.find((x) => x.source === '0:2' && x.target === '1:3');
  assert.equal(e?.weight, 1 + 3 * 3 + 2);
  assert.equal(d.file, '/x/epoch_1.pt');
  assert.equal(d.epoch, 1);
  for (const n of d.nodes) assert.equal(n.members, 1);
});

test('exactly at the budget nothing is thinned', () => {
  const d = thinGraph(input(mlp()), 20);
  assert.equal(d.edges.length, 20);
  assert.equal(d.thinned, null);
});

test('over the budget: exactly maxEdges edges, the heaviest edge of every node survives, the message says so', () => {
  const g = mlp();
  const d = thinGraph(input(g), 9);
  assert.equal(d.edges.length, 9);
  assert.equal(d.nodes.length, 9, 'nodes are never dropped');
  const full = thinGraph(input(g), 1000);
  for (const n of full.nodes) {
    const own = full.edges.filter((e) => e.source === n.id || e.target === n.id).sort((a, b) => b.weight - a.weight);
    const top = own[0];
    assert.ok(d.edges.some((e) => e.source === top.source && e.target === top.target), `heaviest edge of ${n.id} kept`);
  }
  // The globally heaviest edges are all there.
  const heaviest = [...full.edges].sort((a, b) => b.weight - a.weight).slice(0, 3);
  for (const h of heaviest) assert.ok(d.edges.some((e) => e.source === h.source && e.target === h.target));
  assert.match(d.thinned ?? '', /^Showing 9 of 20 edges: top 1 per node, then the heaviest of the rest$/);
});

test('top-k per node: with room for every node\'s two heaviest edges, k = 2', () => {
  const g = mlp();
  const full = thinGraph(input(g), 1000);
  // Count the union of each node's top-2 edges.
  const key = (e: { source: string; target: string }) => `${e.source}>${e.target}`;
  const union = new Set<string>();
  for (const n of full.nodes) {
    full.edges.filter((e) => e.source === n.id || e.target === n.id).sort((a, b) => b.weight - a.weight).slice(0, 2).forEach((e) => union.add(key(e)));
  }
  const d = thinGraph(input(g), union.size);
  assert.equal(d.edges.length, union.size);
  assert.deepEqual(new Set(d.edges.map(key)), union);
  assert.match(d.thinned ?? '', new RegExp(`^Showing ${union.size} of 20 edges: top 2 per node$`));
});

test('a budget below one edge per node keeps the heaviest edges and says so', () => {
  const d = thinGraph(input(mlp()), 2);
  assert.equal(d.edges.length, 2);
  assert.deepEqual(d.edges.map((e) => e.weight).sort((a, b) => b - a), [107, 106]);
  assert.equal(d.thinned, 'Showing 2 of 20 edges: the heaviest edge of as many nodes as fit (fewer edges allowed than nodes)');
});

test('wide layers are drawn as groups: members counted, degree and centrality averaged, edges summed', () => {
  // 2 inputs → 200 neurons → 3 outputs; groupAbove 64 → the 200-wide layer becomes 64 groups.
  const ops: NetOp[] = [
    { op: 'dense', name: 'fc1', weight: tensor('fc1.weight', [200, 2], (i) => 0.5 + (i % 7) * 0.1), input: 'input' },
    { op: 'dense', name: 'fc2', weight: tensor('fc2.weight', [3, 200], (i) => 0.2 + (i % 5) * 0.05), input: 'fc1' },
  ];
  const g = buildRolledGraph(ops, { file: 'wide' });
  const inp = input(g);
  const d = thinGraph(inp, 100_000);
  const wide = d.layers[1];
  assert.equal(wide.nodes, 200);
  assert.equal(wide.drawn, 64);
  const groups = d.nodes.filter((n) => n.layer === 1);
  assert.equal(groups.length, 64);
  assert.equal(groups.reduce((s, n) => s + n.members, 0), 200);
  // Group 0 holds nodes 0..3 (floor(i*64/200) = 0 for i < 3.125): mean of their degrees.
  const g0 = groups[0];
  const members = [0, 1, 2, 3].filter((i) => Math.floor((i * 64) / 200) === 0);
  assert.equal(g0.members, members.length);
  const off = g.groups[1].offset;
  const meanDeg = members.reduce((s, i) => s + inp.nodes.degree[off + i], 0) / members.length;
  const meanCen = members.reduce((s, i) => s + inp.nodes.centrality[off + i], 0) / members.length;
  assert.ok(Math.abs(g0.degree - meanDeg) < 1e-9);
  assert.ok(Math.abs(g0.centrality - meanCen) < 1e-12);
  // Edges: 2×64 + 64×3, and their weights sum to the sum of all rolled edge weights.
  assert.equal(d.edges.length, 2 * 64 + 64 * 3);
  let total = 0;
  for (const b of g.blocks) for (const w of b.weights) total += w;
  assert.ok(Math.abs(sumWeights(d) - total) < 1e-6 * total);
  assert.equal(d.totalEdges, 2 * 200 + 200 * 3);
  assert.match(d.thinned ?? '', /Showing 320 group edges for 1,000 edges; layers wider than 64 nodes drawn as 64 groups/);
});

test('grouped convolutions and identity shortcuts are drawn (a real ResNet: budget met, every layer present)', () => {
  const full = analyzeCheckpointFull(path.join(ROOT, 'test/fixtures/pytorch/resnet_small.pt'));
  const d = thinGraph(full, 500);
  assert.ok(d.edges.length <= 500);
  assert.equal(d.layers.length, full.graph.groups.length);
  assert.equal(d.totalEdges, full.graph.edgeCount);
  const ids = new Set(d.nodes.map((n) => n.id));
  for (const e of d.edges) assert.ok(ids.has(e.source) && ids.has(e.target) && e.weight > 0);
  // Edges go from earlier to later layers.
  const layerOf = new Map(d.nodes.map((n) => [n.id, n.layer]));
  for (const e of d.edges) assert.ok(layerOf.get(e.source)! < layerOf.get(e.target)!);
  const dw = analyzeCheckpointFull(path.join(ROOT, 'test/fixtures/pytorch/depthwise.pt'));
  const dd = thinGraph(dw, 1_000_000);
  assert.ok(dd.edges.length > 0);
});
