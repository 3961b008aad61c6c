// The Network tab's report on the layers (change between epochs, dead and outsized units, the
// layers behind the forecast) and keyboard movement through the drawing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisView, DrawGraph, LayerView, RunDetail, StatsView } from '../../src/shared/dashboard-protocol';
import { unknownRunFacts } from '../../src/shared/dashboard-protocol';
import { inputMovement, layerReport, mostChanged, topDrivers, unitHealth } from '../../webview/layer-change';
import { layerNotes, signedPct } from '../../webview/layer-table';
import { moveCursor } from '../../webview/graph-keys';

const stats = (mean: number): StatsView => ({ mean, std: 0, min: mean, q25: mean, median: mean, q75: mean, max: mean });
function layer(name: string, kind: LayerView['kind'], nodes: number, deg: number, evc: number): LayerView {
  return { name, kind, nodes, weightedDegree: stats(deg), inDegree: stats(deg / 2), outDegree: stats(deg / 2), eigenvectorCentrality: stats(evc) };
}
function analysis(epoch: number, layers: LayerView[]): AnalysisView {
  const nodes = layers.reduce((s, l) => s + l.nodes, 0);
  return {
    path: `e${epoch}.pt`,
    epoch,
    format: 'pytorch',
    graph: { nodes, edges: 0, unrolledNodes: 0, unrolledEdges: 0, unrolledEstimated: false, inputSize: 0, components: 1, wiring: 'names' },
    layers,
    eigenvalue: 1,
    metadata: {},
    warnings: [],
    timings: { readAndBuildMs: 0, metricsMs: 0 },
  };
}
// 100 nodes in all: √N = 10.
const at = (_e: number, d1: number, d2: number, c1: number, c2: number): LayerView[] => [layer('in', 'input', 50, 1, 0.01), layer('conv', 'conv', 25, d1, c1), layer('fc', 'dense', 25, d2, c2)];
function detail(withDrivers = false): RunDetail {
  const run = { id: '/s/r', name: 'r', sweep: '/s', status: 'ready' as const, epochs: [0, 1, 2, 3], forecast: { accuracy: 0.8, low: 0.7, high: 0.9, epochsUsed: 2, drivers: withDrivers ? [{ layer: 'fc', share: 0.7 }, { layer: 'conv', share: 0.3 }] : undefined }, accuracy: null, finalAccuracy: null, errors: [], ...unknownRunFacts() };
  return {
    run,
    checkpoints: [
      { epoch: 0, file: 'e0', analysis: analysis(0, at(0, 2, 4, 0.1, 0.1)) },
      { epoch: 1, file: 'e1', analysis: analysis(1, at(1, 3, 4, 0.1, 0.12)) },
      { epoch: 2, file: 'e2', analysis: analysis(2, at(2, 4, 4.4, 0.1, 0.14)) },
      { epoch: 3, file: 'e3', analysis: analysis(3, at(3, 4, 2.2, 0.1, 0.14)) },
    ],
  };
}

function drawn(degrees: number[][], members = 1): DrawGraph {
  const layers = degrees.map((d, i) => ({ index: i, name: `l${i}`, kind: (i === 0 ? 'input' : 'dense') as LayerView['kind'], nodes: d.length * members, drawn: d.length }));
  const nodes = degrees.flatMap((d, li) => d.map((degree, j) => ({ id: `${li}:${j}`, layer: li, index: j, members, degree, centrality: 0.1 })));
  return { file: 'f', epoch: 3, layers, nodes, edges: [], totalNodes: nodes.length, totalEdges: 0, thinned: null };
}

test('unitHealth: dead under 2% of the layer median, outsized over 4×, input layers left out, groups count their members', () => {
  const h = unitHealth(drawn([[0, 0, 0], [1, 1, 1, 1, 0.001, 5, 0.5]]));
  assert.equal(h.has(0), false);
  assert.deepEqual(h.get(1), { units: 7, dead: 1, outsized: 1, grouped: false });
  const g = unitHealth(drawn([[1], [0, 2, 2]], 4)).get(1)!;
  assert.deepEqual(g, { units: 12, dead: 4, outsized: 0, grouped: true });
  assert.equal(unitHealth(drawn([[1], [0, 0]])).get(1)!.dead, 2, 'a layer whose weights are all gone is all dead');
});

test('layerReport: change of each layer since the other epoch, centrality × √N, the units of the drawn graph', () => {
  const rep = layerReport(detail(), 3, 2, drawn([[1], [1, 1, 1, 0], [1, 1]]))!;
  assert.equal(rep.against, 2);
  const [, conv, fc] = rep.rows;
  assert.equal(conv.degChange, 0);
  assert.ok(Math.abs(fc.degChange! - -0.5) < 1e-12, 'fc halved');
  assert.ok(Math.abs(fc.evcMean - 1.4) < 1e-12, 'centrality × √N with N = 100');
  assert.ok(Math.abs(fc.evcChange!) < 1e-12);
  assert.equal(conv.health!.dead, 1);
  assert.deepEqual(mostChanged(rep.rows, 1).map((r) => r.name), ['fc']);
  const first = layerReport(detail(), 0, null, null)!;
  assert.equal(first.against, null);
  assert.equal(first.rows[1].degChange, null);
  assert.equal(first.forecast, true);
  assert.equal(layerReport(detail(), 9, 2, null), null, 'an epoch without an analysis');
  const notes = layerNotes(rep);
  assert.equal(notes.get(2)!.text, ' −50%');
  assert.equal(notes.get(2)!.hot, true);
  assert.equal(notes.has(0), false, 'no note for the input');
  assert.equal(signedPct(0.042), '+4.2%');
  assert.equal(signedPct(-0.123), '−12%');
  assert.equal(signedPct(0.0001), '0%');
  assert.equal(signedPct(null), '–');
});

test('the layers behind the forecast: the forecaster’s account when sent, else the movement of its inputs over the epochs it read', () => {
  const own = layerReport(detail(true), 3, 2, null)!;
  assert.equal(own.driveSource, 'forecaster');
  assert.deepEqual(topDrivers(own.rows).map((r) => [r.name, r.drive]), [['fc', 0.7], ['conv', 0.3]]);
  const m = inputMovement(detail(), 2)!;
  assert.deepEqual(m.span, [0, 2], 'epoch 0 to the second trained epoch');
  // conv: |4/2 − 1| = 1 and centrality unchanged; fc: |4.4/4 − 1| = 0.1 and centrality ×√N 1.0 → 1.4: 0.4.
  assert.ok(Math.abs(m.shares.get('conv')! - 1 / 1.5) < 1e-9);
  assert.ok(Math.abs(m.shares.get('fc')! - 0.5 / 1.5) < 1e-9);
  const rep = layerReport(detail(), 3, 2, null)!;
  assert.equal(rep.driveSource, 'inputs');
  assert.deepEqual(rep.driveEpochs, [0, 2]);
  assert.equal(rep.rows[0].drive, null, 'the input layer has no share');
});

test('moveCursor: ←/→ between layers, ↓/↑ through nodes, Home/End, PageUp/PageDown, Escape back to the layer', () => {
  const counts = [1, 3, 0, 2];
  assert.deepEqual(moveCursor(null, 'ArrowRight', counts), { col: 1, node: null });
  assert.deepEqual(moveCursor({ col: 3, node: 1 }, 'ArrowRight', counts), { col: 3, node: null }, 'stays at the last layer');
  assert.deepEqual(moveCursor({ col: 0, node: null }, 'ArrowLeft', counts), { col: 0, node: null });
  assert.deepEqual(moveCursor({ col: 1, node: null }, 'ArrowDown', counts), { col: 1, node: 0 });
  assert.deepEqual(moveCursor({ col: 1, node: null }, 'ArrowUp', counts), { col: 1, node: 2 });
  assert.deepEqual(moveCursor({ col: 1, node: 2 }, 'ArrowDown', counts), { col: 1, node: 2 });
  assert.equal(moveCursor({ col: 2, node: null }, 'ArrowDown', counts), null, 'an empty column has no nodes to walk');
  assert.deepEqual(moveCursor({ col: 1, node: 0 }, 'PageDown', counts), { col: 1, node: 2 });
  assert.deepEqual(moveCursor({ col: 1, node: 1 }, 'Home', counts), { col: 1, node: 0 });
  assert.deepEqual(moveCursor({ col: 1, node: null }, 'End', counts), { col: 3, node: null });
  assert.deepEqual(moveCursor({ col: 1, node: 1 }, 'Escape', counts), { col: 1, node: null });
  assert.equal(moveCursor({ col: 1, node: null }, 'Escape', counts), null);
  assert.equal(moveCursor({ col: 1, node: null }, 'x', counts), null);
  assert.equal(moveCursor(null, 'ArrowRight', []), null);
});
