/**
 * The extension in a real VS Code extension host (code-server 1.100.3), with the real editor API, on
 * a fixture workspace that holds the example sweep: three LeNet-5 runs on Fashion-MNIST, epochs 0–5,
 * plus a copy of run0001 in a folder named like an HTML injection.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describe, it } from './bdd';
import { api, config, describeRun, idle, log, runAt, samePath, sleep, waitFor } from './helpers';

const COMMANDS = [
  'trainingDynamics.openDashboard',
  'trainingDynamics.analyzeFolder',
  'trainingDynamics.exportFeatures',
  'trainingDynamics.trainForecaster',
  'trainingDynamics.clearCache',
];
const SETTINGS = ['watchGlobs', 'forecastEpochs', 'notify.threshold', 'notify.belowBest', 'maxDrawnEdges'];
const SWEEP_RUNS = ['run0000', 'run0001', 'run0002'];

const src = (run: string, epoch: number): string => path.join(config.sweep, run, `epoch_${epoch}.pt`);
const live = (run: string): string => path.join(config.workspace, 'live', run);

describe('Training Dynamics in the extension host', () => {
  it('activates and returns the test API', async () => {
    const td = await api();
    assert.ok(Array.isArray(td.runs()), 'runs() returns an array');
    assert.equal(typeof td.statusBarText(), 'string');
  });

  it('registers its commands', async () => {
    await api();
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = COMMANDS.filter((c) => !all.has(c));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('contributes its settings', () => {
    const cfg = vscode.workspace.getConfiguration('trainingDynamics');
    const missing = SETTINGS.filter((s) => cfg.inspect(s)?.defaultValue === undefined);
    assert.deepEqual(missing, [], `settings without a contributed default: ${missing.join(', ')}`);
  });

  it('analyzeFolder on the example sweep analyzes every run (6 epochs each, no errors)', async function () {
    this.timeout(180_000);
    const td = await api();
    await vscode.commands.executeCommand('trainingDynamics.analyzeFolder', vscode.Uri.file(config.sweep));
    await idle(td, 150_000);
    const expected = [...SWEEP_RUNS, config.hostileName];
    for (const name of expected) log(`      ${describeRun(runAt(td, path.join(config.sweep, name)))}`);
    const runs = td.runs().filter((r) => samePath(r.sweep, config.sweep));
    assert.deepEqual(runs.map((r) => r.name).sort(), [...expected].sort(), 'the runs of the sweep');
    for (const r of runs) {
      assert.equal(r.status, 'ready', describeRun(r));
      assert.equal(r.epochs.length, 6, describeRun(r));
      assert.deepEqual(r.errors, [], describeRun(r));
    }
  });

  it('gives every run of the sweep a forecast', async function () {
    this.timeout(180_000);
    const td = await api();
    await idle(td, 150_000);
    const runs = td.runs().filter((r) => samePath(r.sweep, config.sweep));
    assert.ok(runs.length >= 3, `runs of the sweep: ${runs.length}`);
    for (const r of runs) {
      assert.ok(r.forecast, `forecast is null: ${describeRun(r)}`);
      const { accuracy, low, high } = r.forecast;
      assert.ok(accuracy >= 0 && accuracy <= 1, `accuracy in [0,1]: ${describeRun(r)}`);
      assert.ok(low <= accuracy && accuracy <= high, `low ≤ accuracy ≤ high: ${describeRun(r)}`);
    }
  });

  it('picks up a run whose checkpoints arrive one by one while it watches', async function () {
    this.timeout(240_000);
    const td = await api();
    const dir = live('run-new');
    fs.mkdirSync(dir, { recursive: true });
    await sleep(1000); // the folder exists before its first checkpoint (the next test covers both at once)
    const files: string[] = [];
    for (let epoch = 0; epoch <= 3; epoch++) {
      const file = path.join(dir, `epoch_${epoch}.pt`);
      const t0 = Date.now();
      fs.copyFileSync(src('run0001', epoch), file);
      files.push(file);
      await waitFor(`epoch ${epoch} of ${dir} in runs()`, () => (runAt(td, dir)?.epochs.length ?? 0) >= epoch + 1, 30_000);
      log(`      epoch_${epoch}.pt copied → in runs() after ${Date.now() - t0} ms`);
    }
    await idle(td);
    const run = runAt(td, dir);
    assert.equal(run?.epochs.length, 4, describeRun(run));
    assert.deepEqual(run?.errors, [], describeRun(run));
    assert.deepEqual(files.map((f) => td.analyzedCount(f)), [1, 1, 1, 1], 'analyzedCount of epoch_0..3.pt');
  });

  it('picks up runs whose folders are created together with their first checkpoint (mkdir; mkdir -p)', async function () {
    // A training script's usual start: os.makedirs(run_dir), then torch.save() of epoch 0 at once.
    // VS Code's recursive watcher (inotify) reports the new top folder, but can miss files created
    // in it before it watches it, and never watches folders created inside it in the same instant:
    // neither they nor their files raise events, so the extension has to scan new folders itself.
    this.timeout(120_000);
    const td = await api();
    const dirs = [live('run-instant'), path.join(config.workspace, 'fresh', 'outputs', 'run-a')];
    const t0 = Date.now();
    for (const dir of dirs) {
      fs.mkdirSync(dir, { recursive: true });
      fs.copyFileSync(src('run0001', 0), path.join(dir, 'epoch_0.pt'));
    }
    const missing = (epochs: number): string[] => dirs.filter((d) => (runAt(td, d)?.epochs.length ?? 0) < epochs).map((d) => path.relative(config.workspace, d));
    try {
      await waitFor('both runs in runs()', () => missing(1).length === 0, 30_000);
    } catch {
      assert.fail(`not picked up within 30 s: ${missing(1).join(', ')}`);
    }
    log(`      epoch_0.pt written with its folder → both runs in runs() after ${Date.now() - t0} ms`);
    // And the folders are watched from then on.
    for (const dir of dirs) fs.copyFileSync(src('run0001', 1), path.join(dir, 'epoch_1.pt'));
    try {
      await waitFor('epoch 1 of both runs', () => missing(2).length === 0, 30_000);
    } catch {
      assert.fail(`epoch_1.pt not picked up within 30 s in ${missing(2).join(', ')}`);
    }
    await idle(td);
    for (const dir of dirs) assert.equal(td.analyzedCount(path.join(dir, 'epoch_0.pt')), 1, `analyzedCount of ${dir}/epoch_0.pt`);
  });

  it('analyzes a checkpoint written slowly only once it is complete', async function () {
    this.timeout(180_000);
    const td = await api();
    const dir = live('run-slow');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'epoch_0.pt');
    const bytes = fs.readFileSync(src('run0000', 0));
    const half = Math.floor(bytes.length / 2);
    const fd = fs.openSync(file, 'w');
    try {
      fs.writeSync(fd, bytes, 0, half);
      fs.fsyncSync(fd);
      await sleep(2000);
      fs.writeSync(fd, bytes, half, bytes.length - half);
    } finally {
      fs.closeSync(fd);
    }
    await waitFor(`${file} in runs()`, () => (runAt(td, dir)?.epochs.length ?? 0) >= 1, 30_000);
    await idle(td);
    const run = runAt(td, dir);
    const errors = (run?.errors ?? []).filter((e) => samePath(e.path, file));
    assert.deepEqual(errors, [], 'no error recorded for the slowly written file');
    assert.equal(td.analyzedCount(file), 1, 'analyzedCount of the slowly written file');
    assert.equal(run?.status, 'ready', describeRun(run));
  });

  it('updates the status bar when a new epoch arrives', async function () {
    this.timeout(120_000);
    const td = await api();
    await idle(td);
    const before = td.statusBarText();
    const file = path.join(live('run-new'), 'epoch_4.pt');
    const t0 = Date.now();
    fs.copyFileSync(src('run0001', 4), file);
    const after = await waitFor('the status bar text to change', () => {
      const text = td.statusBarText();
      return text !== before && text;
    }, 30_000, 10);
    const ms = Date.now() - t0;
    log(`      checkpoint written → status bar text changed (test API): ${ms} ms`);
    log(`      status bar: "${before}" → "${after}"`);
    await idle(td);
    const settled = td.statusBarText();
    log(`      status bar after idle: "${settled}"`);
    assert.match(settled, /ep/, 'the status bar text mentions the epoch');
    assert.equal(td.analyzedCount(file), 1);
  });
});
