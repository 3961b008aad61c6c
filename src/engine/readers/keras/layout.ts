/**
 * Keras variables in the engine's PyTorch convention, shared by the Keras and TF.js readers:
 * kernels are transposed lazily (conv HWIO → OIHW, dense [in, out] → [out, in], depthwise
 * [kh, kw, in, mult] → [in*mult, 1, kh, kw]), BatchNorm gamma/beta/moving_mean/moving_variance
 * become weight/bias/running_mean/running_var, and tensors are named `<layer>.<param>`.
 */
import { DType, LazyTensor, TensorEntry, permute } from '../../tensor';

/** A raw Keras variable as found in a file: Keras layout, values read lazily. */
export interface KerasVar {
  /** Module path of the owning layer ('conv2d', or 'outer.inner' for nested models). */
  layer: string;
  /** Keras class of the owning layer when known ('Conv2D', 'DepthwiseConv2D', ...). */
  cls?: string;
  /** 'kernel', 'bias', 'gamma', 'depthwise_kernel', ... */
  varName: string;
  dtype: DType;
  shape: number[];
  load: () => Float32Array;
  /** Elements the file stores for it (TensorEntry.storedElements). */
  storedElements: number;
}

/** Per-layer facts the topology builder needs. */
export interface LayerTensors {
  weight?: TensorEntry;
  gamma?: TensorEntry;
  movingVariance?: TensorEntry;
  depthwise?: TensorEntry;
  pointwise?: TensorEntry;
  /** Input channels of a depthwise kernel ([kh, kw, in, mult]): the group count of the conv. */
  depthwiseIn?: number;
  count: number;
}

const RENAME: Record<string, string> = {
  bias: 'bias', gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var', embeddings: 'weight',
};

export function isSeparable(cls?: string): boolean {
  return !!cls && /^SeparableConv[123]D$/.test(cls);
}

/**
 * Converts one Keras variable to a PyTorch-layout tensor, appends it to `out` and records it in
 * `layers` (keyed by module path).
 */
export function addKerasVar(v: KerasVar, out: TensorEntry[], layers: Map<string, LayerTensors>): void {
  const info = layers.get(v.layer) ?? { count: 0 };
  layers.set(v.layer, info);
  info.count++;
  const r = v.shape.length;
  const sep = isSeparable(v.cls);
  const depthwise = v.varName === 'depthwise_kernel' || (v.varName === 'kernel' && !!v.cls && /^DepthwiseConv[123]D$/.test(v.cls));
  let param: string;
  let shape = v.shape;
  let load = v.load;
  if (depthwise && r >= 3) {
    // [k..., in, mult] → [in, mult, k...] → [in*mult, 1, k...]: output channel c*mult + m, as TF orders them.
    const perm = [r - 2, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i)];
    const src = v.shape;
    shape = [src[r - 2] * src[r - 1], 1, ...src.slice(0, r - 2)];
    load = () => permute(v.load(), src, perm);
    param = sep ? 'depthwise.weight' : 'weight';
    info.depthwiseIn = src[r - 2];
    const t = new LazyTensor(`${v.layer}.${param}`, v.dtype, shape, load, v.storedElements);
    if (sep) info.depthwise = t;
    else info.weight = t;
    out.push(t);
    return;
  }
  if ((v.varName === 'kernel' || v.varName === 'pointwise_kernel') && r >= 2) {
    // dense [in, out] → [out, in]; conv [k..., in, out] → [out, in, k...] (transposed convs: [k..., out, in] → [in, out, k...]).
    const perm = r === 2 ? [1, 0] : [r - 1, r - 2, ...Array.from({ length: r - 2 }, (_, i) => i)];
    const src = v.shape;
    shape = perm.map((p) => src[p]);
    load = () => permute(v.load(), src, perm);
    param = v.varName === 'pointwise_kernel' || sep ? 'pointwise.weight' : 'weight';
    const t = new LazyTensor(`${v.layer}.${param}`, v.dtype, shape, load, v.storedElements);
    if (param === 'pointwise.weight') info.pointwise = t;
    else info.weight = t;
    out.push(t);
    return;
  }
  param = RENAME[v.varName] ?? v.varName;
  if (sep && v.varName === 'bias') param = 'pointwise.bias';
  const t = new LazyTensor(`${v.layer}.${param}`, v.dtype, shape, load, v.storedElements);
  if (v.varName === 'gamma') info.gamma = t;
  if (v.varName === 'moving_variance') info.movingVariance = t;
  if (v.varName === 'kernel') info.weight = t; // rank-1 "kernel": keep as is
  out.push(t);
}

/** Splits a Keras weight name ('conv2d/kernel:0', 'block/conv/kernel') into layer path and variable. */
export function splitWeightName(name: string): { path: string[]; varName: string } {
  const parts = name.split('/').filter((p) => p !== '');
  const last = (parts.pop() ?? name).replace(/:\d+$/, '');
  return { path: parts, varName: last };
}

/** keras.src.utils.naming.to_snake_case: the Keras 3 weight-group name of a layer class. */
export function toSnakeCase(name: string): string {
  let s = name.replace(/\W+/g, '');
  s = s.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  s = s.replace(/([a-z])([A-Z])/g, '$1_$2');
  return s.toLowerCase();
}
