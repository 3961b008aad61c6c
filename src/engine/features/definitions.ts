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

function neighbours(layer: LayerSummary, layers: LayerSummary[], i: number): number {
  // Dense-style fan: previous layer's width plus next layer's width (an approximation for convs and skips).
  const prev = i > 0 ? layers[i - 1].nodes : 0;
  const next = i + 1 < layers.length ? layers[i + 1].nodes : 0;
  return Math.max(1, prev + next);
}

/** The per-epoch feature map of one checkpoint. */
export function epochFeatures(a: CheckpointAnalysis): Map<string, number> {
  const f = new Map<string, number>();
  const N = a.graph.nodes;
  const sqrtN = Math.sqrt(N);
  a.layers.forEach((layer, i) => {
    if (layer.kind === 'input') return;
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
