// View state of the dashboard: restoring, merging live updates, sorting, best run per sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseName, bestPerSweep, DEFAULT_STATE, groupBySweep, mergeRuns, nearestEpoch, restoreState, runScore, type ViewState } from '../../webview/model';
import type { RunSummary } from '../../src/shared/dashboard-protocol';
import { unknownRunFacts } from '../../src/shared/dashboard-protocol';

function run(id: string, o: Partial<RunSummary> = {}): RunSummary {
  return { id, name: baseName(id), sweep: id.slice(0, id.lastIndexOf('/')), status: 'ready', epochs: [0, 1, 2], forecast: null, accuracy: null, finalAccuracy: null, errors: [], ...unknownRunFacts(), ...o };
}
const fc = (accuracy: number) => ({ accuracy, low: accuracy - 0.02, high: accuracy + 0.02, epochsUsed: 3 });

test('restoreState keeps well-formed fields only', () => {
  assert.deepEqual(restoreState(undefined), DEFAULT_STATE);
  assert.deepEqual(restoreState('x'), DEFAULT_STATE);
  const s = restoreState({ runId: '/a/r1', tab: 'network', epoch: 3, compare: true, compareEpoch: 0, sort: 'hp:lr', sortDir: 'asc', filter: 'lr<1e-3', metric: 'final', columns: ['lr', 'lr', 'dropout'], loop: false, follow: true, node: '2:5', layer: 2 });
  assert.deepEqual(s, { v: 1, runId: '/a/r1', tab: 'network', epoch: 3, compare: true, compareEpoch: 0, sort: 'hp:lr', sortDir: 'asc', filter: 'lr<1e-3', metric: 'final', columns: ['lr', 'dropout'], loop: false, follow: true, node: '2:5', layer: 2 });
  assert.equal(restoreState({ sort: 'name' }).sort, 'name', 'a sort key of the earlier sort menu still reads');
  const bad = restoreState({ runId: 5, tab: '<script>', epoch: -1, compare: 'yes', compareEpoch: 1.5, sort: 'evil', sortDir: 'up', filter: 7, metric: 'loss', columns: [1], loop: 0, node: {}, layer: 'x' });
  assert.deepEqual(bad, DEFAULT_STATE);
});

test('nearestEpoch: exact, nearest, ties to the earlier, null = latest', () => {
  assert.equal(nearestEpoch([0, 5, 10], 5), 5);
  assert.equal(nearestEpoch([0, 5, 10], 7), 5);
  assert.equal(nearestEpoch([0, 4, 6], 5), 4);
  assert.equal(nearestEpoch([0, 5, 10], null), 10);
  assert.equal(nearestEpoch([], 3), null);
});

test('mergeRuns: a live update keeps the selected run, tab, epoch and node', () => {
  const s: ViewState = { ...DEFAULT_STATE, runId: '/s/b', tab: 'features', epoch: 1, node: '1:2' };
  const runs = [run('/s/a'), run('/s/b', { epochs: [0, 1, 2, 3] })];
  const m = mergeRuns(s, runs, null, [run('/s/a'), run('/s/b')]);
  assert.equal(m.runId, '/s/b');
  assert.equal(m.tab, 'features');
  assert.equal(m.epoch, 1);
  assert.equal(m.node, '1:2');
});

test('mergeRuns: first list selects the first run at its latest epoch; a vanished run falls back', () => {
  const first = mergeRuns(DEFAULT_STATE, [run('/s/a', { epochs: [0, 1] }), run('/s/b')], null);
  assert.equal(first.runId, '/s/a');
  assert.equal(first.epoch, 1);
  const gone = mergeRuns({ ...DEFAULT_STATE, runId: '/s/x', epoch: 7, node: 'n' }, [run('/s/a')], null);
  assert.equal(gone.runId, '/s/a');
  assert.equal(gone.epoch, 2);
  assert.equal(gone.node, null);
  assert.equal(mergeRuns(DEFAULT_STATE, [], null).runId, null);
  const drawable = mergeRuns(DEFAULT_STATE, [run('/s/w', { epochs: [] }), run('/s/b')], null);
  assert.equal(drawable.runId, '/s/b', 'prefers a run with something to draw');
  assert.equal(mergeRuns(DEFAULT_STATE, [run('/s/w', { epochs: [] })], null).runId, '/s/w');
});

test('mergeRuns: an explicit host selection wins; an unknown one is ignored', () => {
  const s: ViewState = { ...DEFAULT_STATE, runId: '/s/a', epoch: 1, layer: 3 };
  const runs = [run('/s/a'), run('/s/b', { epochs: [0, 4] })];
  const m = mergeRuns(s, runs, '/s/b');
  assert.equal(m.runId, '/s/b');
  assert.equal(m.epoch, 4);
  assert.equal(m.layer, null);
  assert.equal(mergeRuns(s, runs, '/s/zz').runId, '/s/a');
});

test('mergeRuns: epochs snap to the available ones; follow moves along with new epochs', () => {
  const s: ViewState = { ...DEFAULT_STATE, runId: '/s/a', epoch: 3, compareEpoch: 1 };
  const m = mergeRuns(s, [run('/s/a', { epochs: [0, 2, 4] })], null);
  assert.equal(m.epoch, 2);
  assert.equal(m.compareEpoch, 0);
  const prev = [run('/s/a', { epochs: [0, 1, 2] })];
  const next = [run('/s/a', { epochs: [0, 1, 2, 3] })];
  const atLatest: ViewState = { ...DEFAULT_STATE, runId: '/s/a', epoch: 2 };
  assert.equal(mergeRuns(atLatest, next, null, prev).epoch, 2, 'stays without follow');
  assert.equal(mergeRuns({ ...atLatest, follow: true }, next, null, prev).epoch, 3, 'follows');
  assert.equal(mergeRuns({ ...atLatest, follow: true, epoch: 1 }, next, null, prev).epoch, 1, 'not at the latest: stays');
  const waiting: ViewState = { ...DEFAULT_STATE, runId: '/s/a', epoch: null };
  assert.equal(mergeRuns(waiting, [run('/s/a', { epochs: [] })], null).epoch, null);
  assert.equal(mergeRuns(waiting, [run('/s/a', { epochs: [0] })], null).epoch, 0);
});

test('bestPerSweep: final accuracy beats forecast as the score; sweeps with one scored run get no mark', () => {
  const runs = [
    run('/a/r1', { forecast: fc(0.9) }),
    run('/a/r2', { finalAccuracy: 0.92, forecast: fc(0.5) }),
    run('/a/r3'),
    run('/b/r1', { forecast: fc(0.7) }),
    run('/b/r2'),
  ];
  assert.equal(runScore(runs[1]), 0.92);
  assert.equal(runScore(runs[2]), null);
  const best = bestPerSweep(runs);
  assert.equal(best.get('/a'), '/a/r2');
  assert.equal(best.has('/b'), false);
});

test('groupBySweep keeps the order of first appearance; baseName handles both separators', () => {
  const g = groupBySweep([run('/b/r1'), run('/a/r1'), run('/b/r2')]);
  assert.deepEqual(g.map((x) => [x.sweep, x.runs.length]), [['/b', 2], ['/a', 1]]);
  assert.equal(baseName('C:\\runs\\sweep\\run7\\'), 'run7');
  assert.equal(baseName('/x/<img src=x>'), '<img src=x>');
});
