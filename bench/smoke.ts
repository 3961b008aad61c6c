/**
 * npm run bench:smoke — the benchmark CI can afford: seconds, no Python. Times our CLI as a whole
 * process on the small PyTorch fixtures (test/fixtures/pytorch/*.pt), and checks what would make
 * the full bench (npm run bench) meaningless if it broke:
 *  - every fixture that analyzes gives a finite top eigenvalue; the others are refused with
 *    exit code 2 (bad input) or reported as a diverged run (NaN/Inf weights), never a crash;
 *  - peak RSS stays within a generous bound (node's own ~60 MB + a few times the file), so a
 *    change that reads a checkpoint whole or copies it twice shows up here first;
 *  - the eigen solvers' matrix-vector kernel (metrics/matvec.ts) gives bit-identical results to
 *    the reference product in graph/rolled.ts on every fixture graph (the committed zoo features
 *    depend on the exact rounding).
 * No time thresholds: the machines it runs on are noisy; times are printed, not judged.
 *
 *   node --import tsx bench/smoke.ts        (after npm run build: it runs dist/cli.js)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openCheckpoint } from '../src/engine/readers/index';
import { recoverTopology } from '../src/engine/graph/recover';
import { buildRolledGraph } from '../src/engine/graph/rolled';
import { symmetricMatVec } from '../test/helpers/reference-matvec';
import { symmetricProduct } from '../src/engine/metrics/matvec';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const DIR = path.join(ROOT, 'test', 'fixtures', 'pytorch');
const RSS_BASE_MB = 160;

interface Row { file: string; status: number; wall: number; rssMB: number | null; eigenvalue: number | null; edges: number | null; diverged: boolean; note: string }

function runCli(file: string): Row {
  const hasTime = fs.existsSync('/usr/bin/time');
  const out = path.join(os.tmpdir(), `td-smoke-${process.pid}.txt`);
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', '-o', out, process.execPath, CLI, 'analyze', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, [CLI, 'analyze', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (performance.now() - t0) / 1000;
  const rssMB = hasTime ? Number(fs.readFileSync(out, 'utf8').trim().split('\n').pop()) / 1024 : null;
  fs.rmSync(out, { force: true });
  const row: Row = { file: path.basename(file), status: r.status ?? -1, wall, rssMB, eigenvalue: null, edges: null, diverged: false, note: '' };
  try {
    const doc = JSON.parse(r.stdout);
    const c = doc.runs?.[0]?.checkpoints?.[0];
    const d = doc.runs?.[0]?.diverged;
    if (c) {
      row.eigenvalue = c.eigenvalue;
      row.edges = c.graph.edges;
    } else if (d) {
      row.diverged = true;
      row.note = `diverged at epoch ${d.epoch}: ${d.tensor ?? d.metric} is ${d.value}`;
    } else row.note = String(doc.runs?.[0]?.errors?.[0]?.message ?? doc.errors?.[0]?.message ?? '').slice(0, 70);
  } catch {
    row.note = `no JSON on stdout: ${r.stderr.slice(-200)}`;
  }
  return row;
}

function kernelIdentical(file: string): string | null {
  let c;
  try {
    c = openCheckpoint(file);
  } catch {
    return null; // refused files have no graph; the CLI run checks they are refused cleanly
  }
  try {
    const g = buildRolledGraph(c.topology ?? recoverTopology(c.tensors, file).ops, { file });
    const x = new Float64Array(g.nodeCount).map((_, i) => Math.sin(i + 1) + 1.5);
    const a = new Float64Array(g.nodeCount).fill(0.25);
    const b = a.slice();
    symmetricMatVec(g, x, a);
    symmetricProduct(g, x, b);
    const i = a.findIndex((v, k) => v !== b[k]);
    return i < 0 ? 'identical' : `DIFFERS at node ${i}: ${a[i]} vs ${b[i]}`;
  } catch {
    return null;
  } finally {
    c.close();
  }
}

function main(): number {
  if (!fs.existsSync(CLI)) {
    console.error('dist/cli.js is missing: run npm run build first');
    return 1;
  }
  const files = fs.readdirSync(DIR).filter((f) => /\.(pt|pth|ckpt)$/.test(f)).sort().map((f) => path.join(DIR, f));
  const failures: string[] = [];
  console.log('| file | KiB | exit | wall s | peak MiB | edges | λ₁ | kernel | note |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const file of files) {
    const r = runCli(file);
    const kib = fs.statSync(file).size / 1024;
    const k = kernelIdentical(file);
    console.log(`| ${r.file} | ${kib.toFixed(0)} | ${r.status} | ${r.wall.toFixed(2)} | ${r.rssMB?.toFixed(0) ?? '–'} | ${r.edges ?? '–'} | ${r.eigenvalue?.toPrecision(8) ?? '–'} | ${k ?? '–'} | ${r.note} |`);
    if (r.status !== 0 && r.status !== 2) failures.push(`${r.file}: exit code ${r.status} (a crash, not a refusal)`);
    if (r.status === 0 && !r.diverged && !(r.eigenvalue !== null && Number.isFinite(r.eigenvalue) && r.eigenvalue > 0)) failures.push(`${r.file}: eigenvalue ${r.eigenvalue}`);
    const budget = RSS_BASE_MB + (4 * kib) / 1024;
    if (r.rssMB !== null && r.rssMB > budget) failures.push(`${r.file}: peak RSS ${r.rssMB.toFixed(0)} MiB > ${budget.toFixed(0)} MiB`);
    if (k && k !== 'identical') failures.push(`${r.file}: matvec kernel ${k}`);
  }
  console.log(`\nbench:smoke: ${files.length} checkpoints, ${failures.length ? failures.length + ' problem(s)' : 'all fine'}`);
  for (const f of failures) console.log(`  FAIL ${f}`);
  return failures.length ? 1 : 0;
}

process.exitCode = main();
