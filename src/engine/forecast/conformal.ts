/**
 * Calibrated intervals by normalized split-conformal prediction on out-of-bag predictions: each
 * training run's OOB error is scaled by the forest's spread there, s_i = |y_i − ŷ_i| / (σ_i + β);
 * the interval of a new run is ŷ ± q·(σ + β), with q the ⌈(n+1)·level⌉-th smallest s_i. Runs the
 * trees agree on (e.g. a run stuck at chance) get narrow intervals, uncertain ones wide intervals,
 * and about `level` of held-out runs fall inside (measured in zoo/RESULTS.md).
 * β, a floor on the spread, is the median OOB spread: it keeps a zero spread from giving a zero width.
 * References: Lei, G'Sell, Rinaldo, Tibshirani, Wasserman, "Distribution-free predictive inference
 * for regression", JASA 2018 (§5.2, locally weighted conformal); Johansson et al., "Regression
 * conformal prediction with random forests", Machine Learning 2014 (OOB calibration).
 */
export interface Conformal {
  level: number;
  q: number;
  floor: number;
}

export function calibrate(truth: number[], oob: { predicted: number; spread: number }[], level = 0.8): Conformal {
  const ok = truth.map((y, i) => ({ y, ...oob[i] })).filter((r) => Number.isFinite(r.predicted));
  if (ok.length < 5) throw new Error(`cannot calibrate an interval on ${ok.length} out-of-bag predictions`);
  const spreads = ok.map((r) => r.spread).sort((a, b) => a - b);
  const floor = Math.max(1e-3, spreads[spreads.length >> 1]);
  const scores = ok.map((r) => Math.abs(r.y - r.predicted) / (r.spread + floor)).sort((a, b) => a - b);
  const idx = Math.min(scores.length - 1, Math.ceil((scores.length + 1) * level) - 1);
  return { level, q: scores[idx], floor };
}

export function interval(c: Conformal, predicted: number, spread: number): { low: number; high: number } {
  const half = c.q * (spread + c.floor);
  return { low: Math.max(0, predicted - half), high: Math.min(1, predicted + half) };
}
