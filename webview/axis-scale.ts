/**
 * The scale of one axis of the parallel coordinates, from the values the runs have for it:
 *  - numbers spanning two decades or more (or a learning-rate-like key spanning one), all
 *    positive: a log scale, ticks at powers of ten; zeros besides (weight decay off, say) get a
 *    place of their own at the bottom, under the log part;
 *  - other numbers: a linear scale with "nice" ticks;
 *  - text, booleans and mixed values: a categorical axis, one evenly spaced position per value.
 * `unit` maps a value to 0 (bottom) … 1 (top); `invert` maps back (numeric axes). Pure functions.
 */
import { niceTicks } from './chart-math';
import { compareText, hyperText, type HyperValue } from './hyper';

export interface Tick {
  /** Position, 0 (bottom) … 1 (top). */
  at: number;
  label: string;
}

interface BaseScale {
  key: string;
  unit(v: HyperValue | undefined): number;
  ticks: Tick[];
}

export interface NumericScale extends BaseScale {
  kind: 'linear' | 'log';
  lo: number;
  hi: number;
  invert(u: number): number;
}

export interface CategoryScale extends BaseScale {
  kind: 'category';
  categories: string[];
  /** The category at a position (nearest). */
  categoryAt(u: number): string;
}

export type AxisScale = NumericScale | CategoryScale;

/** Keys whose values are usually searched on a log grid. */
const LOG_LIKE = /(^|[._])(lr|learning_rate|weight_decay|wd|eps|epsilon|l2|lambda|decay|alpha|beta|reg|init_scale|temperature)$/i;

export function isLogLike(key: string): boolean {
  return LOG_LIKE.test(key);
}

/** Whether positive numbers should be on a log axis: two decades, or one for a log-like key. */
export function wantsLog(key: string, values: readonly number[]): boolean {
  const v = values.filter(Number.isFinite);
  if (v.length < 2 || v.some((x) => x <= 0)) return false;
  const ratio = Math.max(...v) / Math.min(...v);
  return ratio >= 100 || (isLogLike(key) && ratio >= 10);
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Powers of ten (and 2× and 5× when few) inside [lo, hi], for a log axis. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const a = Math.floor(Math.log10(lo) + 1e-9), b = Math.ceil(Math.log10(hi) - 1e-9);
  const pick = (mults: number[]): number[] => {
    const out: number[] = [];
    for (let e = a; e <= b; e++) for (const m of mults) {
      const v = Number((m * Math.pow(10, e)).toPrecision(6));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
    return out;
  };
  let t = pick([1]);
  if (t.length < 2) t = pick([1, 2, 5]);
  if (t.length < 2) t = [lo, hi];
  // Thin out: at most 6 ticks.
  while (t.length > 6) t = t.filter((_, i) => i % 2 === 0);
  return t;
}

/** `linear`: never a log axis (a metric such as accuracy). */
export function axisScale(key: string, values: readonly (HyperValue | undefined)[], opts: { linear?: boolean } = {}): AxisScale {
  const present = values.filter((v): v is HyperValue => v !== undefined);
  const numeric = present.length > 0 && present.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (numeric) {
    const nums = present as number[];
    let lo = Math.min(...nums), hi = Math.max(...nums);
    const positive = nums.filter((v) => v > 0);
    if (!opts.linear && lo === 0 && new Set(positive).size >= 2 && wantsLog(key, positive)) return zeroLogScale(key, Math.min(...positive), hi);
    if (!opts.linear && wantsLog(key, nums)) {
      const l0 = Math.log10(lo), l1 = Math.log10(hi);
      const unit = (v: HyperValue | undefined): number => (typeof v === 'number' && v > 0 ? clamp01((Math.log10(v) - l0) / (l1 - l0)) : NaN);
      return {
        kind: 'log',
        key,
        lo,
        hi,
        unit,
        invert: (u) => Math.pow(10, l0 + clamp01(u) * (l1 - l0)),
        ticks: logTicks(lo, hi).map((v) => ({ at: unit(v), label: hyperText(v) })),
      };
    }
    if (lo === hi) {
      lo -= Math.abs(lo) * 0.5 || 1;
      hi += Math.abs(hi) * 0.5 || 1;
    }
    const unit = (v: HyperValue | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? clamp01((v - lo) / (hi - lo)) : NaN);
    let ticks = niceTicks(lo, hi, 4).filter((v) => v >= lo - 1e-12 && v <= hi + 1e-12);
    if (ticks.length < 2) ticks = [lo, hi];
    return { kind: 'linear', key, lo, hi, unit, invert: (u) => lo + clamp01(u) * (hi - lo), ticks: ticks.map((v) => ({ at: unit(v), label: hyperText(v) })) };
  }
  const categories = [...new Set(present.map((v) => hyperText(v)))].sort(compareText);
  const n = categories.length;
  const pos = (i: number): number => (n <= 1 ? 0.5 : i / (n - 1));
  const index = new Map(categories.map((c, i) => [c, i]));
  return {
    kind: 'category',
    key,
    categories,
    unit: (v) => {
      const i = v === undefined ? undefined : index.get(hyperText(v));
      return i === undefined ? NaN : pos(i);
    },
    categoryAt: (u) => categories[Math.max(0, Math.min(n - 1, Math.round(clamp01(u) * Math.max(0, n - 1))))] ?? '',
    ticks: categories.map((c, i) => ({ at: pos(i), label: c })),
  };
}

/** Share of a zero-and-log axis below its log part, where the zeros sit. */
export const ZERO_SLOT = 0.1;

/** A log axis over [lo, hi] with 0 at the bottom, below the log part. */
function zeroLogScale(key: string, lo: number, hi: number): NumericScale {
  const l0 = Math.log10(lo), l1 = Math.log10(hi);
  const unit = (v: HyperValue | undefined): number => (typeof v !== 'number' || !Number.isFinite(v) || v < 0 ? NaN : v === 0 ? 0 : ZERO_SLOT + (1 - ZERO_SLOT) * clamp01((Math.log10(v) - l0) / (l1 - l0)));
  return {
    kind: 'log',
    key,
    lo: 0,
    hi,
    unit,
    invert: (u) => (u < ZERO_SLOT / 2 ? 0 : Math.pow(10, l0 + clamp01((u - ZERO_SLOT) / (1 - ZERO_SLOT)) * (l1 - l0))),
    ticks: [{ at: 0, label: '0' }, ...logTicks(lo, hi).map((v) => ({ at: unit(v), label: hyperText(v) }))],
  };
}

/** The categories whose positions lie in [u0, u1] (a brush on a categorical axis). */
export function categoriesIn(s: CategoryScale, u0: number, u1: number): string[] {
  const lo = Math.min(u0, u1) - 1e-9, hi = Math.max(u0, u1) + 1e-9;
  return s.categories.filter((c) => {
    const u = s.unit(c);
    return u >= lo && u <= hi;
  });
}
