/**
 * The wiring a Keras model config states, as NetOps (see graph/netspec.ts), for the Keras and
 * TF.js readers. A dense layer after Flatten keeps Keras' channels-last column order: the readers
 * say so with the checkpoint's flattenOrder (kerasFlattenOrder).
 */
import type { BatchNormRef, ConvOp, DenseOp, NetOp, ValueId } from '../../graph/netspec';
import { isSeparable, type LayerTensors } from './layout';
import { KERAS_NORM_EPSILON, MODEL_CLASSES, type KerasModel } from './model-config';
import { preview } from '../../text/safe-text';

const MERGE_CLASSES = new Set(['Concatenate', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum', 'Dot']);
/** Layers with weights that do not change which channel feeds which. */
const PASS_WITH_WEIGHTS = new Set(['PReLU', 'Normalization']);

/**
 * The wiring stated by a model config, as NetOps (see graph/netspec.ts). Returns a reason instead
 * when the config uses something the op list cannot state (shared layers, concatenation, nested
 * models, layers with unknown weights).
 */
export function kerasTopology(model: KerasModel, layers: Map<string, LayerTensors>): NetOp[] | string {
  const value = new Map<string, ValueId>();
  const producer = new Map<ValueId, ConvOp | DenseOp>();
  const ops: NetOp[] = [];
  /** Weighted layers on the longest path from the input to a value. */
  const depth = new Map<ValueId, number>([['input', 0]]);
  let prev: ValueId = 'input';
  let inputs = 0;
  for (const l of model.layers) {
    let ins: ValueId[];
    if (model.kind === 'Sequential') {
      ins = [prev];
    } else {
      if (l.inbound === 'shared') return `layer '${l.name}' is called more than once (shared layer)`;
      ins = [];
      for (const n of l.inbound ?? []) {
        const v = value.get(n);
        if (v === undefined) return `layer '${l.name}' takes its input from '${n}', which comes later or does not exist`;
        ins.push(v);
      }
      if (ins.length === 0 && l.cls !== 'InputLayer') return `layer '${l.name}' has no inbound node`;
    }
    const info = layers.get(l.name);
    const single: ValueId | undefined = ins.length === 1 ? ins[0] : undefined;
    const notSingle = `layer '${l.name}' (${l.cls}) takes ${ins.length} inputs`;
    let out: ValueId;
    if (l.cls === 'InputLayer') {
      if (++inputs > 1) return 'the model has more than one input';
      out = 'input';
    } else if (l.model || MODEL_CLASSES.has(l.cls)) {
      return `layer '${l.name}' is a nested ${l.cls} model`;
    } else if (/^Conv[123]D$/.test(l.cls) || /^DepthwiseConv[123]D$/.test(l.cls)) {
      if (single === undefined) return notSingle;
      const input = single;
      if (!info?.weight) return `conv layer '${l.name}' has no kernel in the file`;
      const depthwise = l.cls.startsWith('Depthwise');
      const groups = depthwise ? info.depthwiseIn ?? 1 : l.config.groups ?? 1;
      // From the file's JSON: anything but a positive integer (1.5, 5e-324, -1) would make the
      // graph's channel arithmetic meaningless (fuzzing found 5e-324 hanging the eigen solver).
      if (!Number.isSafeInteger(groups) || (groups as number) < 1) return `conv layer '${l.name}' has groups ${preview(groups)}, not a positive integer`;
      const op: ConvOp = { op: 'conv', name: l.name, weight: info.weight, input, groups: groups as number };
      ops.push(op);
      producer.set(l.name, op);
      depth.set(l.name, (depth.get(input) ?? 0) + 1);
      out = l.name;
    } else if (isSeparable(l.cls)) {
      if (single === undefined) return notSingle;
      const input = single;
      if (!info?.depthwise || !info.pointwise) return `separable conv layer '${l.name}' lacks its depthwise or pointwise kernel`;
      ops.push({ op: 'conv', name: `${l.name}.depthwise`, weight: info.depthwise, input, groups: info.depthwiseIn ?? 1 });
      const pw: ConvOp = { op: 'conv', name: `${l.name}.pointwise`, weight: info.pointwise, input: `${l.name}.depthwise`, groups: 1 };
      ops.push(pw);
      producer.set(`${l.name}.pointwise`, pw);
      depth.set(`${l.name}.pointwise`, (depth.get(input) ?? 0) + 2);
      out = `${l.name}.pointwise`;
    } else if (l.cls === 'Dense') {
      if (single === undefined) return notSingle;
      const input = single;
      if (!info?.weight || info.weight.shape.length !== 2) return `dense layer '${l.name}' has no 2-d kernel in the file`;
      const op: DenseOp = { op: 'dense', name: l.name, weight: info.weight, input };
      ops.push(op);
      producer.set(l.name, op);
      depth.set(l.name, (depth.get(input) ?? 0) + 1);
      out = l.name;
    } else if (l.cls === 'BatchNormalization' || l.cls === 'LayerNormalization' || l.cls === 'GroupNormalization') {
      if (single === undefined) return notSingle;
      const input = single;
      const p = producer.get(input);
      if (p && !p.norm) {
        const norm: BatchNormRef = { name: l.name, eps: typeof l.config.epsilon === 'number' ? l.config.epsilon : KERAS_NORM_EPSILON };
        if (info?.gamma) norm.weight = info.gamma;
        if (l.cls === 'BatchNormalization') {
          if (!info?.movingVariance) return `batch norm layer '${l.name}' has no moving_variance in the file`;
          norm.runningVar = info.movingVariance;
        }
        p.norm = norm;
      }
      out = input;
    } else if (l.cls === 'Add') {
      if (ins.length < 2) return `add layer '${l.name}' has ${ins.length} input`;
      // The rolled graph takes the first input as the main branch: the deepest one (most weighted
      // layers since the input), whatever order the model code summed them in.
      const ordered = ins.map((v, i) => ({ v, i, d: depth.get(v) ?? 0 })).sort((a, b) => b.d - a.d || a.i - b.i).map((x) => x.v);
      ops.push({ op: 'add', name: l.name, inputs: ordered });
      depth.set(l.name, Math.max(...ins.map((v) => depth.get(v) ?? 0)));
      out = l.name;
    } else if (MERGE_CLASSES.has(l.cls)) {
      return `layer '${l.name}' (${l.cls}) joins paths in a way the op list cannot state`;
    } else if (info && info.count > 0 && !PASS_WITH_WEIGHTS.has(l.cls)) {
      return `layer '${l.name}' (${l.cls}) has weights whose wiring is not known`;
    } else {
      if (single === undefined) return notSingle;
      const input = single;
      out = input; // pooling, activation, dropout, flatten, padding, reshape: same channels feed on
    }
    value.set(l.name, out);
    prev = out;
  }
  return ops;
}
