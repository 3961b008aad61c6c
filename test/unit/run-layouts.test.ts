// Runs as training frameworks lay them out (test/fixtures/layouts, written by
// scripts/fixtures/make_layouts.py from real training on sklearn's digits): one run each, the
// epochs on one axis with the logs, status, horizon, hyperparameters, divergence, results stored
// next to the runs, and the CLI's exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzePath } from '../../src/engine/run/analyze-run';
import { observeRun } from '../../src/engine/forecast/train';
import { discoverRuns } from '../../src/engine/run/discover';
import { runAccuracyStatus } from '../../src/engine/logs/run-accuracy';
import type { RunReport } from '../../src/engine/run/report';

const ROOT = path.join(__dirname, '..', '..');
const L = path.join(ROOT, 'test', 'fixtures', 'layouts');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });

const one = (p: string, opts = {}): RunReport => {
  const { runs } = analyzePath(p, opts);
  assert.equal(runs.length, 1, `${p}: ${runs.map((r) => r.path).join(', ')}`);
  return runs[0];
};
const epochs = (r: RunReport) => r.checkpoints.map((c) => c.epoch);
const tmpCopy = (rel: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-layout-'));
  fs.cpSync(path.join(L, rel), path.join(dir, path.basename(rel)), { recursive: true });
  return path.join(dir, path.basename(rel));
};
/** The rows of a CSV file as objects. */
const csv = (file: string): Record<string, string>[] => {
  const [head, ...rows] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/).map((l) => l.split(','));
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
};

test('Lightning: one run named after the folder holding lightning_logs; epoch=E is E+1 epochs done; metrics.csv on the same axis; running at 4 of max_epochs 8', () => {
  const r = one(path.join(L, 'lightning'));
  assert.equal(r.name, 'digits-lit');
  assert.equal(r.path, path.join(L, 'lightning', 'digits-lit'));
  assert.equal(r.layout, 'lightning');
  assert.deepEqual(epochs(r), [1, 2, 3, 4]);
  assert.deepEqual(r.checkpoints.map((c) => c.step), [12, 24, 36, 48]);
  assert.ok(r.checkpoints.every((c) => c.epochSource === 'stored' && c.order === c.epoch));
  assert.ok(r.warnings.some((w) => /last\.ckpt is at the same epoch and step/.test(w)), 'last.ckpt repeats the last epoch');
  // Validation values of Lightning's epoch E (0-based) sit at E+1, beside the checkpoint written then.
  const val = csv(path.join(L, 'lightning/digits-lit/lightning_logs/version_0/metrics.csv')).filter((x) => x.val_acc);
  assert.equal(r.accuracy?.metric, 'val_acc');
  assert.deepEqual(r.accuracy?.points.map((p) => [p.epoch, p.value]), val.map((x) => [Number(x.epoch) + 1, Number(x.val_acc)]));
  assert.equal(r.status, 'running');
  assert.equal(r.accuracy?.final, null, 'an unfinished run has no final accuracy');
  assert.deepEqual(r.horizon, { epochs: 8, steps: null, source: 'config', key: 'max_epochs', file: path.join('lightning_logs', 'version_0', 'hparams.yaml') });
  assert.equal(r.hyperparameters.values.lr, 0.01);
  assert.equal(r.hyperparameters.values['hidden_sizes.1'], 16);
  assert.equal(r.hyperparameters.sources.lr, path.join('lightning_logs', 'version_0', 'hparams.yaml'));
  assert.equal(r.forecast?.horizon, 15, 'the shipped forecaster forecasts the zoo horizon');
  assert.match(r.forecast?.horizonNote ?? '', /12–15 epochs.*set to 8 epochs/);
  assert.deepEqual(r.errors, []);
});

test('Lightning: several versions are several runs, named with their version; --horizon finishes a run at that epoch', () => {
  const run = tmpCopy('lightning/digits-lit');
  fs.cpSync(path.join(run, 'lightning_logs', 'version_0'), path.join(run, 'lightning_logs', 'version_1'), { recursive: true });
  const { runs } = analyzePath(run);
  assert.deepEqual(runs.map((r) => r.name), ['digits-lit/version_0', 'digits-lit/version_1']);
  assert.deepEqual(runs.map((r) => path.relative(run, r.path)), [path.join('lightning_logs', 'version_0'), path.join('lightning_logs', 'version_1')]);
  for (const r of runs) assert.deepEqual(epochs(r), [1, 2, 3, 4]);
  const done = one(path.join(L, 'lightning'), { horizon: 4 });
  assert.equal(done.status, 'finished');
  assert.deepEqual(done.horizon, { epochs: 4, steps: null, source: 'flag' });
  assert.equal(done.accuracy?.final, done.accuracy?.points.at(-1)?.value);
});

test('Hugging Face Trainer folder: one run of checkpoint-<step> folders at their trainer_state epochs; trainer_state.json is the log; finished; hyperparameters from training_args.bin and config.json', () => {
  const r = one(path.join(L, 'huggingface', 'digits-hf'));
  assert.equal(r.layout, 'huggingface');
  assert.equal(r.name, 'digits-hf');
  assert.deepEqual(r.checkpoints.map((c) => path.basename(c.path)), ['checkpoint-12', 'checkpoint-24', 'checkpoint-36', 'checkpoint-48']);
  assert.deepEqual(epochs(r), [1, 2, 3, 4]);
  assert.deepEqual(r.checkpoints.map((c) => c.step), [12, 24, 36, 48]);
  assert.ok(r.checkpoints.every((c) => c.epochSource === 'stored' && c.format === 'safetensors'));
  assert.deepEqual(r.errors, [], 'optimizer.pt, scheduler.pt, rng_state.pth and training_args.bin are not checkpoints');
  assert.ok(r.warnings.some((w) => /trainer\.save_model/.test(w)), 'the output folder\'s own model is named and left out');
  const state = JSON.parse(fs.readFileSync(path.join(L, 'huggingface/digits-hf/trainer_state.json'), 'utf8'));
  const evals = state.log_history.filter((e: Record<string, number>) => 'eval_accuracy' in e);
  assert.equal(r.accuracy?.metric, 'eval_accuracy');
  assert.deepEqual(r.accuracy?.points.map((p) => [p.epoch, p.step, p.value]), evals.map((e: Record<string, number>) => [e.epoch, e.step, e.eval_accuracy]));
  assert.equal(r.status, 'finished');
  assert.match(r.statusReason, /end of training/);
  assert.equal(r.accuracy?.final, evals.at(-1).eval_accuracy);
  assert.deepEqual(r.horizon, { epochs: 4, steps: 48, source: 'config', key: 'num_train_epochs', file: 'trainer_state.json' });
  const hp = r.hyperparameters;
  assert.equal(hp.values.learning_rate, 0.01);
  assert.equal(hp.sources.learning_rate, 'training_args.bin');
  assert.equal(hp.values.per_device_train_batch_size, 128);
  assert.equal(hp.values.eval_strategy, 'IntervalStrategy.EPOCH');
  assert.equal(hp.values['model.num_labels'], 10);
  assert.equal(hp.sources['model.num_labels'], 'config.json');
  assert.equal(hp.values['trainer_state.max_steps'], 48);
  assert.ok(!Object.keys(hp.values).some((k) => /token/.test(k)), 'secrets are not read out');
});

test('Hugging Face: sharded safetensors and pytorch_model.bin checkpoints read as the same weights; a checkpoint folder as PATH is a checkpoint of its output folder', () => {
  const full = one(path.join(L, 'huggingface', 'digits-hf'));
  for (const name of ['digits-hf-sharded', 'digits-hf-bin']) {
    const r = one(path.join(L, 'huggingface', name));
    assert.deepEqual(epochs(r), [1, 2]);
    assert.equal(r.status, 'running');
    assert.equal(r.accuracy?.final, null);
    assert.equal(r.horizon?.epochs, 4);
    // The same seeded training: the same graph as the safetensors run's first two epochs.
    r.checkpoints.forEach((c, i) => assert.ok(Math.abs(c.eigenvalue - full.checkpoints[i].eigenvalue) < 1e-9 * full.checkpoints[i].eigenvalue, `${name} epoch ${c.epoch}`));
  }
  assert.equal(one(path.join(L, 'huggingface', 'digits-hf-sharded')).checkpoints[0].metadata.shards, 2);
  const single = one(path.join(L, 'huggingface', 'digits-hf', 'checkpoint-24'));
  assert.equal(single.path, path.join(L, 'huggingface', 'digits-hf'));
  assert.deepEqual(epochs(single), [2]);
  assert.equal(discoverRuns(path.join(L, 'huggingface')).length, 3);
});

test('Keras: weights.{epoch:02d}.h5 numbers are epochs done; CSVLogger epochs (from 0) placed at +1; finished at the horizon of its config', () => {
  const r = one(path.join(L, 'keras'));
  assert.equal(r.layout, 'keras');
  assert.deepEqual(epochs(r), [1, 2, 3, 4, 5, 6]);
  assert.ok(r.checkpoints.every((c) => c.epochSource === 'name' && c.format === 'keras-h5'));
  assert.ok(r.warnings.some((w) => /Keras.*counts from 1/.test(w)));
  const rows = csv(path.join(L, 'keras/digits-keras/training.log'));
  assert.equal(rows[0].epoch, '0');
  assert.equal(r.accuracy?.metric, 'val_accuracy');
  assert.deepEqual(r.accuracy?.points.map((p) => [p.epoch, p.value]), rows.map((x) => [Number(x.epoch) + 1, Number(x.val_accuracy)]));
  assert.ok(r.accuracy?.epochRules?.some((x) => /Keras' 0-based epoch E placed at E\+1/.test(x)));
  assert.equal(r.status, 'finished');
  assert.deepEqual(r.horizon, { epochs: 6, steps: null, source: 'config', key: 'epochs', file: 'config.json' });
  assert.equal(r.accuracy?.final, Number(rows.at(-1)!.val_accuracy));
  assert.equal(r.hyperparameters.values.learning_rate, 0.01);
});

test('plain loop: epoch_0.pt before training; names read as epochs completed, with a warning; the STOP file honoured: stopped; --epoch-numbers index', () => {
  const r = one(path.join(L, 'plain', 'digits-loop'));
  assert.equal(r.layout, 'plain');
  assert.deepEqual(epochs(r), [0, 1, 2, 3]);
  assert.ok(r.checkpoints.every((c) => c.epochSource === 'name'));
  assert.ok(r.warnings.some((w) => /file names, read as epochs completed.*--epoch-numbers index/.test(w)));
  const log = fs.readFileSync(path.join(L, 'plain/digits-loop/metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(r.accuracy?.points.map((p) => [p.epoch, p.value]), log.map((x) => [x.epoch, x.val_acc]));
  assert.equal(r.status, 'stopped');
  assert.match(r.statusReason, /STOP.*honoured/);
  assert.equal(r.accuracy?.final, null);
  assert.deepEqual(r.horizon, { epochs: 10, steps: null, source: 'config', key: 'epochs', file: 'config.json' });
  assert.equal(r.hyperparameters.values.lr, 0.1);
  assert.equal(r.hyperparameters.sources.lr, 'config.json');

  const idx = one(path.join(L, 'plain', 'digits-loop'), { epochNumbers: 'index' });
  assert.deepEqual(epochs(idx), [1, 2, 3, 4]);
  assert.deepEqual(idx.accuracy?.points.map((p) => p.epoch), [2, 3, 4]);

  // A STOP file older than two further checkpoints was not honoured: running, with a warning.
  const run = tmpCopy('plain/digits-loop');
  const past = new Date(Date.now() - 3600_000);
  fs.utimesSync(path.join(run, 'STOP'), past, past);
  const ignored = one(run);
  assert.equal(ignored.status, 'running');
  assert.ok(ignored.warnings.some((w) => /STOP asks the run to stop, but 4 checkpoints were written after it/.test(w)));
  fs.rmSync(path.join(run, 'STOP'));
  assert.equal(one(run).status, 'running');
});

test('hyperparameters from Hydra and Weights & Biases configs beside a plain run: dotted keys, numbers as numbers, sources, the horizon from trainer.max_epochs, no secrets', () => {
  const run = tmpCopy('plain/digits-loop');
  fs.rmSync(path.join(run, 'config.json'));
  fs.mkdirSync(path.join(run, '.hydra'));
  fs.writeFileSync(path.join(run, '.hydra', 'config.yaml'), 'optimizer:\n  name: sgd\n  lr: 1.0e-1\n  betas: !!python/tuple\n  - 0.9\n  - 0.999\ntrainer:\n  max_epochs: 10\nlogger:\n  api_key: s3cr3t\n');
  const files = path.join(run, 'wandb', 'latest-run', 'files');
  fs.mkdirSync(files, { recursive: true });
  fs.writeFileSync(path.join(files, 'config.yaml'), 'wandb_version: 1\n\n_wandb:\n  desc: null\n  value:\n    cli_version: 0.16.0\nbatch_size:\n  desc: null\n  value: 128\nwidth:\n  desc: null\n  value: "0.5"\n');
  const r = one(run);
  const { values, sources } = r.hyperparameters;
  assert.equal(values['optimizer.lr'], 0.1);
  assert.equal(values['optimizer.betas.1'], 0.999);
  assert.equal(sources['optimizer.lr'], path.join('.hydra', 'config.yaml'));
  assert.equal(values.batch_size, 128);
  assert.equal(values.width, 0.5, 'numbers as numbers, even when written as strings');
  assert.equal(sources.batch_size, path.join('wandb', 'latest-run', 'files', 'config.yaml'));
  assert.ok(!Object.keys(values).some((k) => /api_key|_wandb|wandb_version/.test(k)));
  assert.deepEqual(r.horizon, { epochs: 10, steps: null, source: 'config', key: 'trainer.max_epochs', file: path.join('.hydra', 'config.yaml') });
});

test('PyTorch\'s checkpoint recipe: a stored epoch 0 whose optimizer has stepped means the run counts from 0: read as epoch + 1, its log too; best.pt is a copy', () => {
  const r = one(path.join(L, 'plain', 'digits-tutorial'));
  assert.deepEqual(r.checkpoints.map((c) => [path.basename(c.path), c.epoch, c.step, c.epochSource]), [
    ['checkpoint_0.pt', 1, 12, 'stored'],
    ['checkpoint_1.pt', 2, 24, 'stored'],
    ['checkpoint_2.pt', 3, 36, 'stored'],
  ]);
  assert.ok(r.warnings.some((w) => /checkpoint_0\.pt is numbered 0 but its optimizer has taken 12 steps/.test(w)));
  assert.ok(r.warnings.some((w) => /best\.pt is at the same epoch and step as checkpoint_2\.pt: left out/.test(w)));
  const log = fs.readFileSync(path.join(L, 'plain/digits-tutorial/log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(r.accuracy?.points.map((p) => [p.epoch, p.value]), log.map((x) => [x.epoch + 1, x.val_acc]));
  assert.equal(r.horizon, null);
  const asWritten = one(path.join(L, 'plain', 'digits-tutorial'), { epochNumbers: 'completed' });
  assert.deepEqual(epochs(asWritten), [0, 1, 2]);
  assert.ok(asWritten.warnings.some((w) => /--epoch-numbers completed reads it as the weights before training anyway/.test(w)));
});

test('diverged run: status diverged at the first NaN checkpoint, the first NaN tensor named, the epochs before it analyzed, a chance-level forecast, exit code 0', () => {
  const dir = path.join(L, 'plain', 'digits-diverged');
  const r = one(dir);
  assert.equal(r.status, 'diverged');
  assert.deepEqual(r.diverged, { epoch: 4, step: null, source: 'weights', tensor: 'fc1.weight', file: path.join(dir, 'epoch_4.pt'), value: 'NaN' });
  assert.deepEqual(epochs(r), [0, 1, 2, 3]);
  assert.deepEqual(r.errors, [], 'NaN checkpoints are not unreadable files');
  assert.equal(r.forecast?.accuracy, 0.1);
  assert.equal(r.forecast?.low, 0.1);
  assert.match(r.forecast?.reason ?? '', /chance, 1\/10 from the 10 outputs of layer 'fc3'/);
  assert.equal(r.accuracy?.final, null);

  const c = cli('analyze', dir, '--json');
  assert.equal(c.status, 0, c.stderr);
  assert.equal(JSON.parse(c.stdout).runs[0].diverged.tensor, 'fc1.weight');
  const h = cli('analyze', dir);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /status diverged/);
  assert.match(h.stdout, /forecast: 10\.0% \(diverged at epoch 4/);

  // The loss alone: NaN in the log from epoch 4, the NaN checkpoints gone.
  const lossOnly = tmpCopy('plain/digits-diverged');
  for (const e of [4, 5]) fs.rmSync(path.join(lossOnly, `epoch_${e}.pt`));
  const l = one(lossOnly);
  assert.equal(l.status, 'diverged');
  assert.deepEqual([l.diverged?.source, l.diverged?.epoch, l.diverged?.metric, l.diverged?.tensor], ['loss', 4, 'train_loss', null]);

  // NaN weights from the first epoch on: the initial weights are all there is; no epoch 0 either: chance from the NaN file's shapes.
  const early = fs.mkdtempSync(path.join(os.tmpdir(), 'td-nan-'));
  fs.copyFileSync(path.join(dir, 'epoch_0.pt'), path.join(early, 'epoch_0.pt'));
  for (const e of [1, 2, 3]) fs.copyFileSync(path.join(dir, 'epoch_4.pt'), path.join(early, `epoch_${e}.pt`));
  const e1 = one(early);
  assert.deepEqual([e1.status, e1.diverged?.epoch, epochs(e1), e1.forecast?.accuracy, e1.errors.length], ['diverged', 1, [0], 0.1, 0]);
  fs.rmSync(path.join(early, 'epoch_0.pt'));
  const e2 = one(early);
  assert.deepEqual([e2.status, e2.diverged?.epoch, epochs(e2), e2.forecast?.accuracy], ['diverged', 1, [], 0.1]);
  assert.match(e2.forecast?.reason ?? '', /10 rows of the last weight matrix/);
});

test('--write stores results atomically next to the run; the next analyze reuses them (in this thread and on workers); changed content or options are analyzed again', () => {
  const run = tmpCopy('lightning/digits-lit');
  const first = cli('analyze', run, '--write', '--json');
  assert.equal(first.status, 0, first.stderr);
  const store = path.join(run, '.training-dynamics', 'results');
  const stored = fs.readdirSync(store);
  assert.equal(stored.length, 5, 'one result per checkpoint file (last.ckpt included)');
  assert.ok(stored.every((f) => /^[0-9a-f]{40}-auto\.json$/.test(f)), 'content-addressed, no temporary files left');
  const report = JSON.parse(fs.readFileSync(path.join(run, '.training-dynamics', 'report.json'), 'utf8'));
  assert.equal(report.status, 'running');
  const a = JSON.parse(first.stdout).runs[0];
  assert.ok(a.checkpoints.every((c: { reused?: unknown }) => c.reused === undefined));

  // Mark one stored result: the next analysis must show the mark, so it read the store.
  const target = stored.map((f) => path.join(store, f)).find((f) => JSON.parse(fs.readFileSync(f, 'utf8')).analysis.path.endsWith('epoch=1-step=24.ckpt'))!;
  const doc = JSON.parse(fs.readFileSync(target, 'utf8'));
  doc.analysis.eigenvalue = 123.456;
  fs.writeFileSync(target, JSON.stringify(doc));
  for (const workers of ['1', '2']) {
    const again = cli('analyze', run, '--json', '--workers', workers);
    assert.equal(again.status, 0, again.stderr);
    const b = JSON.parse(again.stdout).runs[0];
    assert.ok(b.checkpoints.every((c: { reused?: { file: string } }) => c.reused && c.reused.file.startsWith(store)), `workers ${workers}: every result reused`);
    assert.deepEqual(b.checkpoints.map((c: { eigenvalue: number }) => c.eigenvalue), a.checkpoints.map((c: { eigenvalue: number; epoch: number }) => (c.epoch === 2 ? 123.456 : c.eigenvalue)));
    assert.deepEqual(b.checkpoints.map((c: { path: string }) => c.path), a.checkpoints.map((c: { path: string }) => c.path));
  }
  // A stored result that does not check out is a miss, never an error: that checkpoint is analyzed again.
  const other = stored.map((f) => path.join(store, f)).find((f) => JSON.parse(fs.readFileSync(f, 'utf8')).analysis.path.endsWith('epoch=2-step=36.ckpt'))!;
  const bad = JSON.parse(fs.readFileSync(other, 'utf8'));
  bad.analysis.layers[1].weightedDegree = 'nan';
  fs.writeFileSync(other, JSON.stringify(bad));
  const checked = one(run);
  assert.deepEqual(checked.checkpoints.map((c) => c.reused === undefined), [false, false, true, false]);
  assert.deepEqual(checked.errors, []);
  // A rewritten checkpoint has another key; another input size is another result.
  const ck = path.join(run, 'lightning_logs', 'version_0', 'checkpoints');
  fs.copyFileSync(path.join(L, 'plain', 'digits-loop', 'epoch_1.pt'), path.join(ck, 'epoch=0-step=12.ckpt'));
  const changed = one(run);
  assert.equal(changed.checkpoints.length, 4);
  for (const c of changed.checkpoints) assert.equal(c.reused === undefined, /epoch=[02]-/.test(path.basename(c.path)), c.path);
  const sized = JSON.parse(cli('analyze', run, '--json', '--input-size', '32', '--workers', '2').stdout).runs[0];
  assert.ok(sized.checkpoints.every((c: { reused?: unknown }) => c.reused === undefined), 'results stored for another input size are not reused');
});

test('exit codes and flags through the CLI: 0 for every layout, 2 for an unreadable file, 1 for bad flags', () => {
  for (const p of ['lightning', 'huggingface', 'keras', 'plain']) {
    const r = cli('analyze', path.join(L, p), '--json');
    assert.equal(r.status, 0, `${p}: ${r.stderr}`);
  }
  const human = cli('analyze', path.join(L, 'lightning'));
  assert.match(human.stdout, /lightning layout; status running: at epoch 4 of 8/);
  assert.match(human.stdout, /horizon 8 epochs \(max_epochs in lightning_logs\/version_0\/hparams\.yaml\)/);
  assert.match(human.stdout, /hyperparameters: lr=0\.01, batch_size=128, max_epochs=8, optimizer=adam/);
  assert.match(human.stdout, /last logged val_acc: 84\.7% at epoch 4 of 8 \(the run has not finished: no final accuracy\)/);
  const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bad-'));
  fs.copyFileSync(path.join(L, 'plain/digits-loop/epoch_1.pt'), path.join(bad, 'epoch_1.pt'));
  fs.writeFileSync(path.join(bad, 'epoch_2.pt'), fs.readFileSync(path.join(L, 'plain/digits-loop/epoch_2.pt')).subarray(0, 500));
  assert.equal(cli('analyze', bad).status, 2);
  assert.equal(cli('analyze', bad, '--epoch-numbers', 'one-based').status, 1);
  assert.equal(cli('analyze', bad, '--horizon', '0').status, 1);
  const flagged = JSON.parse(cli('analyze', path.join(L, 'plain', 'digits-loop'), '--json', '--epoch-numbers', 'index', '--horizon', '4').stdout).runs[0];
  assert.deepEqual(flagged.checkpoints.map((c: { epoch: number }) => c.epoch), [1, 2, 3, 4]);
  assert.deepEqual(flagged.horizon, { epochs: 4, steps: null, source: 'flag' });
  assert.equal(flagged.status, 'finished');
});

test('train learns only from finished runs (final accuracy) and diverged ones (chance level); the editor\'s accuracy jobs see the same status', () => {
  const files = (d: string) => discoverRuns(d)[0];
  const lit = files(path.join(L, 'lightning'));
  assert.equal(observeRun(lit.dir, lit.checkpoints).final, null);
  assert.match(observeRun(lit.dir, lit.checkpoints).why ?? '', /^running/);
  assert.equal(observeRun(lit.dir, lit.checkpoints, undefined, { horizon: 4 }).final, 0.8472222);
  const hf = files(path.join(L, 'huggingface', 'digits-hf'));
  const o = observeRun(hf.dir, hf.checkpoints);
  assert.deepEqual([o.final, o.horizon], [0.7027778, 4]);
  const dv = files(path.join(L, 'plain', 'digits-diverged'));
  assert.equal(observeRun(dv.dir, dv.checkpoints).final, 0.1);
  const s = runAccuracyStatus(path.join(L, 'lightning/digits-lit/lightning_logs/version_0/checkpoints'));
  assert.deepEqual([s.finished, s.accuracy?.final, s.accuracy?.points.map((p) => p.epoch)], [false, null, [1, 2, 3, 4]]);
  assert.equal(runAccuracyStatus(path.join(L, 'huggingface', 'digits-hf')).finished, true);
});
