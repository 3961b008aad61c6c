// When a run is worth a "stop it?" notification (notify-policy.ts), and the STOP file it writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decideNotifications } from '../../src/extension/notify-policy';
import { writeStopRequest, STOP_FILE } from '../../src/extension/stop-request';
import type { RunSummary } from '../../src/shared/dashboard-protocol';
import { unknownRunFacts } from '../../src/shared/dashboard-protocol';

function run(name: string, over: Partial<RunSummary> = {}): RunSummary {
  return { id: `/ws/sweep/${name}`, name, sweep: '/ws/sweep', status: 'ready', epochs: [0, 1, 2, 3], forecast: null, accuracy: null, finalAccuracy: null, errors: [], ...unknownRunFacts(), ...over };
}
const fc = (accuracy: number) => ({ accuracy, low: accuracy - 0.02, high: accuracy + 0.02, epochsUsed: 3 });
const OFF = { threshold: 0, belowBest: 0, minEpochs: 3 };

test('a run forecast more than belowBest under the best of its sweep is flagged, with the brief\'s wording', () => {
  const runs = [run('lr0.01', { forecast: fc(0.88) }), run('lr0.3-p0.6', { forecast: fc(0.61) }), run('lr0.1', { forecast: fc(0.8) })];
  const d = decideNotifications(runs, { threshold: 0, belowBest: 0.1, minEpochs: 3 }, new Set());
  assert.equal(d.length, 1);
  assert.equal(d[0].runId, '/ws/sweep/lr0.3-p0.6');
  assert.equal(d[0].reason, 'belowBest');
  assert.equal(d[0].message, 'Run lr0.3-p0.6 is forecast to reach 61% (best run: 88%) — stop it?');
  assert.equal(d[0].best?.name, 'lr0.01');
});

test('a finished run counts with its final accuracy, and is itself never flagged', () => {
  const runs = [run('done', { finalAccuracy: 0.9, forecast: fc(0.5) }), run('live', { forecast: fc(0.75) })];
  const d = decideNotifications(runs, { threshold: 0, belowBest: 0.1, minEpochs: 3 }, new Set());
  assert.deepEqual(d.map((x) => [x.name, x.best?.accuracy]), [['live', 0.9]]);
});

test('runs of other sweeps are not compared; a run alone in its sweep is only judged by the threshold', () => {
  const runs = [run('a', { forecast: fc(0.9) }), { ...run('b', { forecast: fc(0.5) }), id: '/ws/other/b', sweep: '/ws/other' }];
  assert.deepEqual(decideNotifications(runs, { threshold: 0, belowBest: 0.1, minEpochs: 3 }, new Set()), []);
  const t = decideNotifications(runs, { threshold: 0.7, belowBest: 0.1, minEpochs: 3 }, new Set());
  assert.deepEqual(t.map((x) => [x.name, x.reason]), [['b', 'threshold']]);
  assert.equal(t[0].message, 'Run b is forecast to reach 50%, below your threshold of 70% — stop it?');
});

test('at most one notification per run; rules at 0 are off; runs without a forecast are never flagged', () => {
  const runs = [run('best', { forecast: fc(0.9) }), run('bad', { forecast: fc(0.2) }), run('unknown')];
  assert.deepEqual(decideNotifications(runs, { threshold: 0.5, belowBest: 0.1, minEpochs: 3 }, new Set(['/ws/sweep/bad'])), []);
  assert.deepEqual(decideNotifications(runs, OFF, new Set()), []);
  assert.equal(decideNotifications(runs, { threshold: 0, belowBest: 0.1, minEpochs: 3 }, new Set()).length, 1);
  // Exactly belowBest under the best is not "more than".
  assert.deepEqual(decideNotifications([run('x', { forecast: fc(0.9) }), run('y', { forecast: fc(0.8) })], { threshold: 0, belowBest: 0.1 + 1e-9, minEpochs: 3 }, new Set()), []);
});

test('a forecast from fewer epochs than configured never asks to stop a run', () => {
  const early = { ...fc(0.2), epochsUsed: 1 };
  const runs = [run('best', { forecast: fc(0.9) }), run('early', { forecast: early })];
  assert.deepEqual(decideNotifications(runs, { threshold: 0.5, belowBest: 0.1, minEpochs: 3 }, new Set()), []);
  assert.equal(decideNotifications(runs, { threshold: 0.5, belowBest: 0.1, minEpochs: 1 }, new Set()).length, 1);
});

test('the STOP file: small JSON with who, why, the forecast and when, written whole', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-stop-'));
  const req = { requestedBy: 'Training Dynamics (VS Code extension)', reason: 'forecast 61% vs best 88%', forecast: fc(0.61), time: '2025-01-01T00:00:00.000Z' };
  const file = writeStopRequest(dir, req);
  assert.equal(file, path.join(dir, STOP_FILE));
  assert.equal(path.basename(file), 'STOP');
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), req);
  assert.deepEqual(fs.readdirSync(dir), ['STOP'], 'no temporary file left behind');
  assert.throws(() => writeStopRequest(path.join(dir, 'missing'), req));
});
