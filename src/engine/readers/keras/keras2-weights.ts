/**
 * Keras 2 weight layout, in HDF5:
 *  - `model.save('m.h5')`: root attrs `keras_version`, `backend`, `model_config` (JSON); group
 *    `model_weights` with attr `layer_names` (model.layers order); one group per layer with attr
 *    `weight_names` ('conv2d/kernel:0', ...), each a dataset path inside the layer group.
 *  - `save_weights('m.h5')`: the same, with the layer groups at the root.
 * Long attributes are split by Keras into `layer_names0`, `layer_names1`, ... (see attrStrings).
 */
import { FormatError } from '../../errors';
import { addDataset, type Collected } from './collect';
import { attrStrings, type H5File, type H5Group } from './hdf5';
import { splitWeightName } from './layout';
import type { KerasModel } from './model-config';

function layerClasses(model: KerasModel | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of model?.layers ?? []) out.set(l.name, l.cls);
  return out;
}

/** Keras 2: `layer_names` on `g`, then `weight_names` on each layer group. */
export function readKeras2(h5: H5File, g: H5Group, model: KerasModel | undefined, c: Collected): void {
  const layerNames = attrStrings(h5.attrs(g), 'layer_names') ?? [];
  const classes = layerClasses(model);
  for (const name of layerNames) {
    const lg = h5.group(g, name);
    if (!lg) throw new FormatError(h5.file, `${h5.label}layer '${name}' is listed in layer_names but has no group in the file`);
    const weightNames = attrStrings(h5.attrs(lg), 'weight_names') ?? [];
    // A layer's own variables share one scope ('conv2d/kernel:0', 'conv2d/bias:0'); a nested model's differ.
    const scopes = new Set(weightNames.map((w) => splitWeightName(w).path[0] ?? ''));
    const own = scopes.size <= 1;
    for (const w of weightNames) {
      const ds = h5.child(lg, w);
      if (!ds || !h5.isDataset(ds)) throw new FormatError(h5.file, `${h5.label}weight '${w}' of layer '${name}' is listed in weight_names but missing from the file`);
      const { path, varName } = splitWeightName(w);
      const layer = own ? name : [name, ...path].join('.');
      addDataset(h5, c, ds, `${name}/${w}`, layer, own ? classes.get(name) : undefined, varName);
    }
  }
}
