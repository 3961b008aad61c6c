/**
 * Keras model configs (`model_config` of a Keras 2 .h5, `config.json` of a .keras, `modelTopology`
 * of a TF.js layers model): the layer list with each layer's class, config and inbound layers.
 */
import { toSnakeCase } from './layout';

export interface KerasLayer {
  name: string;
  cls: string;
  config: Record<string, unknown>;
  /** Names of the layers feeding this one (functional models); 'shared' when called more than once. */
  inbound?: string[] | 'shared';
  /** Layers of a nested Sequential/Functional model. */
  model?: KerasModel;
}

export interface KerasModel {
  kind: 'Sequential' | 'Functional';
  layers: KerasLayer[];
}

/** Keras' default epsilon of BatchNormalization, LayerNormalization and GroupNormalization (PyTorch's is 1e-5). */
export const KERAS_NORM_EPSILON = 1e-3;

export const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function collectHistory(v: unknown, out: string[], depth = 0): boolean {
  if (depth > 16) return true;
  if (Array.isArray(v)) return v.every((x) => collectHistory(x, out, depth + 1));
  if (!isObj(v)) return true;
  if (v.class_name === '__keras_tensor__' && isObj(v.config) && Array.isArray(v.config.keras_history)) {
    const [name, node] = v.config.keras_history as unknown[];
    if (typeof name !== 'string') return true;
    out.push(name);
    return node === 0;
  }
  return Object.values(v).every((x) => collectHistory(x, out, depth + 1));
}

/** Input layer names of a layer from its `inbound_nodes` (Keras 2/TF.js lists, or Keras 3 {args, kwargs}). */
function inboundNames(nodes: unknown): string[] | 'shared' {
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  if (nodes.length > 1) return 'shared';
  const node = nodes[0];
  const names: string[] = [];
  if (Array.isArray(node)) {
    for (const t of node) {
      if (Array.isArray(t) && typeof t[0] === 'string') {
        if (t[1] !== 0 && t[1] !== undefined) return 'shared';
        names.push(t[0]);
      }
    }
  } else if (isObj(node)) {
    if (!collectHistory(node.args, names)) return 'shared';
  }
  return names;
}

/** Parses a Keras model config ({class_name, config: {layers: [...]}}); undefined when it is not a model. */
export function parseModelConfig(cfg: unknown, depth = 0): KerasModel | undefined {
  if (!isObj(cfg) || depth > 8) return undefined;
  const cls = cfg.class_name;
  if (typeof cls !== 'string' || !MODEL_CLASSES.has(cls)) return undefined;
  const inner = cfg.config;
  const rawLayers = Array.isArray(inner) ? inner : isObj(inner) && Array.isArray(inner.layers) ? inner.layers : undefined;
  if (!rawLayers) return undefined;
  const kind = cls === 'Sequential' ? 'Sequential' : 'Functional';
  const layers: KerasLayer[] = [];
  for (const l of rawLayers) {
    if (!isObj(l) || typeof l.class_name !== 'string') continue;
    const config = isObj(l.config) ? l.config : {};
    const name = typeof config.name === 'string' ? config.name : typeof l.name === 'string' ? l.name : `${toSnakeCase(l.class_name)}_${layers.length}`;
    const layer: KerasLayer = { name, cls: l.class_name, config };
    if (kind === 'Functional') layer.inbound = inboundNames(l.inbound_nodes);
    if (MODEL_CLASSES.has(l.class_name)) layer.model = parseModelConfig(l, depth + 1);
    layers.push(layer);
  }
  return { kind, layers };
}

/** Flatten order of a model: channels-last unless some layer says channels_first. */
export function kerasFlattenOrder(model?: KerasModel): 'chw' | 'hwc' {
  const walk = (m: KerasModel): boolean => m.layers.some((l) => l.config.data_format === 'channels_first' || (l.model ? walk(l.model) : false));
  return model && walk(model) ? 'chw' : 'hwc';
}
