// The live analysis pipeline behind the editor (live/analysis-service.ts), with real worker threads
// on real checkpoints in temporary folders: what the extension does for file events, without VS Code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnalysisService, type ServiceOptions } from '../../src/runtime/live/analysis-service';
import { ResultCache } from '../../src/runtime/live/result-cache';
import { WorkerPool, type MakeRequest, type PoolTask } from '../../src/runtime/pool/worker-pool';
import type { ReplyOf, RequestType } from '../../src/runtime/worker-protocol';
import { forecastRun, type ForecastInput } from '../../src/engine/forecast/index';

const ROOT = path.join(__dirname, '..', '..');
const WORKER = path.join(ROOT, 'dist', 'worker.js');
const RUN0 = path.join(ROOT, 'examples/lenet-fashion/run0000');
const RUN1 = path.join(ROOT, 'examples/lenet-fashion/run0001');

/** A pool that records what it was asked to analyze, with the file's size at that moment. */
class SpyPool extends WorkerPool {
  submitted: { file: string; type: string; size: number }[] = [];
  override submit<K extends RequestType>(type: K, file: string, make: MakeRequest<K>, opts?: { urgent?: boolean }): PoolTask<ReplyOf<K>> {
    let size = -1;
    try {
      size = fs.statSync(file).size;
    } catch {
      /* gone */
    }
    this.submitted.push({ file, type, size });
    return super.submit(type, file, make, opts);
  }
  analyses(file?: string) {
    return this.submitted.filter((s) => s.type === 'analyze' && (file === undefined || s.file === file));
  }
}

function setup(opts: Partial<ServiceOptions> & { cacheDir?: string; workers?: number; script?: string } = {}) {
  const pool = new SpyPool({ script: opts.script ?? WORKER, size: opts.workers ?? 2 });
  const forecasts: ForecastInput[] = [];
  const service = new AnalysisService({
    pool,
    cache: opts.cacheDir ? new ResultCache(opts.cacheDir) : undefined,
    engineVersion: 'test',
    settings: () => ({ inputSize: null, forecastEpochs: 3 }),
    settleMs: 120,
    recentWriteMs: 300,
    accuracyDelayMs: 20,
    forecast: (input) => {
      forecasts.push(input);
      const trained = input.checkpoints.filter((c) => (c.epoch ?? 0) > 0).length;
      return trained >= 3 ? { accuracy: 0.8, low: 0.75, high: 0.85, epochsUsed: 3, model: 'test' } : null;
    },
    ...opts,
  });
  // The journal of analyses the assertions read (off unless asked for).
  const recorder = service.startRecording();
  const dispose = async () => {
    service.dispose();
    await pool.dispose();
  };
  return { pool, service, recorder, forecasts, dispose };
}

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'td-live-'));

function copyRun(src: string, dst: string, epochs: number[]): string[] {
  fs.mkdirSync(dst, { recursive: true });
  fs.copyFileSync(path.join(src, 'metrics.jsonl'), path.join(dst, 'metrics.jsonl'));
  return epochs.map((e) => {
    const f = path.join(dst, `epoch_${e}.pt`);
    fs.copyFileSync(path.join(src, `epoch_${e}.pt`), f);
    return f;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a run appears with no configuration: each file analyzed once however many events fire; logs, forecast and drawn graph follow', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'sweep', 'runA');
  const files = copyRun(RUN0, run, [0, 1, 2, 3]);
  const { service, pool, recorder, forecasts, dispose } = setup({ cacheDir: path.join(dir, 'cache') });
  try {
    for (const f of files) {
      service.fileChanged(f); // create
      service.fileChanged(f); // change
    }
    await service.whenIdle();
    for (const f of files) service.fileChanged(f); // a late duplicate change event
    await service.whenIdle();
    const runs = service.runs();
    assert.equal(runs.length, 1);
    const r = runs[0];
    assert.equal(r.id, run);
    assert.equal(r.name, 'runA');
    assert.equal(r.sweep, path.join(dir, 'sweep'));
    assert.equal(r.status, 'ready');
    assert.deepEqual(r.epochs, [0, 1, 2, 3]);
    assert.deepEqual(r.errors, []);
    for (const f of files) assert.equal(recorder.analyzedCount(f), 1, path.basename(f));
    assert.equal(pool.analyses().length, 4);
    assert.equal(r.accuracy?.[0].epoch, 1);
    assert.equal(r.finalAccuracy, 0.7676, 'the log ends with a test accuracy: the run has finished');
    assert.deepEqual(r.forecast, { accuracy: 0.8, low: 0.75, high: 0.85, epochsUsed: 3, model: 'test' });
    const last = forecasts[forecasts.length - 1];
    assert.deepEqual(last.checkpoints.map((c) => c.epoch), [0, 1, 2, 3]);
    assert.ok(last.valAcc && last.valAcc.length > 0, 'the forecaster gets the logged validation accuracy');
    const detail = service.detail(run);
    assert.deepEqual(detail?.checkpoints.map((c) => c.epoch), [0, 1, 2, 3]);
    const g = await service.graph(run, 2, 300);
    assert.ok(g.edges.length <= 300 && g.edges.length > 0);
    assert.equal(g.file, files[2]);
    assert.equal(recorder.analyzedCount(files[2]), 1, 'drawing is not an analysis');
    assert.equal(await service.graph(run, 2, 300), g, 'drawn graphs are memoised');
    await assert.rejects(service.graph(run, 9, 300), /no analyzed checkpoint for epoch 9/);
  } finally {
    await dispose();
  }

  // Reopening (a new service on the same cache) recomputes nothing.
  const again = setup({ cacheDir: path.join(dir, 'cache') });
  try {
    for (const f of files) again.service.fileChanged(f);
    await again.service.whenIdle();
    assert.deepEqual(again.service.runs()[0].epochs, [0, 1, 2, 3]);
    for (const f of files) assert.equal(again.recorder.analyzedCount(f), 0);
    assert.equal(again.pool.analyses().length, 0);
    const g = await again.service.graph(run, 2, 300);
    assert.ok(g.edges.length > 0);
    assert.equal(again.pool.analyses().length, 0, 'the drawn graph came from the disk cache');
  } finally {
    await again.dispose();
  }
});

test('without a stand-in forecaster the forecast is a worker job, the same as forecasting in this thread', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'runF');
  const files = copyRun(RUN0, run, [0, 1, 2, 3]);
  const { service, pool, dispose } = setup({ forecast: undefined });
  try {
    for (const f of files) service.fileChanged(f);
    await service.whenIdle();
    const r = service.runs()[0];
    assert.deepEqual(r.epochs, [0, 1, 2, 3]);
    assert.deepEqual(r.errors, []);
    assert.ok(pool.submitted.some((s) => s.type === 'forecast'), 'forecast jobs went to the pool');
    const detail = service.detail(run)!;
    const input: ForecastInput = { checkpoints: detail.checkpoints.map((c) => ({ epoch: c.epoch, analysis: c.analysis })), valAcc: r.accuracy };
    assert.ok(r.forecast);
    assert.deepEqual(r.forecast, forecastRun(input, { epochs: 3 }));
  } finally {
    await dispose();
  }
});

test('a checkpoint still being written is not analyzed until complete; a truncated one that stays so is an error and earlier results stay', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'runB');
  const files = copyRun(RUN0, run, [0, 1]);
  const { service, pool, recorder, dispose } = setup();
  try {
    for (const f of files) service.fileChanged(f);
    await service.whenIdle();
    assert.deepEqual(service.runs()[0].epochs, [0, 1]);

    // epoch_2.pt written in 12 chunks, 40 ms apart (the settle interval is 120 ms), an event per write.
    const full = fs.readFileSync(path.join(RUN0, 'epoch_2.pt'));
    const f2 = path.join(run, 'epoch_2.pt');
    const chunk = Math.ceil(full.length / 12);
    fs.writeFileSync(f2, Buffer.alloc(0));
    service.fileChanged(f2);
    for (let off = 0; off < full.length; off += chunk) {
      fs.appendFileSync(f2, full.subarray(off, off + chunk));
      service.fileChanged(f2);
      await sleep(40);
      assert.equal(pool.analyses(f2).length, 0, `not analyzed while being written (${off} bytes)`);
    }
    await service.whenIdle();
    assert.deepEqual(pool.analyses(f2).map((s) => s.size), [full.length], 'analyzed once, complete');
    assert.equal(recorder.analyzedCount(f2), 1);
    assert.deepEqual(service.runs()[0].epochs, [0, 1, 2]);
    assert.deepEqual(service.runs()[0].errors, []);

    // epoch_3.pt stops half-way and stays so: given another chance while its write is recent, then
    // an error naming the problem; epochs 0-2 stay.
    const f3 = path.join(run, 'epoch_3.pt');
    fs.writeFileSync(f3, fs.readFileSync(path.join(RUN0, 'epoch_3.pt')).subarray(0, 400_000));
    service.fileChanged(f3);
    await service.whenIdle();
    let r = service.runs()[0];
    assert.deepEqual(r.epochs, [0, 1, 2]);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].path, f3);
    assert.match(r.errors[0].message, /truncated|end-of-central-directory|zip/i);
    assert.equal(r.status, 'ready');
    assert.equal(recorder.analyzedCount(f3), 0);
    const outcomes = recorder.analyses().filter((a) => a.file === f3).map((a) => a.outcome);
    assert.equal(outcomes[outcomes.length - 1], 'error');
    assert.ok(outcomes.slice(0, -1).every((o) => o === 'incomplete') && outcomes.length <= 4, outcomes.join(','));
    const tries = pool.analyses(f3).length;
    assert.equal(tries, outcomes.length);
    service.fileChanged(f3); // the same bytes again: not retried
    await service.whenIdle();
    assert.equal(pool.analyses(f3).length, tries);

    // The writer finishes after all: analyzed, error gone.
    fs.copyFileSync(path.join(RUN0, 'epoch_3.pt'), f3);
    service.fileChanged(f3);
    await service.whenIdle();
    r = service.runs()[0];
    assert.deepEqual(r.epochs, [0, 1, 2, 3]);
    assert.deepEqual(r.errors, []);
  } finally {
    await dispose();
  }
});

test('deleted files: pending work dropped; an analyzed checkpoint deleted later keeps its result; a deleted run folder goes', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'runC');
  const files = copyRun(RUN0, run, [0, 1, 2]);
  const { service, pool, dispose } = setup();
  try {
    service.fileChanged(files[0]);
    service.fileChanged(files[1]);
    await service.whenIdle();
    // Deleted while settling: never analyzed.
    service.fileChanged(files[2]);
    fs.rmSync(files[2]);
    service.fileDeleted(files[2]);
    await service.whenIdle();
    assert.equal(pool.analyses(files[2]).length, 0);
    // Deleted after analysis (Lightning's save_top_k): the result stays, the run keeps epoch 0.
    fs.rmSync(files[0]);
    service.fileDeleted(files[0]);
    await service.whenIdle();
    assert.deepEqual(service.runs()[0].epochs, [0, 1]);
    await assert.rejects(service.graph(run, 0, 100), /deleted/);
    // The whole folder goes: so does the run.
    fs.rmSync(run, { recursive: true });
    service.pathDeleted(run);
    await service.whenIdle();
    assert.deepEqual(service.runs(), []);
  } finally {
    await dispose();
  }
});

test('results of checkpoints deleted before a reopen come back from the cache', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'runD');
  const files = copyRun(RUN0, run, [0, 1]);
  const cacheDir = path.join(dir, 'cache');
  const a = setup({ cacheDir });
  try {
    for (const f of files) a.service.fileChanged(f);
    await a.service.whenIdle();
  } finally {
    await a.dispose();
  }
  fs.rmSync(files[0]);
  const b = setup({ cacheDir });
  try {
    b.service.fileChanged(files[1]);
    await b.service.whenIdle();
    assert.deepEqual(b.service.runs()[0].epochs, [0, 1]);
    assert.equal(b.pool.analyses().length, 0);
  } finally {
    await b.dispose();
  }
});

test('several runs side by side: the two workers start on two different runs, each run in epoch order', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const a = copyRun(RUN0, path.join(dir, 'sweep', 'a'), [0, 1, 2]);
  const b = copyRun(RUN1, path.join(dir, 'sweep', 'b'), [0, 1, 2]);
  const { service, pool, dispose } = setup({ workers: 2 });
  try {
    for (const f of [...a].reverse()) service.fileChanged(f);
    for (const f of [...b].reverse()) service.fileChanged(f);
    await service.whenIdle();
    const order = pool.analyses().map((s) => path.relative(dir, s.file));
    assert.equal(order.length, 6);
    assert.notEqual(path.dirname(order[0]), path.dirname(order[1]), `first two jobs on different runs: ${order}`);
    for (const r of ['a', 'b']) {
      const mine = order.filter((o) => o.includes(`${path.sep}${r}${path.sep}`));
      assert.deepEqual(mine.map((o) => path.basename(o)), ['epoch_0.pt', 'epoch_1.pt', 'epoch_2.pt'], `run ${r} in epoch order`);
    }
    assert.deepEqual(service.runs().map((r) => [r.name, r.epochs]), [['a', [0, 1, 2]], ['b', [0, 1, 2]]]);
  } finally {
    await dispose();
  }
});

test('files that are not checkpoints are ignored; a run only shows once it has one', { timeout: 60_000 }, async () => {
  const dir = tmp();
  fs.mkdirSync(path.join(dir, 'junk'));
  const junk = path.join(dir, 'junk', 'weights.bin');
  fs.writeFileSync(junk, 'not a checkpoint at all');
  const cfg = path.join(dir, 'junk', 'config.json');
  fs.writeFileSync(cfg, '{}');
  const { service, dispose } = setup();
  try {
    service.fileChanged(junk);
    service.fileChanged(cfg);
    assert.equal(await service.track(junk), 'skipped');
    await service.whenIdle();
    assert.deepEqual(service.runs(), []);
  } finally {
    await dispose();
  }
});

test('track() resolves per outcome; cancel() stops pending work and keeps earlier results', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'runE');
  const files = copyRun(RUN0, run, [0, 1, 2]);
  fs.copyFileSync(path.join(ROOT, 'test/fixtures/hostile/truncated.pt'), path.join(run, 'epoch_9.pt'));
  const { service, dispose } = setup({ workers: 1 });
  try {
    assert.equal(await service.track(files[0]), 'done');
    assert.equal(await service.track(files[0]), 'done', 'already done: resolves at once');
    assert.equal(await service.track(path.join(run, 'epoch_9.pt')), 'error');
    const p1 = service.track(files[1]);
    const p2 = service.track(files[2]);
    service.cancel(files[1]);
    service.cancel(files[2]);
    assert.deepEqual(await Promise.all([p1, p2]), ['cancelled', 'cancelled']);
    await service.whenIdle();
    assert.deepEqual(service.runs()[0].epochs, [0]);
    assert.equal(service.runs()[0].errors.length, 1);
  } finally {
    await dispose();
  }
});

test('a checkpoint whose worker crashes twice is that file\'s error; the service goes on', { timeout: 60_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'runF');
  fs.mkdirSync(run);
  const f = path.join(run, 'crash-always_1.pt');
  fs.copyFileSync(path.join(RUN0, 'epoch_1.pt'), f);
  const script = path.join(dir, 'crashing-worker.js');
  fs.writeFileSync(
    script,
    `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.type === 'analyze') throw new Error('simulated crash');
  parentPort.postMessage({ inReplyTo: m.messageId, body: { type: 'accuracy', accuracy: null, finished: false, errors: [] } });
});`,
  );
  const { service, dispose } = setup({ script, workers: 1 });
  try {
    assert.equal(await service.track(f), 'error');
    await service.whenIdle();
    const r = service.runs()[0];
    assert.equal(r.status, 'error');
    assert.match(r.errors[0].message, /crashed \(simulated crash\) on all 2 attempts/);
  } finally {
    await dispose();
  }
});

test('a training log written later updates the run: accuracy, and finished once a test accuracy is logged', { timeout: 60_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'runG');
  fs.mkdirSync(run);
  fs.copyFileSync(path.join(RUN0, 'epoch_0.pt'), path.join(run, 'epoch_0.pt'));
  const log = path.join(run, 'metrics.jsonl');
  fs.writeFileSync(log, '{"epoch": 1, "val_acc": 0.5}\n');
  const { service, dispose } = setup();
  try {
    await service.track(path.join(run, 'epoch_0.pt'));
    await service.whenIdle();
    assert.deepEqual(service.runs()[0].accuracy, [{ epoch: 1, value: 0.5 }]);
    assert.equal(service.runs()[0].finalAccuracy, null);
    fs.appendFileSync(log, '{"epoch": 2, "val_acc": 0.6}\n{"epoch": 2, "test_acc": 0.61}\n');
    service.logChanged(path.join(dir, 'elsewhere', 'metrics.jsonl')); // not this run's
    await service.whenIdle();
    assert.equal(service.runs()[0].accuracy?.length, 1);
    service.logChanged(log);
    await service.whenIdle();
    assert.deepEqual(service.runs()[0].accuracy?.map((a) => a.epoch), [1, 2]);
    assert.equal(service.runs()[0].finalAccuracy, 0.61);
  } finally {
    await dispose();
  }
});

test('a run restarted in a cleared folder does not show the deleted epochs of its earlier attempt', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'runH');
  const first = copyRun(RUN0, run, [0, 1, 2, 3]);
  const { service, dispose } = setup();
  try {
    for (const f of first) service.fileChanged(f);
    await service.whenIdle();
    assert.deepEqual(service.runs()[0].epochs, [0, 1, 2, 3]);
    // Training is restarted: old checkpoints deleted, new epoch 0 and 1 written later.
    for (const f of first) {
      fs.rmSync(f);
      service.fileDeleted(f);
    }
    await service.whenIdle();
    assert.deepEqual(service.runs()[0].epochs, [0, 1, 2, 3], 'kept while nothing newer contradicts them');
    await sleep(50);
    for (const e of [0, 1]) {
      fs.copyFileSync(path.join(RUN1, `epoch_${e}.pt`), first[e]);
      service.fileChanged(first[e]);
    }
    await service.whenIdle();
    assert.deepEqual(service.runs()[0].epochs, [0, 1]);
    assert.equal(service.detail(run)?.checkpoints[1].analysis.path, first[1]);
  } finally {
    await dispose();
  }
});

test('a file that stops growing for a moment mid-write is tried again, not reported broken; a killed worker\'s job is retried', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'runG');
  const files = copyRun(RUN0, run, [0]);
  const { service, pool, recorder, dispose } = setup({ recentWriteMs: 1500 });
  try {
    await service.track(files[0]);
    // The writer pauses longer than the settle interval with half the file written, then finishes
    // without any further event reaching the service (a missed watcher event).
    const full = fs.readFileSync(path.join(RUN0, 'epoch_1.pt'));
    const f1 = path.join(run, 'epoch_1.pt');
    fs.writeFileSync(f1, full.subarray(0, full.length >> 1));
    service.fileChanged(f1);
    await waitFor(() => recorder.analyses().some((a) => a.file === f1), 20_000);
    fs.writeFileSync(f1, full);
    await service.whenIdle();
    const seen = recorder.analyses().filter((a) => a.file === f1);
    assert.deepEqual(seen.map((a) => a.outcome), ['incomplete', 'result']);
    assert.equal(seen[1].size, full.length, 'the result is of the whole file');
    assert.deepEqual(service.runs()[0].errors, [], 'never shown as an error');
    assert.deepEqual(service.runs()[0].epochs, [0, 1]);

    // A worker killed in the middle of a job: reported, retried on a fresh worker, analyzed once.
    const crashes: string[] = [];
    pool.onCrash((c) => crashes.push(`${path.basename(c.file)} ${c.reason} ${c.willRetry}`));
    const f2 = copyRun(RUN0, run, [2])[0];
    service.fileChanged(f2);
    await waitFor(() => pool.running > 0, 20_000, 1);
    assert.equal(pool.kill(), f2);
    await service.whenIdle();
    assert.deepEqual(crashes, ['epoch_2.pt was killed true']);
    assert.equal(recorder.analyzedCount(f2), 1);
    assert.deepEqual(service.runs()[0].epochs, [0, 1, 2]);
    assert.equal(pool.kill(), undefined, 'nothing running, nothing killed');
  } finally {
    await dispose();
  }
});

async function waitFor(probe: () => boolean, timeoutMs: number, everyMs = 20): Promise<void> {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

test('the service reads the injected clock: a file that fails to parse, written an hour ago by that clock, is an error at once', { timeout: 60_000 }, async () => {
  const dir = tmp();
  const run = path.join(dir, 'runI');
  fs.mkdirSync(run);
  const f = path.join(run, 'epoch_3.pt');
  fs.writeFileSync(f, fs.readFileSync(path.join(RUN0, 'epoch_3.pt')).subarray(0, 400_000));
  // By the real clock the write is recent: it would be tried again after a minute, three times.
  const { service, recorder, dispose } = setup({ recentWriteMs: 60_000, deps: { now: () => Date.now() + 3_600_000 } });
  try {
    assert.equal(await service.track(f), 'error');
    assert.deepEqual(recorder.analyses().map((a) => a.outcome), ['error']);
  } finally {
    await dispose();
  }
});
