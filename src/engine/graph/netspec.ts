/**
 * A network's wiring as a small op list, the common language between whoever recovers the
 * structure (tensor names and shapes, an ONNX graph, a Keras model_config) and the rolled-graph
 * builder. Only ops that carry weights or join paths appear: pooling, activations and dropout do
 * not change which channel feeds which, so the rolled graph does not need them.
 *
 * A value is named by the op that produced it; 'input' is the network input.
 */
import type { TensorEntry } from '../tensor';

export type ValueId = string;

export interface BatchNormRef {
  /** Module name of the norm layer, for messages. */
  name: string;
  weight?: TensorEntry; // gamma; absent when affine=False
  runningVar?: TensorEntry; // absent for LayerNorm/GroupNorm-like layers
  eps: number;
}

export interface ConvOp {
  op: 'conv';
  name: string;
  /** [out, in/groups, kh, kw] (or [out, in/groups, k] for 1-d, [out, in/groups] is not a conv). */
  weight: TensorEntry;
  input: ValueId;
  groups: number;
  /** A norm layer right after it, whose scale is folded into this op's edges. */
  norm?: BatchNormRef;
  /** A norm applied to this op's input (pre-activation, pre-LN): its scale multiplies each input channel's edges. */
  inNorm?: BatchNormRef;
  /** Route the edges into the group of this value instead of a new group (a gate, a merged projection). */
  into?: ValueId;
}

export interface DenseOp {
  op: 'dense';
  name: string;
  /** [out, in]; `in` may be channels × positions of a flattened conv output. */
  weight: TensorEntry;
  input: ValueId;
  norm?: BatchNormRef;
  /**
   * Input-side norm: `weight` of `in` values (one per input channel, or one per fan-in column after
   * a flatten); its scale multiplies the edge of each input column.
   */
  inNorm?: BatchNormRef;
  /** Order of a flatten before this layer when it is not the checkpoint's (Swin's patch merging: 'hwc'). */
  flatten?: 'chw' | 'hwc';
  into?: ValueId;
}

export interface AddOp {
  op: 'add';
  name: string;
  /** Summed values, e.g. [main branch conv, block input] or [main conv, projection conv]. */
  inputs: ValueId[];
  /** A norm right after the sum (post-LN): scales the identity edges (and is folded into the branch ops by whoever builds the op list). */
  norm?: BatchNormRef;
}

/** An explicit input group (a collapsed vocabulary, a position table, a second network input). */
export interface InputOp {
  op: 'input';
  name: string;
  size: number;
}

/** Channels of several values side by side; no nodes of its own (DenseNet, Inception, fire modules). */
export interface ConcatOp {
  op: 'concat';
  name: string;
  inputs: ValueId[];
}

/** Channel i of the result is channel `channels[i]` of the input: a split, a shuffle. No nodes of its own. */
export interface SelectOp {
  op: 'select';
  name: string;
  input: ValueId;
  channels: readonly number[];
}

/**
 * Edges whose weights are computed by whoever builds the op list (attention circuits, collapsed
 * embeddings, gate-combined recurrent weights): `edges()` returns [out × in] non-negative weights,
 * `in` the input value's channel count, or [out × in/groups] for a block-diagonal `groups`.
 */
export interface MatrixOp {
  op: 'matrix';
  name: string;
  input: ValueId;
  out: number;
  kind: 'conv' | 'dense';
  edges: () => Float32Array;
  groups?: number;
  /** Route into the group of this value (it may be the op's own input: a recurrence). */
  into?: ValueId;
  /** A per-node property of the output group that is not an edge (class token, relative-position table). */
  attributes?: Record<string, () => Float32Array>;
}

export type WeightOp = ConvOp | DenseOp | MatrixOp;
export type NetOp = ConvOp | DenseOp | AddOp | InputOp | ConcatOp | SelectOp | MatrixOp;
