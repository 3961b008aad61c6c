// The sweep view's pure parts: hyperparameter columns, sorting by any column, ranks, the advice
// sum, and the filter line that typed filters and parallel-coordinate brushes share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunSummary } from '../../src/shared/dashboard-protocol';
import { unknownRunFacts } from '../../src/shared/dashboard-protocol';
import { hyperColumns, hyperText, shownColumns, AUTO_COLUMNS } from '../../webview/hyper';
import { adviceSummary, adviceText, focusSweep, isColumnId, metricOf, naturalDir, sortRuns, sweepRanks } from '../../webview/sweep-model';
import { filterNumber, matchesFilter, parseFilter, rangeFor, roundAt, setFor, withoutKey, withRange, withValues } from '../../webview/sweep-filter';
import { brushFilter } from '../../webview/sweep-view';

type Values = Record<string, number | string | boolean>;
function run(id: string, values: Values = {}, o: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    name: id.slice(id.lastIndexOf('/') + 1),
    sweep: id.slice(0, id.lastIndexOf('/')),
    status: 'ready',
    epochs: [0, 1, 2],
    forecast: null,
    accuracy: null,
    finalAccuracy: null,
    errors: [],
    ...unknownRunFacts(),
    hyperparameters: { values, sources: Object.fromEntries(Object.keys(values).map((k) => [k, 'config.json'])) },
    ...o,
  };
}
const fc = (accuracy: number) => ({ accuracy, low: accuracy - 0.02, high: accuracy + 0.02, epochsUsed: 3 });
const advice = (epochsSaved: number | null, stop = true) => ({ advice: { stop, reason: 'r', epochsSaved } });

test('hyperText: short, exact for integers, exponents for small and large values', () => {
  assert.equal(hyperText(0.00040975071190419576), '4.1e-4');
  assert.equal(hyperText(3.2134825337891334e-5), '3.21e-5');
  assert.equal(hyperText(1e-5), '1e-5');
  assert.equal(hyperText(0.3), '0.3');
  assert.equal(hyperText(569274905), '569274905');
  assert.equal(hyperText(true), 'true');
  assert.equal(hyperText(null), 'null');
  assert.equal(hyperText(undefined), '');
  assert.equal(hyperText(NaN), 'NaN');
});

test('hyperColumns: varying keys become columns (learning rate and batch size first, the seed last), shared ones constants', () => {
  const runs = [
    run('/s/a', { index: 0, arch: 'lenet', seed: 1, width: 2, optimizer: 'adam', lr: 1e-3, batch_size: 128 }),
    run('/s/b', { index: 1, arch: 'lenet', seed: 2, width: 0.5, optimizer: 'sgd', lr: 1e-2, batch_size: 128 }),
    run('/s/c', { index: 2, arch: 'lenet', seed: 3, width: 2, optimizer: 'adam', lr: 3e-4, batch_size: 64 }),
  ];
  const c = hyperColumns(runs);
  assert.deepEqual(c.varying.map((x) => x.key), ['lr', 'batch_size', 'optimizer', 'width', 'seed']);
  assert.deepEqual(c.constant, [['arch', 'lenet']], 'bookkeeping keys (index) are neither');
  assert.equal(c.varying[0].kind, 'number');
  assert.deepEqual(c.varying[0].distinct, ['3e-4', '1e-3', '0.01']);
  assert.equal(c.varying[2].kind, 'category');
  assert.deepEqual(c.varying[2].distinct, ['adam', 'sgd']);
  assert.equal(shownColumns(c.varying, null).length, Math.min(AUTO_COLUMNS, 5));
  assert.deepEqual(shownColumns(c.varying, ['optimizer', 'gone', 'lr']).map((x) => x.key), ['optimizer', 'lr'], "the user's order; keys no longer varying dropped");
  assert.deepEqual(hyperColumns([run('/s/x'), run('/s/y', { lr: 1 })]).varying, [], 'a key in one run only does not vary');
});

test('sortRuns: by a hyperparameter (numbers by value, missing last either way), name, status, score', () => {
  const runs = [
    run('/s/r10', { lr: 0.1, opt: 'sgd' }, { forecast: fc(0.5), training: { status: 'finished', reason: '', lastEpoch: 9 } }),
    run('/s/r2', { lr: 0.001, opt: 'adam' }, { finalAccuracy: 0.9, training: { status: 'running', reason: '', lastEpoch: 3 } }),
    run('/s/r1', {}, { forecast: fc(0.7), training: { status: 'diverged', reason: '', lastEpoch: 2 } }),
    run('/s/r3', { lr: 0.01, opt: 'Adam' }),
  ];
  const names = (rs: RunSummary[]) => rs.map((r) => r.name);
  assert.deepEqual(names(sortRuns(runs, 'hp:lr', 'asc')), ['r2', 'r3', 'r10', 'r1']);
  assert.deepEqual(names(sortRuns(runs, 'hp:lr', 'desc')), ['r10', 'r3', 'r2', 'r1']);
  assert.deepEqual(names(sortRuns(runs, 'hp:opt')), ['r2', 'r3', 'r10', 'r1'], 'text in any case');
  assert.deepEqual(names(sortRuns(runs, 'name')), ['r1', 'r2', 'r3', 'r10']);
  assert.deepEqual(names(sortRuns(runs, 'status')), ['r1', 'r2', 'r3', 'r10'], 'diverged, running, unknown, finished');
  assert.deepEqual(names(sortRuns(runs, 'score')), ['r2', 'r1', 'r10', 'r3'], 'final accuracy, else forecast; none last');
  assert.deepEqual(names(sortRuns(runs, 'forecast', 'asc')), ['r10', 'r1', 'r2', 'r3']);
  assert.deepEqual(names(runs), ['r10', 'r2', 'r1', 'r3'], 'input untouched');
  assert.equal(naturalDir('score'), 'desc');
  assert.equal(naturalDir('hp:lr'), 'asc');
  assert.ok(isColumnId('hp:lr') && isColumnId('final') && !isColumnId('hp:') && !isColumnId('evil'));
});

test('metricOf and sweepRanks: final accuracy beats the forecast; ranks per sweep, ties shared', () => {
  const runs = [run('/a/r1', {}, { forecast: fc(0.8) }), run('/a/r2', {}, { finalAccuracy: 0.9, forecast: fc(0.1) }), run('/a/r3', {}, { forecast: fc(0.8) }), run('/a/r4'), run('/b/r1', {}, { forecast: fc(0.2) })];
  assert.equal(metricOf(runs[1], 'score'), 0.9);
  assert.equal(metricOf(runs[1], 'forecast'), 0.1);
  assert.equal(metricOf(runs[0], 'final'), null);
  const r = sweepRanks(runs);
  assert.deepEqual(r.get('/a/r2'), { rank: 1, of: 3 });
  assert.deepEqual(r.get('/a/r1'), { rank: 2, of: 3 });
  assert.deepEqual(r.get('/a/r3'), { rank: 2, of: 3 });
  assert.equal(r.has('/a/r4'), false);
  assert.deepEqual(r.get('/b/r1'), { rank: 1, of: 1 });
});

test('focusSweep: the selected run’s sweep when it has company, else the largest', () => {
  const runs = [run('/a/r1'), run('/b/r1'), run('/b/r2'), run('/c/r1'), run('/c/r2'), run('/c/r3')];
  assert.equal(focusSweep(runs, '/b/r2'), '/b');
  assert.equal(focusSweep(runs, '/a/r1'), '/c');
  assert.equal(focusSweep(runs, null), '/c');
  assert.equal(focusSweep([], null), null);
});

test('adviceSummary and adviceText: the host’s advice counted, epochs saved summed, unknown horizons said', () => {
  const runs = [run('/s/a', {}, advice(10)), run('/s/b', {}, advice(7)), run('/s/c', {}, advice(null, false)), run('/s/d')];
  const a = adviceSummary(runs);
  assert.deepEqual(a.runs.map((r) => r.name), ['a', 'b']);
  assert.equal(a.epochsSaved, 17);
  assert.equal(adviceText(a), 'Stop these 2 runs now, saving about 17 epochs of compute.');
  assert.equal(adviceText(adviceSummary([run('/s/a', {}, advice(1))])), 'Stop this run now, saving about 1 epoch of compute.');
  assert.equal(adviceText(adviceSummary([run('/s/a', {}, advice(4)), run('/s/b', {}, advice(null))])), 'Stop these 2 runs now, saving about 4 epochs of compute, plus what 1 run without a known horizon would still take.');
  assert.match(adviceText(adviceSummary([run('/s/a', {}, advice(null))])), /^Stop this run now \(how much compute that saves is unknown/);
  assert.equal(adviceText(adviceSummary([run('/s/c', {}, advice(5, false))])), '');
});

test('parseFilter and matchesFilter: names, equality (numbers and any case), sets, comparisons, percentages, run fields', () => {
  const runs = [
    run('/s/conv-a', { lr: 0.001, optimizer: 'adam', 'model.width': 2 }, { finalAccuracy: 0.8, training: { status: 'finished', reason: '', lastEpoch: 5 } }),
    run('/s/conv-b', { lr: 0.01, optimizer: 'SGD', 'model.width': 1 }, { forecast: fc(0.4), training: { status: 'running', reason: '', lastEpoch: 2 } }),
    run('/s/mlp', { lr: 0.1 }, { status: 'error' }),
  ];
  const keep = (f: string) => runs.filter((r) => matchesFilter(r, parseFilter(f))).map((r) => r.name);
  assert.deepEqual(keep(''), ['conv-a', 'conv-b', 'mlp']);
  assert.deepEqual(keep('CONV'), ['conv-a', 'conv-b']);
  assert.deepEqual(keep('lr<0.05'), ['conv-a', 'conv-b']);
  assert.deepEqual(keep('lr>=1e-2 lr<=0.01'), ['conv-b']);
  assert.deepEqual(keep('lr=1e-3'), ['conv-a']);
  assert.deepEqual(keep('optimizer=sgd'), ['conv-b']);
  assert.deepEqual(keep('optimizer=adam,sgd'), ['conv-a', 'conv-b']);
  assert.deepEqual(keep('optimizer!=adam'), ['conv-b', 'mlp'], 'a run without the key passes !=');
  assert.deepEqual(keep('model.width>1'), ['conv-a']);
  assert.deepEqual(keep('status=running'), ['conv-b']);
  assert.deepEqual(keep('status=error'), ['mlp'], 'the analysis status too');
  assert.deepEqual(keep('score>50%'), ['conv-a']);
  assert.deepEqual(keep('forecast<0.5'), ['conv-b']);
  assert.deepEqual(keep('LR<0.005'), ['conv-a'], 'a key in another case');
  assert.deepEqual(keep('name="conv-b"'), ['conv-b']);
  const bad = parseFilter('lr<abc conv');
  assert.deepEqual(bad.errors, ['lr<abc']);
  assert.equal(bad.clauses.length, 1);
  assert.equal(filterNumber('70%'), 0.7);
  assert.ok(Number.isNaN(filterNumber('')));
});

test('brushes write the filter line: a range or a set per key, replacing what the line said about it, cleared alone', () => {
  let f = 'conv lr>0.5';
  f = withRange(f, 'lr', 0.00012345, 0.0067891);
  assert.equal(f, 'conv lr>=1.23e-4 lr<=6.79e-3');
  assert.deepEqual(rangeFor(parseFilter(f), 'lr'), { lo: 1.23e-4, hi: 6.79e-3 });
  f = withValues(f, 'optimizer', ['adam', 'my opt']);
  assert.equal(f, 'conv lr>=1.23e-4 lr<=6.79e-3 optimizer=adam,"my opt"');
  assert.deepEqual(setFor(parseFilter(f), 'optimizer'), ['adam', 'my opt']);
  assert.equal(withoutKey(f, 'lr'), 'conv optimizer=adam,"my opt"');
  assert.equal(brushFilter(f, 'optimizer', null), 'conv lr>=1.23e-4 lr<=6.79e-3');
  assert.equal(brushFilter('', 'dropout', { kind: 'range', lo: 0.1, hi: 0.3 }), 'dropout>=0.1 dropout<=0.3');
  assert.equal(withRange('x', 'bad key', 0, 1), 'x', 'a key that cannot be written is left alone');
  assert.equal(rangeFor(parseFilter('a>1'), 'a')!.hi, Infinity);
  // Rounding keeps the brushed edge runs inside the range.
  assert.equal(roundAt(0.00012345, 3, 'down'), 0.000123);
  assert.equal(roundAt(0.0067891, 3, 'up'), 0.00679);
  assert.equal(roundAt(-1.234, 2, 'down'), -1.3);
  const r = run('/s/x', { lr: 0.0067891 });
  assert.ok(matchesFilter(r, parseFilter(withRange('', 'lr', 0.0001, 0.0067891))));
});
