/**
 * Protocol messages for the browser test, made from real checkpoints with the engine:
 * - the LeNet sweep in examples/lenet-fashion (3 runs, epochs 0–5, real training logs, the
 *   hyperparameters of each run's config.json). What the host reads from logs (training status,
 *   horizon, divergence) and its stopping advice are set here as the host would send them for a
 *   sweep caught mid-training: run0000 finished, run0001 running and forecast far below the best,
 *   run0002 diverged; both of the latter advised to stop;
 * - a ~5,000-node drawing of the MobileNetV2 fixture, with synthetic "epochs" (weights and node
 *   values perturbed deterministically) for timing epoch switches on a large drawing;
 * - a run with a hostile folder name and hostile error messages, and one still waiting.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCheckpointFull, type AnalyzedGraph, type CheckpointAnalysis } from '../../src/engine/analyze-checkpoint';
import { thinGraph } from '../../src/engine/graph/thin';
import type { RolledGraph } from '../../src/engine/graph/rolled';
import { analysisView, drawGraph } from '../../src/runtime/live/view-model';
import type { DrawGraph, RunDetail, RunSummary } from '../../src/shared/dashboard-protocol';
import { unknownRunFacts } from '../../src/shared/dashboard-protocol';

const ROOT = path.resolve(__dirname, '../..');
export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
export const HOSTILE_VALUE = '<script>alert(4)</script>';
export const HOSTILE_KEY = '<b onclick=alert(5)>k</b>';

export interface Fixture {
  runs: RunSummary[];
  details: Map<string, RunDetail>;
  /** `${runId}\0${epoch}` → graph, drawn with maxEdges = 2000 (the big run: its own budget). */
  graphs: Map<string, DrawGraph>;
  bigRunId: string;
  bigEpochs: number[];
}

/** What a run's config.json says, as the host's flat hyperparameters. */
function readConfig(dir: string): RunSummary['hyperparameters'] {
  const f = path.join(dir, 'config.json');
  if (!fs.existsSync(f)) return { values: {}, sources: {} };
  const o = JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, number | string | boolean>;
  return { values: o, sources: Object.fromEntries(Object.keys(o).map((k) => [k, 'config.json'])) };
}

/** The host's view of each example run's training, as if caught at epoch 5 (run0000 already done). */
const TRAINING: Pick<RunSummary, 'training' | 'horizon' | 'diverged' | 'advice'>[] = [
  { training: { status: 'finished', reason: 'logged its test result after 8 epochs', lastEpoch: 8 }, horizon: { epochs: 8, steps: null, source: 'log' }, diverged: null, advice: null },
  {
    training: { status: 'running', reason: 'a checkpoint was written in the last minutes', lastEpoch: 5 },
    horizon: { epochs: 15, steps: null, source: 'config' },
    diverged: null,
    advice: { stop: true, reason: 'forecast 39.2% (80% interval 30.0–47.0%) is 37 points below the best run of the sweep (76.8%)', epochsSaved: 10 },
  },
  {
    training: { status: 'diverged', reason: 'train_loss became NaN at epoch 4', lastEpoch: 5 },
    horizon: { epochs: 12, steps: null, source: 'config' },
    diverged: { epoch: 4, metric: 'train_loss' },
    advice: { stop: true, reason: 'diverged at epoch 4: train_loss is NaN', epochsSaved: 7 },
  },
];

export const gkey = (runId: string, epoch: number): string => `${runId}\u0000${epoch}`;

function readAccuracy(dir: string): { epoch: number; value: number }[] | null {
  const f = path.join(dir, 'metrics.jsonl');
  if (!fs.existsSync(f)) return null;
  const pts: { epoch: number; value: number }[] = [];
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as { epoch?: number; val_acc?: number };
    if (typeof o.epoch === 'number' && typeof o.val_acc === 'number') pts.push({ epoch: o.epoch, value: o.val_acc });
  }
  return pts.length ? pts : null;
}

function readFinal(dir: string): number | null {
  const f = path.join(dir, 'final.json');
  if (!fs.existsSync(f)) return null;
  const o = JSON.parse(fs.readFileSync(f, 'utf8')) as { test_acc?: number };
  return typeof o.test_acc === 'number' ? o.test_acc : null;
}

/** A copy of a rolled graph with every edge weight scaled by a smooth deterministic factor. */
function perturbed(g: RolledGraph, seed: number): RolledGraph {
  return {
    ...g,
    blocks: g.blocks.map((b, bi) => {
      if (b.kind === 'identity') return b;
      const w = new Float32Array(b.weights.length);
      for (let i = 0; i < w.length; i++) w[i] = b.weights[i] * (1 + 0.35 * Math.sin(i * 0.013 + bi * 1.7 + seed * 0.9));
      return { ...b, weights: w };
    }),
  };
}

export function buildFixture(): Fixture {
  const runs: RunSummary[] = [];
  const details = new Map<string, RunDetail>();
  const graphs = new Map<string, DrawGraph>();

  // 1. The LeNet sweep: real checkpoints, real logs.
  const sweep = path.join(ROOT, 'examples', 'lenet-fashion');
  const forecasts = [
    { accuracy: 0.781, low: 0.752, high: 0.81, epochsUsed: 3, model: 'forest' },
    { accuracy: 0.392, low: 0.3, high: 0.47, epochsUsed: 3, model: 'forest' },
    { accuracy: 0.1, low: 0.1, high: 0.1, epochsUsed: 3, model: 'chance level', reason: 'diverged at epoch 4: chance level for 10 classes' },
  ];
  fs.readdirSync(sweep)
    .filter((d) => fs.statSync(path.join(sweep, d)).isDirectory())
    .sort()
    .forEach((name, ri) => {
      const dir = path.join(sweep, name);
      const files = fs.readdirSync(dir).filter((f) => /^epoch_\d+\.pt$/.test(f)).sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6)));
      const checkpoints: RunDetail['checkpoints'] = [];
      const epochs: number[] = [];
      let start: Float64Array | undefined;
      for (const f of files) {
        const file = path.join(dir, f);
        const epoch = parseInt(f.slice(6));
        const r: AnalyzedGraph = analyzeCheckpointFull(file, { eigen: { start } });
        start = r.nodes.centrality;
        checkpoints.push({ epoch, file, analysis: analysisView(r.analysis) });
        epochs.push(epoch);
        graphs.set(gkey(dir, epoch), drawGraph(thinGraph({ analysis: { path: file, epoch }, graph: r.graph, nodes: r.nodes }, 2000)));
      }
      const accuracy = readAccuracy(dir);
      const run: RunSummary = {
        id: dir,
        name,
        sweep,
        status: 'ready',
        epochs,
        forecast: forecasts[ri] ?? null,
        // A run caught mid-training has logged its first epochs only.
        accuracy: ri === 0 ? accuracy : (accuracy?.filter((q) => q.epoch <= 5) ?? null),
        finalAccuracy: ri === 0 ? readFinal(dir) : null,
        errors: [],
        ...unknownRunFacts(),
        ...(TRAINING[ri] ?? {}),
        hyperparameters: readConfig(dir),
      };
      if (ri === 2) run.status = 'analyzing';
      runs.push(run);
      details.set(dir, { run, checkpoints });
    });

  // 2. A large drawing: MobileNetV2 (17k nodes, 2.1M edges) thinned to ~5k nodes, 4 epochs.
  const bigDir = path.join(ROOT, 'zoo-like', 'mobilenet_v2-synthetic');
  const big = analyzeCheckpointFull(path.join(ROOT, 'test', 'fixtures', 'pytorch', 'mobilenet_v2.pt'));
  const bigEpochs = [1, 2, 3, 4];
  const bigCheckpoints: RunDetail['checkpoints'] = [];
  for (const e of bigEpochs) {
    const g = perturbed(big.graph, e);
    const n = big.nodes.centrality.length;
    const c = new Float64Array(n), d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      c[i] = big.nodes.centrality[i] * (1 + 0.6 * Math.sin(i * 0.021 + e * 1.3));
      d[i] = big.nodes.degree[i] * (1 + 0.3 * Math.cos(i * 0.017 + e));
    }
    const file = path.join(bigDir, `epoch_${e}.pt`);
    graphs.set(gkey(bigDir, e), drawGraph(thinGraph({ analysis: { path: file, epoch: e }, graph: g, nodes: { degree: d, centrality: c } }, 6000, { groupAbove: 112, groups: 112 })));
    const a: CheckpointAnalysis = { ...big.analysis, path: file, epoch: e, eigenvalue: big.analysis.eigenvalue * (1 + 0.05 * e) };
    bigCheckpoints.push({ epoch: e, file, analysis: analysisView(a) });
  }
  const bigRun: RunSummary = {
    id: bigDir,
    name: 'mobilenet_v2-synthetic',
    sweep: path.dirname(bigDir),
    status: 'ready',
    epochs: bigEpochs,
    forecast: { accuracy: 0.873, low: 0.852, high: 0.894, epochsUsed: 3 },
    accuracy: bigEpochs.map((e) => ({ epoch: e, value: 0.6 + 0.07 * e })),
    finalAccuracy: null,
    errors: [],
    ...unknownRunFacts(),
    training: { status: 'running', reason: 'a checkpoint was written in the last minutes', lastEpoch: 4 },
    horizon: { epochs: 10, steps: null, source: 'config' },
    advice: { stop: false, reason: 'the only run of its sweep: nothing to compare it with', epochsSaved: null },
  };
  runs.push(bigRun);
  details.set(bigDir, { run: bigRun, checkpoints: bigCheckpoints });

  // 3. Hostile names and messages; a run still waiting for its first checkpoint.
  const hostileDir = path.join(sweep, HOSTILE_NAME);
  runs.push({
    id: hostileDir,
    name: HOSTILE_NAME,
    sweep,
    status: 'error',
    epochs: [],
    forecast: null,
    accuracy: null,
    finalAccuracy: null,
    errors: [{ path: path.join(hostileDir, '<b onmouseover=alert(2)>x</b>.pt'), message: 'not a zip file: <script>alert(3)</script>' }],
    ...unknownRunFacts(),
    hyperparameters: { values: { lr: 0.1, optimizer: HOSTILE_VALUE, [HOSTILE_KEY]: 1 }, sources: { lr: '<i>config</i>.json', optimizer: 'config.json', [HOSTILE_KEY]: 'config.json' } },
  });
  runs.push({ id: path.join(sweep, 'run0003'), name: 'run0003', sweep, status: 'waiting', epochs: [], forecast: null, accuracy: null, finalAccuracy: null, errors: [], ...unknownRunFacts() });
  return { runs, details, graphs, bigRunId: bigDir, bigEpochs };
}
