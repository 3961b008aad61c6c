// Turns the medians of a bench run into bench/RESULTS.md: the tables, the targets (met or not,
// with the numbers that decide it) and how everything was measured.
import * as fs from 'node:fs';

const f = (x, d = 2) => (x == null || !Number.isFinite(x) ? '–' : x.toFixed(d));
const big = (n) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
const ms = (s) => f(s * 1000, 0);

function targets(results) {
  const out = [];
  const r50 = results.find((r) => r.name === 'resnet50');
  if (r50) {
    const speed = r50.peer.wall / r50.ours.wall;
    const cpu = r50.peer.cpu / r50.ours.cpu;
    const budget = r50.fileMB + 300;
    out.push(`- ResNet-50, ours ≥ 5× faster than the Python peer as a whole process: **${speed >= 5 ? 'met' : 'not met'}** — ${f(speed, 1)}× by wall time (${f(r50.peer.wall)} s vs ${f(r50.ours.wall)} s), ${f(cpu, 1)}× by CPU time.`);
    out.push(`- ResNet-50, peak memory ≤ file size + 300 MiB (${f(budget, 0)} MiB): **${r50.ours.rssMB <= budget ? 'met' : 'not met'}** — ${f(r50.ours.rssMB, 0)} MiB peak RSS for a ${f(r50.fileMB, 0)} MiB file (the peer: ${f(r50.peer.rssMB, 0)} MiB).`);
  }
  const vgg = results.find((r) => r.name === 'vgg16');
  if (vgg) {
    out.push(`- VGG-16, peak memory ≤ 2× file size (${f(2 * vgg.fileMB, 0)} MiB): **${vgg.ours.rssMB <= 2 * vgg.fileMB ? 'met' : 'not met'}** — ${f(vgg.ours.rssMB, 0)} MiB peak RSS, ${f(vgg.ours.rssMB / vgg.fileMB)}× the ${f(vgg.fileMB, 0)} MiB file (the peer: ${f(vgg.peer.rssMB, 0)} MiB, ${f(vgg.peer.rssMB / vgg.fileMB)}×).`);
  }
  return out;
}

function unrolledRows(results) {
  // Seconds and bytes per unrolled edge, from the unrolled graphs actually built (LeNet's: the
  // conv case). A linear extrapolation: a lower bound, since eigsh needs more products on a larger
  // graph, and a symmetric CSR matrix alone takes 2 × (8 + 4) = 24 bytes per edge.
  const lenet = results.find((r) => r.name === 'lenet' && r.unrolled);
  const perEdge = lenet ? (lenet.unrolled.timings.graph + lenet.unrolled.timings.eigen) / lenet.unrolled.edges : null;
  return results.map((r) => {
    const measured = r.unrolled;
    const time = measured ? `${f(measured.timings.graph + measured.timings.eigen)} s measured` : perEdge ? `≈ ${f(perEdge * r.ours.unrolledEdges, 0)} s extrapolated` : '–';
    const gb = (r.ours.unrolledEdges * 24) / 2 ** 30;
    const built = measured ? `${big(measured.nodes)} / ${big(measured.edges)}` : 'not built';
    return `| ${r.name} | ${big(r.ours.nodes)} / ${big(r.ours.edges)} | ${big(r.ours.unrolledNodes)} / ${big(r.ours.unrolledEdges)}${r.ours.unrolledEstimated ? ` (est., ${r.ours.inputSize ?? '?'} px)` : ''} | ${built} | ${f(r.ours.unrolledEdges / r.ours.edges, 0)}× | ${ms(r.ours.metricsMs / 1000)} ms | ${time} | ${gb >= 1 ? f(gb, 1) + ' GiB' : f(gb * 1024, 0) + ' MiB'} |`;
  });
}

export function writeReport(file, { command, machine: m, reps, results }) {
  const L = [];
  L.push('# Benchmarks: our CLI against the Python route', '');
  L.push(`Made by \`${command}\` (checkpoints from \`OMP_NUM_THREADS=1 /usr/bin/python3 bench/make_checkpoints.py\`, which the bench runs when they are missing).`, '');
  L.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memGB} GiB; node ${m.node}; Debian torch ${m.torch}, scipy ${m.scipy}, numpy ${m.numpy}, networkx ${m.networkx}. ` +
    `The machine is shared (training jobs come and go; 1-minute load average ${f(m.loadStart, 1)} at the start of this run, ${f(m.loadEnd, 1)} at the end, on ${m.cores} cores), so absolute times vary from run to run — under load the peer slows down more than ours, so a quiet run is the conservative one; ` +
    `compare the ratios, which are medians of ${reps} interleaved repetitions taken in the same run.`, '');
  L.push('## Targets', '', ...targets(results), '');
  L.push('## Whole process: ours vs the Python peer', '');
  L.push('| model | file MiB | rolled nodes / edges | floor: `cat` s | ours s | peer s | **peer / ours** (wall) | peer / ours (CPU) | ours peak MiB | **ours peak / file** | peer peak MiB | ours / floor | λ₁ ours | λ₁ peer | max rel. diff |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    L.push(`| ${r.name} | ${f(r.fileMB, 1)} | ${big(r.ours.nodes)} / ${big(r.ours.edges)} | ${f(r.floor.wall, 3)} | ${f(r.ours.wall)} | ${f(r.peer.wall)} | **${f(r.peer.wall / r.ours.wall, 1)}×** | ${f(r.peer.cpu / r.ours.cpu, 1)}× | ${f(r.ours.rssMB, 0)} | **${f(r.ours.rssMB / r.fileMB)}** | ${f(r.peer.rssMB, 0)} | ${f(r.ours.wall / Math.max(r.floor.wall, 0.01), 0)}× | ${r.ours.eigenvalue.toPrecision(8)} | ${r.peer.eigenvalue.toPrecision(8)} | ${r.maxRelDiff.toExponential(1)} |`);
  }
  L.push('', 'Spread of wall times over the repetitions (min–max): ' + results.map((r) => `${r.name} ours ${f(r.spread.oursWall[0])}–${f(r.spread.oursWall[1])} s, peer ${f(r.spread.peerWall[0])}–${f(r.spread.peerWall[1])} s`).join('; ') + '.', '');
  L.push('## Where the time goes (medians, ms)', '');
  L.push('| model | ours: read + build graph | ours: degree + eigenvector + stats | ours: rest of the process | peer: import torch/scipy | peer: torch.load | peer: build sparse graph | peer: degree | peer: eigsh |');
  L.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const rest = r.ours.wall * 1000 - r.ours.readAndBuildMs - r.ours.metricsMs;
    const t = r.peer.timings;
    L.push(`| ${r.name} | ${f(r.ours.readAndBuildMs, 0)} | ${f(r.ours.metricsMs, 0)} | ${f(rest, 0)} | ${ms(t.import)} | ${ms(t.load)} | ${ms(t.graph)} | ${ms(t.degree)} | ${ms(t.eigen)} |`);
  }
  const nx = results.filter((r) => r.nx);
  if (nx.length) {
    L.push('', '## The networkx route (small nets)', '');
    L.push('| model | networkx s | **networkx / ours** | networkx peak MiB | build nx.Graph ms | degree ms | eigenvector_centrality_numpy ms | λ₁ (Rayleigh quotient of its vector) |');
    L.push('|---|---|---|---|---|---|---|---|');
    for (const r of nx) L.push(`| ${r.name} | ${f(r.nx.wall)} | **${f(r.nx.wall / r.ours.wall, 1)}×** | ${f(r.nx.rssMB, 0)} | ${ms(r.nx.timings.nx_graph)} | ${ms(r.nx.timings.degree)} | ${ms(r.nx.timings.eigen)} | ${r.nx.eigenvalue.toPrecision(8)} |`);
  }
  L.push('', '## Rolled vs unrolled graph', '');
  L.push('| model | rolled nodes / edges | unrolled nodes / edges (our CLI) | unrolled, built in Python | edge ratio | ours: metrics on the rolled graph | unrolled: sparse build + eigsh | unrolled CSR memory (≥ 24 B/edge) |');
  L.push('|---|---|---|---|---|---|---|---|');
  L.push(...unrolledRows(results));
  L.push('', 'The unrolled graph is built for real for LeNet-5 and the MLP (`bench/unrolled.py`: conv taps at every output position, 2×2 pools as nodes fed by their window, so it has more nodes and edges than the CLI\'s estimate, which counts conv outputs at the post-pool size and no pool nodes). For the MLP it is the rolled graph itself. The CLI\'s counts are estimates (weights store no strides): the ResNets\' input size is inferred from their 7×7 stem (224 px, 56 px after the stem), MobileNetV2 and VGG-16 get `--input-size 224`. For the others the time is extrapolated linearly from LeNet\'s seconds per unrolled edge — a lower bound, since a larger graph needs more Lanczos products — and the memory is that of the symmetric CSR matrix alone: ResNet-50 and VGG-16 would not fit in this machine\'s memory.', '');
  L.push('What past profiles showed and what was changed, and the editor\'s timings, are in [NOTES.md](NOTES.md).', '');
  L.push('## How it was measured', '');
  L.push('- Every process is timed whole, under GNU time (`/usr/bin/time -f "%e %U %S %M"`): wall and CPU (user + sys) seconds, and peak RSS (the process\'s own high-water mark, interpreter start-up included).');
  L.push('- Page cache: every checkpoint is read once before anything is timed, so every run reads warm files; the floor is `cat FILE > /dev/null` on that warm cache (the cost of touching every byte once).');
  L.push('- Ours: `node dist/cli.js analyze FILE --json` — the user-facing command, which besides the graph also loads the shipped forecaster and computes features; the internal timings are the `timings` the CLI reports (read + wiring + rolled graph; degree + Lanczos eigenvector + per-layer statistics + unrolled size).');
  L.push('- The peer (`bench/python_peer.py`, `OMP_NUM_THREADS=1`, one torch thread, like ours on one core): `torch.load`, the same rolled graph built with torch norms into a scipy sparse matrix (conv: L2 over kernel positions per (out, in) channel pair; dense after flatten: L2 over positions; BatchNorm folded as |γ|/√(running_var + ε); identity shortcuts weight 1, projections into the block output; parallel edges summed), weighted degree from the sparse matrix, and `scipy.sparse.linalg.eigsh(k=1, which="LA", tol=1e-8, v0=ones)` on the symmetric adjacency: the same tolerance and start vector as ours. Its wiring comes from knowing the architecture, not from name heuristics.');
  L.push('- The eigenvalue check compares every run of ours with every run of the peer and of networkx: relative difference ≤ 1e-4 required (the bench exits non-zero otherwise).');
  L.push('- Ratios are of medians; each repetition runs cat, ours and the peer back to back on one model, alternating which of ours and the peer goes first.');
  L.push('');
  fs.writeFileSync(file, L.join('\n'));
}
