#!/usr/bin/env node
// npm run bench: our CLI against the Python route a researcher would write, on real checkpoints,
// as whole processes, in one run. Writes bench/RESULTS.md (tables) and bench/results.json (raw).
//
//   node bench/run.mjs [--reps 3] [--only mlp,lenet] [--no-nx] [--out bench/RESULTS.md]
//   node bench/run.mjs --report-only      (RESULTS.md again from the raw results.json of the last run)
//
// The machine is shared and noisy (training processes run beside it), so every figure that is
// compared is a ratio of medians taken in the same run, with the runs of both sides interleaved
// (alternating which goes first) so that a burst of load hits both.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { measure, medianOf, hasGnuTime } from './lib/measure.mjs';
import { writeReport } from './lib/report.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CKPT = path.join(ROOT, 'bench', 'checkpoints');
const PY = '/usr/bin/python3';
const PYENV = { OMP_NUM_THREADS: '1' };
const CLI = path.join(ROOT, 'dist', 'cli.js');

// nx: networkx route too (it holds a Python object per edge: small nets only); unrolled: built for
// real; inputSize: given to the CLI's unrolled-size estimate where the weights do not reveal an
// ImageNet input (the ResNets' 7x7 stem does: the CLI then assumes 224 px, downsampled 4x).
// Transformers at scale (bench/make_scale.py writes them): GPT-2 small against the Python route of
// bench/python_transformer_peer.py; the 1.1B Llama alone (no Python route fits: its graph has
// 600M edges, which scipy would hold in 7 GB of CSR), once.
const SCALE = [
  { name: 'gpt2_small', peer: true },
  { name: 'llama_1b', peer: false, reps: 1 },
];

const MODELS = [
  { name: 'mlp', nx: true, unrolled: true },
  { name: 'lenet', nx: true, unrolled: true },
  { name: 'resnet18' },
  { name: 'mobilenet_v2', inputSize: 224 },
  { name: 'resnet50' },
  { name: 'vgg16', inputSize: 224 },
];

function parseArgs(argv) {
  const a = { reps: 3, only: null, nx: true, scale: true, out: path.join(ROOT, 'bench', 'RESULTS.md') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--reps') a.reps = Number(argv[++i]);
    else if (argv[i] === '--only') a.only = argv[++i].split(',');
    else if (argv[i] === '--no-nx') a.nx = false;
    else if (argv[i] === '--no-scale') a.scale = false;
    else if (argv[i] === '--report-only') a.reportOnly = true;
    else if (argv[i] === '--out') a.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!Number.isInteger(a.reps) || a.reps < 1) throw new Error('--reps needs a positive integer');
  return a;
}

function ours(file, inputSize) {
  const m = measure(process.execPath, [CLI, 'analyze', file, '--json', ...(inputSize ? ['--input-size', String(inputSize)] : [])]);
  const c = JSON.parse(m.stdout).runs[0].checkpoints[0];
  return {
    wall: m.wall, cpu: m.cpu, rssMB: m.rssMB,
    readAndBuildMs: c.timings.readAndBuildMs, metricsMs: c.timings.metricsMs,
    eigenvalue: c.eigenvalue, nodes: c.graph.nodes, edges: c.graph.edges,
    unrolledNodes: c.graph.unrolledNodes, unrolledEdges: c.graph.unrolledEdges, unrolledEstimated: c.graph.unrolledEstimated, inputSize: c.graph.inputSize,
    said: { wiring: c.graph.wiring, components: c.graph.components, warnings: c.warnings },
  };
}

function python(script, file, arch, extra = []) {
  const m = measure(PY, [path.join(ROOT, 'bench', script), file, '--arch', arch, ...extra], { env: PYENV });
  const r = JSON.parse(m.stdout.trim().split('\n').pop());
  return { wall: m.wall, cpu: m.cpu, rssMB: m.rssMB, eigenvalue: r.eigenvalue, nodes: r.nodes, edges: r.edges, timings: r.timings };
}

function dirMB(dir) {
  return fs.readdirSync(dir).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0) / 2 ** 20;
}

function transformerPeer(dir) {
  const m = measure(PY, [path.join(ROOT, 'bench', 'python_transformer_peer.py'), dir], { env: PYENV });
  const r = JSON.parse(m.stdout.trim().split('\n').pop());
  return { wall: m.wall, cpu: m.cpu, rssMB: m.rssMB, eigenvalue: r.eigenvalue, nodes: r.nodes, edges: r.edges, timings: r.timings };
}

/** The transformer rows: ours (and the Python route where there is one), interleaved like the others. */
function scaleRuns(args) {
  const models = SCALE.filter((m) => !args.only || args.only.includes(m.name));
  const missing = models.filter((m) => !fs.existsSync(path.join(CKPT, m.name, 'config.json')));
  if (missing.length) {
    console.error(`writing checkpoints: ${missing.map((m) => m.name).join(', ')}`);
    const r = spawnSync(PY, [path.join(ROOT, 'bench', 'make_scale.py'), '--only', missing.map((m) => m.name).join(',')], { stdio: 'inherit', env: { ...process.env, ...PYENV } });
    if (r.status !== 0) throw new Error('bench/make_scale.py failed');
  }
  return models.map((m) => {
    const dir = path.join(CKPT, m.name);
    for (const f of fs.readdirSync(dir)) floor(path.join(dir, f));
    const runs = { ours: [], peer: [] };
    for (let rep = 0; rep < (m.reps ?? args.reps); rep++) {
      const both = [() => runs.ours.push(ours(dir)), ...(m.peer ? [() => runs.peer.push(transformerPeer(dir))] : [])];
      if (rep % 2) both.reverse();
      both.forEach((f) => f());
      const o = runs.ours.at(-1);
      console.error(`rep ${rep + 1} ${m.name}: ours ${o.wall.toFixed(1)} s ${o.rssMB.toFixed(0)} MB${m.peer ? `, peer ${runs.peer.at(-1).wall.toFixed(1)} s ${runs.peer.at(-1).rssMB.toFixed(0)} MB` : ''}`);
    }
    return {
      name: m.name,
      fileMB: dirMB(dir),
      reps: runs.ours.length,
      ours: medianOf(runs.ours),
      peer: runs.peer.length ? medianOf(runs.peer) : null,
      warnings: runs.ours[0].said,
      maxRelDiff: runs.peer.length ? Math.max(...runs.ours.flatMap((o) => runs.peer.map((p) => Math.abs(p.eigenvalue - o.eigenvalue) / Math.abs(o.eigenvalue)))) : null,
    };
  });
}

function floor(file) {
  const m = measure('/bin/sh', ['-c', 'cat "$0" > /dev/null', file]);
  return { wall: m.wall, rssMB: m.rssMB };
}

function machine() {
  const v = spawnSync(PY, ['-c', 'import torch, scipy, numpy, networkx; print(torch.__version__, scipy.__version__, numpy.__version__, networkx.__version__)'], { encoding: 'utf8', env: { ...process.env, ...PYENV } });
  const [torch, scipy, numpy, networkx] = v.stdout.trim().split(' ');
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version, torch, scipy, numpy, networkx, loadStart: os.loadavg()[0],
  };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.reportOnly) {
    writeReport(args.out, JSON.parse(fs.readFileSync(path.join(path.dirname(args.out), 'results.json'), 'utf8')));
    console.log(`wrote ${path.relative(process.cwd(), args.out)} from results.json`);
    return;
  }
  if (!hasGnuTime()) throw new Error('GNU time (/usr/bin/time) is needed to measure peak memory: apt-get install time');
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: npm run build first (npm run bench does)');
  const models = MODELS.filter((m) => !args.only || args.only.includes(m.name));
  const missing = models.filter((m) => !fs.existsSync(path.join(CKPT, `${m.name}.pt`)));
  if (missing.length) {
    console.error(`writing checkpoints: ${missing.map((m) => m.name).join(', ')}`);
    const r = spawnSync(PY, [path.join(ROOT, 'bench', 'make_checkpoints.py'), '--only', missing.map((m) => m.name).join(',')], { stdio: 'inherit', env: { ...process.env, ...PYENV } });
    if (r.status !== 0) throw new Error('bench/make_checkpoints.py failed');
  }
  const info = machine();
  // Page cache: every file is read once before anything is timed, so all runs see it warm (the
  // files total < 1 GB on a machine with far more memory). Interpreters are warmed the same way.
  for (const m of models) floor(path.join(CKPT, `${m.name}.pt`));
  ours(path.join(CKPT, 'lenet.pt'));
  python('python_peer.py', path.join(CKPT, 'lenet.pt'), 'lenet');

  const runs = Object.fromEntries(models.map((m) => [m.name, { floor: [], ours: [], peer: [], nx: [], unrolled: [] }]));
  for (let rep = 0; rep < args.reps; rep++) {
    for (const m of models) {
      const file = path.join(CKPT, `${m.name}.pt`);
      const r = runs[m.name];
      r.floor.push(floor(file));
      const both = [() => r.ours.push(ours(file, m.inputSize)), () => r.peer.push(python('python_peer.py', file, m.name))];
      if (rep % 2) both.reverse();
      both.forEach((f) => f());
      if (m.nx && args.nx) r.nx.push(python('python_peer.py', file, m.name, ['--nx']));
      if (m.unrolled) r.unrolled.push(python('unrolled.py', file, m.name));
      const o = r.ours.at(-1);
      const p = r.peer.at(-1);
      console.error(`rep ${rep + 1}/${args.reps} ${m.name}: ours ${o.wall.toFixed(2)} s ${o.rssMB.toFixed(0)} MB, peer ${p.wall.toFixed(2)} s ${p.rssMB.toFixed(0)} MB`);
    }
  }
  const scale = args.scale ? scaleRuns(args) : [];
  info.loadEnd = os.loadavg()[0];
  const results = models.map((m) => {
    const r = runs[m.name];
    const file = path.join(CKPT, `${m.name}.pt`);
    return {
      name: m.name,
      fileMB: fs.statSync(file).size / 2 ** 20,
      floor: medianOf(r.floor),
      ours: medianOf(r.ours),
      peer: medianOf(r.peer),
      nx: r.nx.length ? medianOf(r.nx) : null,
      unrolled: r.unrolled.length ? medianOf(r.unrolled) : null,
      // Agreement is checked on every run, not only on the medians.
      maxRelDiff: Math.max(...r.ours.flatMap((o) => [...r.peer, ...r.nx].map((p) => Math.abs(p.eigenvalue - o.eigenvalue) / Math.abs(o.eigenvalue)))),
      spread: { oursWall: [Math.min(...r.ours.map((o) => o.wall)), Math.max(...r.ours.map((o) => o.wall))], peerWall: [Math.min(...r.peer.map((o) => o.wall)), Math.max(...r.peer.map((o) => o.wall))] },
    };
  });
  const command = `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
  fs.writeFileSync(path.join(path.dirname(args.out), 'results.json'), JSON.stringify({ command, machine: info, reps: args.reps, results, scale }, null, 1) + '\n');
  writeReport(args.out, { command, machine: info, reps: args.reps, results, scale });
  const bad = [...results, ...scale].filter((r) => r.maxRelDiff != null && r.maxRelDiff > 1e-4);
  for (const r of results) console.log(`${r.name}: λ ours ${r.ours.eigenvalue.toPrecision(10)} peer ${r.peer.eigenvalue.toPrecision(10)} (max rel diff ${r.maxRelDiff.toExponential(1)}); peer/ours ${(r.peer.wall / r.ours.wall).toFixed(1)}×; ours RSS ${r.ours.rssMB.toFixed(0)} MB for a ${r.fileMB.toFixed(0)} MB file`);
  console.log(`wrote ${path.relative(process.cwd(), args.out)}`);
  if (bad.length) {
    console.error(`eigenvalues disagree beyond 1e-4: ${bad.map((r) => r.name).join(', ')}`);
    process.exitCode = 1;
  }
}

main();
