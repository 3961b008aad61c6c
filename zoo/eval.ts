/**
 * `npm run eval`: every experiment of zoo/RESULTS.md, from the committed features
 * (zoo/features/*.jsonl.gz) and the zoo's sample checkpoints (test/fixtures/zoo), in one run.
 *   npx tsx zoo/eval.ts [--out zoo/RESULTS.md] [--zoos lenet-fashion,mlp-digits]
 * Everything is deterministic (seeded forests, folds by a hash of the hyperparameters) except the
 * timings of the rolled/unrolled and model-check tables.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { loadZoo, zooNames, type Zoo } from './eval/data';
import { accuracyExperiment, widthTransfer, architectureTransfer, earlyStopping, ablation, libraryCheck, type Score, type AccuracyRow } from './eval/experiments';
import { rolledVsUnrolled } from './eval/rolled';
import { METHODS } from './eval/methods';

const args = process.argv.slice(2);
const outFile = args.includes('--out') ? args[args.indexOf('--out') + 1] : path.join(__dirname, 'RESULTS.md');
const only = args.includes('--zoos') ? args[args.indexOf('--zoos') + 1].split(',') : null;

const f2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));
const f3 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(3));
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const cell = (s: Score) => `${f2(s.r2)} / ${f2(s.tau)} / ${f3(s.mae)}${s.cov !== undefined ? ` (${pct(s.cov)})` : ''}`;
const md: string[] = [];
const log = (s: string) => process.stderr.write(s + '\n');

function table(head: string[], rows: string[][]): void {
  md.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), '');
}

const t0 = performance.now();
const zoos: Zoo[] = zooNames().filter((z) => !only || only.includes(z)).map(loadZoo);

md.push('# Model zoo: forecasting final accuracy from the first epochs', '');
md.push('Made by `npm run eval` (= `npx tsx zoo/eval.ts`) from the committed features in `zoo/features/` and the sample checkpoints in `test/fixtures/zoo/`. ' +
  'All numbers except timings are deterministic. Held-out = 5 folds grouped by hyperparameter configuration (seed excluded), the same folds for every method.', '');

md.push('## The zoo', '');
table(['zoo', 'runs', 'final acc min / median / max', 'runs < 50%', 'diverged before ep 5', 'epochs trained', 'CPU time to train'], zoos.map((z) => {
  const a = z.runs.map((r) => r.rec.finalAccuracy).sort((x, y) => x - y);
  const cpu = z.runs.reduce((s, r) => s + r.rec.cpuSeconds, 0);
  const epochs = [...new Set(z.runs.map((r) => r.rec.epochsTrained))].join(', ');
  return [z.name, String(z.runs.length), `${f2(a[0])} / ${f2(a[a.length >> 1])} / ${f2(a[a.length - 1])}`, String(a.filter((x) => x < 0.5).length), String(z.runs.filter((r) => r.rec.diverged).length), epochs, `${(cpu / 60).toFixed(1)} min`];
}));

// 1 ---------------------------------------------------------------------------------------------
md.push('## 1. Accuracy of the forecast', '');
md.push('Each cell: R² / Kendall τ / MAE on held-out runs, and for the forests the share of held-out runs inside the 80% interval in brackets. ' +
  '(a) rolled-graph features; (b) (a) plus the validation accuracy of the same epochs; (c) weight statistics per tensor (Unterthiner et al. 2020) of the epoch-k checkpoint; ' +
  '(d) the validation accuracy at epoch k taken as the forecast; (e) a power-law fit a − b·t^(−c) of epochs 1..k, read at the final epoch. Runs: those with a graph for epochs 1..k and a logged validation accuracy at k.', '');
const accuracy = new Map<string, AccuracyRow[]>();
for (const z of zoos) {
  log(`accuracy: ${z.name}`);
  const rows = accuracyExperiment(z);
  accuracy.set(z.name, rows);
  md.push(`### ${z.name}`, '');
  table(['k', 'runs', ...METHODS.map((m) => m.label)], rows.map((r) => [String(r.k), String(r.n), ...METHODS.map((m) => cell(r.scores[m.id]))]));
}
md.push('### Summary at k = 3 (goal: R² ≥ 0.90 and τ ≥ 0.80, ahead of (c), (d), (e))', '');
table(['zoo', ...METHODS.map((m) => m.label), 'best R²', 'best τ'], zoos.map((z) => {
  const r = accuracy.get(z.name)!.find((x) => x.k === 3);
  if (!r) return [z.name, ...METHODS.map(() => '–'), '–', '–'];
  const best = (key: 'r2' | 'tau') => METHODS.reduce((b, m) => (r.scores[m.id][key] > r.scores[b.id][key] ? m : b)).label;
  return [z.name, ...METHODS.map((m) => cell(r.scores[m.id])), best('r2'), best('tau')];
}));

// 2 ---------------------------------------------------------------------------------------------
md.push('## 2. Transfer across widths and architectures (k = 3)', '');
md.push('Widths: train on the narrow nets of a zoo, test on the wider ones (the features are width-independent by construction). Cells as above.', '');
const wrows: string[][] = [];
for (const z of zoos) {
  log(`width transfer: ${z.name}`);
  for (const t of widthTransfer(z)) wrows.push([z.name, t.label, `${t.train} → ${t.test}`, cell(t.scores.a), cell(t.scores.b), cell(t.scores.c), cell(t.scores.d)]);
}
table(['zoo', 'widths', 'runs', '(a) graph', '(b) graph + val', '(c) weight stats', '(d) last val'], wrows);
md.push('Architectures: train on the other architectures of the same dataset, test on the held-out one, with the architecture-independent features (per-layer statistics averaged over layers, and taken at the first and last layer; `global` in features/definitions.ts). (c) cannot transfer: its vector has one block per tensor.', '');
log('architecture transfer');
table(['train → test', 'runs', 'global graph', 'global graph + val', '(d) last val'], architectureTransfer(zoos).map((t) => [t.label, `${t.train} → ${t.test}`, cell(t.scores.g), cell(t.scores.gv), cell(t.scores.d)]));

// 3 ---------------------------------------------------------------------------------------------
md.push('## 3. Early stopping in a sweep', '');
md.push('Each zoo replayed in run order. Compute = each run\'s measured CPU time, spread evenly over its epochs. "Best survived": the run with the best final accuracy was not stopped; "best kept": the best final accuracy among the runs not stopped. ' +
  'Ours uses the out-of-fold forecasts (b), so no run is forecast by a model that saw it. MedianPruner and successive halving use the logged validation accuracy.', '');
const srows: string[][] = [];
for (const z of zoos) {
  for (const k of [1, 3]) {
    const acc = accuracy.get(z.name)!.find((r) => r.k === k);
    for (const s of earlyStopping(z, acc?.oofB, k)) {
      if (k === 3 && s.rule.startsWith('successive')) continue;
      srows.push([z.name, s.rule, `${s.stopped}`, pct(s.saved), s.bestSurvived ? 'yes' : 'no', f2(s.bestKept)]);
    }
  }
}
table(['zoo', 'rule', 'runs stopped', 'compute saved', 'best survived', 'best kept'], srows);

// 4 ---------------------------------------------------------------------------------------------
md.push('## 4. Rolled vs unrolled graph', '');
md.push(`Epoch-3 checkpoint of one sample run per zoo. Times: median of 5 on this machine (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}), so they vary between runs of this script; the unrolled graph is counted, and its property time estimated as the rolled time × the edge ratio.`, '');
table(['sample', 'input', 'rolled nodes', 'rolled edges', 'unrolled nodes', 'unrolled edges', 'edge ratio', 'read + build ms', 'properties ms', 'unrolled properties ms (est.)'],
  rolledVsUnrolled().map((r) => [r.zoo, `${r.inputSize}×${r.inputSize}`, r.nodes.toLocaleString('en'), r.edges.toLocaleString('en'), r.unrolledNodes.toLocaleString('en'), r.unrolledEdges.toLocaleString('en'), `${(r.unrolledEdges / r.edges).toFixed(0)}×`, r.msRead.toFixed(1), r.msProps.toFixed(1), r.msUnrolledEst.toFixed(0)]));

// 5 ---------------------------------------------------------------------------------------------
md.push('## 5. Which features matter (k = 3, per-layer graph features without validation accuracy)', '');
const ab = zoos.map((z) => {
  log(`ablation: ${z.name}`);
  return ablation(z);
});
table(['features', ...zoos.map((z) => z.name)], ab[0].map((row, i) => [`${row.label}`, ...ab.map((a) => `${f2(a[i].score.r2)} / ${f2(a[i].score.tau)} (${a[i].features})`)]));
md.push('Cells: R² / τ (number of features for one run).', '');

// Model check -----------------------------------------------------------------------------------
md.push('## Model check: our forest against ml-random-forest', '');
md.push('The same features (b) at k = 3, the same folds, 100 trees each, a third of the features per split (ours) or per tree (mljs bags features per tree).', '');
table(['zoo', 'ours R² / τ / MAE', 'ours time', 'ml-random-forest R² / τ / MAE', 'mljs time'], zoos.map((z) => {
  log(`model check: ${z.name}`);
  const c = libraryCheck(z);
  return [z.name, cell({ ...c.ours, cov: undefined }), `${(c.oursMs / 1000).toFixed(1)} s`, cell(c.mljs), `${(c.mljsMs / 1000).toFixed(1)} s`];
}));

md.push(`Total time of this evaluation: ${((performance.now() - t0) / 60000).toFixed(1)} min.`, '');
fs.writeFileSync(outFile, md.join('\n'));
log(`wrote ${outFile}`);
