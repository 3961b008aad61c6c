/**
 * Learning-curve extrapolation baseline: fit acc(t) = a − b·t^(−c) (b ≥ 0, 0.05 ≤ c ≤ 3) to the
 * validation accuracy of epochs 1..k and read it at the final epoch T. For each c on a grid the
 * best a, b are a linear least-squares fit; the c with the smallest squared error wins.
 * With one point the curve is flat (the last value); with two, c is fixed at 0.5 (a common prior
 * for power-law learning curves), since three parameters cannot be fitted to two points.
 * References: Domhan, Springenberg, Hutter, "Speeding up automatic hyperparameter optimization of
 * deep neural networks by extrapolation of learning curves", IJCAI 2015 (pow3 among their models).
 */
export function powerLawExtrapolate(points: { epoch: number; value: number }[], finalEpoch: number): number {
  const pts = points.filter((p) => p.epoch >= 1 && Number.isFinite(p.value));
  if (!pts.length) return NaN;
  const last = pts[pts.length - 1].value;
  if (pts.length === 1) return last;
  const grid = pts.length === 2 ? [0.5] : Array.from({ length: 60 }, (_, i) => 0.05 + (i * 2.95) / 59);
  let best = { sse: Infinity, value: last };
  for (const c of grid) {
    // acc = a + β·x with x = t^(−c), β = −b ≤ 0.
    const xs = pts.map((p) => p.epoch ** -c);
    const n = pts.length;
    const mx = xs.reduce((s, x) => s + x, 0) / n;
    const my = pts.reduce((s, p) => s + p.value, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (xs[i] - mx) * (pts[i].value - my);
      sxx += (xs[i] - mx) ** 2;
    }
    let beta = sxx > 0 ? sxy / sxx : 0;
    if (beta > 0) beta = 0; // a falling curve is extrapolated flat, not down to zero
    const a = my - beta * mx;
    let sse = 0;
    for (let i = 0; i < n; i++) sse += (a + beta * xs[i] - pts[i].value) ** 2;
    if (sse < best.sse) best = { sse, value: a + beta * finalEpoch ** -c };
  }
  return Math.min(1, Math.max(0, best.value));
}
