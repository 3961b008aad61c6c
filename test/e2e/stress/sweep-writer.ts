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
 *   node --import tsx sweep-writer.ts --out DIR --plan FILE --done FILE [--runs 20] [--epochs 50] [--seed 7] [--epoch-ms 2000]
 *
 * Writes FILE (--plan) before the first checkpoint: every file with its mode, final size and the
 * result cache's content hash of its bytes; writes --done when the last write is finished.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../fuzz/rng';
import { contentHash } from '../../../src/runtime/live/result-cache';

const ROOT = path.resolve(__dirname, '../../..');
const arg = (name: string, dflt?: number): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt?.toString();
};
const RUNS = Number(arg('runs', 20));
const EPOCHS = Number(arg('epochs', 50));
const EPOCH_MS = Number(arg('epoch-ms', 2000));
const rng = new Rng('sweep-writer', Number(arg('seed', 7)));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Mode = 'direct' | 'chunked' | 'rename' | 'delete';
/** One checkpoint of the sweep, as the plan file lists it. */
export interface Planned {
  run: string;
  epoch: number;
  file: string;
  /** The fixture whose bytes it gets, relative to the repository. */
  source: string;
  mode: Mode;
  size: number;
  /** The result cache's content hash of those bytes (what an analysis record carries). */
  hash: string;
  /** Start of the write within the run's epoch slot, and the delay before a deletion. */
  jitter: number;
  deleteAfterMs: number;
  chunks: number;
}

const bytesOf = new Map<string, Buffer>();
const bytes = (f: string): Buffer => {
  if (!bytesOf.has(f)) bytesOf.set(f, fs.readFileSync(f));
  return bytesOf.get(f)!;
};

/** Fixture runs with six epochs: real PyTorch checkpoints of the zoo's architectures. */
function fixtureRuns(): string[] {
  const zoo = path.join(ROOT, 'test/fixtures/zoo');
  const runs = fs
    .readdirSync(zoo)
    .filter((d) => fs.statSync(path.join(zoo, d)).isDirectory())
    .flatMap((d) => fs.readdirSync(path.join(zoo, d)).map((r) => path.join(zoo, d, r)))
    .filter((r) => fs.existsSync(path.join(r, 'epoch_5.pt')))
    .sort();
  if (runs.length === 0) throw new Error(`no fixture runs under ${zoo}`);
  return runs;
}

/** The whole sweep, drawn up front so the test knows every file's fate. */
async function makePlan(out: string): Promise<Planned[]> {
  const sources = fixtureRuns();
  const hashOf = new Map<string, string>();
  const plan: Planned[] = [];
  for (let r = 0; r < RUNS; r++) {
    const dir = path.join(out, `run_${String(r).padStart(2, '0')}`);
    for (let e = 0; e < EPOCHS; e++) {
      const u = rng.next();
      const mode: Mode = u < 0.55 ? 'direct' : u < 0.75 ? 'chunked' : u < 0.95 ? 'rename' : 'delete';
      const source = path.join(sources[r % sources.length], `epoch_${e % 6}.pt`);
      if (!hashOf.has(source)) hashOf.set(source, (await contentHash(source)).hash);
      plan.push({
        run: dir,
        epoch: e,
        file: path.join(dir, `epoch_${e}.pt`),
        source: path.relative(ROOT, source),
        mode,
        size: bytes(source).length,
        hash: hashOf.get(source)!,
        jitter: rng.int(EPOCH_MS / 2),
        deleteAfterMs: rng.int(1000),
        chunks: rng.range(6, 10),
      });
    }
  }
  return plan;
}

async function write(p: Planned): Promise<void> {
  const b = bytes(path.join(ROOT, p.source));
  if (p.mode === 'chunked') {
    const fd = fs.openSync(p.file, 'w');
    const size = Math.ceil(b.length / p.chunks);
    for (let off = 0; off < b.length; off += size) {
      fs.writeSync(fd, b, off, Math.min(size, b.length - off));
      if (off + size < b.length) await sleep(rng.range(30, 150));
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

async function main(): Promise<void> {
  const [out, planFile, doneFile] = [arg('out'), arg('plan'), arg('done')];
  if (!out || !planFile || !doneFile) {
    process.stderr.write('usage: sweep-writer.ts --out DIR --plan FILE --done FILE [--runs N] [--epochs N] [--seed N] [--epoch-ms MS]\n');
    process.exit(2);
  }
  const plan = await makePlan(out);
  fs.mkdirSync(path.dirname(planFile), { recursive: true });
  fs.writeFileSync(planFile + '.tmp', JSON.stringify({ runs: RUNS, epochs: EPOCHS, epochMs: EPOCH_MS, files: plan }, null, 1));
  fs.renameSync(planFile + '.tmp', planFile);

  const started = Date.now();
  const counts: Record<Mode, number> = { direct: 0, chunked: 0, rename: 0, delete: 0 };
  // Runs start 100 ms apart, as the jobs of a sweep do; each epoch has its slot (training time)
  // and the save lands somewhere in its first half.
  const runDirs = [...new Set(plan.map((p) => p.run))];
  await Promise.all(
    runDirs.map(async (dir, i) => {
      fs.mkdirSync(dir, { recursive: true });
      for (const p of plan.filter((q) => q.run === dir)) {
        const due = started + i * 100 + p.epoch * EPOCH_MS + p.jitter;
        if (due > Date.now()) await sleep(due - Date.now());
        await write(p);
        counts[p.mode]++;
      }
    }),
  );
  const summary = { files: plan.length, ...counts, seconds: (Date.now() - started) / 1000 };
  fs.writeFileSync(doneFile, JSON.stringify(summary));
  process.stdout.write(`sweep-writer: ${JSON.stringify(summary)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`sweep-writer: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
