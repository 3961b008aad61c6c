/**
 * THE feature definitions: every number the forecaster sees is defined here, and only here.
 *
 * Per checkpoint (epoch e), for each layer L of the rolled graph except the input:
 *   deg.<L>.<stat>   weighted degree (in + out) of L's nodes, divided by the mean number of
 *                    neighbours of L's nodes, i.e. the mean edge weight around a node, so that a
 *                    layer twice as wide does not get twice the degree;
 *   evc.<L>.<stat>   eigenvector centrality × sqrt(N) (N = all nodes): 1 on average whatever the width;
 *   stat ∈ mean, std, q25, median, q75, max.
 * Plus global: `eig.log` = log of the top eigenvalue (the graph's spectral radius).
 *
 * Per run, over the first k epochs e₁ < … < e_k after the initial checkpoint (epoch 0, when
 * present): `e<j>:<name>` the value at the j-th epoch, and `d<j>:<name>` its change since the
 * previous one (from epoch 0 for j = 1, when present). The vector's size depends on the number of
 * layers, never on their width. Layer names are replaced by their position (`l0`, `l1`, …) so runs
 * of the same architecture at different widths share feature names.
 */
import type { CheckpointAnalysis, LayerSummary } from '../analyze-checkpoint';
import type { Stats } from '../metrics/stats';

export const FEATURE_STATS: (keyof Stats)[] = ['mean', 'std', 'q25', 'median', 'q75', 'max'];

function neighbours(_layer: LayerSummary, layers: LayerSummary[], i: number): number {
  // Dense-style fan: previous layer's width plus next layer's width (an approximation for convs and skips).
  const prev = i > 0 ? layers[i - 1].nodes : 0;
  const next = i + 1 < layers.length ? layers[i + 1].nodes : 0;
  return Math.max(1, prev + next);
}

/**
 * Layers whose statistics become features, at most: a predictor only reads the layers of the
 * architectures it was trained on (the deepest torchvision classifiers have a few hundred), and a
 * chain of 20k layers would otherwise make 240k named features per epoch, most of its memory.
 */
export const MAX_FEATURE_LAYERS = 1024;

/** The per-epoch feature map of one checkpoint. */
export function epochFeatures(a: CheckpointAnalysis): Map<string, number> {
  const f = new Map<string, number>();
  const N = a.graph.nodes;
  const sqrtN = Math.sqrt(N);
  a.layers.forEach((layer, i) => {
    if (layer.kind === 'input' || i >= MAX_FEATURE_LAYERS) return;
    const fan = neighbours(layer, a.layers, i);
    for (const s of FEATURE_STATS) {
      f.set(`deg.l${i}.${s}`, layer.weightedDegree[s] / fan);
      f.set(`evc.l${i}.${s}`, layer.eigenvectorCentrality[s] * sqrtN);
    }
  });
  f.set('eig.log', Math.log(Math.max(a.eigenvalue, 1e-30)));
  return f;
}

export interface RunFeatureVector {
  names: string[];
  values: number[];
  epochsUsed: number[];
}

/**
 * Temporal features of a run from its ordered checkpoints (epoch 0 = initialisation, if present).
 * Uses the first `k` epochs after initialisation; fewer when the run has fewer.
 */
export function runFeatures(ordered: { epoch: number; analysis: CheckpointAnalysis }[], k: number): RunFeatureVector {
  const init = ordered.find((c) => c.epoch === 0);
  const trained = ordered.filter((c) => c.epoch > 0).slice(0, k);
  const names: string[] = [];
  const values: number[] = [];
  let prev = init ? epochFeatures(init.analysis) : undefined;
  trained.forEach((c, j) => {
    const cur = epochFeatures(c.analysis);
    for (const [name, v] of cur) {
      names.push(`e${j + 1}:${name}`);
      values.push(v);
      if (prev) {
        names.push(`d${j + 1}:${name}`);
        values.push(v - (prev.get(name) ?? NaN));
      }
    }
    prev = cur;
  });
  return { names, values, epochsUsed: trained.map((c) => c.epoch) };
}

// ---------------------------------------------------------------------------------------------
// The forecaster's inputs. A run is seen through its first k epochs (k ≤ 5) as a RunObservation:
// the per-epoch maps above (`graph`), optionally the weight statistics of weight-stats.ts
// (`weights`, the Unterthiner baseline) and the logged validation accuracy.

export interface EpochObservation {
  epoch: number;
  graph: Record<string, number>;
  weights?: Record<string, number>;
}

export interface RunObservation {
  /** Kinds of the graph's layers after the input, in order: the architecture's signature. */
  layers: string[];
  epochs: EpochObservation[];
  valAcc: { epoch: number; value: number }[];
}

export type FeatureGroup = 'graph' | 'global' | 'val' | 'weights';

/** The architecture signature: predictors are trained per signature (layer kinds in order). */
export function signatureOf(layers: string[]): string {
  return layers.join(',');
}

/** True when the run has every epoch 1..k (and thus a value "at epoch k"). */
export function hasEpochs(obs: RunObservation, k: number): boolean {
  for (let e = 1; e <= k; e++) if (!obs.epochs.some((x) => x.epoch === e)) return false;
  return true;
}

/**
 * Temporal summary of one per-epoch map over epochs ≤ k, whose size does not depend on k:
 *   `k:<f>`  the value at epoch k;
 *   `d0:<f>` its change since initialisation (epoch 0), when the run kept it;
 *   `d1:<f>` its change over the last epoch (k-1 → k), for k ≥ 2;
 *   `m:<f>`  its mean over epochs 1..k.
 * (Log-ratios of the same changes were tried and gave nothing on the zoos: trees do not need them.)
 */
function temporal(maps: Map<number, Record<string, number>>, k: number, out: Map<string, number>, prefix = ''): void {
  const last = maps.get(k);
  if (!last) return;
  const init = maps.get(0);
  const prev = k >= 2 ? maps.get(k - 1) : undefined;
  for (const [f, v] of Object.entries(last)) {
    out.set(`${prefix}k:${f}`, v);
    if (init && f in init) out.set(`${prefix}d0:${f}`, v - init[f]);
    if (prev && f in prev) out.set(`${prefix}d1:${f}`, v - prev[f]);
    let s = 0;
    let n = 0;
    for (let e = 1; e <= k; e++) {
      const m = maps.get(e);
      if (m && f in m) { s += m[f]; n++; }
    }
    out.set(`${prefix}m:${f}`, s / n);
  }
}

/**
 * Architecture-independent view of an epoch map: each per-layer feature averaged over layers, and
 * taken at the first and the last layer (the classifier), so nets of different depth share names.
 */
export function globalEpochFeatures(graph: Record<string, number>): Record<string, number> {
  const byStat = new Map<string, { sum: number; n: number; first: [number, number]; last: [number, number] }>();
  for (const [name, v] of Object.entries(graph)) {
    const m = /^(deg|evc)\.l(\d+)\.(\w+)$/.exec(name);
    if (!m) continue;
    const key = `${m[1]}.${m[3]}`;
    const layer = Number(m[2]);
    const e = byStat.get(key) ?? { sum: 0, n: 0, first: [Infinity, NaN], last: [-Infinity, NaN] };
    e.sum += v;
    e.n++;
    if (layer < e.first[0]) e.first = [layer, v];
    if (layer > e.last[0]) e.last = [layer, v];
    byStat.set(key, e);
  }
  const out: Record<string, number> = {};
  for (const [key, e] of byStat) {
    out[`all.${key}`] = e.sum / e.n;
    out[`first.${key}`] = e.first[1];
    out[`last.${key}`] = e.last[1];
  }
  if ('eig.log' in graph) out['eig.log'] = graph['eig.log'];
  return out;
}

/** Validation-accuracy summary over epochs 1..k: last value, best value, last change. */
function valFeatures(obs: RunObservation, k: number, out: Map<string, number>): void {
  const pts = obs.valAcc.filter((p) => p.epoch >= 1 && p.epoch <= k).sort((a, b) => a.epoch - b.epoch);
  if (!pts.length || pts[pts.length - 1].epoch !== k) return;
  out.set('val:k', pts[pts.length - 1].value);
  out.set('val:max', Math.max(...pts.map((p) => p.value)));
  out.set('val:d1', pts.length >= 2 ? pts[pts.length - 1].value - pts[pts.length - 2].value : 0);
}

/** True when the run logged a validation accuracy for epoch k. */
export function hasValAcc(obs: RunObservation, k: number): boolean {
  return obs.valAcc.some((p) => p.epoch === k && Number.isFinite(p.value));
}

/** The forecaster's feature map of a run from its first k epochs, for the chosen feature groups. */
export function forecastFeatures(obs: RunObservation, k: number, groups: FeatureGroup[]): Map<string, number> {
  const out = new Map<string, number>();
  const pick = (f: (e: EpochObservation) => Record<string, number> | undefined) => {
    const maps = new Map<number, Record<string, number>>();
    for (const e of obs.epochs) {
      const m = f(e);
      if (m && e.epoch <= k) maps.set(e.epoch, m);
    }
    return maps;
  };
  if (groups.includes('graph')) temporal(pick((e) => e.graph), k, out, 'g.');
  if (groups.includes('global')) temporal(pick((e) => globalEpochFeatures(e.graph)), k, out, 'a.');
  if (groups.includes('weights')) {
    // As in Unterthiner et al.: the statistics of one checkpoint (the latest seen), no dynamics.
    const w = obs.epochs.find((e) => e.epoch === k)?.weights;
    if (w) for (const [f, v] of Object.entries(w)) out.set(`w.${f}`, v);
  }
  if (groups.includes('val')) valFeatures(obs, k, out);
  return out;
}
