// The dashboard protocol's validators and dispatch (src/shared/dashboard-protocol.ts) and the
// webview's channel (webview/messages.ts): request ids, replies to the waiting request, the
// other messages to one handler per type, anything malformed dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clampMaxDrawnEdges, dispatch, isHostMessage, isWebviewMessage, MAX_DRAWN_EDGES, type WebviewMessage, type WebviewMessageHandlers } from '../../src/shared/dashboard-protocol';
import { HostChannel, type HostNotificationHandlers } from '../../webview/messages';

const settle = () => new Promise((r) => setImmediate(r));

test('isWebviewMessage: requests need a request id; unknown and malformed messages are refused', () => {
  for (const ok of [{ type: 'ready' }, { type: 'selectRun', requestId: 1, runId: '/r' }, { type: 'requestGraph', requestId: 7, runId: '/r', epoch: 0 }, { type: 'stopRun', runId: '/r' }]) assert.equal(isWebviewMessage(ok), true, JSON.stringify(ok));
  for (const bad of [
    null,
    'ready',
    { type: 'persist' },
    { type: 'selectRun', runId: '/r' },
    { type: 'requestGraph', runId: '/r', epoch: 0 },
    { type: 'requestGraph', requestId: -1, runId: '/r', epoch: 0 },
    { type: 'requestGraph', requestId: '1', runId: '/r', epoch: 0 },
    { type: 'requestGraph', requestId: 1, runId: '/r', epoch: 1.5 },
    { type: 'selectRun', requestId: 1, runId: 'x'.repeat(5000) },
    { type: 'stopRun' },
  ]) assert.equal(isWebviewMessage(bad), false, JSON.stringify(bad));
});

test('isHostMessage: graph replies need inReplyTo; other replies may carry one', () => {
  assert.equal(isHostMessage({ type: 'graph', runId: '/r', epoch: 1, graph: {} }), false);
  assert.equal(isHostMessage({ type: 'graph', inReplyTo: 3, runId: '/r', epoch: 1, graph: {} }), true);
  assert.equal(isHostMessage({ type: 'runDetail', detail: {}, inReplyTo: 0 }), false);
  assert.equal(isHostMessage({ type: 'error', message: 'x' }), true);
  assert.equal(isHostMessage({ type: 'error', message: 'x', inReplyTo: 2 }), true);
  assert.equal(isHostMessage({ type: 'eval' }), false);
  assert.equal(isHostMessage(undefined), false);
});

test('dispatch calls the one handler for the message type', () => {
  const seen: string[] = [];
  const handlers: WebviewMessageHandlers = {
    ready: () => seen.push('ready'),
    selectRun: (m) => seen.push(`select ${m.runId} #${m.requestId}`),
    requestGraph: (m) => seen.push(`graph ${m.epoch}`),
    stopRun: (m) => seen.push(`stop ${m.runId}`),
  };
  const msgs: WebviewMessage[] = [{ type: 'ready' }, { type: 'selectRun', requestId: 4, runId: '/a' }, { type: 'stopRun', runId: '/b' }];
  for (const m of msgs) dispatch(handlers, m);
  assert.deepEqual(seen, ['ready', 'select /a #4', 'stop /b']);
});

test('channel: a reply resolves its request (errors too); other messages go to their handler; junk is dropped', async () => {
  const posted: WebviewMessage[] = [];
  const seen: string[] = [];
  const handlers: HostNotificationHandlers = {
    runs: (m) => seen.push(`runs ${m.runs.length}`),
    runDetail: (m) => seen.push(`detail ${m.detail.run.id}`),
    settings: (m) => seen.push(`settings ${m.maxEdges}`),
    error: (m) => seen.push(`error ${m.message}`),
  };
  const ch = new HostChannel((m) => posted.push(m));
  ch.notify({ type: 'ready' });
  const a = ch.request('selectRun', { runId: '/a' });
  const b = ch.request('requestGraph', { runId: '/a', epoch: 2 });
  assert.deepEqual(posted, [
    { type: 'ready' },
    { type: 'selectRun', runId: '/a', requestId: a.requestId },
    { type: 'requestGraph', runId: '/a', epoch: 2, requestId: b.requestId },
  ]);
  const replies: string[] = [];
  void a.reply.then((m) => replies.push(`a:${m.type}`));
  void b.reply.then((m) => replies.push(`b:${m.type}:${m.type === 'error' ? m.message : ''}`));
  const run = { id: '/a', name: 'a', sweep: '/', status: 'ready' as const, epochs: [], forecast: null, accuracy: null, finalAccuracy: null, errors: [] };
  ch.receive({ type: 'error', inReplyTo: b.requestId, message: 'boom', runId: '/a', epoch: 2 }, handlers);
  ch.receive({ type: 'runDetail', inReplyTo: a.requestId, detail: { run, checkpoints: [] } }, handlers);
  ch.receive({ type: 'runDetail', detail: { run, checkpoints: [] } }, handlers);
  ch.receive({ type: 'settings', maxEdges: 500 }, handlers);
  ch.receive({ type: 'error', message: 'banner' }, handlers);
  ch.receive({ type: 'runs', runs: [run], selected: null }, handlers);
  ch.receive({ type: 'graph', runId: '/a', epoch: 2, graph: {} }, handlers); // no inReplyTo: not ours
  ch.receive({ type: 'runDetail', inReplyTo: 42, detail: { run, checkpoints: [] } }, handlers); // nobody waits
  ch.receive({ source: 'react-devtools' }, handlers);
  await settle();
  assert.deepEqual(replies, ['b:error:boom', 'a:runDetail']);
  assert.deepEqual(seen, ['detail /a', 'settings 500', 'error banner', 'runs 1'], 'replies never reach the handlers');
});

test('maxDrawnEdges limits: the range package.json declares; clamped to it and rounded, anything else the default', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const setting = pkg.contributes.configuration.properties['trainingDynamics.maxDrawnEdges'];
  assert.deepEqual({ min: setting.minimum, default: setting.default, max: setting.maximum }, MAX_DRAWN_EDGES);
  assert.equal(clampMaxDrawnEdges(5), 100);
  assert.equal(clampMaxDrawnEdges(1234.6), 1235);
  assert.equal(clampMaxDrawnEdges(1e9), 50_000);
  assert.equal(clampMaxDrawnEdges(Number.NaN), 2000);
  assert.equal(clampMaxDrawnEdges('3000'), 2000);
  assert.equal(clampMaxDrawnEdges(undefined), 2000);
});
