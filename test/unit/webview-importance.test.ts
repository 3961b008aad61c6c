// Parameter importance (rank correlation, correlation ratio, permutation p-values) and the scales
// of the parallel coordinates' axes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestGroup, correlationRatio, parameterImportance, pearson, permutationP, ranks, seeded, spearman, type ImportanceRow } from '../../webview/importance';
import { axisScale, categoriesIn, logTicks, wantsLog, type CategoryScale, type NumericScale } from '../../webview/axis-scale';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('ranks: 1…n, ties share their average rank', () => {
  assert.deepEqual(ranks([30, 10, 20]), [3, 1, 2]);
  assert.deepEqual(ranks([5, 1, 5, 0]), [3.5, 2, 3.5, 1]);
  assert.deepEqual(ranks([]), []);
});

test('spearman: monotone is ±1 whatever the spacing; pearson of constant data is 0', () => {
  close(spearman([1e-5, 1e-4, 1e-3, 1e-1], [0.1, 0.2, 0.25, 0.9]), 1);
  close(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  close(pearson([1, 1, 1], [1, 2, 3]), 0);
  // scipy.stats.spearmanr([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]).statistic == 0.8
  close(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.8);
});

test('correlationRatio: 1 when the groups explain everything, 0 when nothing; bestGroup by mean', () => {
  close(correlationRatio(['a', 'a', 'b', 'b'], [1, 1, 5, 5]), 1);
  close(correlationRatio(['a', 'b', 'a', 'b'], [1, 1, 5, 5]), 0);
  // Group means 1.5 and 3.5 around 2.5: SS_between = 4 · 1² = 4, SS_total = 2.25 + 0.25 + 0.25 + 2.25 = 5.
  close(correlationRatio(['a', 'a', 'b', 'b'], [1, 2, 3, 4]), Math.sqrt(4 / 5));
  assert.equal(bestGroup(['adam', 'sgd', 'adam'], [3, 1, 2]), 'adam');
});

test('permutationP: exact over all orders for small n; seeded shuffles for larger n are repeatable', () => {
  const stat = (y: readonly number[]) => Math.abs(pearson([1, 2, 3, 4], y));
  // Of the 24 orders of 4 ranks, |ρ| = 1 for exactly 2 (the increasing and decreasing ones).
  close(permutationP([1, 2, 3, 4], stat), 2 / 24);
  const x = Array.from({ length: 30 }, (_, i) => i);
  const y = x.map((v) => v + 3 * Math.sin(v));
  const s2 = (yy: readonly number[]) => Math.abs(pearson(x, yy));
  const p1 = permutationP(y, s2, 5), p2 = permutationP(y, s2, 5);
  assert.equal(p1, p2);
  assert.ok(p1 < 0.01, `strong trend: p = ${p1}`);
  const r = seeded(1);
  assert.ok(r() >= 0 && r() < 1);
});

test('parameterImportance: the parameter that decides the metric ranks first, noise last with a large p', () => {
  const rnd = seeded(42);
  const rows: ImportanceRow[] = Array.from({ length: 40 }, (_, i) => {
    const lr = Math.pow(10, -5 + 4 * rnd());
    const opt = i % 2 ? 'adam' : 'sgd';
    const seed = Math.floor(rnd() * 1e6);
    // Accuracy peaks near lr = 1e-3, adam helps a little.
    const y = 0.9 - 0.15 * Math.abs(Math.log10(lr) + 3) + (opt === 'adam' ? 0.05 : 0) + 0.01 * rnd();
    return { values: { lr, optimizer: opt, seed, arch: 'lenet' }, y: i === 7 ? NaN : y };
  });
  const res = parameterImportance(rows, ['seed', 'optimizer', 'lr', 'arch']);
  assert.equal(res.n, 39, 'a run without a metric is left out');
  assert.deepEqual(res.items.map((x) => x.key).slice(0, 2).sort(), ['lr', 'optimizer'].sort());
  assert.equal(res.items[res.items.length - 1].key, 'seed');
  assert.ok(!res.items.some((x) => x.key === 'arch'), 'a constant is not scored');
  const opt = res.items.find((x) => x.key === 'optimizer')!;
  assert.equal(opt.method, 'eta');
  assert.equal(opt.best, 'adam');
  const seed = res.items.find((x) => x.key === 'seed')!;
  assert.equal(seed.method, 'spearman');
  assert.ok(seed.p > 0.05, `seed p = ${seed.p}`);
  assert.ok(opt.p < 0.05, `optimizer p = ${opt.p}`);
  assert.deepEqual(parameterImportance(rows, ['seed', 'optimizer', 'lr', 'arch']), res, 'the same on every render');
  assert.deepEqual(parameterImportance(rows.slice(0, 2), ['lr']).items, [], 'fewer than 3 runs: nothing');
});

test('axis scales: log for values spanning decades (or a learning rate spanning one), linear otherwise, categories for text', () => {
  assert.equal(wantsLog('lr', [1e-4, 1e-3]), true);
  assert.equal(wantsLog('width', [1, 5]), false);
  assert.equal(wantsLog('steps', [10, 5000]), true);
  assert.equal(wantsLog('lr', [0, 1e-3]), false, 'a zero rules out a log axis');
  const lr = axisScale('lr', [1e-4, 1e-2, 1e-3, undefined]) as NumericScale;
  assert.equal(lr.kind, 'log');
  close(lr.unit(1e-3), 0.5);
  close(lr.invert(0.5), 1e-3, 1e-12);
  assert.ok(Number.isNaN(lr.unit(undefined)));
  assert.deepEqual(lr.ticks.map((t) => t.label), ['1e-4', '1e-3', '0.01']);
  const bs = axisScale('batch_size', [32, 64, 256]) as NumericScale;
  assert.equal(bs.kind, 'linear');
  close(bs.unit(32), 0);
  close(bs.unit(256), 1);
  assert.ok(bs.ticks.every((t) => t.at >= 0 && t.at <= 1));
  const acc = axisScale('final', [0.001, 0.9], { linear: true });
  assert.equal(acc.kind, 'linear', 'a metric stays linear');
  const one = axisScale('dropout', [0.3, 0.3]) as NumericScale;
  close(one.unit(0.3), 0.5);
  const opt = axisScale('optimizer', ['sgd', 'adam', 'sgd', true]) as CategoryScale;
  assert.equal(opt.kind, 'category');
  assert.deepEqual(opt.categories, ['adam', 'sgd', 'true']);
  close(opt.unit('sgd'), 0.5);
  assert.equal(opt.categoryAt(0.9), 'true');
  assert.deepEqual(categoriesIn(opt, 0.4, 1), ['sgd', 'true']);
  // Zeros beside values spanning decades (weight decay off): log above, zero in a slot at the bottom.
  const wd = axisScale('weight_decay', [0, 1e-5, 1e-3, 1e-2, 0]) as NumericScale;
  assert.equal(wd.kind, 'log');
  assert.equal(wd.unit(0), 0);
  close(wd.unit(1e-5), 0.1);
  close(wd.unit(1e-2), 1);
  assert.equal(wd.invert(0.01), 0);
  close(wd.invert(1), 1e-2, 1e-12);
  assert.equal(wd.ticks[0].label, '0');
  assert.equal(axisScale('momentum', [0, 0.9, 0.9]).kind, 'linear', 'a single positive value stays linear');
  const mixed = axisScale('k', [1, 'x']);
  assert.equal(mixed.kind, 'category', 'numbers and text together: categories');
  assert.deepEqual(logTicks(2e-5, 3e-5), [2e-5, 3e-5], 'within one power of ten: the ends');
  assert.deepEqual(logTicks(1, 1e9).length <= 6, true);
});
