// What the status bar says (status-text.ts) in each state of the active run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pickActiveRun, statusView, escapeMarkdown } from '../../src/extension/status-text';
import type { RunSummary } from '../../src/shared/dashboard-protocol';
import { unknownRunFacts } from '../../src/shared/dashboard-protocol';

const R = path.resolve('/ws/sweep');

function run(over: Partial<RunSummary> = {}): RunSummary {
  return {
    id: path.join(R, 'lr0.3-p0.6'),
    name: 'lr0.3-p0.6',
    sweep: R,
    status: 'ready',
    epochs: [0, 1, 2, 3],
    forecast: null,
    accuracy: null,
    finalAccuracy: null,
    errors: [],
    ...unknownRunFacts(),
    ...over,
  };
}

test('forecast: value, half-width of the interval and the last epoch', () => {
  const v = statusView(run({ forecast: { accuracy: 0.873, low: 0.852, high: 0.894, epochsUsed: 3, model: 'lenet-rf' } }), [], 3);
  assert.equal(v.visible, true);
  assert.equal(v.text, '$(graph) 87.3% ±2.1 · ep 3');
  assert.match(v.tooltip, /Forecast of the final accuracy: \*\*87\.3%\*\* \(interval 85\.2%–89\.4%\) from 3 epochs · model lenet\\-rf/);
  assert.match(v.tooltip, /Click to open the dashboard/);
  assert.equal(v.runId, run().id);
});

test('analyzing: spinner and the epoch being analyzed', () => {
  const v = statusView(run(), [{ file: '/ws/sweep/r/epoch_4.pt', phase: 'running', epoch: 4 }, { file: '/ws/sweep/r/epoch_5.pt', phase: 'queued', epoch: 5 }], 3);
  assert.equal(v.text, '$(sync~spin) Analyzing ep 4…');
  assert.match(v.tooltip, /analyzing: epoch\\_4\\.pt/);
});

test('a checkpoint being written is shown as such', () => {
  assert.equal(statusView(run({ epochs: [] }), [{ file: '/x/epoch_0.pt', phase: 'settling', epoch: 0 }], 3).text, '$(watch) Waiting for ep 0…');
  assert.equal(statusView(run({ epochs: [0, 1] }), [{ file: '/x/epoch_2.pt', phase: 'settling', epoch: 2 }], 3).text, '$(graph) ep 1 · forecast after ep 3 · $(watch) ep 2');
});

test('not enough epochs yet, and no predictor for this architecture, are told apart', () => {
  const early = statusView(run({ epochs: [0, 1] }), [], 3);
  assert.equal(early.text, '$(graph) ep 1 · forecast after ep 3');
  assert.match(early.tooltip, /not enough epochs yet \(1 of 3 after initialisation\)/);
  assert.equal(statusView(run({ epochs: [0] }), [], 3).text, '$(graph) ep 0 · forecast after ep 1');
  const none = statusView(run({ epochs: [0, 1, 2, 3, 4] }), [], 3);
  assert.equal(none.text, '$(graph) ep 4 · no forecast');
  assert.match(none.tooltip, /no predictor fits this architecture/);
});

test('errors: warning icon, and the problems listed (escaped) in the tooltip', () => {
  const errors = [{ path: '/ws/sweep/r/epoch_3.pt', message: 'zip end-of-central-directory record not found (truncated file?)' }];
  const withForecast = statusView(run({ errors, forecast: { accuracy: 0.5, low: 0.4, high: 0.6, epochsUsed: 3 } }), [], 3);
  assert.equal(withForecast.text, '$(warning) 50.0% ±10.0 · ep 3');
  assert.match(withForecast.tooltip, /1 problem:/);
  assert.match(withForecast.tooltip, /epoch\\_3\\.pt: zip end\\-of\\-central\\-directory record not found \\\(truncated file\?\\\)/);
  const nothing = statusView(run({ epochs: [], errors, status: 'error' }), [], 3);
  assert.equal(nothing.text, '$(warning) 1 unreadable checkpoint');
});

test('a finished run shows its logged final accuracy', () => {
  assert.equal(statusView(run({ finalAccuracy: 0.881, epochs: [0, 1, 2, 3, 4, 5] }), [], 3).text, '$(pass) 88.1% final · ep 5');
});

test('no run: hidden', () => {
  assert.deepEqual(statusView(undefined, [], 3), { visible: false, text: '', tooltip: '' });
});

test('active run: the deepest run folder holding the active file, else the most recently updated run', () => {
  const a = run({ id: path.join(R, 'a'), name: 'a' });
  const b = run({ id: path.join(R, 'b'), name: 'b' });
  const nested = run({ id: path.join(R, 'b', 'lightning_logs'), name: 'lightning_logs' });
  const updated: Record<string, number> = { [a.id]: 5, [b.id]: 9, [nested.id]: 1 };
  const at = (id: string) => updated[id] ?? 0;
  assert.equal(pickActiveRun([a, b, nested], path.join(R, 'a', 'train.py'), at)?.name, 'a');
  assert.equal(pickActiveRun([a, b, nested], path.join(R, 'b', 'lightning_logs', 'x.ckpt'), at)?.name, 'lightning_logs');
  assert.equal(pickActiveRun([a, b, nested], '/elsewhere/notes.md', at)?.name, 'b');
  assert.equal(pickActiveRun([a, b, nested], undefined, at)?.name, 'b');
  assert.equal(pickActiveRun([a, b], path.join(R, 'ab', 'x.py'), at)?.name, 'b', "'ab' is not inside 'a'");
  assert.equal(pickActiveRun([], undefined, at), undefined);
});

test('markdown escaping neutralises links, emphasis and theme icons from file names', () => {
  assert.equal(escapeMarkdown('[x](http://e) *a* $(zap)'), '\\[x\\]\\(http://e\\) \\*a\\* \\$\\(zap\\)');
});
