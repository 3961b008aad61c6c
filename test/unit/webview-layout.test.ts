// The layered layout of the network view: columns in layer order, nodes in index order, no overlaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layeredLayout, structureKey } from '../../webview/layout';
import type { DrawLayer, DrawNode } from '../../src/shared/dashboard-protocol';

function graph(sizes: number[], shuffle = false): { layers: DrawLayer[]; nodes: DrawNode[] } {
  const layers: DrawLayer[] = sizes.map((n, i) => ({ index: i, name: `l${i}`, kind: i === 0 ? 'input' : 'dense', nodes: n, drawn: n }));
  let nodes: DrawNode[] = [];
  sizes.forEach((n, l) => {
    for (let i = 0; i < n; i++) nodes.push({ id: `${l}:${i}`, layer: l, index: i, members: 1, degree: 1, centrality: 0.1 });
  });
  if (shuffle) nodes = nodes.map((n, i) => ({ n, k: (i * 7919) % nodes.length })).sort((a, b) => a.k - b.k).map((x) => x.n);
  return { layers, nodes };
}

test('columns follow DrawLayer.index, left to right, evenly spaced', () => {
  const { layers, nodes } = graph([3, 6, 16, 120, 84, 10]);
  const L = layeredLayout([...layers].reverse(), nodes);
  assert.deepEqual(L.columns.map((c) => c.layer), [0, 1, 2, 3, 4, 5]);
  for (let k = 1; k < L.columns.length; k++) assert.ok(Math.abs(L.columns[k].x - L.columns[k - 1].x - L.gap) < 1e-9);
  nodes.forEach((n, i) => assert.equal(L.positions[i].x, L.columns[n.layer].x));
});

test('nodes of a layer: index order top to bottom, centred, equal pitch, no overlap', () => {
  const { layers, nodes } = graph([1, 6, 120, 10], true);
  const L = layeredLayout(layers, nodes);
  for (const col of L.columns) {
    const members = nodes.map((n, i) => ({ n, p: L.positions[i] })).filter((x) => x.n.layer === col.layer).sort((a, b) => a.n.index - b.n.index);
    assert.equal(members.length, col.count);
    const ys = members.map((m) => m.p.y);
    for (let i = 1; i < ys.length; i++) assert.ok(Math.abs(ys[i] - ys[i - 1] - col.pitch) < 1e-9, `layer ${col.layer} pitch`);
    const mid = (ys[0] + ys[ys.length - 1]) / 2;
    assert.ok(Math.abs(mid) < 1e-9, 'centred on y = 0');
    if (col.count > 1) assert.ok(col.diameter <= 0.8 * col.pitch + 1e-9);
    assert.ok(col.diameter <= 0.6 * L.gap + 1e-9);
  }
  // The tallest column spans the full height; narrower ones less (square-root law), single nodes sit at 0.
  const span = (k: number) => (L.columns[k].count - 1) * L.columns[k].pitch;
  assert.ok(Math.abs(span(2) - L.height) < 1e-6);
  assert.ok(span(1) < span(3) && span(3) < span(2));
  assert.equal(L.positions[nodes.findIndex((n) => n.layer === 0)].y, 0);
});

test('deterministic, and the aspect ratio only changes the column spacing', () => {
  const { layers, nodes } = graph([3, 16, 32, 10]);
  assert.deepEqual(layeredLayout(layers, nodes), layeredLayout(layers, nodes));
  const wide = layeredLayout(layers, nodes, { aspect: 3 });
  const narrow = layeredLayout(layers, nodes, { aspect: 1 });
  assert.ok(wide.gap > narrow.gap);
  assert.deepEqual(wide.positions.map((p) => p.y), narrow.positions.map((p) => p.y));
});

test('a node naming a layer missing from the list still gets a column', () => {
  const { layers, nodes } = graph([2, 2]);
  nodes.push({ id: 'x', layer: 7, index: 0, members: 1, degree: 0, centrality: 0 });
  const L = layeredLayout(layers, nodes);
  assert.deepEqual(L.columns.map((c) => c.layer), [0, 1, 7]);
  assert.equal(L.positions[nodes.length - 1].x, L.columns[2].x);
});

test('structureKey: equal for the same structure whatever the values, different otherwise', () => {
  const a = graph([3, 4]);
  const b = graph([3, 4]);
  b.nodes.forEach((n) => (n.centrality = Math.random()));
  assert.equal(structureKey(a.layers, a.nodes), structureKey(b.layers, b.nodes));
  const c = graph([3, 5]);
  assert.notEqual(structureKey(a.layers, a.nodes), structureKey(c.layers, c.nodes));
  const d = graph([3, 4]);
  d.nodes[0].id = 'other';
  assert.notEqual(structureKey(a.layers, a.nodes), structureKey(d.layers, d.nodes));
});

test('5,000 nodes lay out in well under a frame budget', () => {
  const { layers, nodes } = graph(Array.from({ length: 50 }, () => 100));
  const t0 = performance.now();
  layeredLayout(layers, nodes);
  assert.ok(performance.now() - t0 < 200);
});
