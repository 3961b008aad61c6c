/**
 * Eigenvector centrality of the undirected weighted rolled graph: the Perron eigenvector of its
 * symmetric non-negative adjacency matrix A, scaled to unit L2 norm (as networkx
 * `eigenvector_centrality_numpy`).
 *
 * A layered network graph is bipartite, so A has eigenvalues ±λ₁ of equal magnitude and plain
 * power iteration oscillates. Two solvers are provided:
 *  - `lanczos` (default): Lanczos with full reorthogonalisation and explicit restarts from the
 *    best Ritz vector. It targets the algebraically largest eigenvalue, which is λ₁ > 0, so the
 *    bipartite mirror -λ₁ is no trouble, and it needs far fewer products than power iteration.
 *  - `power`: power iteration on A + I (the shift breaks the ±λ₁ tie), as a reference.
 * Both accept a warm start (the previous epoch's vector: consecutive checkpoints differ little),
 * and both throw NumericError when they do not reach the tolerance.
 *
 * References: Bonacich, "Power and centrality", AJS 1987; Golub & Van Loan, Matrix Computations
 * 4th ed., §10.1 (Lanczos) and §8.5.3 (QL for tridiagonals); Parlett, The Symmetric Eigenvalue
 * Problem, §13 (restarting); networkx/algorithms/centrality/eigenvector.py.
 */
import { NumericError } from '../errors';
import type { RolledGraph } from '../graph/rolled';
import { symmetricProduct } from './matvec';

export interface EigenOptions {
  method: 'lanczos' | 'power';
  /** Stop when ‖Av − θv‖ ≤ tol · θ. */
  tol: number;
  /** Krylov subspace size per Lanczos restart. */
  krylov: number;
  maxRestarts: number;
  maxIter: number;
  /**
   * Lanczos on graphs with at least this many edges checks the Ritz residual bound every few steps
   * and stops once it is 10× below tol (ResNet-50: 25 products instead of 41). Smaller graphs
   * always build the whole Krylov space: it costs milliseconds there and converges far past tol,
   * so their results do not move with the stopping point, and features computed from them (the
   * committed zoo, compared at 7 digits) reproduce exactly.
   */
  earlyStopEdges: number;
  start?: Float64Array;
}

export const EIGEN_DEFAULTS: EigenOptions = { method: 'lanczos', tol: 1e-8, krylov: 40, maxRestarts: 50, maxIter: 20000, earlyStopEdges: 1 << 21 };

/** Steps between convergence checks, and how far below tol the bound must be to stop early. */
const CHECK_EVERY = 2;
const EARLY_MARGIN = 0.1;

export interface EigenResult {
  vector: Float64Array;
  eigenvalue: number;
  /** Matrix-vector products used. */
  products: number;
  residual: number;
}

/** A NumericError that names the checkpoint the graph came from. */
function numeric(g: RolledGraph, msg: string): NumericError {
  return new NumericError(g.file ? `${g.file}: ${msg}` : msg);
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function startVector(g: RolledGraph, opts: EigenOptions): Float64Array<ArrayBufferLike> {
  const n = g.nodeCount;
  const v = new Float64Array(n);
  if (opts.start && opts.start.length === n) {
    // Mix in a little of the uniform vector so a warm start is never orthogonal to the answer.
    for (let i = 0; i < n; i++) v[i] = Math.abs(opts.start[i]) + 1e-3 / Math.sqrt(n);
  } else v.fill(1);
  const s = norm(v);
  for (let i = 0; i < n; i++) v[i] /= s;
  return v;
}

/** Sign-fix (Perron vector is non-negative), clamp rounding noise, and unit-normalise. */
function finish(g: RolledGraph, v: Float64Array): Float64Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i];
  const sign = sum < 0 ? -1 : 1;
  for (let i = 0; i < v.length; i++) v[i] = Math.max(0, sign * v[i]);
  const s = norm(v);
  if (!(s > 0)) throw numeric(g, 'eigenvector centrality: the Perron vector vanished (graph without edges?)');
  for (let i = 0; i < v.length; i++) v[i] /= s;
  return v;
}

function residualOf(g: RolledGraph, v: Float64Array, scratch: Float64Array): { theta: number; residual: number } {
  scratch.fill(0);
  symmetricProduct(g, v, scratch);
  const theta = dot(v, scratch);
  let r = 0;
  for (let i = 0; i < v.length; i++) {
    const d = scratch[i] - theta * v[i];
    r += d * d;
  }
  return { theta, residual: Math.sqrt(r) };
}

/**
 * Eigen-decomposition of a symmetric tridiagonal matrix (diagonal `d`, off-diagonal `e`) by the
 * implicit QL method; returns eigenvalues and the eigenvectors as columns of `z` (m×m, row-major).
 */
export function tridiagonalEigen(diag: number[], off: number[]): { values: Float64Array; vectors: Float64Array } {
  const m = diag.length;
  const d = Float64Array.from(diag);
  const e = new Float64Array(m);
  for (let i = 0; i < m - 1; i++) e[i] = off[i];
  const z = new Float64Array(m * m);
  for (let i = 0; i < m; i++) z[i * m + i] = 1;
  for (let l = 0; l < m; l++) {
    let iter = 0;
    for (;;) {
      let mm = l;
      for (; mm < m - 1; mm++) {
        const dd = Math.abs(d[mm]) + Math.abs(d[mm + 1]);
        if (Math.abs(e[mm]) <= Number.EPSILON * dd) break;
      }
      if (mm === l) break;
      if (++iter > 60) throw new NumericError('tridiagonal QL did not converge in 60 iterations');
      let gg = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(gg, 1);
      gg = d[mm] - d[l] + e[l] / (gg + (gg >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = mm - 1;
      for (; i >= l; i--) {
        let f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, gg);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[mm] = 0;
          break;
        }
        s = f / r;
        c = gg / r;
        gg = d[i + 1] - p;
        r = (d[i] - gg) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = gg + p;
        gg = c * r - b;
        for (let k = 0; k < m; k++) {
          f = z[k * m + i + 1];
          z[k * m + i + 1] = s * z[k * m + i] + c * f;
          z[k * m + i] = c * z[k * m + i] - s * f;
        }
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = gg;
      e[mm] = 0;
    }
  }
  return { values: d, vectors: z };
}

function lanczos(g: RolledGraph, opts: EigenOptions): EigenResult {
  const n = g.nodeCount;
  const m = Math.max(2, Math.min(opts.krylov, n));
  let v = startVector(g, opts);
  const basis: Float64Array[] = [];
  const w = new Float64Array(n);
  const scratch = new Float64Array(n);
  let products = 0;
  let last = { theta: 0, residual: Infinity };
  /** Relative residual after each restart, to see early when the tolerance is out of reach. */
  const history: number[] = [];
  for (let restart = 0; restart <= opts.maxRestarts; restart++) {
    basis.length = 0;
    const alpha: number[] = [];
    const beta: number[] = [];
    let q = v;
    let early = false;
    for (let j = 0; j < m; j++) {
      basis.push(q);
      w.fill(0);
      symmetricProduct(g, q, w);
      products++;
      const a = dot(q, w);
      // Non-finite products mean non-finite edge weights: QL would spin on NaN until its limit.
      if (!Number.isFinite(a)) throw numeric(g, `eigenvector centrality: the matrix-vector product gives ${a} (edge weights that are not finite?)`);
      alpha.push(a);
      // Full reorthogonalisation (twice is enough, Kahan-Parlett) keeps the basis honest.
      for (let pass = 0; pass < 2; pass++) {
        for (const b of basis) {
          const c = dot(b, w);
          for (let i = 0; i < n; i++) w[i] -= c * b[i];
        }
      }
      const bnorm = norm(w);
      if (j === m - 1 || bnorm < 1e-12 * Math.max(1, Math.abs(a))) break;
      if (g.edgeCount >= opts.earlyStopEdges && (j + 1) % CHECK_EVERY === 0) {
        // Residual of the best Ritz pair of T_j, without a product: β_j · |last entry of its vector|.
        const t = tridiagonalEigen(alpha, beta);
        let top = 0;
        for (let i = 1; i <= j; i++) if (t.values[i] > t.values[top]) top = i;
        if (bnorm * Math.abs(t.vectors[j * (j + 1) + top]) <= EARLY_MARGIN * opts.tol * Math.abs(t.values[top])) {
          early = true;
          break;
        }
      }
      beta.push(bnorm);
      const next = new Float64Array(n);
      for (let i = 0; i < n; i++) next[i] = w[i] / bnorm;
      q = next;
    }
    const k = alpha.length;
    let tri: ReturnType<typeof tridiagonalEigen>;
    try {
      tri = tridiagonalEigen(alpha, beta.slice(0, k - 1));
    } catch (e) {
      throw e instanceof NumericError ? numeric(g, `eigenvector centrality: ${e.message}`) : e;
    }
    const { values, vectors } = tri;
    let best = 0;
    for (let i = 1; i < k; i++) if (values[i] > values[best]) best = i;
    const ritz = new Float64Array(n);
    for (let j = 0; j < k; j++) {
      const c = vectors[j * k + best];
      const b = basis[j];
      for (let i = 0; i < n; i++) ritz[i] += c * b[i];
    }
    const s = norm(ritz);
    for (let i = 0; i < n; i++) ritz[i] /= s;
    last = residualOf(g, ritz, scratch);
    products++;
    if (!Number.isFinite(last.theta)) throw numeric(g, `eigenvector centrality: eigenvalue estimate is ${last.theta}`);
    v = ritz;
    // k < m without `early`: the Krylov space became invariant (beta ~ 0).
    if (last.residual <= opts.tol * Math.abs(last.theta) || (k < m && !early)) {
      if (last.residual > Math.sqrt(opts.tol) * Math.abs(last.theta)) break; // invariant subspace but inaccurate: fail below
      return { vector: finish(g, v), eigenvalue: last.theta, products, residual: last.residual };
    }
    // Stopped early on the bound but the true residual is not there yet: restart from the Ritz vector.
    history.push(last.residual / Math.abs(last.theta));
    const stall = stalled(history, opts.tol, opts.maxRestarts - restart);
    if (stall) {
      const gap = k > 1 ? (values[best] - secondLargest(values, best)) / Math.max(1e-300, values[best] - Math.min(...values)) : NaN;
      throw numeric(
        g,
        `eigenvector centrality cannot be computed reliably: the graph's two largest eigenvalues are nearly equal ` +
          `(relative gap about ${gap.toExponential(1)}; typical of a long chain of narrow layers, here ${g.groups.length} layers of ${g.nodeCount} nodes), ` +
          `so the solver converges too slowly: residual ${last.residual.toExponential(2)} after ${products} products, ${stall}`,
      );
    }
  }
  throw numeric(g, `eigenvector centrality (Lanczos) did not converge: residual ${last.residual.toExponential(2)} > ${opts.tol} × eigenvalue ${last.theta.toExponential(3)} after ${products} products`);
}

/** The largest of `values` other than index `skip`. */
function secondLargest(values: Float64Array, skip: number): number {
  let v = -Infinity;
  for (let i = 0; i < values.length; i++) if (i !== skip && values[i] > v) v = values[i];
  return v;
}

/**
 * Restarted Lanczos gains a roughly constant factor per restart. After a few restarts, when that
 * factor predicts more than twice the restarts left to reach the tolerance, the solve cannot
 * succeed: say so now instead of after all of them (a chain of 20k 1×1 layers spent 16 s to fail).
 * Returns the reason, or undefined to go on.
 */
function stalled(history: number[], tol: number, left: number): string | undefined {
  const k = history.length;
  if (k < 4) return undefined;
  const rate = Math.sqrt(history[k - 1] / history[k - 3]);
  if (!(rate < 1)) return `with no progress over the last restarts`;
  const needed = Math.log(tol / history[k - 1]) / Math.log(rate);
  return needed > 1.5 * left ? `and at its rate (×${rate.toFixed(4)} per restart) would need about ${Math.ceil(needed)} more restarts, ${left} being allowed` : undefined;
}

function power(g: RolledGraph, opts: EigenOptions): EigenResult {
  const n = g.nodeCount;
  let v: Float64Array = startVector(g, opts);
  let y: Float64Array = new Float64Array(n);
  const scratch = new Float64Array(n);
  let products = 0;
  for (let it = 0; it < opts.maxIter; it++) {
    y.set(v); // (A + I) v
    symmetricProduct(g, v, y);
    products++;
    const s = norm(y);
    if (!(s > 0) || !Number.isFinite(s)) throw numeric(g, `eigenvector centrality (power): norm ${s} at iteration ${it}`);
    let diff = 0;
    for (let i = 0; i < n; i++) {
      y[i] /= s;
      diff += Math.abs(y[i] - v[i]);
    }
    [v, y] = [y, v];
    if (diff < n * opts.tol) {
      const r = residualOf(g, v, scratch);
      return { vector: finish(g, v), eigenvalue: r.theta, products: products + 1, residual: r.residual };
    }
  }
  throw numeric(g, `eigenvector centrality (power iteration on A+I) did not converge in ${opts.maxIter} iterations`);
}

export function eigenvectorCentrality(g: RolledGraph, options: Partial<EigenOptions> = {}): EigenResult {
  const opts = { ...EIGEN_DEFAULTS, ...options };
  if (g.nodeCount === 0) throw numeric(g, 'eigenvector centrality of an empty graph');
  if (g.edgeCount === 0) throw numeric(g, 'eigenvector centrality is undefined on a graph without edges');
  return opts.method === 'power' ? power(g, opts) : lanczos(g, opts);
}
