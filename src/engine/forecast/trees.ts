/**
 * A trained forest in a compact, self-contained form: flat arrays per tree, split columns in the
 * predictor's feature order, numbers rounded to 7 significant digits, so that a serialized
 * predictor is small plain JSON. The rule: go left when value < threshold.
 */
export interface CompactTree {
  /** Split column per node (-1 for a leaf). */
  col: number[];
  thr: number[];
  left: number[];
  right: number[];
  /** Leaf value (0 for inner nodes). */
  value: number[];
}

export function predictTree(tree: CompactTree, row: ArrayLike<number>): number {
  let n = 0;
  for (let guard = 0; guard < tree.col.length; guard++) {
    const c = tree.col[n];
    if (c < 0) return tree.value[n];
    n = row[c] < tree.thr[n] ? tree.left[n] : tree.right[n];
  }
  throw new Error('malformed tree: a cycle');
}

/** Mean and standard deviation of the trees' predictions for one row. */
export function predictTrees(trees: CompactTree[], row: ArrayLike<number>): { predicted: number; spread: number } {
  const v = trees.map((t) => predictTree(t, row));
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)) : 0;
  return { predicted: m, spread: sd };
}
