/**
 * Parameter importance over the runs of a sweep, computed in the page from the run summaries: how
 * strongly each hyperparameter goes with the runs' metric (final accuracy when known, else the
 * forecast), rank-based so that one outlier or a log-spaced grid does not decide it:
 *  - a numeric hyperparameter: Spearman's rank correlation ρ (ties get average ranks); |ρ| is the
 *    importance, the sign says which way is better;
 *  - a categorical one: the correlation ratio η on the metric's ranks (the share of the ranks'
 *    spread explained by the groups, square-rooted; the statistic behind Kruskal–Wallis).
 * Each comes with a permutation p-value (how often shuffled metrics do as well; exact over all
 * orders up to 7 runs, else 199 seeded shuffles), since with a handful of runs a large |ρ| is
 * often chance. No model is fitted: this is a screening of single parameters, not of their
 * interactions (that needs many more runs than a sweep usually has). Pure functions.
 */
import { hyperText, type HyperValue } from './hyper';

export interface ImportanceRow {
  values: Record<string, HyperValue>;
  y: number;
}

export interface ParameterImportance {
  key: string;
  method: 'spearman' | 'eta';
  /** |ρ| or η, in [0, 1]. */
  importance: number;
  /** Spearman's ρ with its sign (numeric parameters), else null. */
  rho: number | null;
  /** Categorical parameters: the value whose runs rank best on average. */
  best: string | null;
  /** Runs that have the parameter and a metric. */
  n: number;
  /** Permutation p-value: the chance of an importance this large with the metric shuffled. */
  p: number;
}

export interface ImportanceResult {
  /** Runs with a metric. */
  n: number;
  items: ParameterImportance[];
}

/** Ranks 1…n with ties sharing their average rank. */
export function ranks(v: readonly number[]): number[] {
  const idx = v.map((_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && v[idx[j + 1]] === v[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return 0;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

/** η of `y` grouped by `groups` (group labels per item): √(between-group sum of squares / total). */
export function correlationRatio(groups: readonly string[], y: readonly number[]): number {
  const n = y.length;
  if (n < 2) return 0;
  const mean = y.reduce((s, v) => s + v, 0) / n;
  let total = 0;
  for (const v of y) total += (v - mean) ** 2;
  if (total <= 0) return 0;
  const sums = new Map<string, { s: number; c: number }>();
  groups.forEach((g, i) => {
    const e = sums.get(g) ?? { s: 0, c: 0 };
    e.s += y[i];
    e.c++;
    sums.set(g, e);
  });
  let between = 0;
  for (const { s, c } of sums.values()) between += c * (s / c - mean) ** 2;
  return Math.sqrt(Math.min(1, between / total));
}

/** The group with the highest mean of `y` (ties: the first in sorted order). */
export function bestGroup(groups: readonly string[], y: readonly number[]): string | null {
  const sums = new Map<string, { s: number; c: number }>();
  groups.forEach((g, i) => {
    const e = sums.get(g) ?? { s: 0, c: 0 };
    e.s += y[i];
    e.c++;
    sums.set(g, e);
  });
  let best: string | null = null, top = -Infinity;
  for (const g of [...sums.keys()].sort()) {
    const { s, c } = sums.get(g)!;
    if (s / c > top) {
      top = s / c;
      best = g;
    }
  }
  return best;
}

/** A small seeded generator (mulberry32): the same shuffles on every render. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Calls `visit` with every order of `items` (Heap's algorithm; n! calls). */
function permutations(items: number[], visit: (p: readonly number[]) => void): void {
  const a = [...items];
  const c = new Array<number>(a.length).fill(0);
  visit(a);
  let i = 0;
  while (i < a.length) {
    if (c[i] < i) {
      const j = i % 2 === 0 ? 0 : c[i];
      [a[j], a[i]] = [a[i], a[j]];
      visit(a);
      c[i]++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

export const EXACT_UP_TO = 7;
export const SHUFFLES = 199;

/** p-value of `stat(y)` against `stat` of the shuffled y: exact up to EXACT_UP_TO items. */
export function permutationP(y: readonly number[], stat: (y: readonly number[]) => number, seed = 1): number {
  const observed = stat(y) - 1e-12;
  let atLeast = 0, total = 0;
  if (y.length <= EXACT_UP_TO) {
    permutations([...y], (p) => {
      total++;
      if (stat(p) >= observed) atLeast++;
    });
    return atLeast / total;
  }
  const rnd = seeded(seed);
  const a = [...y];
  for (let k = 0; k < SHUFFLES; k++) {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    if (stat(a) >= observed) atLeast++;
  }
  return (atLeast + 1) / (SHUFFLES + 1);
}

/**
 * The importance of each key over the rows (rows without a finite metric are left out; a key is
 * scored on the rows that have it, when they hold at least two distinct values and 3 rows).
 * Sorted by importance, then by p.
 */
export function parameterImportance(rows: readonly ImportanceRow[], keys: readonly string[]): ImportanceResult {
  const scored = rows.filter((r) => Number.isFinite(r.y));
  const items: ParameterImportance[] = [];
  keys.forEach((key, ki) => {
    const have = scored.filter((r) => Object.prototype.hasOwnProperty.call(r.values, key) && r.values[key] !== undefined);
    if (have.length < 3) return;
    const vals = have.map((r) => r.values[key]);
    const y = have.map((r) => r.y);
    const numeric = vals.every((v) => typeof v === 'number' && Number.isFinite(v));
    const labels = vals.map((v) => hyperText(v));
    if (new Set(labels).size < 2) return;
    const seed = 7919 * (ki + 1);
    // Shuffling the metric's ranks is shuffling the metric: rank once, permute the ranks.
    const ry = ranks(y);
    if (numeric) {
      const rx = ranks(vals as number[]);
      const stat = (yy: readonly number[]): number => Math.abs(pearson(rx, yy));
      const rho = pearson(rx, ry);
      items.push({ key, method: 'spearman', importance: Math.abs(rho), rho, best: null, n: have.length, p: permutationP(ry, stat, seed) });
    } else {
      const stat = (yy: readonly number[]): number => correlationRatio(labels, yy);
      items.push({ key, method: 'eta', importance: stat(ry), rho: null, best: bestGroup(labels, ry), n: have.length, p: permutationP(ry, stat, seed) });
    }
  });
  items.sort((a, b) => b.importance - a.importance || a.p - b.p || a.key.localeCompare(b.key));
  return { n: scored.length, items };
}
