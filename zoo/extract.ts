/**
 * Computes the features dataset of a zoo with the project's own engine (no Python):
 *   npx tsx zoo/extract.ts zoo/runs/lenet-fashion | gzip -9n > zoo/features/lenet-fashion.jsonl.gz
 * One JSON line per finished run: id, architecture, dataset, hyperparameters, per-epoch graph
 * features and weight statistics (epochs 0-5), per-epoch validation accuracy, final test accuracy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeInThread } from '../src/engine/run/analyze-run';
import { RunPlan, runPlanInThread } from '../src/engine/run/run-plan';
import { FORECAST_EPOCHS } from '../src/engine/forecast/limits';
import { epochFeatures } from '../src/engine/features/definitions';
import { weightStatistics } from '../src/engine/features/weight-stats';
import { openCheckpoint } from '../src/engine/readers/index';
import { readRunLogs, accuracyCurve } from '../src/engine/logs/index';

export interface ZooRecord {
  id: string;
  arch: string;
  dataset: string;
  config: Record<string, unknown>;
  /** Kinds of the graph's layers after the input: the architecture signature. */
  layers: string[];
  /** Epochs trained in all (the final accuracy is measured after the last). */
  epochsTrained: number;
  /** First checkpoint whose graph could not be computed (NaN weights of a diverged run), if any. */
  diverged?: { epoch: number; error: string };
  epochs: { epoch: number; graph: Record<string, number>; weights: Record<string, number>; nodes: number; edges: number }[];
  valAcc: { epoch: number; value: number }[];
  finalAccuracy: number;
  cpuSeconds: number;
}

const round = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(7)) : x);
const roundAll = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));

export function extractRun(dir: string): ZooRecord {
  const id = path.basename(dir);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const final = JSON.parse(fs.readFileSync(path.join(dir, 'final.json'), 'utf8'));
  const files: string[] = [];
  for (let e = 0; e <= FORECAST_EPOCHS.max && fs.existsSync(path.join(dir, `epoch_${e}.pt`)); e++) files.push(path.join(dir, `epoch_${e}.pt`));
  // Diverged runs (NaN weights) have no graph from there on: the run keeps the epochs before.
  const plan = runPlanInThread(new RunPlan<ReturnType<typeof analyzeInThread> & { weights: Record<string, number> }>(files, { stopOnError: true, reuse: false }), (item, warm) => {
    const r = analyzeInThread(item.file, warm);
    const ck = openCheckpoint(item.file);
    try {
      return { ...r, weights: weightStatistics(ck) };
    } finally {
      ck.close();
    }
  });
  const done = plan.done();
  const layers = done.length ? done[done.length - 1].result.analysis.layers.filter((l) => l.kind !== 'input').map((l) => l.kind) : [];
  const epochs: ZooRecord['epochs'] = done.map(({ item, result: { analysis, weights } }) => ({ epoch: item.order, graph: roundAll(Object.fromEntries(epochFeatures(analysis))), weights: roundAll(weights), nodes: analysis.graph.nodes, edges: analysis.graph.edges }));
  const failure = plan.errors[0];
  const diverged: ZooRecord['diverged'] = failure ? { epoch: plan.items.find((i) => i.file === failure.path)!.order, error: `${path.basename(failure.path)}: ${failure.path}: ${failure.message}` } : undefined;
  const { logs } = readRunLogs(dir);
  const curve = accuracyCurve(logs);
  return {
    id,
    arch: config.arch,
    dataset: config.dataset,
    config,
    layers,
    epochsTrained: final.epochs,
    ...(diverged ? { diverged } : {}),
    epochs,
    valAcc: (curve?.points ?? []).map((p) => ({ epoch: p.epoch, value: round(p.value) })),
    finalAccuracy: final.test_acc,
    cpuSeconds: round(final.cpu_seconds),
  };
}

if (require.main === module) {
  const root = process.argv[2];
  if (!root) {
    console.error('usage: npx tsx zoo/extract.ts ZOO_DIR  (e.g. zoo/runs/lenet-fashion)');
    process.exit(1);
  }
  const runs = fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'final.json'))).sort();
  let failed = 0;
  for (const d of runs) {
    const rec = extractRun(path.join(root, d));
    if (rec.diverged) {
      failed++;
      console.error(`${d}: ${rec.diverged.error}`);
    }
    process.stdout.write(JSON.stringify(rec) + '\n');
  }
  console.error(`${runs.length} runs, ${failed} diverged before epoch 5 (kept with the epochs they have)`);
}
