// The CLI contract, run as a user runs it: a real process on real checkpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });

test('the CLI bundle exists (npm run build)', () => assert.ok(fs.existsSync(CLI), 'run npm run build first'));

test('analyze --json on a sweep folder: one JSON document in the documented shape', () => {
  const r = run('analyze', 'examples', '--json', '--epochs', '3');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.runs.length, 3);
  for (const run of doc.runs) {
    assert.ok(typeof run.path === 'string');
    assert.deepEqual(run.errors, []);
    assert.ok('forecast' in run);
    assert.deepEqual(run.checkpoints.map((c: { epoch: number | null; order: number }) => c.order), [0, 1, 2, 3, 4, 5]);
    for (const c of run.checkpoints) {
      assert.equal(c.format, 'pytorch-zip');
      for (const k of ['nodes', 'edges', 'unrolledNodes', 'unrolledEdges']) assert.ok(c.graph[k] > 0, k);
      assert.ok(c.graph.unrolledEdges > c.graph.edges);
      assert.deepEqual(c.layers.map((l: { name: string }) => l.name), ['input', 'conv1', 'conv2', 'fc1', 'fc2', 'fc3']);
      for (const l of c.layers) for (const s of ['mean', 'std', 'min', 'q25', 'median', 'q75', 'max']) {
        assert.ok(Number.isFinite(l.weightedDegree[s]) && Number.isFinite(l.eigenvectorCentrality[s]), `${l.name}.${s}`);
      }
    }
  }
});

test('--help, -h and help print the usage and exit 0; no arguments is a usage error', () => {
  for (const args of [['--help'], ['-h'], ['help'], ['analyze', '--help']]) {
    const r = run(...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage:/m);
    assert.match(r.stdout, /training-dynamics analyze PATH/);
  }
  const none = run();
  assert.equal(none.status, 1);
  assert.match(none.stdout + none.stderr, /Usage:/);
});

test('a bad file in a folder is reported in errors, the others still analyzed, exit code 2; NaN weights mark divergence, not a bad file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-cli-'));
  fs.copyFileSync(path.join(ROOT, 'examples/lenet-fashion/run0000/epoch_0.pt'), path.join(dir, 'epoch_0.pt'));
  fs.copyFileSync(path.join(ROOT, 'examples/lenet-fashion/run0000/epoch_1.pt'), path.join(dir, 'epoch_1.pt'));
  const bytes = fs.readFileSync(path.join(dir, 'epoch_1.pt'));
  fs.writeFileSync(path.join(dir, 'epoch_2.pt'), bytes.subarray(0, bytes.length >> 1)); // half-written
  fs.copyFileSync(path.join(ROOT, 'test/fixtures/pytorch/nan_weights.pt'), path.join(dir, 'epoch_3.pt'));
  const r = run('analyze', dir, '--json');
  assert.equal(r.status, 2);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.runs[0].checkpoints.length, 2);
  const errs = doc.runs[0].errors.map((e: { path: string; message: string }) => `${path.basename(e.path)}: ${e.message}`).sort();
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^epoch_2\.pt: .*(end-of-central-directory|past the end)/);
  // epoch_3.pt holds NaN weights: the run diverged there (it used to be listed as unreadable).
  assert.equal(doc.runs[0].status, 'diverged');
  assert.equal(doc.runs[0].diverged.epoch, 3);
  assert.equal(doc.runs[0].diverged.tensor, 'conv1.weight');
});

test('human summary names runs, graph sizes and trends; usage errors exit 1; missing path exits 2', () => {
  const r = run('analyze', 'examples/lenet-fashion/run0000');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Run examples\/lenet-fashion\/run0000 {2}\(6 checkpoints\)/);
  assert.match(r.stdout, /rolled graph 463 nodes, 50\.1k edges/);
  assert.match(r.stdout, /trend: spectral radius \+\d+\.\d% from epoch 0 to 5/);
  assert.equal(run('analyze').status, 1);
  assert.equal(run('analyze', 'examples', '--epochs', '9').status, 1);
  const missing = run('analyze', 'no/such/dir');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no\/such\/dir: no such file or folder/);
});

test('--workers 2 analyzes a folder on worker threads: the same report as one after another, errors included', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-cli-par-'));
  fs.cpSync(path.join(ROOT, 'examples/lenet-fashion'), path.join(dir, 'sweep'), { recursive: true });
  const bytes = fs.readFileSync(path.join(dir, 'sweep/run0001/epoch_5.pt'));
  fs.writeFileSync(path.join(dir, 'sweep/run0001/epoch_5.pt'), bytes.subarray(0, bytes.length >> 1));
  const one = run('analyze', path.join(dir, 'sweep'), '--json', '--workers', '1');
  const two = run('analyze', path.join(dir, 'sweep'), '--json', '--workers', '2');
  assert.equal(one.status, 2, one.stderr);
  assert.equal(two.status, 2, two.stderr);
  const a = JSON.parse(one.stdout);
  const b = JSON.parse(two.stdout);
  assert.deepEqual(b.runs.map((r: { path: string }) => r.path), a.runs.map((r: { path: string }) => r.path));
  assert.deepEqual(b.runs[1].errors, a.runs[1].errors);
  assert.match(b.runs[1].errors[0].message, /end-of-central-directory|past the end/);
  let worst = 0;
  const compare = (x: unknown, y: unknown, at: string): void => {
    if (typeof x === 'number') {
      assert.equal(typeof y, 'number', at);
      // The eigen-solver's warm starts differ (two epochs start cold): equal to its tolerance.
      worst = Math.max(worst, Math.abs(x - (y as number)) / Math.max(1e-9, Math.abs(x)));
    } else if (x && typeof x === 'object') {
      for (const k of Object.keys(x)) if (k !== 'timings') compare((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${at}.${k}`);
    } else assert.equal(y, x, at);
  };
  compare(a, b, '');
  assert.ok(worst < 1e-5, `largest relative difference ${worst}`);
  assert.equal(b.runs.reduce((n: number, r: { checkpoints: unknown[] }) => n + r.checkpoints.length, 0), 17);
});

test('the human output starts with each sweep\'s ranking and the advice: which runs to stop and the epochs it saves', () => {
  const sweep = fs.mkdtempSync(path.join(os.tmpdir(), 'td-cli-advice-'));
  fs.cpSync(path.join(ROOT, 'examples/lenet-fashion/run0000'), path.join(sweep, 'run0000'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'test/fixtures/layouts/plain/digits-diverged'), path.join(sweep, 'run0003'), { recursive: true });
  const running = path.join(sweep, 'run0001');
  fs.mkdirSync(running);
  for (const e of [0, 1, 2, 3]) fs.copyFileSync(path.join(ROOT, 'examples/lenet-fashion/run0001', `epoch_${e}.pt`), path.join(running, `epoch_${e}.pt`));
  fs.writeFileSync(path.join(running, 'metrics.jsonl'), fs.readFileSync(path.join(ROOT, 'examples/lenet-fashion/run0001/metrics.jsonl'), 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
  fs.writeFileSync(path.join(running, 'config.json'), JSON.stringify({ epochs: 15 }));
  const r = spawnSync(process.execPath, [CLI, 'analyze', sweep], { encoding: 'utf8', cwd: sweep, timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^Sweep \. \(3 runs\): Stop these 2 runs now, saving about 12 epochs of compute\.$/);
  assert.match(lines[1], /^ {2}stop run0001: its forecast of [\d.]+% \(80% interval [\d.]+%–[\d.]+%\) is below run0000's final accuracy of 76\.8%; stopping now saves 12 of its 15 epochs$/);
  assert.match(lines[2], /^ {2}stop run0003: it diverged at epoch 4: NaN in fc1\.weight: it cannot recover$/);
  assert.match(lines[4], /^ {2}1 +run0000 +finished +76\.8% final +8\/8 +-$/);
  assert.match(r.stdout, /run0001 +running .* 3\/15 +stop/);
  assert.ok(lines.findIndex((l) => l.startsWith('Run ')) > 4, 'the runs in detail come after the advice');
});
