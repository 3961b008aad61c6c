// The dashboard panel (host side) against a stand-in of the editor API: page and options, message
// validation, answers to the webview's requests, live updates, serializer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import type { DashboardSource } from '../../src/extension/dashboard/source';
import type { DrawGraph, HostMessage, RunDetail, RunSummary } from '../../src/shared/dashboard-protocol';
import { unknownRunFacts } from '../../src/shared/dashboard-protocol';

type Listener<T> = (e: T) => void;
function emitter<T>() {
  const ls: Listener<T>[] = [];
  const event = (l: Listener<T>) => {
    ls.push(l);
    return { dispose: () => ls.splice(ls.indexOf(l), 1) };
  };
  return { event, fire: (e: T) => [...ls].forEach((l) => l(e)), count: () => ls.length };
}

interface FakePanel {
  viewType: string;
  title: string;
  options: any;
  visible: boolean;
  posted: HostMessage[];
  receive: (m: unknown) => void;
  dispose: () => void;
  webview: any;
  reveals: number;
}

const panels: FakePanel[] = [];
let config: Record<string, unknown> = {};
const configChange = emitter<{ affectsConfiguration: (s: string) => boolean }>();
let serializer: { deserializeWebviewPanel(p: unknown, s: unknown): Promise<void> } | undefined;

function fakePanel(viewType: string, title: string, options: any): FakePanel {
  const msg = emitter<unknown>();
  const disp = emitter<void>();
  const p: FakePanel = {
    viewType,
    title,
    options,
    visible: true,
    posted: [],
    reveals: 0,
    receive: (m) => msg.fire(m),
    dispose: () => disp.fire(),
    webview: {
      html: '',
      options,
      cspSource: 'vscode-webview://abc',
      asWebviewUri: (u: { path: string }) => ({ toString: () => `https://res.example${u.path}` }),
      postMessage: (m: HostMessage) => {
        p.posted.push(m);
        return Promise.resolve(true);
      },
      onDidReceiveMessage: msg.event,
    },
  };
  Object.assign(p, { onDidDispose: disp.event, reveal: () => void p.reveals++ });
  panels.push(p);
  return p;
}

const vscodeStub = {
  Uri: { joinPath: (base: { path: string }, ...parts: string[]) => ({ path: [base.path, ...parts].join('/') }) },
  ViewColumn: { One: 1, Beside: -2 },
  window: {
    activeTextEditor: undefined,
    createWebviewPanel: (viewType: string, title: string, _col: unknown, options: unknown) => fakePanel(viewType, title, options),
    registerWebviewPanelSerializer: (_t: string, s: typeof serializer) => {
      serializer = s;
      return { dispose: () => (serializer = undefined) };
    },
  },
  workspace: {
    getConfiguration: () => ({ get: <T>(k: string, d: T): T => (k in config ? (config[k] as T) : d) }),
    onDidChangeConfiguration: configChange.event,
  },
};

// Route `import * as vscode from 'vscode'` in the panel to the stand-in.
const M = Module as unknown as { _resolveFilename: (r: string, ...a: unknown[]) => string; _cache: Record<string, unknown> };
const resolve = M._resolveFilename;
M._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache['vscode'] = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscodeStub } as unknown as NodeJS.Module;
const { DashboardPanel } = require('../../src/extension/dashboard/panel') as typeof import('../../src/extension/dashboard/panel');

function run(id: string, epochs = [0, 1]): RunSummary {
  return { id, name: id.split('/').pop()!, sweep: '/s', status: 'ready', epochs, forecast: null, accuracy: null, finalAccuracy: null, errors: [], ...unknownRunFacts() };
}
const graph: DrawGraph = { file: 'f.pt', epoch: 1, layers: [], nodes: [], edges: [], totalNodes: 0, totalEdges: 0, thinned: null };

function source() {
  const change = emitter<{ runId?: string }>();
  const calls: string[] = [];
  let runs = [run('/s/a'), run('/s/b')];
  const src: DashboardSource = {
    runs: () => runs,
    detail: (id) => (runs.some((r) => r.id === id) ? ({ run: runs.find((r) => r.id === id)!, checkpoints: [] } as RunDetail) : undefined),
    graph: async (id, epoch, maxEdges) => {
      calls.push(`graph ${id} ${epoch} ${maxEdges}`);
      if (epoch === 9) throw new Error('no such epoch');
      return graph;
    },
    stopRun: async (id) => void calls.push(`stop ${id}`),
    onDidChange: change.event as DashboardSource['onDidChange'],
  };
  return { src, change, calls, setRuns: (r: RunSummary[]) => (runs = r) };
}
const ctx = { extensionUri: { path: '/ext' }, subscriptions: [] } as unknown as import('vscode').ExtensionContext;
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

test('createOrShow: one panel, strict page, scripts on, context not retained, resources limited', async () => {
  const { src } = source();
  DashboardPanel.createOrShow(ctx, src);
  DashboardPanel.createOrShow(ctx, src);
  assert.equal(panels.length, 1);
  const p = panels[0];
  assert.equal(p.viewType, 'trainingDynamics.dashboard');
  assert.equal(p.title, 'Training Dynamics');
  assert.equal(p.reveals, 1);
  assert.equal(p.options.enableScripts, true);
  assert.equal(p.options.retainContextWhenHidden, false);
  assert.deepEqual(p.options.localResourceRoots.map((u: { path: string }) => u.path), ['/ext/dist', '/ext/media']);
  const html: string = p.webview.html;
  const nonce = /script-src &#39;nonce-([^&]+)&#39;/.exec(html)![1];
  assert.ok(nonce.length >= 22);
  assert.ok(html.includes(`<script nonce="${nonce}" src="https://res.example/ext/dist/webview.js">`));
  assert.ok(html.includes('https://res.example/ext/media/dashboard.css'));
  assert.ok(html.includes("default-src &#39;none&#39;"));
  p.dispose();
});

test('messages: invalid ones dropped, ready → settings + runs, selectRun → detail, graphs and errors, stop', async () => {
  const { src, calls } = source();
  config = { maxDrawnEdges: 1234 };
  DashboardPanel.createOrShow(ctx, src, '/s/b');
  const p = panels[panels.length - 1];
  const noId = [{ type: 'requestGraph', runId: '/s/a', epoch: 1 }, { type: 'selectRun', runId: '/s/a' }, { type: 'requestGraph', requestId: 0, runId: '/s/a', epoch: 1 }, { type: 'selectRun', requestId: 1.5, runId: '/s/a' }];
  for (const bad of [null, 'ready', { type: 'eval', code: 'x' }, { type: 'requestGraph', requestId: 1, runId: '/s/a', epoch: -1 }, { type: 'requestGraph', requestId: 1, runId: 5, epoch: 1 }, { type: 'stopRun' }, { type: 'persist' }, ...noId]) p.receive(bad);
  await tick();
  assert.equal(p.posted.length, 0);
  assert.equal(calls.length, 0);

  p.receive({ type: 'ready' });
  assert.deepEqual(p.posted.map((m) => m.type), ['settings', 'runs']);
  assert.deepEqual(p.posted[0], { type: 'settings', maxEdges: 1234 });
  assert.equal((p.posted[1] as { selected: string | null }).selected, '/s/b', 'the run asked for is selected once');
  p.receive({ type: 'ready' });
  assert.equal((p.posted[3] as { selected: string | null }).selected, null);

  p.posted.length = 0;
  p.receive({ type: 'selectRun', requestId: 1, runId: '/s/a' });
  assert.equal(p.posted[0].type, 'runDetail');
  assert.equal((p.posted[0] as { inReplyTo?: number }).inReplyTo, 1, 'the detail answers the selectRun');
  p.receive({ type: 'requestGraph', requestId: 2, runId: '/s/a', epoch: 1 });
  p.receive({ type: 'requestGraph', requestId: 3, runId: '/s/a', epoch: 9 });
  p.receive({ type: 'stopRun', runId: '/s/a' });
  await tick(5);
  assert.deepEqual(calls, ['graph /s/a 1 1234', 'graph /s/a 9 1234', 'stop /s/a']);
  assert.deepEqual(p.posted.find((m) => m.type === 'graph'), { type: 'graph', inReplyTo: 2, runId: '/s/a', epoch: 1, graph });
  const err = p.posted.find((m) => m.type === 'error') as { message: string; inReplyTo?: number; runId?: string; epoch?: number };
  assert.equal(err.inReplyTo, 3, 'a failed graph request is answered by an error reply');
  assert.equal(err.runId, '/s/a');
  assert.equal(err.epoch, 9);
  assert.match(err.message, /no such epoch/);
  p.dispose();
  config = {};
});

test('live updates: source changes are coalesced into one runs message (+ the selected run detail); settings changes are forwarded', async () => {
  const { src, change, setRuns } = source();
  DashboardPanel.createOrShow(ctx, src);
  const p = panels[panels.length - 1];
  p.receive({ type: 'ready' });
  p.receive({ type: 'selectRun', requestId: 1, runId: '/s/a' });
  p.posted.length = 0;
  setRuns([run('/s/a', [0, 1, 2]), run('/s/b')]);
  change.fire({ runId: '/s/a' });
  change.fire({ runId: '/s/b' });
  change.fire({});
  await tick(250);
  assert.deepEqual(p.posted.map((m) => m.type), ['runs', 'runDetail']);
  assert.deepEqual((p.posted[0] as { runs: RunSummary[] }).runs[0].epochs, [0, 1, 2]);
  p.posted.length = 0;
  change.fire({ runId: '/s/b' });
  await tick(250);
  assert.deepEqual(p.posted.map((m) => m.type), ['runs'], 'another run changed: no detail');
  p.posted.length = 0;
  p.visible = false;
  change.fire({});
  await tick(250);
  assert.equal(p.posted.length, 0, 'a hidden panel has no webview; it asks again when shown');
  config = { maxDrawnEdges: 500 };
  configChange.fire({ affectsConfiguration: (s) => s === 'trainingDynamics.maxDrawnEdges' });
  assert.deepEqual(p.posted, [{ type: 'settings', maxEdges: 500 }]);
  config = {};
  p.dispose();
  p.posted.length = 0;
  change.fire({});
  await tick(250);
  assert.equal(p.posted.length, 0, 'disposed: unsubscribed');
});

test('the serializer restores a panel with the same options and page', async () => {
  const { src } = source();
  const d = DashboardPanel.registerSerializer(ctx, src);
  assert.ok(serializer);
  const restored = fakePanel('trainingDynamics.dashboard', 'Training Dynamics', {});
  await serializer!.deserializeWebviewPanel(restored, { runId: '/s/a' });
  assert.equal(restored.webview.options.enableScripts, true);
  assert.deepEqual(restored.webview.options.localResourceRoots.map((u: { path: string }) => u.path), ['/ext/dist', '/ext/media']);
  assert.match(restored.webview.html, /Content-Security-Policy/);
  restored.receive({ type: 'ready' });
  assert.deepEqual(restored.posted.map((m) => m.type), ['settings', 'runs']);
  // createOrShow now reveals the restored panel instead of opening a second one.
  const n = panels.length;
  DashboardPanel.createOrShow(ctx, src);
  assert.equal(panels.length, n);
  assert.equal(restored.reveals, 1);
  restored.dispose();
  d.dispose();
});
