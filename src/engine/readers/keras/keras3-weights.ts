/**
 * Keras 3 weight layout (`model.weights.h5` inside a `.keras` zip, or a bare `m.weights.h5`):
 * groups `layers/<snake_case class name>[_N]/vars/<i>`, numbered by class in model.layers order
 * (keras/src/saving/saving_lib.py), so the model config gives names and order. Variables are
 * numbered, not named: their roles come from the layer class and config.
 */
import { FormatError } from '../../errors';
import { naturalCompare } from '../names';
import { addDataset, type Collected } from './collect';
import type { H5File, H5Group } from './hdf5';
import { toSnakeCase } from './layout';
import type { KerasModel } from './model-config';

const KNOWN_CLASSES = [
  'Dense', 'EinsumDense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv1DTranspose', 'Conv2DTranspose', 'Conv3DTranspose',
  'DepthwiseConv1D', 'DepthwiseConv2D', 'SeparableConv1D', 'SeparableConv2D', 'BatchNormalization',
  'LayerNormalization', 'GroupNormalization', 'Embedding', 'PReLU',
];
const CLASS_OF_SNAKE = new Map(KNOWN_CLASSES.map((c) => [toSnakeCase(c), c]));

/** Names of a Keras 3 layer's variables in `vars/0, 1, ...` order, or undefined when unknown. */
function keras3Roles(cls: string | undefined, config: Record<string, unknown> | undefined, n: number): string[] | undefined {
  const useBias = config?.use_bias !== false;
  let roles: string[];
  switch (cls) {
    case 'Dense': case 'EinsumDense': case 'Conv1D': case 'Conv2D': case 'Conv3D':
    case 'Conv1DTranspose': case 'Conv2DTranspose': case 'Conv3DTranspose':
      roles = ['kernel', 'bias'];
      break;
    case 'DepthwiseConv1D': case 'DepthwiseConv2D':
      roles = ['depthwise_kernel', 'bias'];
      break;
    case 'SeparableConv1D': case 'SeparableConv2D':
      roles = ['depthwise_kernel', 'pointwise_kernel', 'bias'];
      break;
    case 'BatchNormalization':
      roles = [...(config?.scale === false ? [] : ['gamma']), ...(config?.center === false ? [] : ['beta']), 'moving_mean', 'moving_variance'];
      return roles.length === n ? roles : undefined;
    case 'LayerNormalization': case 'GroupNormalization':
      roles = [...(config?.scale === false ? [] : ['gamma']), ...(config?.center === false ? [] : ['beta'])];
      return roles.length === n ? roles : undefined;
    case 'Embedding':
      roles = ['embeddings'];
      break;
    case 'PReLU':
      roles = ['alpha'];
      break;
    default:
      return undefined;
  }
  if (config && !useBias) roles = roles.filter((r) => r !== 'bias');
  if (!config && roles.length === n + 1 && roles[roles.length - 1] === 'bias') roles = roles.slice(0, -1);
  return roles.length === n ? roles : undefined;
}

function numericKeys(keys: string[]): string[] {
  return keys.filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
}

/** Keras 3: one layer group (`.../<group>/vars/<i>`). */
function readKeras3Layer(h5: H5File, c: Collected, grp: H5Group, where: string, layer: string, cls: string | undefined, config: Record<string, unknown> | undefined): void {
  const vars = h5.group(grp, 'vars');
  if (!vars) return;
  const keys = numericKeys(h5.keys(vars));
  if (keys.length === 0) return;
  const roles = keras3Roles(cls, config, keys.length);
  if (!roles) c.warnings.push(`layer '${layer}'${cls ? ` (${cls})` : ''}: ${keys.length} variables with unknown roles, kept untransposed as '${layer}.var<i>'`);
  keys.forEach((k, i) => {
    const ds = h5.child(vars, k);
    if (!ds || !h5.isDataset(ds)) throw new FormatError(h5.file, `${h5.label}'${where}/vars/${k}' is not a dataset`);
    addDataset(h5, c, ds, `${where}/vars/${k}`, layer, cls, roles ? roles[i] : `var${k}`);
  });
}

function readKeras3Layers(h5: H5File, c: Collected, top: H5Group, topPath: string, model: KerasModel | undefined, prefix: string): void {
  const groupNames = h5.keys(top);
  const groupSet = new Set(groupNames);
  const used = new Set<string>();
  if (model) {
    const counts = new Map<string, number>();
    for (const l of model.layers) {
      let g = toSnakeCase(l.cls);
      const n = counts.get(g);
      counts.set(g, n === undefined ? 0 : n + 1);
      if (n !== undefined) g = `${g}_${n + 1}`;
      const gname = groupSet.has(g) ? g : groupSet.has(l.name) && !used.has(l.name) ? l.name : undefined;
      if (!gname) continue;
      used.add(gname);
      const grp = h5.group(top, gname);
      if (!grp) continue;
      const path = prefix ? `${prefix}.${l.name}` : l.name;
      if (l.model) {
        readKeras3Layer(h5, c, grp, `${topPath}/${gname}`, path, l.cls, l.config);
        const inner = h5.group(grp, 'layers') ?? h5.group(grp, '_layer_checkpoint_dependencies');
        if (inner) readKeras3Layers(h5, c, inner, `${topPath}/${gname}/layers`, l.model, path);
      } else {
        readKeras3Layer(h5, c, grp, `${topPath}/${gname}`, path, l.cls, l.config);
      }
    }
  }
  const rest = groupNames.filter((g) => !used.has(g)).sort(naturalCompare);
  for (const g of rest) {
    const grp = h5.group(top, g);
    if (!grp) continue;
    const before = c.tensors.length;
    const cls = CLASS_OF_SNAKE.get(g.replace(/_\d+$/, ''));
    const path = prefix ? `${prefix}.${g}` : g;
    readKeras3Layer(h5, c, grp, `${topPath}/${g}`, path, cls, undefined);
    const inner = h5.group(grp, 'layers');
    if (inner) readKeras3Layers(h5, c, inner, `${topPath}/${g}/layers`, undefined, path);
    if (model && c.tensors.length > before) c.warnings.push(`weight group '${topPath}/${g}' matches no layer of the model config; its tensors are listed last`);
  }
  if (!model && prefix === '' && c.tensors.length > 0) {
    c.warnings.push('no model config: layer order and classes are guessed from the HDF5 group names');
  }
}

/** Reads Keras 3 weights (`layers/...`) from an HDF5 file; false when it has no such group. */
export function readKeras3File(h5: H5File, model: KerasModel | undefined, c: Collected): boolean {
  for (const top of ['layers', '_layer_checkpoint_dependencies']) {
    const g = h5.group(h5.root, top);
    if (g) {
      readKeras3Layers(h5, c, g, top, model, '');
      return true;
    }
  }
  return false;
}
