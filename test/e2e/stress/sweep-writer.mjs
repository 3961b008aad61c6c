#!/usr/bin/env node
/**
 * A simulated hyperparameter sweep for the watcher stress test: `runs` training runs side by side,
 * each saving `epochs` checkpoints, the way training scripts and frameworks write them:
 *
 * - direct:  torch.save straight to the final name (one write);
 * - chunked: the final name written slowly in 6-10 chunks, 30-150 ms apart (a big file on a slow
 *            or network disk), so the watcher sees it grow;
 * - rename:  written to `<name>.partial`, then renamed into place (atomic savers, Lightning on
 *            some file systems);
 * - delete:  written, then deleted 0-1000 ms later (save_top_k, a user cleaning up), while the
 *            extension is settling, queueing or analyzing it.
 *
 * The bytes are real PyTorch checkpoints: run i takes its epochs from fixture run (i mod N) of
 * test/fixtures/zoo (epoch n from that run's epoch n mod 6). Seeded, so every run of the test
 * writes the same sweep in the same modes.
 *
 *   node sweep-writer.mjs --out DIR --plan FILE --done FILE [--runs 20] [--epochs 50] [--seed 7] [--epoch-ms 2000]
 *
 * Writes FILE (--plan) before the first checkpoint: every file with its mode, final size and
 * SHA-1; writes --done when the last write is finished.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const out = arg('out');
const planFile = arg('plan');
const doneFile = arg('done');
if (!out || !planFile || !doneFile) {
  process.stderr.write('usage: sweep-writer.mjs --out DIR --plan FILE --done FILE [--runs N] [--epochs N] [--seed N] [--epoch-ms MS]\n');
  process.exit(2);
}
const RUNS = Number(arg('runs', 20));
const EPOCHS = Number(arg('epochs', 50));
const EPOCH_MS = Number(arg('epoch-ms', 2000));

/** mulberry32: a small seeded generator. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(Number(arg('seed', 7)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const zoo = path.join(ROOT, 'test/fixtures/zoo');
const sources = fs
  .readdirSync(zoo)
  .filter((d) => fs.statSync(path.join(zoo, d)).isDirectory())
  .flatMap((d) => fs.readdirSync(path.join(zoo, d)).map((r) => path.join(zoo, d, r)))
  .filter((r) => fs.existsSync(path.join(r, 'epoch_5.pt')))
  .sort();
if (sources.length === 0) throw new Error(`no fixture runs under ${zoo}`);
const bytesOf = new Map();
const bytes = (f) => {
  if (!bytesOf.has(f)) bytesOf.set(f, fs.readFileSync(f));
  return bytesOf.get(f);
};

// The plan, drawn up front so the test knows every file's fate.
const plan = [];
for (let r = 0; r < RUNS; r++) {
  const src = sources[r % sources.length];
  const dir = path.join(out, `run_${String(r).padStart(2, '0')}`);
  for (let e = 0; e < EPOCHS; e++) {
    const u = rand();
    const mode = u < 0.55 ? 'direct' : u < 0.75 ? 'chunked' : u < 0.95 ? 'rename' : 'delete';
    const source = path.join(src, `epoch_${e % 6}.pt`);
    const b = bytes(source);
    plan.push({
      run: dir,
      epoch: e,
      file: path.join(dir, `epoch_${e}.pt`),
      source: path.relative(ROOT, source),
      mode,
      size: b.length,
      sha1: crypto.createHash('sha1').update(b).digest('hex'),
      // Start of this write within the run's epoch slot, and the delay before a deletion.
      jitter: Math.floor(rand() * EPOCH_MS * 0.5),
      deleteAfterMs: Math.floor(rand() * 1000),
      chunks: 6 + Math.floor(rand() * 5),
    });
  }
}
fs.mkdirSync(path.dirname(planFile), { recursive: true });
fs.writeFileSync(planFile + '.tmp', JSON.stringify({ runs: RUNS, epochs: EPOCHS, epochMs: EPOCH_MS, files: plan }, null, 1));
fs.renameSync(planFile + '.tmp', planFile);

async function write(p) {
  const b = bytes(path.join(ROOT, p.source));
  if (p.mode === 'chunked') {
    const fd = fs.openSync(p.file, 'w');
    const size = Math.ceil(b.length / p.chunks);
    for (let off = 0; off < b.length; off += size) {
      fs.writeSync(fd, b, off, Math.min(size, b.length - off));
      if (off + size < b.length) await sleep(30 + Math.floor(rand() * 120));
    }
    fs.closeSync(fd);
  } else if (p.mode === 'rename') {
    fs.writeFileSync(p.file + '.partial', b);
    await sleep(20);
    fs.renameSync(p.file + '.partial', p.file);
  } else {
    fs.writeFileSync(p.file, b);
    if (p.mode === 'delete') {
      await sleep(p.deleteAfterMs);
      fs.rmSync(p.file, { force: true });
    }
  }
}

const started = Date.now();
const counts = { direct: 0, chunked: 0, rename: 0, delete: 0 };
async function runLoop(dir, offsetMs) {
  fs.mkdirSync(dir, { recursive: true });
  const mine = plan.filter((p) => p.run === dir);
  for (const p of mine) {
    // Each epoch has its slot (training time); the save lands somewhere in its first half.
    const due = started + offsetMs + p.epoch * EPOCH_MS + p.jitter;
    if (due > Date.now()) await sleep(due - Date.now());
    await write(p);
    counts[p.mode]++;
  }
}
const runDirs = [...new Set(plan.map((p) => p.run))];
// Runs start a little apart, as the jobs of a sweep do.
await Promise.all(runDirs.map((d, i) => runLoop(d, i * 100)));
const summary = { files: plan.length, ...counts, seconds: (Date.now() - started) / 1000 };
fs.writeFileSync(doneFile, JSON.stringify(summary));
process.stdout.write(`sweep-writer: ${JSON.stringify(summary)}\n`);
