// Feature export (features-export.ts): JSON and CSV from real analyses of the example sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeRun } from '../../src/engine/run/analyze-run';
import { runFeatures } from '../../src/engine/features/definitions';
import { featuresJson, layersCsv, runsCsv } from '../../src/extension/features-export';
import type { RunDetail } from '../../src/shared/dashboard-protocol';
import { unknownRunFacts } from '../../src/shared/dashboard-protocol';

const ROOT = path.join(__dirname, '..', '..');

function detailOf(dir: string, epochs: number[]): RunDetail {
  const rep = analyzeRun(dir, epochs.map((e) => path.join(dir, `epoch_${e}.pt`)));
  return {
    run: {
      id: dir,
      name: path.basename(dir),
      sweep: path.dirname(dir),
      status: 'ready',
      epochs: rep.checkpoints.map((c) => c.order),
      forecast: null,
      accuracy: rep.accuracy?.points.map((p) => ({ epoch: p.epoch, value: p.value })) ?? null,
      finalAccuracy: rep.accuracy?.final ?? null,
      errors: [],
      ...unknownRunFacts(),
    },
    checkpoints: rep.checkpoints.map((c) => ({ epoch: c.order, file: c.path, analysis: c })),
  };
}

const d0 = detailOf(path.join(ROOT, 'examples/lenet-fashion/run0000'), [0, 1, 2, 3]);
const d1 = detailOf(path.join(ROOT, 'examples/lenet-fashion/run0001'), [0, 1, 2]);

test('JSON: per run the forecaster\'s feature vector (as runFeatures computes it) and per-epoch layer statistics', () => {
  const doc = JSON.parse(featuresJson([d0, d1], 3));
  assert.equal(doc.runs.length, 2);
  const r = doc.runs[0];
  const expected = runFeatures(d0.checkpoints.map((c) => ({ epoch: c.epoch!, analysis: c.analysis })), 3);
  assert.deepEqual(r.features.names, expected.names);
  assert.equal(r.features.values.length, expected.values.length);
  assert.deepEqual(r.features.epochsUsed, [1, 2, 3]);
  assert.equal(r.checkpoints.length, 4);
  assert.deepEqual(r.checkpoints[0].layers.map((l: { name: string }) => l.name), ['input', 'conv1', 'conv2', 'fc1', 'fc2', 'fc3']);
  assert.equal(r.finalAccuracy, 0.7676);
  assert.equal(doc.forecastEpochs, 3);
});

test('layers CSV: one row per run × epoch × layer × metric, with the validation accuracy of the epoch', () => {
  const csv = layersCsv([d0, d1]);
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'run,epoch,val_acc,lambda1,layer_index,layer,kind,nodes,metric,mean,std,min,q25,median,q75,max');
  assert.equal(lines.length - 1, (4 + 3) * 6 * 4);
  const row = lines.find((l) => l.startsWith('run0000,1,') && l.includes(',conv1,') && l.includes(',weightedDegree,'))!.split(',');
  assert.equal(Number(row[2]), d0.run.accuracy!.find((a) => a.epoch === 1)!.value);
  const layer = d0.checkpoints[1].analysis.layers[1];
  assert.equal(Number(row[9]), layer.weightedDegree.mean);
  // The initial checkpoint has no validation accuracy: empty cell.
  assert.ok(lines.some((l) => l.startsWith('run0000,0,,')));
});

test('runs CSV: one row per run, one column per feature, the union of names across runs', () => {
  const lines = runsCsv([d0, d1], 3).trim().split('\n');
  assert.equal(lines.length, 3);
  const header = lines[0].split(',');
  assert.deepEqual(header.slice(0, 5), ['run', 'path', 'final_accuracy', 'forecast', 'epochs_used']);
  const r0 = lines[1].split(',');
  const r1 = lines[2].split(',');
  assert.equal(r0.length, header.length);
  assert.equal(r1.length, header.length);
  assert.equal(r0[4], '1 2 3');
  assert.equal(r1[4], '1 2');
  // run0001 has only two epochs: its e3 columns are empty.
  const e3 = header.findIndex((h) => h.startsWith('e3:'));
  assert.ok(e3 > 0);
  assert.equal(r1[e3], '');
  assert.ok(Number.isFinite(Number(r0[e3])));
});

test('CSV cells with commas or quotes are quoted', () => {
  const odd = { ...d1, run: { ...d1.run, name: 'lr=0.1,"wd"' } };
  const first = runsCsv([odd], 1).split('\n')[1];
  assert.ok(first.startsWith('"lr=0.1,""wd"""'));
});
