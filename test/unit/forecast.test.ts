/**
 * The forecaster's parts on cases with known answers, and the whole on real runs.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { r2, kendallTau, mae, coverage } from '../../src/engine/forecast/metrics';
import { powerLawExtrapolate } from '../../src/engine/forecast/curve';
import { fitForest, prng } from '../../src/engine/forecast/forest';
import { predictTrees } from '../../src/engine/forecast/trees';
import { calibrate, interval } from '../../src/engine/forecast/conformal';
import { readBundle, writeBundle, BUNDLE_FORMAT, BUNDLE_VERSION } from '../../src/engine/forecast/bundle';
import { fitPredictor, predict } from '../../src/engine/forecast/predictor';
import { forecastFeatures, globalEpochFeatures, type RunObservation } from '../../src/engine/features/definitions';
import { forecastRun, shippedModelFile, availableEpochs } from '../../src/engine/forecast/index';
import { trainForecaster } from '../../src/engine/forecast/train';
import { analyzePath } from '../../src/engine/run/analyze-run';
import { InputError } from '../../src/engine/errors';

const ROOT = path.join(__dirname, '..', '..');

test('Kendall τ, R², MAE and coverage on hand-computed cases', () => {
  assert.equal(kendallTau([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(kendallTau([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // 6 pairs: (1,2)+ (1,3)+ (1,4)+ (2,3)- (2,4)+ (3,4)+ → (5−1)/6.
  assert.ok(Math.abs(kendallTau([1, 2, 3, 4], [1, 3, 2, 4]) - 4 / 6) < 1e-12);
  // τ-b with a tie in b: n0 = 3, ties in b = 1 → (2 − 0)/sqrt(3·2).
  assert.ok(Math.abs(kendallTau([1, 2, 3], [1, 2, 2]) - 2 / Math.sqrt(6)) < 1e-12);
  assert.equal(r2([1, 2, 3], [1, 2, 3]), 1);
  assert.equal(r2([1, 2, 3], [2, 2, 2]), 0);
  assert.equal(mae([0, 1], [0.5, 0.5]), 0.5);
  assert.equal(coverage([1, 2, 3, 4], [0, 0, 0, 5], [10, 1, 10, 10]), 0.5);
});

test('power-law extrapolation recovers an exact power law and stays in [0, 1]', () => {
  const f = (t: number) => 0.9 - 0.4 * t ** -0.7;
  const pts = [1, 2, 3, 4, 5].map((e) => ({ epoch: e, value: f(e) }));
  assert.ok(Math.abs(powerLawExtrapolate(pts, 15) - f(15)) < 0.01, `${powerLawExtrapolate(pts, 15)} vs ${f(15)}`);
  assert.equal(powerLawExtrapolate(pts.slice(0, 1), 15), f(1));
  // A falling curve is not extrapolated below its data.
  const falling = [1, 2, 3].map((e) => ({ epoch: e, value: 0.5 - 0.1 * e }));
  assert.ok(powerLawExtrapolate(falling, 15) >= 0 && powerLawExtrapolate(falling, 15) <= 0.4 + 1e-9);
});

test('the forest learns a step and a linear trend, is reproducible, and its OOB errors are honest', () => {
  const rand = prng(1);
  const rows = Array.from({ length: 200 }, () => [rand(), rand(), rand()]);
  const y = rows.map((r) => (r[0] > 0.5 ? 0.8 : 0.2) + 0.1 * r[1]);
  const a = fitForest(rows, y);
  const b = fitForest(rows, y);
  assert.deepEqual(a.trees, b.trees, 'same seed, same forest');
  assert.ok(Math.abs(predictTrees(a.trees, [0.9, 0.5, 0.5]).predicted - 0.85) < 0.05);
  assert.ok(Math.abs(predictTrees(a.trees, [0.1, 0.5, 0.5]).predicted - 0.25) < 0.05);
  const oobErr = mae(y, a.oob.map((o) => o.predicted));
  assert.ok(oobErr < 0.06, `OOB MAE ${oobErr}`);
  // Missing inputs are imputed, never NaN out.
  assert.ok(Number.isFinite(predictTrees(a.trees, a.medians).predicted));
  const c = fitForest(rows.map((r, i) => (i % 7 === 0 ? [NaN, r[1], Infinity] : r)), y);
  assert.ok(c.medians.every(Number.isFinite));
});

test('conformal intervals cover about 80% of new points', () => {
  const rand = prng(2);
  const gen = (n: number) => Array.from({ length: n }, () => {
    const x = rand();
    const noise = (rand() - 0.5) * (0.05 + 0.3 * x); // heteroscedastic
    return { x: [x, rand()], y: 0.3 + 0.5 * x + noise };
  });
  const train = gen(300);
  const test = gen(1000);
  const fit = fitForest(train.map((d) => d.x), train.map((d) => d.y));
  const conf = calibrate(train.map((d) => d.y), fit.oob, 0.8);
  let inside = 0;
  for (const d of test) {
    const p = predictTrees(fit.trees, d.x);
    const iv = interval(conf, p.predicted, p.spread);
    if (d.y >= iv.low && d.y <= iv.high) inside++;
  }
  const cov = inside / test.length;
  assert.ok(cov > 0.72 && cov < 0.9, `coverage ${cov}`);
});

function syntheticRun(_i: number, rand: () => number): { obs: RunObservation; final: number } {
  const quality = rand();
  const epochs = [0, 1, 2, 3].map((e) => ({ epoch: e, graph: { 'deg.l1.mean': 1 + quality * e * 0.1 + rand() * 0.01, 'evc.l1.mean': 1, 'deg.l2.mean': 0.5, 'eig.log': e * quality } }));
  return { obs: { layers: ['dense', 'dense'], epochs, valAcc: [1, 2, 3].map((e) => ({ epoch: e, value: quality * (1 - 0.5 / e) })) }, final: 0.1 + 0.8 * quality };
}

test('forecast features: temporal summary and global view', () => {
  const { obs } = syntheticRun(0, prng(3));
  const f = forecastFeatures(obs, 3, ['graph', 'val']);
  assert.equal(f.get('g.k:deg.l1.mean'), obs.epochs[3].graph['deg.l1.mean']);
  assert.equal(f.get('g.d0:deg.l1.mean'), obs.epochs[3].graph['deg.l1.mean'] - obs.epochs[0].graph['deg.l1.mean']);
  assert.equal(f.get('g.d1:eig.log'), obs.epochs[3].graph['eig.log'] - obs.epochs[2].graph['eig.log']);
  assert.equal(f.get('val:k'), obs.valAcc[2].value);
  assert.ok(!forecastFeatures(obs, 4, ['graph']).size, 'no value at epoch 4: nothing');
  const g = globalEpochFeatures({ 'deg.l1.mean': 1, 'deg.l2.mean': 3, 'deg.l5.mean': 5, 'eig.log': 2 });
  assert.deepEqual(g, { 'all.deg.mean': 3, 'first.deg.mean': 1, 'last.deg.mean': 5, 'eig.log': 2 });
  assert.equal(availableEpochs(obs, 5), 3);
});

test('a predictor round-trips through a gzipped forecaster file and predicts the same', () => {
  const rand = prng(4);
  const runs = Array.from({ length: 60 }, (_, i) => syntheticRun(i, rand));
  const p = fitPredictor(runs.map((r) => r.obs), runs.map((r) => r.final), { signature: 'dense,dense', k: 3, groups: ['graph', 'val'] }, 'synthetic');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bundle-'));
  const file = path.join(dir, 'f.json.gz');
  writeBundle(file, { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, source: 'test', created: 'now', predictors: [p] });
  const back = readBundle(file);
  const test = Array.from({ length: 20 }, (_, i) => syntheticRun(100 + i, rand));
  const a = predict(p, test.map((t) => t.obs));
  const b = predict(back.predictors[0], test.map((t) => t.obs));
  assert.deepEqual(a, b);
  assert.ok(r2(test.map((t) => t.final), a.map((x) => x.accuracy)) > 0.8);
});

test('a hostile forecaster file gets a named error, not a hang or a crash', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bundle-'));
  const write = (name: string, data: string | Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, data);
    return f;
  };
  const tree = { col: [0, -1, -1], thr: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, 0.2, 0.8] };
  const good = { format: BUNDLE_FORMAT, version: 1, source: 's', created: 'c', predictors: [{ spec: { signature: 'x', k: 1, groups: ['graph'] }, names: ['a'], medians: [0], trees: [tree], conformal: { level: 0.8, q: 1, floor: 0.01 }, trainedOn: { runs: 9, label: 'l' } }] };
  assert.equal(readBundle(write('ok.json', JSON.stringify(good))).predictors.length, 1);
  const cases: [string, string | Buffer, RegExp][] = [
    ['text.json', 'not json', /not a forecaster file/],
    ['other.json', JSON.stringify({ format: 'pickle' }), /format "pickle"/],
    ['version.json', JSON.stringify({ ...good, version: 99 }), /version 99/],
    ['cycle.json', JSON.stringify({ ...good, predictors: [{ ...good.predictors[0], trees: [{ ...tree, left: [0, -1, -1] }] }] }), /children do not follow/],
    ['col.json', JSON.stringify({ ...good, predictors: [{ ...good.predictors[0], trees: [{ ...tree, col: [7, -1, -1] }] }] }), /split on feature 7/],
    ['k.json', JSON.stringify({ ...good, predictors: [{ ...good.predictors[0], spec: { signature: 'x', k: 9, groups: [] } }] }), /k = 9/],
    ['trunc.json.gz', zlib.gzipSync(JSON.stringify(good)).subarray(0, 30), /not a forecaster file/],
  ];
  for (const [name, data, re] of cases) {
    assert.throws(() => readBundle(write(name, data)), (e: unknown) => e instanceof InputError && e.file.endsWith(name) && re.test(e.problem), name);
  }
});

test('the shipped forecaster forecasts the real example sweep, with intervals, and the logged outcome order', () => {
  assert.ok(shippedModelFile(), 'models/forecaster.json.gz ships with the package');
  const report = analyzePath(path.join(ROOT, 'examples', 'lenet-fashion'));
  assert.equal(report.runs.length, 3);
  for (const run of report.runs) {
    assert.ok(run.forecast, `${run.path}: a forecast`);
    assert.ok(run.forecast.low <= run.forecast.accuracy && run.forecast.accuracy <= run.forecast.high);
    assert.equal(run.forecast.epochsUsed, 3);
    assert.match(run.forecast.model ?? '', /model zoo/);
  }
  // run0000 trained (77%), run0001 and run0002 did not (10%, 19%): the forecast must rank them so.
  const f = report.runs.map((r) => r.forecast!.accuracy);
  assert.ok(f[0] > f[1] + 0.2 && f[0] > f[2] + 0.2, f.join(', '));
});

test('without a validation log the graph-only predictor is used; with one epoch, k = 1', () => {
  const report = analyzePath(path.join(ROOT, 'examples', 'lenet-fashion', 'run0000'));
  const run = report.runs[0];
  const checkpoints = run.checkpoints.map((c) => ({ epoch: c.order, analysis: c }));
  const noLog = forecastRun({ checkpoints, valAcc: null });
  assert.ok(noLog && /graph only/.test(noLog.model ?? ''), noLog?.model);
  const first = forecastRun({ checkpoints: checkpoints.filter((c) => c.epoch <= 1), valAcc: run.accuracy!.points });
  assert.equal(first?.epochsUsed, 1);
  assert.equal(forecastRun({ checkpoints: checkpoints.filter((c) => c.epoch === 0), valAcc: null }), null, 'initialisation only: no forecast');
});

test('train fits a forecaster on finished real runs, and analyze then uses it', () => {
  const sweep = fs.mkdtempSync(path.join(os.tmpdir(), 'td-sweep-'));
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'zoo', 'lenet-digits'), sweep, { recursive: true });
  // An unfinished run (no final accuracy) is skipped, not an error.
  const unfinished = path.join(sweep, 'running');
  fs.mkdirSync(unfinished);
  const src = path.join(sweep, fs.readdirSync(sweep).filter((d) => d.startsWith('run'))[0]);
  for (const f of ['epoch_0.pt', 'epoch_1.pt']) fs.copyFileSync(path.join(src, f), path.join(unfinished, f));
  const r = trainForecaster(sweep);
  assert.equal(r.finished, 10);
  assert.equal(r.skipped.length, 1);
  assert.equal(r.predictors.length, 10, 'k = 1..5 × {graph, graph + val}');
  assert.ok(fs.existsSync(r.outFile));
  const report = analyzePath(unfinished);
  assert.match(report.runs[0].forecast?.model ?? '', /your runs/);
  assert.equal(report.runs[0].forecast?.epochsUsed, 1);
});

test('train refuses a folder without enough finished runs, naming it', () => {
  const sweep = fs.mkdtempSync(path.join(os.tmpdir(), 'td-sweep-'));
  fs.cpSync(path.join(ROOT, 'examples', 'lenet-fashion'), sweep, { recursive: true });
  assert.throws(() => trainForecaster(sweep), new RegExp(`${sweep.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*at least 8 finished runs`));
});
