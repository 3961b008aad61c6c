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

const noMarkdown = (label: string | undefined) => {
  assert.ok(label, 'an accessible label');
  assert.doesNotMatch(label, /\*\*|\\|\$\(|`/, `plain words: ${label}`);
};

test('forecast: the run, its value, half its 80% interval, the epoch it is for and epochs done of the horizon', () => {
  const f = { accuracy: 0.813, low: 0.72, high: 0.9, epochsUsed: 3, model: 'model zoo (8 zoos, 1,200 runs): 4-layer conv net', horizon: 15, horizonNote: 'the accuracy at the end of training after 12–15 epochs' };
  const v = statusView(run({ name: 'run0003', forecast: f, horizon: { epochs: 15, steps: null, source: 'config' }, training: { status: 'running', reason: 'at epoch 3 of 15', lastEpoch: 3 } }), [], 3);
  assert.equal(v.visible, true);
  assert.equal(v.text, '$(graph) run0003 · 81% ±9 at ep 15 · 3/15');
  assert.match(v.tooltip, /Forecast accuracy at epoch 15: \*\*81\.3%\*\*, 80% interval 72\.0%–90\.0%, from the first 3 epochs/);
  assert.match(v.tooltip, /Predictor: model zoo \\\(8 zoos, 1,200 runs\\\): 4\\-layer conv net\./);
  assert.doesNotMatch(v.tooltip, /model model/);
  assert.match(v.tooltip, /Horizon: 15 epochs \(from the run's config\)/);
  assert.equal(v.label, 'Training Dynamics, run run0003; forecast accuracy 81.3 percent at epoch 15, 80 percent interval 72.0 percent to 90.0 percent; 3 of 15 epochs done. Click to open the dashboard.');
  noMarkdown(v.label);
  assert.equal(v.runId, run().id);
});

test('a run without a horizon of its own says the forecast\'s epoch is assumed', () => {
  const v = statusView(run({ forecast: { accuracy: 0.5, low: 0.4, high: 0.6, epochsUsed: 3, horizon: 15 } }), [], 3);
  assert.equal(v.text, '$(graph) lr0.3-p0.6 · 50% ±10 at ep 15 (horizon assumed) · ep 3');
  assert.match(v.tooltip, /the forecast's epoch 15 is assumed to be its end/);
  assert.match(v.label!, /at epoch 15, assuming the run ends there/);
});

test('ep is the last epoch from the logs or the checkpoints, whichever is later', () => {
  const v = statusView(run({ epochs: [0, 1, 2, 3, 4, 5], finalAccuracy: 0.768, training: { status: 'finished', reason: 'a test result was logged', lastEpoch: 8 }, horizon: { epochs: 8, steps: null, source: 'log' } }), [], 3);
  assert.equal(v.text, '$(pass) lr0.3-p0.6 · 76.8% final · 8/8');
  assert.match(v.label!, /finished, final accuracy 76\.8 percent; 8 of 8 epochs done/);
});

test('a diverged run: where, and its chance-level forecast', () => {
  const v = statusView(run({ name: 'run0003', epochs: [0, 1, 2, 3], training: { status: 'diverged', reason: 'diverged at epoch 4', lastEpoch: 5 }, diverged: { epoch: 4, tensor: 'fc1.weight', value: 'NaN' }, forecast: { accuracy: 0.1, low: 0.1, high: 0.1, epochsUsed: 3, reason: 'a network with NaN/Inf weights predicts no better than chance' }, horizon: { epochs: 5, steps: null, source: 'config' }, advice: { stop: true, reason: 'it diverged at epoch 4: NaN in fc1.weight', epochsSaved: 0 } }), [], 3);
  assert.equal(v.text, '$(error) run0003 · diverged at ep 4 · chance 10% · 5/5');
  assert.match(v.tooltip, /Advice: stop this run\*\*: it diverged at epoch 4: NaN in fc1\\.weight/);
  assert.equal(v.label, 'Training Dynamics, run run0003; diverged at epoch 4, NaN in tensor fc1.weight; forecast chance level, 10.0 percent; 5 of 5 epochs done; advice: stop this run. Click to open the dashboard.');
});

test('analyzing: spinner and the epoch being analyzed', () => {
  const v = statusView(run(), [{ file: '/ws/sweep/r/epoch_4.pt', phase: 'running', epoch: 4 }, { file: '/ws/sweep/r/epoch_5.pt', phase: 'queued', epoch: 5 }], 3);
  assert.equal(v.text, '$(sync~spin) lr0.3-p0.6 · Analyzing ep 4…');
  assert.match(v.tooltip, /analyzing: epoch\\_4\\.pt/);
});

test('a checkpoint being written is shown as such', () => {
  assert.equal(statusView(run({ epochs: [] }), [{ file: '/x/epoch_0.pt', phase: 'settling', epoch: 0 }], 3).text, '$(watch) lr0.3-p0.6 · Waiting for ep 0…');
  assert.equal(statusView(run({ epochs: [0, 1] }), [{ file: '/x/epoch_2.pt', phase: 'settling', epoch: 2 }], 3).text, '$(graph) lr0.3-p0.6 · ep 1 · forecast after ep 3 · $(watch) ep 2');
});

test('not enough epochs yet, and no predictor for this architecture, are told apart', () => {
  const early = statusView(run({ epochs: [0, 1] }), [], 3);
  assert.equal(early.text, '$(graph) lr0.3-p0.6 · ep 1 · forecast after ep 3');
  assert.match(early.tooltip, /not enough epochs yet \(1 of 3 after initialisation\)/);
  assert.equal(statusView(run({ epochs: [0] }), [], 3).text, '$(graph) lr0.3-p0.6 · ep 0 · forecast after ep 1');
  const none = statusView(run({ epochs: [0, 1, 2, 3, 4] }), [], 3);
  assert.equal(none.text, '$(graph) lr0.3-p0.6 · ep 4 · no forecast');
  assert.match(none.tooltip, /no predictor fits this architecture/);
});

test('errors: warning icon, and the problems listed (escaped) in the tooltip', () => {
  const errors = [{ path: '/ws/sweep/r/epoch_3.pt', message: 'zip end-of-central-directory record not found (truncated file?)' }];
  const withForecast = statusView(run({ errors, forecast: { accuracy: 0.5, low: 0.4, high: 0.6, epochsUsed: 3 } }), [], 3);
  assert.equal(withForecast.text, '$(warning) lr0.3-p0.6 · 50% ±10 final · ep 3');
  assert.match(withForecast.tooltip, /1 problem:/);
  assert.match(withForecast.tooltip, /epoch\\_3\\.pt: zip end\\-of\\-central\\-directory record not found \\\(truncated file\?\\\)/);
  const nothing = statusView(run({ epochs: [], errors, status: 'error' }), [], 3);
  assert.equal(nothing.text, '$(warning) lr0.3-p0.6 · 1 unreadable checkpoint');
});

test('a run name with Markdown or icon syntax: shown as written, and read as plain words', () => {
  const v = statusView(run({ name: '**$(zap)** x\\y', forecast: { accuracy: 0.5, low: 0.4, high: 0.6, epochsUsed: 3 } }), [], 3);
  assert.ok(v.text.startsWith('$(graph) **\\$(zap)** x\\y · '), v.text);
  noMarkdown(v.label);
  assert.match(v.tooltip, /run \*\*\\\*\\\*\\\$\\\(zap\\\)/);
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
