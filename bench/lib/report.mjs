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

/** The transformer rows' targets: GPT-2 small against the Python route, the 1.1B model alone. */
function scaleTargets(scale) {
  const out = [];
  const g = scale.find((r) => r.name === 'gpt2_small');
  if (g?.peer) {
    const speed = g.peer.wall / g.ours.wall;
    const budget = g.fileMB + 300;
    out.push(`- GPT-2 small (124M), ours ≥ 5× faster than the Python route as a whole process: **${speed >= 5 ? 'met' : 'not met'}** — ${f(speed, 1)}× by wall time (${f(g.peer.wall, 1)} s vs ${f(g.ours.wall, 1)} s), ${f(g.peer.cpu / g.ours.cpu, 1)}× by CPU time.`);
    out.push(`- GPT-2 small, peak memory ≤ file size + 300 MiB (${f(budget, 0)} MiB): **${g.ours.rssMB <= budget ? 'met' : 'not met'}** — ${f(g.ours.rssMB, 0)} MiB for a ${f(g.fileMB, 0)} MiB checkpoint (the Python route: ${f(g.peer.rssMB, 0)} MiB).`);
  }
  const l = scale.find((r) => r.name === 'llama_1b');
  if (l) {
    const limit = 2e9 / 2 ** 20;
    out.push(`- 1.1B-parameter Llama (sharded bfloat16 safetensors), peak memory ≤ 2 GB (${f(limit, 0)} MiB): **${l.ours.rssMB <= limit ? 'met' : 'not met'}** — ${f(l.ours.rssMB, 0)} MiB for a ${f(l.fileMB, 0)} MiB checkpoint, in ${f(l.ours.wall, 0)} s (${f(l.ours.cpu, 0)} s CPU).`);
  }
  return out;
}

function scaleSection(scale) {
  if (!scale?.length) return [];
  const L = ['## Transformers at scale', ''];
  L.push('| model | checkpoint MiB | rolled nodes / edges | wiring | ours s (CPU s) | Python route s (CPU s) | **route / ours** (wall) | ours peak MiB | ours peak − checkpoint MiB | route peak MiB | ours: read + build ms | ours: metrics ms | λ₁ ours | λ₁ route | max rel. diff |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of scale) {
    const p = r.peer;
    L.push(`| ${r.name} | ${f(r.fileMB, 0)} | ${big(r.ours.nodes)} / ${big(r.ours.edges)} | ${r.warnings.wiring}, ${r.warnings.components} component${r.warnings.components === 1 ? '' : 's'} | ${f(r.ours.wall, 1)} (${f(r.ours.cpu, 1)}) | ${p ? `${f(p.wall, 1)} (${f(p.cpu, 1)})` : '–'} | ${p ? `**${f(p.wall / r.ours.wall, 1)}×**` : '–'} | ${f(r.ours.rssMB, 0)} | ${f(r.ours.rssMB - r.fileMB, 0)} | ${p ? f(p.rssMB, 0) : '–'} | ${f(r.ours.readAndBuildMs, 0)} | ${f(r.ours.metricsMs, 0)} | ${r.ours.eigenvalue.toPrecision(10)} | ${p ? p.eigenvalue.toPrecision(10) : '–'} | ${r.maxRelDiff != null ? r.maxRelDiff.toExponential(1) : '–'} |`);
  }
  L.push('');
  L.push(`Medians of ${scale.map((r) => `${r.reps} run${r.reps === 1 ? '' : 's'} (${r.name})`).join(', ')}. Checkpoints from \`bench/make_scale.py\`: random weights with the real names, layouts and dtypes — GPT-2 small as \`save_pretrained\` writes \`pytorch_model.bin\` (float32, Conv1D weights [in, out], \`lm_head\` tied to \`wte\`) with its config.json; the 1.1B Llama with TinyLlama's shapes (d 2048, 22 layers, 32 heads, 4 key/value heads, SwiGLU 5632, vocabulary 32000) as three bfloat16 safetensors shards with \`model.safetensors.index.json\`. Ours is \`node dist/cli.js analyze FOLDER --json\`. The Python route (\`bench/python_transformer_peer.py\`) builds the same graph from knowing GPT-2 (embeddings collapsed per table, OV circuits and per-head score-form nodes, pre-LN norms folded, identity residuals, a one-node vocabulary head) with torch into a scipy sparse matrix and runs \`eigsh\`.`);
  L.push('');
  L.push('How the 1.1B model fits: the attention products run on a WebAssembly SIMD kernel (`src/engine/wasm/gemm.wat`); past 128M edges the graph keeps its edge weights as 16-bit floats scaled per block (`src/engine/graph/packed.ts`: relative rounding at most 2⁻¹¹ per weight, said in a warning), decoded a chunk of rows at a time in every product; SwiGLU\'s gate and up projections, parallel edges between the same groups, are one block of summed weights. What the CLI said of each:');
  L.push('');
  for (const r of scale) L.push(`- ${r.name}: ${r.warnings.warnings.map((w) => `“${w}”`).join('; ')}`);
  L.push('');
  return L;
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

export function writeReport(file, { command, machine: m, reps, results, scale = [] }) {
  const L = [];
  L.push('# Benchmarks: our CLI against the Python route', '');
  L.push(`Made by \`${command}\` (checkpoints from \`OMP_NUM_THREADS=1 /usr/bin/python3 bench/make_checkpoints.py\`, which the bench runs when they are missing).`, '');
  L.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memGB} GiB; node ${m.node}; Debian torch ${m.torch}, scipy ${m.scipy}, numpy ${m.numpy}, networkx ${m.networkx}. ` +
    `The machine is shared (training jobs come and go; 1-minute load average ${f(m.loadStart, 1)} at the start of this run, ${f(m.loadEnd, 1)} at the end, on ${m.cores} cores), so absolute times vary from run to run — under load the peer slows down more than ours, so a quiet run is the conservative one; ` +
    `compare the ratios, which are medians of ${reps} interleaved repetitions taken in the same run.`, '');
  L.push('## Targets', '', ...targets(results), ...scaleTargets(scale), '');
  L.push('## Whole process: ours vs the Python peer', '');
  L.push('| model | file MiB | rolled nodes / edges | floor: `cat` s | ours s | peer s | **peer / ours** (wall) | peer / ours (CPU) | ours peak MiB | **ours peak / file** | peer peak MiB | ours / floor | λ₁ ours | λ₁ peer | max rel. diff |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    L.push(`| ${r.name} | ${f(r.fileMB, 1)} | ${big(r.ours.nodes)} / ${big(r.ours.edges)} | ${f(r.floor.wall, 3)} | ${f(r.ours.wall)} | ${f(r.peer.wall)} | **${f(r.peer.wall / r.ours.wall, 1)}×** | ${f(r.peer.cpu / r.ours.cpu, 1)}× | ${f(r.ours.rssMB, 0)} | **${f(r.ours.rssMB / r.fileMB)}** | ${f(r.peer.rssMB, 0)} | ${f(r.ours.wall / Math.max(r.floor.wall, 0.01), 0)}× | ${r.ours.eigenvalue.toPrecision(8)} | ${r.peer.eigenvalue.toPrecision(8)} | ${r.maxRelDiff.toExponential(1)} |`);
  }
  L.push('', 'Spread of wall times over the repetitions (min–max): ' + results.map((r) => `${r.name} ours ${f(r.spread.oursWall[0])}–${f(r.spread.oursWall[1])} s, peer ${f(r.spread.peerWall[0])}–${f(r.spread.peerWall[1])} s`).join('; ') + '.', '');
  L.push(...scaleSection(scale));
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
