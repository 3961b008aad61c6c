/**
 * Scores of a forecast against the truth: R², Kendall's τ-b (ties handled, O(n²), fine for zoo
 * sizes), mean absolute error and interval coverage.
 * References: Kendall, "The treatment of ties in ranking problems", Biometrika 1945.
 */
export function r2(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < truth.length; i++) mean += truth[i];
  mean /= truth.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < truth.length; i++) {
    ssRes += (truth[i] - pred[i]) ** 2;
    ssTot += (truth[i] - mean) ** 2;
  }
  return ssTot > 0 ? 1 - ssRes / ssTot : NaN;
}

export function kendallTau(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i] - a[j]);
      const db = Math.sign(b[i] - b[j]);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom > 0 ? (concordant - discordant) / denom : NaN;
}

export function mae(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += Math.abs(truth[i] - pred[i]);
  return s / truth.length;
}

export function coverage(truth: ArrayLike<number>, low: ArrayLike<number>, high: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] >= low[i] && truth[i] <= high[i]) n++;
  return n / truth.length;
}
