/**
 * The regressor: a random forest of CART regression trees (Breiman 2001) — bootstrap samples, a
 * random subset of features tried at every split, leaves averaging the runs they hold.
 *
 * Why our own trees rather than ml-random-forest (mljs), which zoo/eval.ts still runs side by side
 * as a check: ml-cart scores every candidate split by re-summing both sides, O(n²) per feature and
 * node, and ml-random-forest draws one feature subset per tree rather than per split. On a zoo of
 * 150 runs × 250 features one ml-random-forest fit took ~3 s; the evaluation protocol needs
 * thousands of fits. Here a split is found from prefix sums over sorted values, O(n log n), with
 * per-split feature sampling; the measured accuracy and speed of both are in zoo/RESULTS.md.
 * A forest needs no feature scaling (our features range over decades), has few knobs, and its
 * spread across trees gives the interval its local width (conformal.ts).
 * References: Breiman, "Random Forests", Machine Learning 45 (2001); Breiman et al., "Classification
 * and Regression Trees" (1984).
 */
import type { CompactTree } from './trees';

export const FOREST_DEFAULTS = {
  trees: 100,
  /** Features tried per split, as a share of all features (regression default of Breiman: 1/3). */
  mtry: 1 / 3,
  maxDepth: 12,
  /** Fewest training runs in a leaf. */
  minLeaf: 2,
  seed: 7,
};

export type ForestOptions = typeof FOREST_DEFAULTS;

export interface ForestFit {
  trees: CompactTree[];
  medians: number[];
  /** Out-of-bag prediction and spread (std over the trees that did not see the run) per training row. */
  oob: { predicted: number; spread: number }[];
}

/** mulberry32: a small, fast, seedable PRNG, so that a fit is reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function columnMedians(rows: number[][]): number[] {
  const d = rows[0]?.length ?? 0;
  const med = new Array<number>(d);
  for (let j = 0; j < d; j++) {
    const col = rows.map((r) => r[j]).filter(Number.isFinite).sort((a, b) => a - b);
    med[j] = col.length ? col[col.length >> 1] : 0;
  }
  return med;
}

function buildTree(cols: Float64Array[], y: Float64Array, sample: number[], o: ForestOptions, rand: () => number): CompactTree {
  const tree: CompactTree = { col: [], thr: [], left: [], right: [], value: [] };
  const d = cols.length;
  const mtry = Math.max(1, Math.round(d * o.mtry));
  const features = Array.from({ length: d }, (_, j) => j);
  const grow = (idx: number[], depth: number): number => {
    const id = tree.col.length;
    tree.col.push(-1);
    tree.thr.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    let sum = 0;
    let sumSq = 0;
    for (const i of idx) {
      sum += y[i];
      sumSq += y[i] * y[i];
    }
    const m = idx.length;
    tree.value.push(sum / m);
    const sse = sumSq - (sum * sum) / m;
    if (depth >= o.maxDepth || m < 2 * o.minLeaf || sse <= 1e-12) return id;
    let best = { gain: 1e-12, col: -1, thr: 0 };
    // Partial Fisher–Yates: the first mtry entries of `features` become a random subset.
    for (let f = 0; f < mtry; f++) {
      const r = f + Math.floor(rand() * (d - f));
      const j = features[r];
      features[r] = features[f];
      features[f] = j;
      const x = cols[j];
      const order = idx.slice().sort((a, b) => x[a] - x[b]);
      let ls = 0;
      let lsq = 0;
      for (let p = 0; p < m - 1; p++) {
        const i = order[p];
        ls += y[i];
        lsq += y[i] * y[i];
        const nl = p + 1;
        if (nl < o.minLeaf || m - nl < o.minLeaf) continue;
        const xa = x[i];
        const xb = x[order[p + 1]];
        if (!(xb > xa)) continue;
        const rs = sum - ls;
        const gain = sse - (lsq - (ls * ls) / nl) - (sumSq - lsq - (rs * rs) / (m - nl));
        if (gain > best.gain) best = { gain, col: j, thr: xa + (xb - xa) / 2 };
      }
    }
    if (best.col < 0) return id;
    const x = cols[best.col];
    const li = idx.filter((i) => x[i] < best.thr);
    const ri = idx.filter((i) => !(x[i] < best.thr));
    tree.col[id] = best.col;
    tree.thr[id] = best.thr;
    tree.left[id] = grow(li, depth + 1);
    tree.right[id] = grow(ri, depth + 1);
    tree.value[id] = 0;
    return id;
  };
  grow(sample, 0);
  return tree;
}

function treeValue(tree: CompactTree, row: ArrayLike<number>): number {
  let n = 0;
  while (tree.col[n] >= 0) n = row[tree.col[n]] < tree.thr[n] ? tree.left[n] : tree.right[n];
  return tree.value[n];
}

function std(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Fits a forest on rows (NaN/±Inf imputed with the column medians, which are returned). */
export function fitForest(rows: number[][], y: number[], opts: Partial<ForestOptions> = {}): ForestFit {
  const o = { ...FOREST_DEFAULTS, ...opts };
  const n = rows.length;
  if (n < 2) throw new Error(`a forest needs at least 2 rows, got ${n}`);
  const medians = columnMedians(rows);
  const d = medians.length;
  const cols = Array.from({ length: d }, (_, j) => Float64Array.from(rows, (r) => (Number.isFinite(r[j]) ? r[j] : medians[j])));
  const Y = Float64Array.from(y);
  const rand = prng(o.seed);
  const trees: CompactTree[] = [];
  const oobAll: number[][] = Array.from({ length: n }, () => []);
  const row = new Float64Array(d);
  for (let t = 0; t < o.trees; t++) {
    const inBag = new Uint8Array(n);
    const sample = Array.from({ length: n }, () => {
      const i = Math.floor(rand() * n);
      inBag[i] = 1;
      return i;
    });
    const tree = buildTree(cols, Y, sample, o, rand);
    trees.push(tree);
    for (let i = 0; i < n; i++) {
      if (inBag[i]) continue;
      for (let j = 0; j < d; j++) row[j] = cols[j][i];
      oobAll[i].push(treeValue(tree, row));
    }
  }
  const oob = oobAll.map((v) => ({ predicted: v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN, spread: std(v) }));
  return { trees: trees.map(roundTree), medians, oob };
}

const r7 = (x: number) => Number(x.toPrecision(7));
function roundTree(t: CompactTree): CompactTree {
  return { ...t, thr: t.thr.map(r7), value: t.value.map(r7) };
}
