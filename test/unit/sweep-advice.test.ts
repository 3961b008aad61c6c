// The sweep's stopping rule (engine run/sweep-advice.ts): interval elimination against the best
// lower bound, diverged runs stopped, and the summary line the CLI and the dashboard lead with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adviseSweep, type SweepRun } from '../../src/engine/run/sweep-advice';

function run(name: string, over: Partial<SweepRun> = {}): SweepRun {
  return { id: `/s/${name}`, name, status: 'running', forecast: null, finalAccuracy: null, epochsDone: 3, horizon: 15, ...over };
}
const fc = (accuracy: number, half = 0.05) => ({ accuracy, low: accuracy - half, high: accuracy + half });

test('a running run whose upper bound is below the best lower bound is stopped; overlapping intervals are kept', () => {
  const runs = [run('a', { forecast: fc(0.8) }), run('b', { forecast: fc(0.7, 0.06) }), run('c', { forecast: fc(0.6) })];
  const { perRun, summary } = adviseSweep(runs);
  assert.equal(perRun.get('/s/a')!.stop, false);
  assert.match(perRun.get('/s/a')!.reason, /best of its sweep/);
  // b: high 0.76 ≥ a's low 0.75: it may still end as well.
  assert.equal(perRun.get('/s/b')!.stop, false);
  assert.match(perRun.get('/s/b')!.reason, /reaches a's lower bound of 75\.0%/);
  // c: high 0.65 < 0.75.
  const c = perRun.get('/s/c')!;
  assert.deepEqual([c.stop, c.epochsSaved], [true, 12]);
  assert.equal(c.reason, "its forecast of 60.0% (80% interval 55.0%–65.0%) is below a's lower bound of 75.0%; stopping now saves 12 of its 15 epochs");
  assert.deepEqual(summary.stop.map((s) => s.name), ['c']);
  assert.equal(summary.text, 'Stop this run now, saving about 12 epochs of compute.');
});

test('a finished run counts with its final accuracy as a point; finished and stopped runs are never advised', () => {
  const runs = [
    run('done', { status: 'finished', finalAccuracy: 0.7676, forecast: fc(0.2), epochsDone: 8, horizon: 8 }),
    run('live', { forecast: fc(0.7, 0.05) }),
    run('stopped', { status: 'stopped', forecast: fc(0.1) }),
  ];
  const { perRun } = adviseSweep(runs);
  assert.equal(perRun.get('/s/done')!.stop, false);
  assert.equal(perRun.get('/s/stopped')!.stop, false);
  const live = perRun.get('/s/live')!;
  assert.equal(live.stop, true, 'high 0.75 < 0.7676');
  assert.match(live.reason, /below done's final accuracy of 76\.8%/);
});

test('a diverged run is stopped whatever the others do; the summary adds up the epochs saved', () => {
  const runs = [run('best', { forecast: fc(0.9) }), run('nan', { status: 'diverged', divergence: 'at epoch 4: NaN in fc1.weight', epochsDone: 5, horizon: 20 }), run('bad', { forecast: fc(0.3), epochsDone: 2, horizon: 10 })];
  const { perRun, summary } = adviseSweep(runs);
  assert.equal(perRun.get('/s/nan')!.reason, 'it diverged at epoch 4: NaN in fc1.weight: it cannot recover; stopping now saves 15 of its 20 epochs');
  assert.deepEqual(summary.stop.map((s) => [s.name, s.epochsSaved]), [['nan', 15], ['bad', 8]]);
  assert.equal(summary.epochsSaved, 23);
  assert.equal(summary.text, 'Stop these 2 runs now, saving about 23 epochs of compute.');
});

test('unknown horizons and unknown states: savings unknown, no advice without a forecast or a status', () => {
  const runs = [run('best', { forecast: fc(0.9) }), run('nohorizon', { forecast: fc(0.2), horizon: null }), run('noforecast'), run('unknown', { status: 'unknown', forecast: fc(0.1) })];
  const { perRun, summary } = adviseSweep(runs);
  assert.deepEqual([perRun.get('/s/nohorizon')!.stop, perRun.get('/s/nohorizon')!.epochsSaved], [true, null]);
  assert.equal(perRun.get('/s/noforecast')!.stop, false);
  assert.equal(perRun.get('/s/unknown')!.stop, false);
  assert.equal(summary.text, 'Stop this run now, the epochs saved are unknown (no horizon).');
  const mixed = adviseSweep([...runs, run('bad', { forecast: fc(0.3) })]).summary;
  assert.equal(mixed.text, 'Stop these 2 runs now, saving about 12 epochs of compute (and more: 1 of them has no known horizon).');
  assert.equal(adviseSweep([run('only', { forecast: fc(0.2) })]).summary.text, 'No run needs stopping now.');
});
