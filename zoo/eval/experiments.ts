/**
 * The experiments of zoo/RESULTS.md, each a function from the committed zoo features to tables.
 */
import { RandomForestRegression } from 'ml-random-forest';
import { r2, kendallTau, mae, coverage } from '../../src/engine/forecast/metrics';
import { featureMatrix } from '../../src/engine/forecast/predictor';
import { columnMedians } from '../../src/engine/forecast/forest';
import { FOLDS, type Zoo, type ZooRun } from './data';
import { METHODS, eligible, forestOof, forestPredict, lastVal, type Oof } from './methods';

export interface Score {
  n: number;
  r2: number;
  tau: number;
  mae: number;
  cov?: number;
}

export function score(truth: number[], o: Oof): Score {
  return {
    n: truth.length,
    r2: r2(truth, o.pred),
    tau: kendallTau(truth, o.pred),
    mae: mae(truth, o.pred),
    ...(o.low ? { cov: coverage(truth, o.low, o.high!) } : {}),
  };
}

const finals = (runs: ZooRun[]) => runs.map((r) => r.rec.finalAccuracy);

// 1. Accuracy of the forecast ----------------------------------------------------------------

export interface AccuracyRow {
  k: number;
  n: number;
  scores: Record<string, Score>;
  /** Out-of-fold predictions of (b), reused by the early-stopping replay. */
  oofB: Map<string, number>;
}

export function accuracyExperiment(zoo: Zoo): AccuracyRow[] {
  const rows: AccuracyRow[] = [];
  for (let k = 1; k <= 5; k++) {
    const runs = eligible(zoo.runs, k);
    if (runs.length < 20) continue;
    const truth = finals(runs);
    const scores: Record<string, Score> = {};
    const oofB = new Map<string, number>();
    for (const m of METHODS) {
      const o = m.run(runs, k);
      scores[m.id] = score(truth, o);
      if (m.id === 'b') runs.forEach((r, i) => oofB.set(r.rec.id, o.pred[i]));
    }
    rows.push({ k, n: runs.length, scores, oofB });
  }
  return rows;
}

// 2. Transfer across widths and architectures ------------------------------------------------

export interface TransferRow {
  label: string;
  train: number;
  test: number;
  scores: Record<string, Score>;
}

export function widthTransfer(zoo: Zoo, k = 3): TransferRow[] {
  const runs = eligible(zoo.runs, k);
  const width = (r: ZooRun) => Number(r.rec.config.width);
  const out: TransferRow[] = [];
  for (const [label, trainW, testW] of [
    ['×0.5, ×1 → ×2', [0.5, 1], [2]],
    ['×0.5 → ×1, ×2', [0.5], [1, 2]],
  ] as const) {
    const train = runs.filter((r) => (trainW as readonly number[]).includes(width(r)));
    const test = runs.filter((r) => (testW as readonly number[]).includes(width(r)));
    if (train.length < 15 || test.length < 10) continue;
    const truth = finals(test);
    out.push({
      label,
      train: train.length,
      test: test.length,
      scores: {
        a: score(truth, forestPredict(train, test, k, ['graph'])),
        b: score(truth, forestPredict(train, test, k, ['graph', 'val'])),
        c: score(truth, forestPredict(train, test, k, ['weights'])),
        d: score(truth, { pred: test.map((r) => lastVal(r, k)) }),
      },
    });
  }
  return out;
}

export function architectureTransfer(zoos: Zoo[], k = 3): TransferRow[] {
  const out: TransferRow[] = [];
  const datasets = [...new Set(zoos.map((z) => z.name.split('-')[1]))];
  for (const ds of datasets) {
    const same = zoos.filter((z) => z.name.endsWith(`-${ds}`));
    for (const target of same) {
      const train = same.filter((z) => z !== target).flatMap((z) => eligible(z.runs, k));
      const test = eligible(target.runs, k);
      if (train.length < 15 || test.length < 10) continue;
      const truth = finals(test);
      out.push({
        label: `${same.filter((z) => z !== target).map((z) => z.name.split('-')[0]).join(', ')} → ${target.name.split('-')[0]} (${ds})`,
        train: train.length,
        test: test.length,
        scores: {
          g: score(truth, forestPredict(train, test, k, ['global'])),
          gv: score(truth, forestPredict(train, test, k, ['global', 'val'])),
          d: score(truth, { pred: test.map((r) => lastVal(r, k)) }),
        },
      });
    }
  }
  return out;
}

// 3. Early stopping in a sweep -----------------------------------------------------------------

export interface StopResult {
  rule: string;
  stopped: number;
  saved: number;
  bestSurvived: boolean;
  bestKept: number;
}

/**
 * Replays the sweep in run order. Compute is each run's measured CPU time, spread evenly over its
 * epochs; a run stopped after epoch e costs e/T of it.
 */
export function earlyStopping(zoo: Zoo, oofB: Map<string, number> | undefined, k: number, share = 0.5): StopResult[] {
  const runs = eligible(zoo.runs, k)
    .filter((r) => r.obs.valAcc.some((p) => p.epoch === 1))
    .sort((a, b) => Number(a.rec.config.index) - Number(b.rec.config.index));
  const T = (r: ZooRun) => r.rec.epochsTrained ?? 15;
  const cost = (r: ZooRun) => r.rec.cpuSeconds;
  const total = runs.reduce((s, r) => s + cost(r), 0);
  const best = runs.reduce((b, r) => (r.rec.finalAccuracy > b.rec.finalAccuracy ? r : b));
  const val = (r: ZooRun, e: number) => r.obs.valAcc.find((p) => p.epoch === e)?.value ?? 0;
  const bestSoFar = (r: ZooRun, e: number) => Math.max(...r.obs.valAcc.filter((p) => p.epoch >= 1 && p.epoch <= e).map((p) => p.value));
  const result = (rule: string, stoppedAt: Map<ZooRun, number>): StopResult => {
    let spent = 0;
    for (const r of runs) spent += (cost(r) * (stoppedAt.get(r) ?? T(r))) / T(r);
    const kept = runs.filter((r) => !stoppedAt.has(r));
    return { rule, stopped: stoppedAt.size, saved: 1 - spent / total, bestSurvived: !stoppedAt.has(best), bestKept: Math.max(...kept.map((r) => r.rec.finalAccuracy)) };
  };
  const quantile = (xs: number[], q: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))];
  };
  const out: StopResult[] = [];
  const startup = 5;
  if (oofB) {
    // Ours: after epoch k, stop a run whose forecast ranks in the bottom `share` of the runs seen so far.
    const stopped = new Map<ZooRun, number>();
    const seen: number[] = [];
    for (const r of runs) {
      const f = oofB.get(r.rec.id)!;
      if (seen.length >= startup && f < quantile(seen, share)) stopped.set(r, k);
      seen.push(f);
    }
    out.push(result(`forecast (b), bottom ${share * 100}% after epoch ${k}`, stopped));
  }
  {
    // Optuna's MedianPruner at step k: prune when the best value so far is below the median of the
    // earlier trials' values at that step (n_startup_trials = 5).
    const stopped = new Map<ZooRun, number>();
    const seen: number[] = [];
    for (const r of runs) {
      if (seen.length >= startup && bestSoFar(r, k) < quantile(seen, 0.5)) stopped.set(r, k);
      seen.push(val(r, k));
    }
    out.push(result(`MedianPruner at epoch ${k}`, stopped));
  }
  {
    // Successive halving, η = 3, rungs after epochs 1 and 3: the top third by validation accuracy
    // goes on at each rung (Jamieson & Talwalkar 2016; one bracket of Hyperband).
    const stopped = new Map<ZooRun, number>();
    let alive = runs;
    for (const rung of [1, 3]) {
      const ranked = [...alive].sort((a, b) => val(b, rung) - val(a, rung));
      const keep = Math.max(1, Math.ceil(ranked.length / 3));
      for (const r of ranked.slice(keep)) stopped.set(r, rung);
      alive = ranked.slice(0, keep);
    }
    out.push(result('successive halving η=3, rungs 1, 3', stopped));
  }
  return out;
}

// 5. Which features matter --------------------------------------------------------------------

export const ABLATIONS: { label: string; groups: ('graph' | 'global')[]; filter?: (n: string) => boolean }[] = [
  { label: 'all per-layer graph features (a)', groups: ['graph'] },
  { label: 'weighted degree only', groups: ['graph'], filter: (n) => n.includes(':deg.') },
  { label: 'eigenvector centrality only', groups: ['graph'], filter: (n) => n.includes(':evc.') || n.includes(':eig.') },
  { label: 'global statistics only (mean/first/last layer)', groups: ['global'] },
  { label: 'no temporal change (value at epoch k only)', groups: ['graph'], filter: (n) => n.startsWith('g.k:') },
  { label: 'temporal changes only (d0, d1)', groups: ['graph'], filter: (n) => n.startsWith('g.d0:') || n.startsWith('g.d1:') },
];

export function ablation(zoo: Zoo, k = 3): { label: string; score: Score; features: number }[] {
  const runs = eligible(zoo.runs, k);
  const truth = finals(runs);
  return ABLATIONS.map((a) => {
    const names = featureMatrix(runs.slice(0, 1).map((r) => r.obs), k, a.groups).names.filter((n) => !a.filter || a.filter(n));
    return { label: a.label, score: score(truth, forestOof(runs, k, a.groups, a.filter)), features: names.length };
  });
}

// Model choice: our forest against ml-random-forest (mljs) on the same folds -----------------

export function libraryCheck(zoo: Zoo, k = 3): { ours: Score; oursMs: number; mljs: Score; mljsMs: number } {
  const runs = eligible(zoo.runs, k);
  const truth = finals(runs);
  let t0 = performance.now();
  const ours = score(truth, forestOof(runs, k, ['graph', 'val']));
  const oursMs = performance.now() - t0;
  t0 = performance.now();
  const pred = new Array<number>(runs.length);
  for (let f = 0; f < FOLDS; f++) {
    const train = runs.filter((r) => r.fold !== f);
    const testIdx = runs.map((r, i) => (r.fold === f ? i : -1)).filter((i) => i >= 0);
    const tr = featureMatrix(train.map((r) => r.obs), k, ['graph', 'val']);
    const med = columnMedians(tr.rows);
    const fix = (rows: number[][]) => rows.map((r) => r.map((v, j) => (Number.isFinite(v) ? v : med[j])));
    const rf = new RandomForestRegression({ nEstimators: 100, maxFeatures: 1 / 3, seed: 7, noOOB: true });
    rf.train(fix(tr.rows), train.map((r) => r.rec.finalAccuracy));
    const te = featureMatrix(testIdx.map((i) => runs[i].obs), k, ['graph', 'val'], tr.names);
    const p = rf.predict(fix(te.rows));
    testIdx.forEach((i, j) => (pred[i] = Math.min(1, Math.max(0, p[j]))));
  }
  const mljsMs = performance.now() - t0;
  return { ours, oursMs, mljs: score(truth, { pred }), mljsMs };
}
