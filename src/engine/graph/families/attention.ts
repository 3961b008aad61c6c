/**
 * Multi-head attention in the rolled graph (docs/rolled-graph.md, "Transformers"): functions of
 * the weights that do not change under the per-head reparametrisations that leave the network's
 * function unchanged (W_Q^j → A W_Q^j with W_K^j → A^-T W_K^j; W_V^j → M W_V^j with W_O^j → W_O^j M^-1):
 *  - OV edges, input channel c → output channel o: |Σ_j W_O^j W_V^{g(j)}|[o, c] (g(j): the key/value
 *    head of query head j under grouped-query attention), input-side norm scale t_c, output-side s_o;
 *  - one node per head j, with an edge from input channel c of weight ‖B^j[c, :]‖₂ + ‖B^j[:, c]‖₂,
 *    B^j = diag(t) W_Q^jᵀ W_K^{g(j)} diag(t) / √d_head the head's bilinear score form (query side +
 *    key side; for cross-attention the key side comes from the memory's channels).
 * All matrices are [out, in] float32 row-major.
 */
import type { TensorEntry } from '../../tensor';

export interface AttentionWeights {
  q: TensorEntry; // [h·dh, d_q]
  k: TensorEntry; // [kv·dh, d_kv]
  v: TensorEntry; // [kv·dh, d_kv]
  o: TensorEntry; // [d_out, h·dh]
  heads: number;
  kvHeads: number;
}

/** C[n×m] = A[n×k] · B[k×m], accumulated in float64 per row. */
export function matmul(a: Float32Array, b: Float32Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const ci = i * m;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      if (av === 0) continue;
      const bp = p * m;
      for (let j = 0; j < m; j++) c[ci + j] += av * b[bp + j];
    }
  }
  return c;
}

/** |W_O W_V| with GQA, scaled: edges [d_out × d_kv]. */
export function ovEdges(w: AttentionWeights, inScale?: Float32Array, outScale?: Float32Array): Float32Array {
  const o = w.o.read();
  const v = w.v.read();
  const dOut = w.o.shape[0];
  const dIn = w.v.shape[1];
  const dh = w.o.shape[1] / w.heads;
  const perKv = w.heads / w.kvHeads;
  // Sum the output columns of the query heads that share a key/value head: W_O^{(g)} = Σ_{j∈g} W_O^j.
  const og = new Float32Array(dOut * w.kvHeads * dh);
  for (let r = 0; r < dOut; r++) {
    for (let j = 0; j < w.heads; j++) {
      const g = Math.floor(j / perKv);
      for (let e = 0; e < dh; e++) og[r * w.kvHeads * dh + g * dh + e] += o[r * w.heads * dh + j * dh + e];
    }
  }
  const prod = matmul(og, v, dOut, w.kvHeads * dh, dIn);
  const out = new Float32Array(dOut * dIn);
  for (let r = 0; r < dOut; r++) {
    const s = outScale ? Math.abs(outScale[r]) : 1;
    for (let c = 0; c < dIn; c++) out[r * dIn + c] = Math.abs(prod[r * dIn + c]) * (inScale ? Math.abs(inScale[c]) : 1) * s;
  }
  return out;
}

/**
 * ‖row c of B^j‖ (query side) or ‖column c of B^j‖ (key side) for every head j and channel c:
 * [heads × d] from the Gram matrix of the other side, without forming B^j.
 */
export function headSideNorms(w: AttentionWeights, side: 'query' | 'key', qScale?: Float32Array, kScale?: Float32Array): Float32Array {
  const q = w.q.read();
  const k = w.k.read();
  const dq = w.q.shape[1];
  const dk = w.k.shape[1];
  const dh = w.q.shape[0] / w.heads;
  const perKv = w.heads / w.kvHeads;
  const inv = 1 / Math.sqrt(dh);
  const [mine, dMine, myScale, other, dOther, otherScale] = side === 'query' ? [q, dq, qScale, k, dk, kScale] : [k, dk, kScale, q, dq, qScale];
  const out = new Float32Array(w.heads * dMine);
  const gram = new Float64Array(dh * dh);
  for (let j = 0; j < w.heads; j++) {
    const g = Math.floor(j / perKv);
    const myRow = (side === 'query' ? j : g) * dh;
    const otherRow = (side === 'query' ? g : j) * dh;
    // Gram of the other side's head rows, with its input-side scale: G = (W diag t)(W diag t)ᵀ.
    gram.fill(0);
    for (let a = 0; a < dh; a++) {
      for (let b = a; b < dh; b++) {
        let s = 0;
        const ra = (otherRow + a) * dOther;
        const rb = (otherRow + b) * dOther;
        for (let c = 0; c < dOther; c++) {
          const t = otherScale ? otherScale[c] * otherScale[c] : 1;
          s += other[ra + c] * other[rb + c] * t;
        }
        gram[a * dh + b] = s;
        gram[b * dh + a] = s;
      }
    }
    for (let c = 0; c < dMine; c++) {
      let s = 0;
      for (let a = 0; a < dh; a++) {
        const xa = mine[(myRow + a) * dMine + c];
        if (xa === 0) continue;
        for (let b = 0; b < dh; b++) s += xa * gram[a * dh + b] * mine[(myRow + b) * dMine + c];
      }
      out[j * dMine + c] = Math.sqrt(Math.max(0, s)) * inv * (myScale ? Math.abs(myScale[c]) : 1);
    }
  }
  return out;
}

/** Self-attention head edges [heads × d]: query side + key side. */
export function headEdges(w: AttentionWeights, inScale?: Float32Array): Float32Array {
  const qs = headSideNorms(w, 'query', inScale, inScale);
  const ks = headSideNorms(w, 'key', inScale, inScale);
  for (let i = 0; i < qs.length; i++) qs[i] += ks[i];
  return qs;
}
