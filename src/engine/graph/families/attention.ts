/**
 * Multi-head attention in the rolled graph (docs/rolled-graph.md, "Transformers"): functions of
 * the weights that do not change under the per-head reparametrisations that leave the network's
 * function unchanged (W_Q^j → A W_Q^j with W_K^j → A^-T W_K^j; W_V^j → M W_V^j with W_O^j → W_O^j M^-1):
 *  - OV edges, input channel c → output channel o: |Σ_j W_O^j W_V^{g(j)}|[o, c] (g(j): the key/value
 *    head of query head j under grouped-query attention), input-side norm scale t_c, output-side s_o;
 *  - one node per head j, with an edge from input channel c of weight ‖B^j[c, :]‖₂ + ‖B^j[:, c]‖₂,
 *    B^j = diag(t) W_Q^jᵀ W_K^{g(j)} diag(t) / √d_head the head's bilinear score form (query side +
 *    key side; for cross-attention the key side comes from the memory's channels).
 * All matrices are [out, in] float32 row-major; the products run on the SIMD kernel of wasm/gemm.ts.
 */
import type { TensorEntry } from '../../tensor';
import { gemm } from '../../wasm/gemm';

export interface AttentionWeights {
  q: TensorEntry; // [h·dh, d_q]
  k: TensorEntry; // [kv·dh, d_kv]
  v: TensorEntry; // [kv·dh, d_kv]
  o: TensorEntry; // [d_out, h·dh]
  heads: number;
  kvHeads: number;
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
  let og = o;
  if (perKv !== 1) {
    og = new Float32Array(dOut * w.kvHeads * dh);
    for (let r = 0; r < dOut; r++) {
      for (let j = 0; j < w.heads; j++) {
        const g = Math.floor(j / perKv);
        for (let e = 0; e < dh; e++) og[r * w.kvHeads * dh + g * dh + e] += o[r * w.heads * dh + j * dh + e];
      }
    }
  }
  const out = gemm(og, v, dOut, w.kvHeads * dh, dIn);
  for (let r = 0; r < dOut; r++) {
    const s = outScale ? Math.abs(outScale[r]) : 1;
    const row = r * dIn;
    if (inScale) for (let c = 0; c < dIn; c++) out[row + c] = Math.abs(out[row + c]) * Math.abs(inScale[c]) * s;
    else for (let c = 0; c < dIn; c++) out[row + c] = Math.abs(out[row + c]) * s;
  }
  return out;
}

/** Rows [row, row + dh) of a [rows × d] matrix, each column c scaled by |scale_c|. */
function headRows(m: Float32Array, row: number, dh: number, d: number, scale?: Float32Array): Float32Array {
  const out = m.slice(row * d, (row + dh) * d);
  if (scale) for (let a = 0; a < dh; a++) for (let c = 0; c < d; c++) out[a * d + c] *= Math.abs(scale[c]);
  return out;
}

function transpose(m: Float32Array, rowsN: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rowsN; r++) for (let c = 0; c < cols; c++) t[c * rowsN + r] = m[r * cols + c];
  return t;
}

/**
 * ‖row c of B^j‖ (query side) or ‖column c of B^j‖ (key side) for every head j and channel c:
 * [heads × d] without forming B^j. With X = the own side's head rows and Y = the other side's
 * (each column scaled by its norm), ‖B^j[c, :]‖² = X[:, c]ᵀ (Y Yᵀ) X[:, c] / d_h: a Gram matrix and
 * one product per head.
 */
export function headSideNorms(w: AttentionWeights, side: 'query' | 'key', qScale?: Float32Array, kScale?: Float32Array): Float32Array {
  return sideNorms(w, w.q.read(), w.k.read(), side, qScale, kScale);
}

function sideNorms(w: AttentionWeights, q: Float32Array, k: Float32Array, side: 'query' | 'key', qScale?: Float32Array, kScale?: Float32Array): Float32Array {
  const dq = w.q.shape[1];
  const dk = w.k.shape[1];
  const dh = w.q.shape[0] / w.heads;
  const perKv = w.heads / w.kvHeads;
  const inv = 1 / Math.sqrt(dh);
  const [mine, dMine, myScale, other, dOther, otherScale] = side === 'query' ? [q, dq, qScale, k, dk, kScale] : [k, dk, kScale, q, dq, qScale];
  const out = new Float32Array(w.heads * dMine);
  for (let j = 0; j < w.heads; j++) {
    const g = Math.floor(j / perKv);
    const myRow = (side === 'query' ? j : g) * dh;
    const otherRow = (side === 'query' ? g : j) * dh;
    const y = headRows(other, otherRow, dh, dOther, otherScale);
    const gram = gemm(y, transpose(y, dh, dOther), dh, dOther, dh);
    const x = headRows(mine, myRow, dh, dMine);
    const gx = gemm(gram, x, dh, dh, dMine);
    for (let c = 0; c < dMine; c++) {
      let s = 0;
      for (let a = 0; a < dh; a++) s += x[a * dMine + c] * gx[a * dMine + c];
      out[j * dMine + c] = Math.sqrt(Math.max(0, s)) * inv * (myScale ? Math.abs(myScale[c]) : 1);
    }
  }
  return out;
}

/** Self-attention head edges [heads × d]: query side + key side. */
export function headEdges(w: AttentionWeights, inScale?: Float32Array): Float32Array {
  // Q and K read once for both sides (each read of a fused projection's rows decodes it whole).
  const q = w.q.read();
  const k = w.k.read();
  const qs = sideNorms(w, q, k, 'query', inScale, inScale);
  const ks = sideNorms(w, q, k, 'key', inScale, inScale);
  for (let i = 0; i < qs.length; i++) qs[i] += ks[i];
  return qs;
}
