/**
 * Summary statistics over a layer's nodes. Quantiles interpolate linearly between order
 * statistics (numpy's default, "type 7" of Hyndman & Fan 1996); std is the population std.
 */
export interface Stats {
  mean: number;
  std: number;
  min: number;
  q25: number;
  median: number;
  q75: number;
  max: number;
}

export const STAT_NAMES: (keyof Stats)[] = ['mean', 'std', 'min', 'q25', 'median', 'q75', 'max'];

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(values: ArrayLike<number>, start = 0, end = values.length): Stats {
  const n = end - start;
  if (n <= 0) return { mean: NaN, std: NaN, min: NaN, q25: NaN, median: NaN, q75: NaN, max: NaN };
  const s = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    s[i] = values[start + i];
    sum += s[i];
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (s[i] - mean) ** 2;
  s.sort();
  return { mean, std: Math.sqrt(ss / n), min: s[0], q25: quantile(s, 0.25), median: quantile(s, 0.5), q75: quantile(s, 0.75), max: s[n - 1] };
}
