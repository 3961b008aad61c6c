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
}

export interface DenseOp {
  op: 'dense';
  name: string;
  /** [out, in]; `in` may be channels × positions of a flattened conv output. */
  weight: TensorEntry;
  input: ValueId;
  norm?: BatchNormRef;
}

export interface AddOp {
  op: 'add';
  name: string;
  /** Summed values, e.g. [main branch conv, block input] or [main conv, projection conv]. */
  inputs: ValueId[];
}

export type NetOp = ConvOp | DenseOp | AddOp;
