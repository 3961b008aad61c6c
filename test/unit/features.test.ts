// The forecaster's features: fixed size per architecture whatever the width, temporal changes included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeRun } from '../../src/engine/run/analyze-run';
import { discoverRuns } from '../../src/engine/run/discover';
import { epochFeatures, FEATURE_STATS } from '../../src/engine/features/definitions';

const EX = path.join(__dirname, '..', '..', 'examples', 'lenet-fashion');

function run(name: string, epochs: number) {
  const [r] = discoverRuns(path.join(EX, name));
  return analyzeRun(r.dir, r.checkpoints, { epochs });
}

test('runs of one architecture at widths ×2 and ×0.5 get the same feature names', () => {
  const wide = run('run0000', 3); // width 2: 463 nodes
  const narrow = run('run0001', 3); // width 0.5: 124 nodes
  assert.notEqual(wide.checkpoints[0].graph.nodes, narrow.checkpoints[0].graph.nodes);
  assert.deepEqual(wide.features.names, narrow.features.names);
  assert.deepEqual(wide.features.epochsUsed, [1, 2, 3]);
  // 5 non-input layers × (degree + centrality) × stats + the eigenvalue, with and without changes, for 3 epochs.
  const perEpoch = 5 * 2 * FEATURE_STATS.length + 1;
  assert.equal(wide.features.values.length, 3 * 2 * perEpoch);
  assert.ok(wide.features.values.every(Number.isFinite));
});

test('centrality features are width-normalised: about 1 on average over nodes', () => {
  const r = run('run0000', 1);
  const f = epochFeatures(r.checkpoints[1]);
  // Mean over all nodes of sqrt(N)·v is sqrt(N)·mean(v) ≤ 1 (unit L2 norm); layer means stay O(1).
  for (let i = 1; i <= 5; i++) {
    const v = f.get(`evc.l${i}.mean`)!;
    assert.ok(v > 0.05 && v < 5, `layer ${i}: ${v}`);
  }
});

test('changes are differences of consecutive epochs, from epoch 0 when the run has it', () => {
  const r = run('run0000', 2);
  const n = r.features.names;
  const v = r.features.values;
  const at = (name: string) => v[n.indexOf(name)];
  const e0 = epochFeatures(r.checkpoints[0]).get('eig.log')!;
  assert.ok(Math.abs(at('d1:eig.log') - (at('e1:eig.log') - e0)) < 1e-12);
  assert.ok(Math.abs(at('d2:eig.log') - (at('e2:eig.log') - at('e1:eig.log'))) < 1e-12);
  assert.ok(at('d1:eig.log') > 0, 'the good run grows its spectral radius');
});

test('runs expose their logged accuracy curve and final accuracy', () => {
  const r = run('run0000', 3);
  assert.equal(r.accuracy?.metric, 'val_acc');
  assert.deepEqual(r.accuracy?.points.map((p) => p.epoch), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(r.accuracy!.final! > 0.7 && r.accuracy!.final! < 0.8);
});

test('weight-statistics baseline: 7 numbers per weight and bias tensor in model order, means as numpy sums give', async () => {
  const fs = await import('node:fs');
  const { weightStatistics } = await import('../../src/engine/features/weight-stats');
  const { openCheckpoint } = await import('../../src/engine/readers/index');
  const FIX = path.join(__dirname, '..', 'fixtures');
  const ref = JSON.parse(fs.readFileSync(path.join(FIX, 'formats', 'reference.json'), 'utf8'))['mlp.npz'].tensors as { name: string; shape: number[]; sum: number }[];
  const ck = openCheckpoint(path.join(FIX, 'pytorch', 'mlp.pt'));
  const w = weightStatistics(ck);
  ck.close();
  assert.equal(Object.keys(w).length, 6 * 7);
  ref.forEach((t, i) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    assert.ok(Math.abs(w[`w${i}.mean`] - t.sum / n) < 1e-6, `${t.name}: ${w[`w${i}.mean`]} vs ${t.sum / n}`);
    assert.ok(w[`w${i}.q0`] <= w[`w${i}.q50`] && w[`w${i}.q50`] <= w[`w${i}.q100`]);
  });
});
