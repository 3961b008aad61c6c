/** Axis arithmetic for the small SVG charts. Pure functions. */

/** "Nice" tick values covering [lo, hi] (1, 2, 5 × 10^k steps), about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 4): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  // d3's tick step: a power of ten times 1, 2 or 5, the one nearest to (hi - lo) / count.
  const raw = (hi - lo) / Math.max(1, count);
  let step = Math.pow(10, Math.floor(Math.log10(raw)));
  const err = raw / step;
  if (err >= Math.sqrt(50)) step *= 10;
  else if (err >= Math.sqrt(10)) step *= 5;
  else if (err >= Math.sqrt(2)) step *= 2;
  const s = step;
  const out: number[] = [];
  const start = Math.ceil(lo / s - 1e-9) * s;
  for (let v = start; v <= hi + s * 1e-9; v += s) out.push(Math.abs(v) < s * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/** The extent of finite values, padded a little so lines do not sit on the frame. */
export function extent(values: Iterable<number>, pad = 0.05): [number, number] | null {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return null;
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

export type Linear = (v: number) => number;

export function linear(domain: [number, number], range: [number, number]): Linear {
  const [d0, d1] = domain, [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v: number) => r0 + (v - d0) * k;
}

/**
 * SVG path data through the points, broken where a value is not finite (a gap, not a drop to 0).
 * Coordinates rounded to 0.1 px.
 */
export function linePath(points: readonly { x: number; y: number }[], sx: Linear, sy: Linear): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    const x = Math.round(sx(p.x) * 10) / 10;
    const y = Math.round(sy(p.y) * 10) / 10;
    d += `${pen ? 'L' : 'M'}${x} ${y}`;
    pen = true;
  }
  return d;
}
