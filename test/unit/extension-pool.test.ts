// The analysis worker pool (pool/worker-pool.ts) with the real dist/worker.js on real checkpoints,
// and with a small stand-in worker that crashes, runs out of memory or hangs on demand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkerPool, PoolCancelledError, PoolCrashError, defaultJobTimeoutMs, poolSize, type CrashReport } from '../../src/runtime/pool/worker-pool';
import { WorkerJobError } from '../../src/runtime/worker-protocol';
import { analyzeCheckpointFull } from '../../src/engine/analyze-checkpoint';
import { forecastRun, type ForecastInput } from '../../src/engine/forecast/index';

const ROOT = path.join(__dirname, '..', '..');
const WORKER = path.join(ROOT, 'dist', 'worker.js');
const FIX = path.join(ROOT, 'test/fixtures/pytorch');

const analyzeMsg = (file: string, extra: { drawMaxEdges?: number } = {}) => () => ({ body: { file, ...extra } });
/** A job for the stand-in worker below: it answers any request about `file` as a 'trained' reply. */
const flakyMsg = (file: string) => () => ({ body: { root: file } });

/** A reply, or the failure the worker reported, in the shape the assertions below look at. */
const replyOrError = <R>(p: Promise<R>) =>
  p.catch((e: unknown) => {
    if (e instanceof WorkerJobError) return { type: 'error' as const, file: e.file, message: e.message, name: e.name };
    throw e;
  });

/** A worker that misbehaves according to the file name it is given. */
function flakyWorker(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-pool-'));
  const file = path.join(dir, 'flaky-worker.js');
  fs.writeFileSync(
    file,
    `const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.on('message', (m) => {
  const f = m.body.root;
  if (f.includes('crash-once') && !fs.existsSync(f + '.crashed')) { fs.writeFileSync(f + '.crashed', ''); throw new Error('simulated crash'); }
  if (f.includes('crash-always')) throw new Error('simulated crash');
  if (f.includes('exit')) process.exit(7);
  if (f.includes('oom')) { const keep = []; for (;;) keep.push(new Array(1e5).fill({ x: Math.random() })); }
  if (f.includes('hang')) { const t = Date.now(); while (Date.now() - t < 60000) {} }
  parentPort.postMessage({ inReplyTo: m.messageId, body: { type: 'trained', outFile: f, summary: 'ok ' + f } });
});
`,
  );
  return file;
}

test('pool size: every core up to two, one left for the editor above that, at most 8, at least 1', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 16, 64].map((n) => poolSize(n)), [1, 1, 2, 2, 3, 8, 8]);
});

test('the real worker analyzes a checkpoint: same numbers as in-process, centrality transferred as Float64Array', async () => {
  assert.ok(fs.existsSync(WORKER), 'run npm run build first');
  const pool = new WorkerPool({ script: WORKER, size: 2 });
  try {
    const file = path.join(FIX, 'lenet.pt');
    const reply = await pool.submit('analyze', file, analyzeMsg(file, { drawMaxEdges: 100 })).promise;
    assert.equal(reply.type, 'result');
    if (reply.type !== 'result') return;
    const local = analyzeCheckpointFull(file);
    assert.ok(reply.centrality instanceof Float64Array);
    assert.equal(reply.centrality.length, local.graph.nodeCount);
    assert.deepEqual(reply.analysis.layers, local.analysis.layers);
    assert.ok(reply.draw && reply.draw.edges.length <= 100);
    // Warm start from its own vector gives the same answer.
    const warm = reply.centrality.slice();
    const again = await pool.submit('analyze', file, () => {
      const ws = warm.slice();
      return { body: { file, warmStart: ws }, transfer: [ws.buffer] };
    }).promise;
    assert.equal(again.type, 'result');
    if (again.type === 'result') for (let i = 0; i < warm.length; i++) assert.ok(Math.abs(again.centrality[i] - warm[i]) < 1e-6);
  } finally {
    await pool.dispose();
  }
});

test('a bad checkpoint is an error reply naming the problem; the worker lives on', async () => {
  const pool = new WorkerPool({ script: WORKER, size: 1 });
  const crashes: CrashReport[] = [];
  pool.onCrash((c) => crashes.push(c));
  try {
    const bad = path.join(ROOT, 'test/fixtures/hostile/truncated.pt');
    const r = await replyOrError(pool.submit('analyze', bad, analyzeMsg(bad)).promise);
    assert.equal(r.type, 'error');
    if (r.type === 'error') {
      assert.equal(r.file, bad);
      assert.match(r.message, /truncated|end-of-central-directory/);
      assert.equal(r.name, 'FormatError');
    }
    const nan = path.join(FIX, 'nan_weights.pt');
    const n = await replyOrError(pool.submit('analyze', nan, analyzeMsg(nan)).promise);
    assert.equal(n.type, 'error');
    if (n.type === 'error') assert.match(n.message, /NaN|diverged/);
    const ok = await pool.submit('analyze', path.join(FIX, 'mlp.pt'), analyzeMsg(path.join(FIX, 'mlp.pt'))).promise;
    assert.equal(ok.type, 'result');
    assert.deepEqual(crashes, []);
  } finally {
    await pool.dispose();
  }
});

test('the worker reads a run\'s logs: validation accuracy per epoch', async () => {
  const pool = new WorkerPool({ script: WORKER, size: 1 });
  try {
    const dir = path.join(ROOT, 'examples/lenet-fashion/run0000');
    const r = await pool.submit('accuracy', dir, () => ({ body: { runDir: dir } })).promise;
    assert.equal(r.type, 'accuracy');
    if (r.type !== 'accuracy') return;
    assert.equal(r.accuracy?.metric, 'val_acc');
    assert.deepEqual(r.accuracy?.points.map((p) => p.epoch).slice(0, 3), [1, 2, 3]);
  } finally {
    await pool.dispose();
  }
});

test('the worker forecasts a run from its analyses (the forecaster files are read there, not by the editor)', async () => {
  const pool = new WorkerPool({ script: WORKER, size: 1 });
  try {
    const dir = path.join(ROOT, 'examples/lenet-fashion/run0000');
    const input: ForecastInput = {
      checkpoints: [0, 1, 2, 3].map((e) => ({ epoch: e, analysis: analyzeCheckpointFull(path.join(dir, `epoch_${e}.pt`)).analysis })),
      valAcc: [{ epoch: 1, value: 0.6 }, { epoch: 2, value: 0.65 }, { epoch: 3, value: 0.7 }],
    };
    const r = await pool.submit('forecast', dir, () => ({ body: { runDir: dir, input, epochs: 3 } })).promise;
    assert.equal(r.type, 'forecast');
    assert.ok(r.forecast, 'the shipped forecaster fits a LeNet run with 3 epochs');
    assert.deepEqual(r.forecast, forecastRun(input, { epochs: 3 }));
  } finally {
    await pool.dispose();
  }
});

test('a worker that crashes is reported and the job retried once on a fresh worker', async () => {
  const script = flakyWorker();
  const pool = new WorkerPool({ script, size: 1 });
  const crashes: CrashReport[] = [];
  pool.onCrash((c) => crashes.push(c));
  try {
    const f = path.join(path.dirname(script), 'crash-once.pt');
    const r = await pool.submit('train', f, flakyMsg(f)).promise;
    assert.equal(r.type, 'trained');
    assert.equal(crashes.length, 1);
    assert.equal(crashes[0].willRetry, true);
    assert.equal(crashes[0].attempt, 1);
    assert.match(crashes[0].reason, /simulated crash/);
  } finally {
    await pool.dispose();
  }
});

test('a job that crashes its worker twice fails with PoolCrashError; the pool goes on with the next job', async () => {
  const script = flakyWorker();
  const pool = new WorkerPool({ script, size: 1 });
  const crashes: CrashReport[] = [];
  pool.onCrash((c) => crashes.push(c));
  try {
    const f = '/x/crash-always.pt';
    const failed = pool.submit('train', f, flakyMsg(f)).promise;
    const next = pool.submit('train', '/x/fine.pt', flakyMsg('/x/fine.pt')).promise;
    await assert.rejects(failed, (e: unknown) => e instanceof PoolCrashError && e.file === f && /crashed/.test(e.message) && e.attempts === 2);
    assert.equal((await next).type, 'trained');
    assert.deepEqual(crashes.map((c) => c.willRetry), [true, false]);
    const exited = pool.submit('train', '/x/exit.pt', flakyMsg('/x/exit.pt')).promise;
    await assert.rejects(exited, (e: unknown) => e instanceof PoolCrashError && /exited with code 7/.test(e.reason));
  } finally {
    await pool.dispose();
  }
});

test('a worker out of memory under its heap limit is reported as such, retried, then given up', async () => {
  const script = flakyWorker();
  const pool = new WorkerPool({ script, size: 1, maxOldGenerationSizeMb: 24 });
  const crashes: CrashReport[] = [];
  pool.onCrash((c) => crashes.push(c));
  try {
    const f = '/x/oom.pt';
    await assert.rejects(pool.submit('train', f, flakyMsg(f)).promise, (e: unknown) => e instanceof PoolCrashError && /out of memory \(limit 24 MB\)/.test(e.message));
    assert.equal(crashes.length, 2);
    assert.equal((await pool.submit('train', '/x/fine.pt', flakyMsg('/x/fine.pt')).promise).type, 'trained');
  } finally {
    await pool.dispose();
  }
});

test('cancel: a queued job is dropped, a running one ends its worker; later jobs still run', async () => {
  const script = flakyWorker();
  const pool = new WorkerPool({ script, size: 1 });
  const crashes: CrashReport[] = [];
  pool.onCrash((c) => crashes.push(c));
  try {
    const hang = pool.submit('train', '/x/hang.pt', flakyMsg('/x/hang.pt'));
    const queued = pool.submit('train', '/x/queued.pt', flakyMsg('/x/queued.pt'));
    const after = pool.submit('train', '/x/after.pt', flakyMsg('/x/after.pt'));
    assert.equal(pool.running, 1);
    assert.equal(pool.queued, 2);
    assert.ok(pool.cancel(queued.jobId));
    await assert.rejects(queued.promise, PoolCancelledError);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    assert.ok(pool.cancel(hang.jobId));
    await assert.rejects(hang.promise, PoolCancelledError);
    const r = await after.promise;
    assert.equal(r.type, 'trained');
    assert.ok(Date.now() - t0 < 20_000, 'the hanging job did not block the next one');
    assert.deepEqual(crashes, [], 'a cancel is not a crash');
    assert.equal(pool.cancel(12345), false);
    await pool.whenIdle();
  } finally {
    await pool.dispose();
  }
});

test('urgent jobs go first; whenIdle waits for all', async () => {
  const script = flakyWorker();
  // One worker, so that finishing order is starting order whatever the machine's load.
  const pool = new WorkerPool({ script, size: 1 });
  try {
    const order: string[] = [];
    const jobs = ['/x/a', '/x/b', '/x/c', '/x/d'].map((f) => pool.submit('train', f, flakyMsg(f)).promise.then((r) => order.push(r.type === 'trained' ? path.basename(r.outFile) : '?')));
    const urgent = pool.submit('train', '/x/urgent', flakyMsg('/x/urgent'), { urgent: true }).promise.then(() => order.push('urgent'));
    await pool.whenIdle();
    await Promise.all([...jobs, urgent]);
    assert.equal(order.length, 5);
    // At most a had started when the urgent job came; it jumped ahead of b, c and d.
    assert.ok(order.indexOf('urgent') <= 1, order.join(' '));
    assert.equal(pool.running, 0);
    assert.equal(pool.queued, 0);
  } finally {
    await pool.dispose();
  }
});

test('the real worker trains a forecaster from finished runs below a folder, or says why it cannot', { timeout: 120_000 }, async () => {
  const pool = new WorkerPool({ script: WORKER, size: 1 });
  try {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'td-train-')), 'forecaster.json');
    const root = path.join(ROOT, 'test/fixtures/zoo/lenet-digits');
    const r = await pool.submit('train', root, () => ({ body: { root, outFile: out } })).promise;
    assert.equal(r.type, 'trained');
    if (r.type !== 'trained') return;
    assert.equal(r.outFile, out);
    assert.equal(r.runsFound, 10);
    assert.ok(r.predictors > 0);
    assert.match(r.summary, /predictors? from 10 finished runs of 10/);
    assert.ok(fs.existsSync(out));
    const few = path.join(ROOT, 'test/fixtures/zoo/lenet-fashion');
    const e = await replyOrError(pool.submit('train', few, () => ({ body: { root: few, outFile: out + '.2' } })).promise);
    assert.equal(e.type, 'error');
    if (e.type === 'error') assert.match(e.message, /needs at least 8 finished runs/);
  } finally {
    await pool.dispose();
  }
});

test('a job past its time limit ends its worker, is reported and not retried; the pool goes on', async () => {
  const script = flakyWorker();
  const pool = new WorkerPool({ script, size: 1, jobTimeoutMs: (f) => (f.includes('hang') ? 300 : 60_000) });
  const crashes: CrashReport[] = [];
  pool.onCrash((c) => crashes.push(c));
  try {
    const t0 = Date.now();
    const hang = pool.submit('train', '/x/hang.pt', flakyMsg('/x/hang.pt')).promise;
    const next = pool.submit('train', '/x/next.pt', flakyMsg('/x/next.pt')).promise;
    await assert.rejects(hang, (e: unknown) => e instanceof PoolCrashError && e.file === '/x/hang.pt' && /timed out after 0\.3 s/.test(e.message) && e.attempts === 1);
    assert.equal((await next).type, 'trained');
    assert.ok(Date.now() - t0 < 30_000, 'the stalled job did not hold the pool for its whole hang');
    assert.deepEqual(crashes.map((c) => [c.file, c.willRetry]), [['/x/hang.pt', false]]);
  } finally {
    await pool.dispose();
  }
});

test('the default time limit: 60 s plus 2 s per MB of a file, 30 min for a folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-limit-'));
  const f = path.join(dir, 'w.pt');
  fs.writeFileSync(f, Buffer.alloc(3_000_000));
  assert.equal(defaultJobTimeoutMs(f), 66_000);
  assert.equal(defaultJobTimeoutMs(dir), 30 * 60_000, 'a folder (a forecast or train job) gets 30 min');
  assert.equal(defaultJobTimeoutMs(path.join(dir, 'gone.pt')), 60_000);
});
