/**
 * The weight-statistics baseline of Unterthiner et al., "Predicting Neural Network Accuracy from
 * Weights" (2020): for every weight and bias tensor, in model order, its mean, std and the
 * 0/25/50/75/100 percentiles. Unlike the graph features, the vector grows with the number of
 * tensors but not with their size; it is used to compare against, not by the shipped forecaster.
 */
import type { Checkpoint } from '../checkpoint';
import { isFloat } from '../tensor';
import { summarize } from '../metrics/stats';

export function weightStatistics(ckpt: Checkpoint): Record<string, number> {
  const out: Record<string, number> = {};
  let i = 0;
  for (const t of ckpt.tensors) {
    const param = t.name.slice(t.name.lastIndexOf('.') + 1);
    if (!isFloat(t.dtype) || (param !== 'weight' && param !== 'bias')) continue;
    const s = summarize(t.read());
    const key = `w${i++}`;
    out[`${key}.mean`] = s.mean;
    out[`${key}.std`] = s.std;
    out[`${key}.q0`] = s.min;
    out[`${key}.q25`] = s.q25;
    out[`${key}.q50`] = s.median;
    out[`${key}.q75`] = s.q75;
    out[`${key}.q100`] = s.max;
  }
  return out;
}
