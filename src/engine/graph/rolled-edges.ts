/**
 * Edge weights of one weighted op (docs/rolled-graph.md, "Edges"): conv kernels reduced to their
 * L2 norm per (output, input channel), dense weights to |w| (or the L2 norm over a flatten's
 * positions), with the folded norm scales of the output side (`s_o`) and, for pre-activation
 * and pre-LN layers, of the input side (`t_c`). The arithmetic of the plain cases (no input-side
 * scale) is the one the committed fixtures and zoo features were computed with; keep it as is.
 */
import { ArchitectureError, NumericError } from '../errors';
import type { TensorEntry } from '../tensor';
import type { BatchNormRef } from './netspec';

/** `|γ| / sqrt(running_var + eps)` per channel (`|γ|` without running statistics), or undefined without a norm. */
export function normScale(norm: BatchNormRef | undefined, out: number, file: string): Float32Array | undefined {
  if (!norm) return undefined;
  const s = new Float32Array(out).fill(1);
  const gamma = norm.weight?.read();
  const rv = norm.runningVar?.read();
  // Keras and ONNX attach a norm by wiring, not by width: a short vector would read undefined (NaN).
  for (const [what, t] of [['weight', gamma], ['running_var', rv]] as const) {
    if (t && t.length !== out) throw new ArchitectureError(file, `norm '${norm.name}' has a ${what} of ${t.length} values for a layer of ${out} channels`);
  }
  for (let o = 0; o < out; o++) {
    const g = gamma ? Math.abs(gamma[o]) : 1;
    const v = rv ? rv[o] : undefined;
    if (v !== undefined && !(v >= 0)) throw new NumericError(`${file}: norm '${norm.name}' has running_var ${v} for channel ${o}`);
    s[o] = v === undefined ? g : g / Math.sqrt(v + norm.eps);
    if (!Number.isFinite(s[o])) throw new NumericError(`${file}: norm '${norm.name}' scales channel ${o} by ${s[o]} (weight ${g}, running_var ${v}, eps ${norm.eps})`);
  }
  return s;
}

export function checkFinite(values: Float32Array, t: TensorEntry, file: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new NumericError(`${file}: tensor '${t.name}' holds ${values[i]} at flat index ${i}; the graph of a diverged run has no defined properties`);
    }
  }
}

/** Finite weights can still give an edge past float32's range (|w| near 3.4e38, or a huge norm scale). */
export function checkEdges(weights: Float32Array, op: string, file: string): void {
  for (let i = 0; i < weights.length; i++) {
    if (!Number.isFinite(weights[i])) throw new NumericError(`${file}: layer '${op}' gives an edge weight of ${weights[i]} (its weights or norm scale overflow single precision)`);
  }
}

/**
 * Conv `values` [out, perGroup, k...] → edges [out × perGroup]: ‖W[o, j, :]‖₂ · s_o (· t of the
 * input channel it reads, with `inScale`).
 */
export function convEdges(values: Float32Array, out: number, perGroup: number, k: number, groups: number, scale?: Float32Array, inScale?: Float32Array): Float32Array {
  const weights = new Float32Array(out * perGroup);
  const outPerGroup = out / groups;
  for (let o = 0; o < out; o++) {
    const s = scale ? scale[o] : 1;
    const base0 = Math.floor(o / outPerGroup) * perGroup;
    for (let j = 0; j < perGroup; j++) {
      let acc = 0;
      const base = (o * perGroup + j) * k;
      for (let p = 0; p < k; p++) acc += values[base + p] * values[base + p];
      weights[o * perGroup + j] = inScale ? Math.sqrt(acc) * inScale[base0 + j] * s : Math.sqrt(acc) * s;
    }
  }
  return weights;
}

/**
 * Dense `values` [out, fanIn] over `srcSize` channels of P = fanIn / srcSize positions → edges
 * [out × srcSize]: |W[o, c]| · s_o, or the L2 norm over the positions of channel c (channel-major
 * `c·P + p`, or `p·C + c` for 'hwc'). `inScale` has srcSize or fanIn values.
 */
export function denseEdges(values: Float32Array, out: number, fanIn: number, srcSize: number, hwc: boolean, scale?: Float32Array, inScale?: Float32Array, inPlace = false): Float32Array {
  const P = fanIn / srcSize;
  // Without a flatten each weight is one edge at the same index: with `inPlace` (the caller's own
  // fresh copy of the values), the edges overwrite them, saving an array as large as the layer.
  const weights = inPlace && P === 1 ? values : new Float32Array(out * srcSize);
  const perColumn = inScale !== undefined && inScale.length === fanIn && P > 1;
  for (let o = 0; o < out; o++) {
    const s = scale ? scale[o] : 1;
    const row = o * fanIn;
    if (P === 1) {
      if (inScale) for (let c = 0; c < srcSize; c++) weights[o * srcSize + c] = Math.abs(values[row + c]) * inScale[c] * s;
      else for (let c = 0; c < srcSize; c++) weights[o * srcSize + c] = Math.abs(values[row + c]) * s;
    } else {
      for (let c = 0; c < srcSize; c++) {
        let acc = 0;
        for (let p = 0; p < P; p++) {
          const i = hwc ? p * srcSize + c : c * P + p;
          const v = perColumn ? values[row + i] * inScale![i] : values[row + i];
          acc += v * v;
        }
        weights[o * srcSize + c] = inScale && !perColumn ? Math.sqrt(acc) * inScale[c] * s : Math.sqrt(acc) * s;
      }
    }
  }
  return weights;
}
