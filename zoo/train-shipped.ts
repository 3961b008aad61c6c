/**
 * Trains the forecaster that ships with the extension on the whole zoo (zoo/features/*.jsonl.gz):
 *   npx tsx zoo/train-shipped.ts            (= npm run train:shipped; writes models/forecaster.json.gz)
 * One predictor per architecture signature × k = 1..5 × {graph, graph + validation accuracy},
 * trained on every dataset of that architecture, plus architecture-independent ('*') predictors
 * on the global features of all zoos for networks of other shapes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasEpochs, hasValAcc, signatureOf, type FeatureGroup } from '../src/engine/features/definitions';
import { fitPredictor, type Predictor } from '../src/engine/forecast/predictor';
import { writeBundle, BUNDLE_FORMAT, BUNDLE_VERSION } from '../src/engine/forecast/bundle';
import { loadZoo, zooNames, type ZooRun } from './eval/data';

/** Fewer, shallower-leaved trees than in the evaluation keep the shipped file small; zoo/RESULTS.md measures both. */
export const SHIPPED_FOREST = { trees: 60, minLeaf: 3 };

const out = path.join(__dirname, '..', 'models', 'forecaster.json.gz');
const zoos = zooNames().map(loadZoo);
const all = zoos.flatMap((z) => z.runs);
const bySig = new Map<string, ZooRun[]>();
for (const r of all) {
  if (!r.rec.layers?.length) throw new Error(`${r.rec.arch}-${r.rec.dataset}/${r.rec.id}: no layer kinds (re-extract the zoo with zoo/extract.ts)`);
  const s = signatureOf(r.rec.layers);
  bySig.set(s, [...(bySig.get(s) ?? []), r]);
}
const predictors: Predictor[] = [];
const fit = (runs: ZooRun[], signature: string, groups: FeatureGroup[], label: string) => {
  for (let k = 1; k <= 5; k++) {
    const use = runs.filter((r) => hasEpochs(r.obs, k) && (!groups.includes('val') || hasValAcc(r.obs, k)));
    predictors.push(fitPredictor(use.map((r) => r.obs), use.map((r) => r.rec.finalAccuracy), { signature, k, groups }, label, SHIPPED_FOREST));
  }
};
for (const [sig, runs] of bySig) {
  const names = [...new Set(runs.map((r) => `${r.rec.arch}-${r.rec.dataset}`))].join(', ');
  fit(runs, sig, ['graph'], names);
  fit(runs, sig, ['graph', 'val'], names);
  process.stderr.write(`${names}: ${runs.length} runs\n`);
}
fit(all, '*', ['global'], 'all zoos');
fit(all, '*', ['global', 'val'], 'all zoos');
fs.mkdirSync(path.dirname(out), { recursive: true });
const trained = all.map((r) => r.rec.epochsTrained);
const horizon = { min: Math.min(...trained), max: Math.max(...trained) };
writeBundle(out, { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, source: `model zoo (${zoos.length} zoos, ${all.length} runs)`, created: 'zoo/features', horizon, predictors });
process.stderr.write(`${predictors.length} predictors → ${out} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)\n`);
