// When a run is worth a "stop it?" notification (notify-policy.ts), and the STOP file it writes
// (stop-request.ts through runtime/safe-write.ts, which follows no link).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decideNotifications, notifyKey } from '../../src/extension/notify-policy';
import { stopRefusal, writeStopRequest, STOP_FILE } from '../../src/extension/stop-request';
import { writeFileNoFollow } from '../../src/runtime/safe-write';
import type { RunSummary, StopAdviceView, TrainingStatus } from '../../src/shared/dashboard-protocol';
import { unknownRunFacts } from '../../src/shared/dashboard-protocol';

function run(name: string, over: Partial<RunSummary> = {}): RunSummary {
  return { id: `/ws/sweep/${name}`, name, sweep: '/ws/sweep', status: 'ready', epochs: [0, 1, 2, 3], forecast: null, accuracy: null, finalAccuracy: null, errors: [], ...unknownRunFacts(), ...over };
}
const fc = (accuracy: number) => ({ accuracy, low: accuracy - 0.05, high: accuracy + 0.05, epochsUsed: 3 });
const training = (status: TrainingStatus, lastEpoch = 3) => ({ status, reason: status, lastEpoch });
const stop = (reason: string): StopAdviceView => ({ stop: true, reason, epochsSaved: 12 });
const keep: StopAdviceView = { stop: false, reason: 'it may still end as well', epochsSaved: 12 };
const RULE = { threshold: 0, belowBest: 0, minEpochs: 3 };

test('a running run advised to stop is notified with the advice\'s own words and numbers', () => {
  const reason = "its forecast of 30.0% (80% interval 25.0%–35.0%) is below run0000's final accuracy of 76.8%; stopping now saves 12 of its 15 epochs";
  const runs = [run('run0000', { training: training('finished', 8), finalAccuracy: 0.7676, advice: { stop: false, reason: 'it has finished', epochsSaved: null } }), run('run0001', { training: training('running'), forecast: fc(0.3), advice: stop(reason) })];
  const d = decideNotifications(runs, RULE, new Set());
  assert.equal(d.length, 1);
  assert.equal(d[0].runId, '/ws/sweep/run0001');
  assert.equal(d[0].state, 'stop');
  assert.equal(d[0].message, `Run run0001: ${reason} — stop it?`);
  assert.equal(d[0].reason, `Run run0001: ${reason}`);
});

test('never for a finished or stopped run, nor before the logs are read (no advice), whatever the forecast', () => {
  const bad = { forecast: fc(0.1), advice: stop('below the best') };
  const runs = [
    run('done', { ...bad, training: training('finished'), finalAccuracy: 0.14 }),
    run('stopped', { ...bad, training: training('stopped') }),
    run('unread', { forecast: fc(0.1), training: training('unknown'), advice: null }),
    run('best', { training: training('finished'), finalAccuracy: 0.81 }),
  ];
  assert.deepEqual(decideNotifications(runs, { threshold: 0.5, belowBest: 0.1, minEpochs: 1 }, new Set()), []);
});

test('a diverged run is notified at once, naming the epoch and the tensor', () => {
  const runs = [run('run0003', { training: training('diverged'), diverged: { epoch: 1, tensor: 'layers.0.weight', value: 'NaN' }, forecast: { ...fc(0.1), epochsUsed: 0 } })];
  const d = decideNotifications(runs, RULE, new Set());
  assert.equal(d.length, 1);
  assert.equal(d[0].message, 'Run run0003 diverged at epoch 1: NaN in `layers.0.weight` — stop it?');
  assert.equal(d[0].key, notifyKey('/ws/sweep/run0003', 'diverged'));
  const loss = decideNotifications([run('r', { training: training('diverged'), diverged: { epoch: 4, metric: 'train_loss', value: 'Infinity' } })], RULE, new Set());
  assert.equal(loss[0].message, 'Run r diverged at epoch 4: train_loss is Infinity — stop it?');
});

test('at most one notification per run and state: a run advised to stop that then diverges is told again, once', () => {
  const advised = run('r', { training: training('running'), forecast: fc(0.2), advice: stop('x') });
  const seen = new Set(decideNotifications([advised], RULE, new Set()).map((d) => d.key));
  assert.equal(seen.size, 1);
  assert.deepEqual(decideNotifications([advised], RULE, seen), []);
  const diverged = { ...advised, training: training('diverged'), diverged: { epoch: 5, tensor: 'fc.weight', value: 'NaN' } };
  const again = decideNotifications([diverged], RULE, seen);
  assert.deepEqual(again.map((d) => d.state), ['diverged']);
  assert.deepEqual(decideNotifications([diverged], RULE, new Set([...seen, again[0].key])), []);
});

test('belowBest narrows advised stops to runs that far below the best; an early forecast never asks', () => {
  const runs = [run('best', { training: training('finished'), finalAccuracy: 0.8 }), run('near', { training: training('running'), forecast: fc(0.75), advice: stop('x') }), run('far', { training: training('running'), forecast: fc(0.3), advice: stop('y') })];
  assert.deepEqual(decideNotifications(runs, { ...RULE, belowBest: 0.1 }, new Set()).map((d) => d.name), ['far']);
  assert.deepEqual(decideNotifications(runs, RULE, new Set()).map((d) => d.name), ['near', 'far']);
  const early = [run('e', { training: training('running'), forecast: { ...fc(0.1), epochsUsed: 1 }, advice: stop('z') })];
  assert.deepEqual(decideNotifications(early, RULE, new Set()), []);
  assert.equal(decideNotifications(early, { ...RULE, minEpochs: 1 }, new Set()).length, 1);
});

test('the threshold asks only when the whole 80% interval is under it, on a running run with its logs read', () => {
  const runs = [run('a', { training: training('running'), forecast: fc(0.5), advice: keep }), run('b', { training: training('running'), forecast: fc(0.62), advice: keep })];
  const d = decideNotifications(runs, { ...RULE, threshold: 0.6 }, new Set());
  assert.deepEqual(d.map((x) => x.name), ['a']);
  assert.equal(d[0].message, 'Run a is forecast to reach 50.0% (80% interval 45.0%–55.0%), below your threshold of 60.0% — stop it?');
  assert.deepEqual(decideNotifications(runs, RULE, new Set()), [], 'the threshold at 0 is off, and the advice says keep');
});

test('the STOP file: small JSON with who, why, the forecast and when, written whole', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-stop-'));
  const req = { requestedBy: 'Training Dynamics (VS Code extension)', reason: 'forecast 61% vs best 88%', forecast: fc(0.61), time: '2025-01-01T00:00:00.000Z' };
  const file = writeStopRequest(dir, req);
  assert.equal(file, path.join(dir, STOP_FILE));
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), req);
  assert.deepEqual(fs.readdirSync(dir), ['STOP'], 'no temporary file left behind');
  assert.throws(() => writeStopRequest(path.join(dir, 'missing'), req));
});

test('a STOP that is a link is never written through: the link is replaced by the file, its target untouched', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-nofollow-'));
  const run = path.join(dir, 'run');
  fs.mkdirSync(run);
  const victim = path.join(dir, 'victim.txt');
  fs.writeFileSync(victim, 'precious');
  fs.symlinkSync(victim, path.join(run, 'STOP'));
  writeFileNoFollow(run, 'STOP', 'x');
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
  assert.equal(fs.lstatSync(path.join(run, 'STOP')).isSymbolicLink(), false);
  assert.equal(fs.readFileSync(path.join(run, 'STOP'), 'utf8'), 'x');
  fs.symlinkSync(path.join(dir, 'nowhere'), path.join(run, 'dangling'));
  writeFileNoFollow(run, 'dangling', 'x');
  assert.equal(fs.existsSync(path.join(dir, 'nowhere')), false, 'a dangling link is not followed to create its target');
  // A link inside the folder is replaced by the file itself, not written through.
  fs.writeFileSync(path.join(run, 'inner.txt'), 'inner');
  fs.symlinkSync(path.join(run, 'inner.txt'), path.join(run, 'LINK'));
  writeFileNoFollow(run, 'LINK', 'new');
  assert.equal(fs.lstatSync(path.join(run, 'LINK')).isSymbolicLink(), false);
  assert.equal(fs.readFileSync(path.join(run, 'inner.txt'), 'utf8'), 'inner');
  for (const bad of ['../x', 'a/b', '..', '']) assert.throws(() => writeFileNoFollow(run, bad, 'x'), /plain file name/);
  assert.deepEqual(fs.readdirSync(run).sort(), ['LINK', 'STOP', 'dangling', 'inner.txt'], 'no temporary file left behind');
});

test('the host refuses to stop a finished run (the dashboard hides its button; a message that asks anyway is refused)', () => {
  assert.equal(stopRefusal({ name: 'run0000', status: 'finished', reason: 'a test result was logged' }), 'Run run0000 has finished (a test result was logged): there is nothing to stop.');
  for (const status of ['running', 'diverged', 'stopped', undefined]) assert.equal(stopRefusal({ name: 'r', status }), null, String(status));
});
