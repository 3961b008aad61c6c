// The built extension bundle (dist/extension.js + dist/worker.js) activated against a stand-in for
// the editor API: discovery, live analysis of a checkpoint written during training, the status
// bar, commands, and a reopen that recomputes nothing. The real editor is driven by test/e2e.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Module from 'node:module';
import type { TrainingDynamicsApi } from '../../src/extension/test-api';
import type { RunSummary } from '../../src/shared/dashboard-protocol';

const ROOT = path.join(__dirname, '..', '..');
const RUN0 = path.join(ROOT, 'examples/lenet-fashion/run0000');
const RUN1 = path.join(ROOT, 'examples/lenet-fashion/run0001');

// The end-to-end harness starts the editor with this set; so does this test, for the same reason:
// the extension then keeps its journal of analyses from activation on (analyzedCount below).
process.env.TD_E2E_MOCHA ??= '';

type Handler = (u: unknown) => void;

/** Glob → RegExp for the patterns used here (`**` `/`, `*`, `{a,b}`). */
function globRe(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function fakeVscode(workspace: string, config: Record<string, unknown>) {
  class Uri {
    readonly scheme = 'file';
    constructor(readonly fsPath: string) {}
    get path(): string {
      return this.fsPath;
    }
    static file(p: string): Uri {
      return new Uri(p);
    }
    static joinPath(u: Uri, ...parts: string[]): Uri {
      return new Uri(path.join(u.fsPath, ...parts));
    }
    toString(): string {
      return `file://${this.fsPath}`;
    }
  }
  class EventEmitter<T> {
    private ls: ((e: T) => void)[] = [];
    event = (l: (e: T) => void) => {
      this.ls.push(l);
      return { dispose: () => (this.ls = this.ls.filter((x) => x !== l)) };
    };
    fire(e: T): void {
      for (const l of this.ls) l(e);
    }
    dispose(): void {
      this.ls = [];
    }
  }
  const disposable = { dispose() {} };
  const event = () => disposable;
  const watchers: { glob: RegExp; create: Handler[]; change: Handler[]; del: Handler[]; disposed: boolean }[] = [];
  const commands = new Map<string, (...a: unknown[]) => unknown>();
  const messages: string[] = [];
  const logLines: string[] = [];
  const statusItems: { text: string; visible: boolean; tooltip: unknown; command: unknown; name?: string; id: string }[] = [];
  const panels: { viewType: string; webview: { html: string; posted: unknown[] } }[] = [];
  let saveTarget: Uri | undefined;
  const walk = (dir: string, out: string[]): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, out);
      else out.push(p);
    }
  };
  const message = (m: string) => {
    messages.push(m);
    return Promise.resolve(undefined);
  };
  const api = {
    Uri,
    EventEmitter,
    MarkdownString: class {
      constructor(
        public value: string,
        public supportThemeIcons?: boolean,
      ) {}
      isTrusted = false;
    },
    ThemeColor: class {
      constructor(public id: string) {}
    },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { Notification: 15 },
    ViewColumn: { One: 1, Beside: -2 },
    commands: {
      registerCommand: (id: string, fn: (...a: unknown[]) => unknown) => {
        commands.set(id, fn);
        return disposable;
      },
    },
    window: {
      activeTextEditor: undefined,
      onDidChangeActiveTextEditor: event,
      createOutputChannel: () => ({ info: (l: string) => logLines.push(l), warn: (l: string) => logLines.push(`WARN ${l}`), error: (l: string) => logLines.push(`ERROR ${l}`), dispose() {} }),
      createStatusBarItem: (id: string) => {
        const item = { id, text: '', visible: false, tooltip: undefined as unknown, command: undefined as unknown, backgroundColor: undefined as unknown, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() {} };
        statusItems.push(item);
        return item;
      },
      registerWebviewPanelSerializer: () => disposable,
      createWebviewPanel: (viewType: string) => {
        const posted: unknown[] = [];
        const panel = {
          viewType,
          title: '',
          iconPath: undefined,
          webview: { html: '', options: {}, cspSource: 'vscode-resource:', posted, asWebviewUri: (u: Uri) => u, onDidReceiveMessage: event, postMessage: (m: unknown) => (posted.push(m), Promise.resolve(true)) },
          reveal() {},
          onDidDispose: event,
          onDidChangeViewState: event,
          dispose() {},
        };
        panels.push(panel);
        return panel;
      },
      showInformationMessage: message,
      showWarningMessage: message,
      showErrorMessage: message,
      showSaveDialog: () => Promise.resolve(saveTarget),
      showOpenDialog: () => Promise.resolve(undefined),
      showQuickPick: () => Promise.resolve(undefined),
      showTextDocument: () => Promise.resolve(undefined),
      withProgress: (_o: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) => task({ report() {} }, { isCancellationRequested: false, onCancellationRequested: event }),
    },
    workspace: {
      isTrusted: true,
      workspaceFolders: [{ uri: Uri.file(workspace), name: path.basename(workspace), index: 0 }],
      getConfiguration: () => ({ get: (k: string, d?: unknown) => (k in config ? config[k] : d) }),
      onDidChangeConfiguration: event,
      onDidChangeWorkspaceFolders: event,
      asRelativePath: (p: string | Uri) => path.relative(workspace, typeof p === 'string' ? p : p.fsPath),
      fs: { writeFile: (u: Uri, data: Uint8Array) => fs.promises.writeFile(u.fsPath, data) },
      findFiles: async (glob: string, exclude: string) => {
        const all: string[] = [];
        walk(workspace, all);
        const inc = globRe(glob);
        const exc = globRe(exclude);
        return all.filter((f) => inc.test(path.relative(workspace, f)) && !exc.test(path.relative(workspace, f))).map((f) => Uri.file(f));
      },
      createFileSystemWatcher: (glob: string) => {
        const w = { glob: globRe(glob), create: [] as Handler[], change: [] as Handler[], del: [] as Handler[], disposed: false };
        watchers.push(w);
        return {
          onDidCreate: (h: Handler) => (w.create.push(h), disposable),
          onDidChange: (h: Handler) => (w.change.push(h), disposable),
          onDidDelete: (h: Handler) => (w.del.push(h), disposable),
          dispose: () => (w.disposed = true),
        };
      },
    },
  };
  /** What the editor's file watcher would report for a file event. */
  const fire = (kind: 'create' | 'change' | 'del', file: string): void => {
    const rel = path.relative(workspace, file);
    for (const w of watchers) if (!w.disposed && w.glob.test(rel)) for (const h of w[kind]) h(Uri.file(file));
  };
  return { api, fire, commands, messages, logLines, statusItems, panels, setSaveTarget: (p: string) => (saveTarget = Uri.file(p)) };
}

function loadExtension(fake: ReturnType<typeof fakeVscode>): { activate: (ctx: unknown) => TrainingDynamicsApi } {
  const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const orig = M._load;
  M._load = function (req: string, ...rest: unknown[]) {
    return req === 'vscode' ? fake.api : orig.call(this, req, ...rest);
  };
  try {
    const file = path.join(ROOT, 'dist', 'extension.js');
    delete require.cache[require.resolve(file)];
    return require(file);
  } finally {
    M._load = orig;
  }
}

function context(storage: string) {
  const state = new Map<string, unknown>();
  const subscriptions: { dispose(): unknown }[] = [];
  return {
    subscriptions,
    storageUri: { scheme: 'file', fsPath: storage },
    globalStorageUri: { scheme: 'file', fsPath: storage + '-global' },
    extensionUri: { scheme: 'file', fsPath: ROOT, path: ROOT },
    extension: { packageJSON: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) },
    workspaceState: { get: (k: string, d?: unknown) => (state.has(k) ? state.get(k) : d), update: (k: string, v: unknown) => (state.set(k, v), Promise.resolve()), keys: () => [...state.keys()] },
    asAbsolutePath: (p: string) => path.join(ROOT, p),
    dispose: () => {
      for (const s of subscriptions.splice(0)) s.dispose();
    },
  };
}

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const copy = (src: string, dst: string, epochs: number[]): string[] => {
  fs.mkdirSync(dst, { recursive: true });
  fs.copyFileSync(path.join(src, 'metrics.jsonl'), path.join(dst, 'metrics.jsonl'));
  return epochs.map((e) => {
    const f = path.join(dst, `epoch_${e}.pt`);
    fs.copyFileSync(path.join(src, `epoch_${e}.pt`), f);
    return f;
  });
};

test('the built extension activates, finds the runs, analyzes a checkpoint written live once, and a reopen recomputes nothing', { timeout: 240_000 }, async () => {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/extension.js')) && fs.existsSync(path.join(ROOT, 'dist/worker.js')), 'run npm run build first');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'td-ext-'));
  const ws = path.join(tmp, 'workspace');
  const a = copy(RUN0, path.join(ws, 'sweep', 'runA'), [0, 1, 2]);
  const b = copy(RUN1, path.join(ws, 'sweep', 'runB'), [0, 1]);
  fs.mkdirSync(path.join(ws, 'node_modules', 'pkg'), { recursive: true });
  fs.copyFileSync(a[0], path.join(ws, 'node_modules', 'pkg', 'epoch_0.pt'));
  const storage = path.join(tmp, 'storage');

  const fake = fakeVscode(ws, {});
  const ext = loadExtension(fake);
  const ctx = context(storage);
  const api = ext.activate(ctx);
  try {
    const byName = (n: string): RunSummary | undefined => api.runs().find((r) => r.name === n);
    await until('both runs', () => (byName('runA')?.epochs.length ?? 0) === 3 && (byName('runB')?.epochs.length ?? 0) === 2);
    await api.whenIdle();
    assert.deepEqual(api.runs().map((r) => r.name), ['runA', 'runB'], 'node_modules is not searched');
    for (const f of [...a, ...b]) assert.equal(api.analyzedCount(f), 1, f);
    const item = fake.statusItems[0];
    assert.equal(item.id, 'trainingDynamics.status');
    assert.equal(item.name, 'Training Dynamics');
    assert.equal(item.visible, true);
    assert.equal(api.statusBarText(), item.text);
    assert.match(api.statusBarText(), /^\$\((graph|pass|warning)\) /);
    assert.deepEqual(item.command, { command: 'trainingDynamics.openDashboard', title: 'Open Dashboard', arguments: [item.command && (item.command as { arguments: string[] }).arguments[0]] });

    // Training writes epoch 3 of runA in chunks; the watcher reports create, then changes.
    const f3 = path.join(ws, 'sweep', 'runA', 'epoch_3.pt');
    const bytes = fs.readFileSync(path.join(RUN0, 'epoch_3.pt'));
    fs.writeFileSync(f3, bytes.subarray(0, 1000));
    fake.fire('create', f3);
    for (let off = 1000; off < bytes.length; off += 200_000) {
      await new Promise((r) => setTimeout(r, 150));
      fs.appendFileSync(f3, bytes.subarray(off, Math.min(bytes.length, off + 200_000)));
      fake.fire('change', f3);
      assert.equal(api.analyzedCount(f3), 0, 'not analyzed while being written');
    }
    fake.fire('change', f3);
    await until('epoch 3', () => byName('runA')?.epochs.includes(3) ?? false);
    await api.whenIdle();
    assert.equal(api.analyzedCount(f3), 1);
    assert.deepEqual(byName('runA')?.errors, []);

    // Commands are registered and run.
    for (const id of ['openDashboard', 'analyzeFolder', 'exportFeatures', 'trainForecaster', 'clearCache']) assert.ok(fake.commands.has(`trainingDynamics.${id}`), id);
    await fake.commands.get('trainingDynamics.openDashboard')!(byName('runA')!.id);
    assert.equal(fake.panels.length, 1);
    assert.equal(fake.panels[0].viewType, 'trainingDynamics.dashboard');
    fake.setSaveTarget(path.join(tmp, 'export.json'));
    await fake.commands.get('trainingDynamics.exportFeatures')!(byName('runA')!.id);
    assert.ok(fs.existsSync(path.join(tmp, 'export.json')) && fs.existsSync(path.join(tmp, 'export-layers.csv')) && fs.existsSync(path.join(tmp, 'export-runs.csv')), fake.messages.join('\n'));
    await fake.commands.get('trainingDynamics.analyzeFolder')!(fake.api.Uri.file(path.join(ws, 'sweep')));
    assert.equal(api.analyzedCount(a[0]), 1, 'analyzing the folder again reuses every result');
    // A deleted checkpoint: its result is kept (training scripts delete old checkpoints).
    fs.rmSync(b[0]);
    fake.fire('del', b[0]);
    await api.whenIdle();
    assert.deepEqual(byName('runB')?.epochs, [0, 1]);
  } finally {
    ctx.dispose();
  }

  // Reopen: same workspace storage, nothing recomputed.
  const fake2 = fakeVscode(ws, {});
  const ext2 = loadExtension(fake2);
  const ctx2 = context(storage);
  const api2 = ext2.activate(ctx2);
  try {
    await until('runs after reopen', () => api2.runs().length === 2 && api2.runs()[0].epochs.length === 4);
    await api2.whenIdle();
    assert.deepEqual(api2.runs().map((r) => [r.name, r.epochs]), [['runA', [0, 1, 2, 3]], ['runB', [0, 1]]]);
    for (const f of [...a, f3Of(ws), b[1]]) assert.equal(api2.analyzedCount(f), 0, f);
    assert.ok(api2.statusBarText() !== '');
  } finally {
    ctx2.dispose();
  }
});

const f3Of = (ws: string) => path.join(ws, 'sweep', 'runA', 'epoch_3.pt');
