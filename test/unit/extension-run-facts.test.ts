// What the live service knows of each run beyond its graphs (run-facts.ts through the worker's
// accuracy job): status, horizon, hyperparameters, divergence and the sweep's stopping advice, on
// real checkpoints of finished, running and diverged runs, and runs laid out by Lightning and
// Hugging Face, as `analyze` reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnalysisService } from '../../src/runtime/live/analysis-service';
import { WorkerPool, type MakeRequest, type PoolTask } from '../../src/runtime/pool/worker-pool';
import type { ReplyOf, RequestType } from '../../src/runtime/worker-protocol';
import { analyzePath } from '../../src/engine/run/analyze-run';
import type { Forecast } from '../../src/engine/forecast/types';

const ROOT = path.join(__dirname, '..', '..');
const WORKER = path.join(ROOT, 'dist', 'worker.js');
const LENET = path.join(ROOT, 'examples/lenet-fashion');
const LAYOUTS = path.join(ROOT, 'test/fixtures/layouts');

class CountingPool extends WorkerPool {
  analyzed: string[] = [];
  override submit<K extends RequestType>(type: K, file: string, make: MakeRequest<K>, opts?: { urgent?: boolean }): PoolTask<ReplyOf<K>> {
    if (type === 'analyze') this.analyzed.push(file);
    return super.submit(type, file, make, opts);
  }
}

/** A service on real workers whose forecast is a fixed stand-in (no forecaster file is read). */
function setup(forecast: Forecast | null) {
  const pool = new CountingPool({ script: WORKER, size: 2 });
  const service = new AnalysisService({
    pool,
    engineVersion: 'test',
    settings: () => ({ inputSize: null, forecastEpochs: 3 }),
    settleMs: 60,
    recentWriteMs: 200,
    accuracyDelayMs: 10,
    forecast: (input) => (input.checkpoints.some((c) => (c.epoch ?? 0) > 0) ? forecast : null),
  });
  return { pool, service, dispose: async () => (service.dispose(), await pool.dispose()) };
}

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'td-facts-'));

/** Every file under a folder. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** A sweep of three real runs: run0000 finished (its own logs), run0001 still running (epochs 0–3 of 15 logged), and a run whose weights went NaN at epoch 4. */
function makeSweep(): { sweep: string; finished: string; running: string; diverged: string } {
  const sweep = path.join(tmp(), 'sweep');
  const finished = path.join(sweep, 'run0000');
  fs.cpSync(path.join(LENET, 'run0000'), finished, { recursive: true });
  const running = path.join(sweep, 'run0001');
  fs.mkdirSync(running, { recursive: true });
  for (const e of [0, 1, 2, 3]) fs.copyFileSync(path.join(LENET, 'run0001', `epoch_${e}.pt`), path.join(running, `epoch_${e}.pt`));
  const lines = fs.readFileSync(path.join(LENET, 'run0001', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; test_acc?: number });
  fs.writeFileSync(path.join(running, 'metrics.jsonl'), lines.filter((l) => l.epoch <= 3 && l.test_acc === undefined).map((l) => JSON.stringify(l)).join('\n') + '\n');
  fs.writeFileSync(path.join(running, 'config.json'), JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(LENET, 'run0001', 'config.json'), 'utf8')), epochs: 15 }));
  const diverged = path.join(sweep, 'run0003');
  fs.cpSync(path.join(LAYOUTS, 'plain/digits-diverged'), diverged, { recursive: true });
  return { sweep, finished, running, diverged };
}

const BAD: Forecast = { accuracy: 0.3, low: 0.22, high: 0.38, epochsUsed: 3, model: 'stand-in', horizon: 15 };

test('finished, running and diverged runs: status, horizon, hyperparameters, divergence and the stopping advice', { timeout: 180_000 }, async () => {
  const { sweep, finished, running, diverged } = makeSweep();
  const { service, dispose } = setup(BAD);
  try {
    for (const f of filesUnder(sweep)) service.fileChanged(f);
    await service.whenIdle();
    const runs = service.runs();
    const at = (dir: string) => runs.find((r) => r.id === dir)!;
    assert.deepEqual(runs.map((r) => r.name), ['run0000', 'run0001', 'run0003']);

    const done = at(finished);
    assert.equal(done.training.status, 'finished');
    assert.equal(done.finalAccuracy, 0.7676);
    assert.equal(done.advice?.stop, false);
    assert.equal(done.hyperparameters.values.optimizer, 'adam');
    assert.equal(done.hyperparameters.sources.optimizer, 'config.json');

    const live = at(running);
    assert.equal(live.training.status, 'running', live.training.reason);
    assert.equal(live.finalAccuracy, null, 'an unfinished run has no final accuracy');
    assert.deepEqual(live.horizon, { epochs: 15, steps: null, source: 'config' });
    assert.equal(live.training.lastEpoch, 3);
    assert.deepEqual(live.epochs, [0, 1, 2, 3]);
    assert.equal(live.advice?.stop, true, live.advice?.reason);
    assert.equal(live.advice?.epochsSaved, 12);
    assert.match(live.advice!.reason, /38\.0%.*below run0000's final accuracy of 76\.8%/);

    const nan = at(diverged);
    assert.equal(nan.training.status, 'diverged');
    assert.deepEqual(nan.diverged, { epoch: 4, value: 'NaN', tensor: 'fc1.weight' });
    assert.deepEqual(nan.errors, [], 'NaN weights are the run\'s divergence, not unreadable checkpoints');
    assert.deepEqual(nan.epochs, [0, 1, 2, 3]);
    assert.equal(nan.forecast?.accuracy, 0.1, 'chance level: 1 of the 10 outputs of fc3');
    assert.match(nan.forecast?.reason ?? '', /diverged at epoch 4.*fc1\.weight.*chance/);
    assert.equal(nan.advice?.stop, true);
    assert.match(nan.advice!.reason, /diverged at epoch 4: NaN in fc1\.weight/);
    assert.equal(nan.horizon?.epochs, 5);
  } finally {
    await dispose();
  }
});

test('no stopping advice from a forecast made before the run\'s logs were read', { timeout: 120_000 }, async () => {
  const { sweep, running, finished } = makeSweep();
  fs.rmSync(path.join(sweep, 'run0003'), { recursive: true });
  const pool = new CountingPool({ script: WORKER, size: 1 });
  // Logs are read an hour after a change: the forecast comes first.
  const service = new AnalysisService({ pool, engineVersion: 'test', settings: () => ({ inputSize: null, forecastEpochs: 3 }), settleMs: 60, accuracyDelayMs: 3_600_000, forecast: () => BAD });
  try {
    for (const f of [...filesUnder(running), ...filesUnder(finished)]) service.fileChanged(f);
    const until = Date.now() + 60_000;
    while (Date.now() < until && (service.runs().length < 2 || service.runs().some((r) => !r.forecast || r.status !== 'ready'))) await new Promise((r) => setTimeout(r, 50));
    const runs = service.runs();
    assert.equal(runs.length, 2);
    for (const r of runs) {
      assert.ok(r.forecast, `${r.name} has its forecast`);
      assert.equal(r.training.status, 'unknown', `${r.name}: logs not read`);
      assert.equal(r.advice, null, `${r.name}: no advice before the logs are read`);
    }
  } finally {
    service.dispose();
    await pool.dispose();
  }
});

test('a Lightning run is named after the folder holding lightning_logs, epochs as epochs completed', { timeout: 120_000 }, async () => {
  const dir = path.join(tmp(), 'digits-lit');
  fs.cpSync(path.join(LAYOUTS, 'lightning/digits-lit'), dir, { recursive: true });
  const { service, dispose } = setup(null);
  try {
    for (const f of filesUnder(dir)) service.fileChanged(f);
    await service.whenIdle();
    const runs = service.runs();
    assert.deepEqual(runs.map((r) => [r.id, r.name]), [[dir, 'digits-lit']]);
    assert.deepEqual(runs[0].epochs, [1, 2, 3, 4], "Lightning's epoch=0 file is written after the first epoch (last.ckpt repeats epoch 4)");
    assert.notEqual(runs[0].training.status, 'unknown');
    assert.equal(typeof runs[0].hyperparameters.values.max_epochs, 'number');
  } finally {
    await dispose();
  }
});

test('Hugging Face checkpoint-<step> folders are checkpoints of the output folder\'s run; its own final model is not an epoch', { timeout: 120_000 }, async () => {
  const dir = path.join(tmp(), 'digits-hf');
  fs.cpSync(path.join(LAYOUTS, 'huggingface/digits-hf'), dir, { recursive: true });
  const { service, pool, dispose } = setup(null);
  try {
    for (const f of filesUnder(dir)) service.fileChanged(f);
    await service.whenIdle();
    const runs = service.runs();
    assert.deepEqual(runs.map((r) => [r.id, r.name]), [[dir, 'digits-hf']]);
    assert.deepEqual(runs[0].epochs, [1, 2, 3, 4]);
    assert.deepEqual(runs[0].errors, []);
    assert.deepEqual([...pool.analyzed].sort(), ['checkpoint-12', 'checkpoint-24', 'checkpoint-36', 'checkpoint-48'].map((c) => path.join(dir, c)));
    // A rewritten shard changes its folder's checkpoint: analyzed again.
    const weights = path.join(dir, 'checkpoint-24', 'model.safetensors');
    const bytes = fs.readFileSync(weights);
    fs.writeFileSync(weights, bytes);
    fs.utimesSync(weights, new Date(), new Date(Date.now() + 5000));
    service.fileChanged(weights);
    await service.whenIdle();
    assert.equal(pool.analyzed.filter((f) => f === path.join(dir, 'checkpoint-24')).length, 2);
  } finally {
    await dispose();
  }
});

test('results stored next to the run by analyze --write are read, not analyzed again', { timeout: 120_000 }, async () => {
  const dir = path.join(tmp(), 'run0000');
  fs.cpSync(path.join(LENET, 'run0000'), dir, { recursive: true });
  for (const e of [4, 5]) fs.rmSync(path.join(dir, `epoch_${e}.pt`));
  analyzePath(dir, { write: true });
  assert.ok(fs.existsSync(path.join(dir, '.training-dynamics', 'results')));
  const { service, pool, dispose } = setup(null);
  try {
    for (const f of filesUnder(dir)) service.fileChanged(f);
    await service.whenIdle();
    const r = service.runs()[0];
    assert.deepEqual(r.epochs, [0, 1, 2, 3]);
    assert.deepEqual(pool.analyzed, [], 'every checkpoint came from the store');
    // A checkpoint the store does not hold is analyzed.
    fs.copyFileSync(path.join(LENET, 'run0000', 'epoch_4.pt'), path.join(dir, 'epoch_4.pt'));
    service.fileChanged(path.join(dir, 'epoch_4.pt'));
    await service.whenIdle();
    assert.deepEqual(pool.analyzed, [path.join(dir, 'epoch_4.pt')]);
  } finally {
    await dispose();
  }
});
