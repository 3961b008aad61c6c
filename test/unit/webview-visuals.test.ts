// Node colours and sizes, edge widths, and the axis helpers of the charts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseColor, sequentialScale, divergingScale } from '../../webview/colors';
import { layeredLayout } from '../../webview/layout';
import { centralityById, edgeVisuals, nodeVisuals, percentileInLayer, quantile } from '../../webview/visuals';
import { extent, linear, linePath, niceTicks } from '../../webview/chart-math';
import type { DrawGraph } from '../../src/shared/dashboard-protocol';

const seq = sequentialScale([parseColor('#000000')!, parseColor('#ffffff')!], 48);
const div = divergingScale(parseColor('#0000ff')!, parseColor('#808080')!, parseColor('#ff0000')!, 49);

function g(cs: number[], ds: number[]): DrawGraph {
  return {
    file: 'f',
    epoch: 1,
    layers: [{ index: 0, name: 'a', kind: 'dense', nodes: cs.length, drawn: cs.length }],
    nodes: cs.map((c, i) => ({ id: `n${i}`, layer: 0, index: i, members: 1, degree: ds[i], centrality: c })),
    edges: [],
    totalNodes: cs.length,
    totalEdges: 0,
    thinned: null,
  };
}

test('nodeVisuals: colour by centrality on the run-wide range, size grows with degree', () => {
  const graph = g([0, 0.5, 1], [0, 1, 4]);
  const L = layeredLayout(graph.layers, graph.nodes);
  const v = nodeVisuals(graph.nodes, L, { sequential: seq, diverging: div, centralityMax: 1, degreeMax: 4 });
  assert.equal(v.colors[0], '#000000');
  assert.equal(v.colors[2], '#ffffff');
  assert.ok(v.sizes[0] < v.sizes[1] && v.sizes[1] < v.sizes[2]);
  assert.ok(v.sizes[2] <= L.columns[0].diameter + 1e-9);
  // A larger run-wide maximum darkens the same node: epochs share one scale.
  const v2 = nodeVisuals(graph.nodes, L, { sequential: seq, diverging: div, centralityMax: 4, degreeMax: 4 });
  assert.notEqual(v2.colors[2], '#ffffff');
});

test('nodeVisuals in compare mode: diverging colours by change, missing nodes neutral', () => {
  const graph = g([0.2, 0.5, 0.5], [1, 1, 1]);
  const L = layeredLayout(graph.layers, graph.nodes);
  const before = new Map([['n0', 0.4], ['n1', 0.5]]);
  const v = nodeVisuals(graph.nodes, L, { sequential: seq, diverging: div, centralityMax: 1, degreeMax: 1, compare: before });
  assert.equal(v.colors[0], '#0000ff');
  assert.equal(v.colors[1], '#808080');
  assert.equal(v.colors[2], '#808080');
  assert.ok(Math.abs(v.deltaMax - 0.2) < 1e-12);
  assert.ok(Number.isNaN(v.deltas![2]));
});

test('edgeVisuals: heavier edges are wider and more opaque; outliers above the 98th percentile saturate', () => {
  const graph = g([0, 0], [1, 1]);
  const L = layeredLayout(graph.layers, graph.nodes);
  const edges = Array.from({ length: 100 }, (_, i) => ({ source: 'n0', target: 'n1', weight: i === 99 ? 1000 : i / 100 }));
  const e = edgeVisuals(edges, L);
  for (let i = 1; i < 99; i++) assert.ok(e.widths[i] >= e.widths[i - 1] && e.opacities[i] >= e.opacities[i - 1]);
  assert.equal(e.widths[99], e.widths[98]);
  assert.ok(e.opacities[0] > 0 && e.opacities[99] <= 1);
});

test('quantile, centralityById, percentileInLayer', () => {
  assert.equal(quantile([3, 1, 2], 0.5), 2);
  assert.equal(quantile([], 0.5), 0);
  const graph = g([0.1, 0.3, 0.2], [1, 1, 1]);
  assert.equal(centralityById(graph).get('n1'), 0.3);
  assert.equal(percentileInLayer(graph, 'n1'), 100);
  assert.equal(percentileInLayer(graph, 'n0'), 0);
  assert.equal(percentileInLayer(graph, 'zz'), null);
});

test('chart axes: nice ticks, padded extents, paths with gaps', () => {
  assert.deepEqual(niceTicks(0, 1, 4), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.55, 0.78, 3), [0.6, 0.7]);
  assert.deepEqual(niceTicks(3, 3), [3]);
  assert.deepEqual(niceTicks(NaN, 1), []);
  assert.deepEqual(extent([1, NaN, 3], 0), [1, 3]);
  assert.deepEqual(extent([2, 2], 0), [1.8, 2.2]);
  assert.equal(extent([NaN]), null);
  const sx = linear([0, 10], [0, 100]);
  const sy = linear([0, 1], [100, 0]);
  assert.equal(linePath([{ x: 0, y: 0 }, { x: 5, y: 0.5 }, { x: 6, y: NaN }, { x: 10, y: 1 }], sx, sy), 'M0 100L50 50M100 0');
});
