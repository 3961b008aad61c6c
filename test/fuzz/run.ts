/**
 * npm run fuzz — seeded mutations of the real fixtures through every reader, as the CLI runs
 * them, under a watchdog. Prints a table per reader and writes test/fuzz/RESULTS.md.
 *
 *   npm run fuzz -- [--cases 10000] [--bounds-cases 12] [--seed 1] [--only onnx,npz,bounds] [--workers 2] [--out FILE]
 *   npm run fuzz -- --replay onnx:1234 [--seed 1] [--save DIR]   (one case, in-process, verbose)
 *
 * Two parts: the mutation fuzz of every reader (in-process, worker threads), then the bounds
 * classes (test/fuzz/bounds: crafted inputs that cost more than their size, each run through the
 * real CLI as a child process with its peak memory and CPU time measured). `--only` takes reader
 * ids, bounds class ids, or `bounds` for all classes.
 *
 * Exit code 1 when any case crashed (an error that is not one of the engine's named errors),
 * hung (> 5 s), blew up memory, or gave a named error whose message does not name the file, or
 * when a bounds case left its bounds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TARGETS, makeCase } from './targets';
import { FuzzPool, type JobResult } from './pool';
import { runCase, writeCase } from './case';
import { FUZZ_MARKER } from './mutators/pickle';
import { summarize, renderTable, renderProblems } from './summary';
import { BOUNDS_CLASSES } from './bounds/classes';
import { hasTimeTool } from './bounds/run-cli';
import { renderBounds, runBounds, type BoundsResult } from './bounds/suite';

/** Full counts: what `npm run fuzz` runs without arguments. */
const FULL_CASES = 10000;
const FULL_BOUNDS_CASES = 12;

interface Args {
  cases: number;
  boundsCases: number;
  seedNo: number;
  only?: string[];
  workers: number;
  out?: string;
  replay?: string;
  save?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { cases: FULL_CASES, boundsCases: FULL_BOUNDS_CASES, seedNo: 1, workers: Math.min(2, os.cpus().length) };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    const next = (): string => argv[++i] ?? '';
    if (v === '--cases') a.cases = Number(next());
    else if (v === '--bounds-cases') a.boundsCases = Number(next());
    else if (v === '--seed') a.seedNo = Number(next());
    else if (v === '--only') a.only = next().split(',');
    else if (v === '--workers') a.workers = Number(next());
    else if (v === '--out') a.out = next();
    else if (v === '--replay') a.replay = next();
    else if (v === '--save') a.save = next();
    else throw new Error(`unknown argument ${v}`);
  }
  return a;
}

/** What fuzzing has found so far, and where it was fixed (kept in RESULTS.md across runs). */
const FOUND = [
  '| finding | how it showed | fix | regression test |',
  '|---|---|---|---|',
  "| A legacy PyTorch storage missing from the file was reported against the tensor's name, not the file | unnamed FormatError (pytorch-legacy, an opcode deleted) | `src/engine/readers/pytorch.ts:59` names the checkpoint | fuzz-smoke (the fuzz checks every message names the file) |",
  "| Keras `groups` taken from the config as any number (1.5, 5e-324): a fractional channel count; 5e-324 made a group hold Infinity rows and the eigen solver never return | hang > 5 s (keras-v3, config.json groups := 5e-324), NumericError without the file (tfjs, groups := 1.5) | `src/engine/readers/keras/topology.ts:58` requires a positive integer, else the wiring falls back to names; ONNX `group` likewise (`src/engine/readers/onnx/topology.ts:99`) | hostile.test.ts: Keras non-integer groups |",
  '| A zero-size weight (tfjs shape [0, 2^40]) sized its edge block by its other dimension | RangeError: Invalid typed array length 2^45 | `src/engine/graph/rolled.ts:169`: an empty weight is an ArchitectureError | hostile.test.ts: zero-size weight |',
  '| Finite weights near 3.4e38, or a huge norm scale, gave Infinity edge weights; the eigen solver then spun on NaN | NumericError "tridiagonal QL did not converge" without the file (every reader) | `src/engine/graph/rolled.ts:65,79` refuse non-finite scales and edges naming the layer; `src/engine/metrics/eigenvector.ts:57,191` name the file and stop on a non-finite product | hostile.test.ts: Inf weights, overflowing edges |',
  '| Norm vectors attached by wiring (Keras, ONNX) were not checked against the layer width: short ones read as NaN | (found reading the code the fuzzer pointed at) | `src/engine/graph/rolled.ts:58` | hostile.test.ts: norm narrower than its layer |',
  '| A compressed .npz header was read by inflating prefixes with a 1100× output allowance: a 1.6 MB file (long random header, then zeros) took 2.2 GB to open | peak RSS 2155 MB opening the file (found by a crafted input after the fuzzer\'s bomb mutations) | `src/engine/readers/numpy.ts:220-295`: header read with inflation capped at the longest header, never the whole member; `src/engine/io/zip.ts:87`: entries over 16 MiB inflating more than 100:1 are refused as bombs | hostile.test.ts: npz header bomb |',
  '| Declared sizes were trusted over stored bytes: a stride-0 view (`expand`) of one float, an HDF5 dataset never written | 2.15 GB / 1.18 GB peak RSS for 511-byte / 7.9 KB files (bounds class declared-size) | `src/engine/readers/gate.ts`: every tensor states `storedElements`; a read of more values than stored is refused by name, and all reads of a checkpoint together are bounded by its bytes | bounds.test.ts (expanded_view.pt, never_written.h5) |',
  '| A decompression limit per zip entry only: 300 deflated 16 MiB storages, an HDF5 gzip chunk of 512 MiB for a 64×64 dataset | 5 GB peak RSS (bounds class inflate-budget) | `src/engine/io/inflate.ts`: one budget per checkpoint (1.25 × its size + 24 MiB) charged by zip entries, .npz header prefixes and HDF5 chunks (`src/engine/readers/keras/h5-chunks.ts`) | bounds.test.ts |',
  '| Pickle LONG4 decoded bit by bit | 109 s for a 512 KiB int (bounds class big-int) | `src/engine/io/pickle.ts`: one hex parse, ints past 1 KiB kept as inert PyBigInt | bounds.test.ts |',
  '| `points.push(...points)` on long logs; logs read whole | `Maximum call stack size exceeded`, exit 1, every run\'s report lost; 35-45× the log\'s size in memory (bounds class long-logs) | `src/engine/logs/common.ts` (streamed reading, SeriesBuilder bounded and thinned exactly), `src/engine/logs/index.ts` (no spread), `src/engine/logs/run-accuracy.ts` (a log never costs the run its report) | logs-bounds.test.ts |',
  '| Values from the file serialized into messages and metadata unbounded | a storage in a warning: 47 s, 3 GB; 315 MB of JSON (bounds class amplification) | `src/engine/text/safe-text.ts` (preview, never JSON.stringify), `src/engine/text/bounded.ts` (warnings and metadata capped where the analysis is assembled) | bounds.test.ts |',
  '| FIFOs opened as files | a TF.js shard FIFO hung forever (bounds class non-regular) | `src/engine/io/regular-file.ts`: non-blocking open, fstat, regular files only, for checkpoints, shards, external data and logs | bounds.test.ts, logs-bounds.test.ts |',
  '| Scans per item: zip lookup, top-level names, block prefixes, consumers, identity edges, ONNX layout and names, HDF5 members, natural sort | 31 s for 100k zip entries, > 60 s for 300k safetensors entries (bounds class quadratic-scans) | maps and sets in `src/engine/io/zip.ts`, `src/engine/graph/recover.ts`, `src/engine/graph/rolled.ts`, `src/engine/readers/onnx/*.ts`, `src/engine/readers/keras/hdf5.ts`, `src/engine/readers/names.ts` | bounds.test.ts |',
  '| A chain of 20k 1×1 layers: eigenvalue gap ~1e-8, restarted Lanczos cannot converge | 16.7 s then `Lanczos did not converge` | `src/engine/metrics/eigenvector.ts`: the convergence rate is watched and a hopeless solve is named after a few restarts | bounds.test.ts |',
  '| File-chosen text printed raw | ESC/OSC sequences and forged `error:` lines in the terminal (bounds class terminal-injection) | `src/engine/text/safe-text.ts` applied at every print site of `src/cli.ts` | bounds.test.ts |',
].join('\n');

function replay(a: Args): number {
  const [id, idx] = a.replay!.split(':');
  const target = TARGETS.find((t) => t.id === id);
  if (!target) throw new Error(`no target ${id} (targets: ${TARGETS.map((t) => t.id).join(', ')})`);
  const c = makeCase(target, a.seedNo, Number(idx));
  const dir = a.save ?? fs.mkdtempSync(path.join(os.tmpdir(), 'td-fuzz-replay-'));
  console.log(`${id} case ${idx} (seed ${a.seedNo}) from ${c.seed}: ${c.desc}`);
  const r = runCase(dir, c);
  writeCase(dir, c); // leave the files for a look
  console.log(JSON.stringify(r, null, 2));
  console.log(`files in ${dir}`);
  return r.outcome === 'crash' || r.outcome === 'unnamed' ? 1 : 0;
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  if (a.replay) return replay(a);
  const targets = TARGETS.filter((t) => !a.only || a.only.includes(t.id));
  const boundsOnly = a.only?.includes('bounds') ? undefined : a.only?.filter((id) => BOUNDS_CLASSES.some((c) => c.id === id));
  const boundsClasses = BOUNDS_CLASSES.filter((c) => !a.only || a.only.includes('bounds') || a.only.includes(c.id));
  fs.rmSync(FUZZ_MARKER, { force: true });
  const jobs = targets.flatMap((t) => Array.from({ length: a.cases }, (_, index) => ({ target: t.id, seedNo: a.seedNo, index })));
  // Interleave readers so that a slow stretch of the machine does not fall on one reader alone.
  jobs.sort((x, y) => x.index - y.index);
  const t0 = Date.now();
  let results: JobResult[] = [];
  if (jobs.length) {
    const pool = new FuzzPool({ workers: a.workers });
    let done = 0;
    results = await pool.run(jobs, (r) => {
      if (++done % 2000 === 0) process.stderr.write(`${done}/${jobs.length} cases, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      if (r.outcome !== 'ok' && r.outcome !== 'named') process.stderr.write(`${r.outcome}: ${r.target}:${r.index} ${r.errorClass ?? ''} ${r.message ?? ''}\n`);
    });
    pool.close();
  }
  // Cases whose thread was terminated never reported what they were: regenerate the description.
  for (const r of results) {
    if (!r.desc) {
      const c = makeCase(TARGETS.find((t) => t.id === r.target)!, r.seedNo, r.index);
      r.seed = c.seed;
      r.desc = c.desc;
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  const ran = fs.existsSync(FUZZ_MARKER);
  const summary = summarize(targets.map((t) => t.id), results);
  // The bounds classes: the real CLI, one case at a time.
  const t1 = Date.now();
  let bounds: BoundsResult[] = [];
  if (boundsClasses.length && a.boundsCases > 0) {
    if (!hasTimeTool()) throw new Error('the bounds classes measure with /usr/bin/time (Debian package time); it is missing');
    if (!fs.existsSync(path.join(__dirname, '..', '..', 'dist', 'cli.js'))) throw new Error('the bounds classes run dist/cli.js: npm run build first');
    bounds = runBounds({
      count: a.boundsCases,
      seed: a.seedNo,
      full: true,
      only: boundsOnly && boundsOnly.length ? boundsOnly : undefined,
      onResult: (r) => process.stderr.write(`bounds ${r.cls}:${r.index} ${r.verdict.rssMB.toFixed(0)} MB ${r.verdict.cpuS.toFixed(1)} s ${r.verdict.problems.length ? 'PROBLEM ' + r.verdict.problems.join('; ').slice(0, 300) : 'ok'}\n`),
    });
  }
  const boundsSeconds = (Date.now() - t1) / 1000;
  const command = `npm run fuzz${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
  if (results.length) {
    console.log(renderTable(summary));
    console.log(renderProblems(results));
    console.log(`${results.length} cases in ${seconds.toFixed(0)} s; hostile payload ran: ${ran ? 'YES' : 'no'}`);
  }
  if (bounds.length) console.log(renderBounds(bounds));
  const full = !a.only && a.cases >= FULL_CASES && a.boundsCases >= FULL_BOUNDS_CASES;
  const out = a.out ?? (full ? path.join(__dirname, 'RESULTS.md') : undefined);
  if (out) {
    const counts = full ? 'at full counts' : `at reduced counts (${results.length ? a.cases : 0} mutations per reader, ${bounds.length ? a.boundsCases : 0} cases per bounds class; full: ${FULL_CASES} and ${FULL_BOUNDS_CASES})`;
    const md = [
      '# Fuzzing the readers: results',
      '',
      `Made by \`${command}\` ${counts} on ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores, shared with training jobs), node ${process.version}: ${results.length} mutation cases in ${seconds.toFixed(0)} s with ${a.workers} worker threads, then ${bounds.length} bounds cases in ${boundsSeconds.toFixed(0)} s.`,
      '',
      '## Mutations of real fixtures, per reader',
      '',
      'Each case is a seeded mutation of a real fixture (test/fixtures/**), run through `analyzeCheckpointFull` (what the CLI runs per checkpoint) and then a read of every tensor, in a worker thread under a 5 s watchdog and an RSS watch (1 GiB over the baseline). ' +
        '*named*: one of the engine\'s errors (src/engine/errors.ts) whose message names the file; *unnamed*: a named error whose message does not name the file; *crash*: any other error; *flaky*: an incident (hang, memory) seen under load that did not happen again alone. ' +
        `A hostile payload spliced into pickles would create ${FUZZ_MARKER}: ${ran ? '**it was created**' : 'it never was'}.`,
      '',
      results.length ? renderTable(summary) : '(not run this time)',
      '',
      results.length ? renderProblems(results) : '',
      '',
      '## Bounded by the file, per class',
      '',
      'Each case is crafted by a structure-aware generator (test/fuzz/bounds/classes.ts) into a temporary folder and run through the real CLI as a child process, `node dist/cli.js analyze CASE --json` and the human summary, under `/usr/bin/time` (peak RSS of the process, CPU and wall time) and `timeout -s KILL` (test/fuzz/bounds/run-cli.ts).',
      '',
      bounds.length ? renderBounds(bounds) : '(not run this time)',
      '',
      '## Found by fuzzing and fixed',
      '',
      FOUND,
      '',
      'Replay any mutation case with `npm run fuzz -- --replay READER:INDEX --seed SEED` (prints the mutation and the outcome and leaves the files in a temporary folder); a bounds class alone with `npm run fuzz -- --only CLASS --bounds-cases N`.',
      '',
    ].join('\n');
    fs.writeFileSync(out, md);
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  }
  const boundsBad = bounds.filter((r) => r.verdict.problems.length);
  const bad = results.filter((r) => !['ok', 'named'].includes(r.outcome) && !r.flaky);
  return bad.length || ran || boundsBad.length ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(e);
    process.exitCode = 2;
  },
);
