/**
 * Keras HDF5 files (`.h5`): a Keras 2 `model.save` or `save_weights` file, or a bare Keras 3
 * `m.weights.h5`, read into the engine's PyTorch convention (see layout.ts), tensors listed in the
 * model's layer order. Keras 3 weights are reported as format 'keras-v3'.
 */
import type { CheckpointReader } from '../../checkpoint';
import { FormatError } from '../../errors';
import { kerasCheckpoint, newCollected, type Meta } from './collect';
import { H5File, attrString, attrStrings, isHdf5, readAll } from './hdf5';
import { readKeras2 } from './keras2-weights';
import { readKeras3File } from './keras3-weights';
import { parseModelConfig, type KerasModel } from './model-config';

export const kerasH5Reader: CheckpointReader = {
  id: 'keras-h5',
  match(file, head) {
    return isHdf5(head) || /\.(h5|hdf5|he5)$/i.test(file);
  },
  open(file, src) {
    const h5 = new H5File(file, '', readAll(file, src), src.budget);
    const rootAttrs = h5.attrs(h5.root);
    const metadata: Meta = {};
    const c = newCollected();
    let model: KerasModel | undefined;
    const configText = attrString(rootAttrs, 'model_config');
    if (configText !== undefined) {
      let cfg: unknown;
      try {
        cfg = JSON.parse(configText);
      } catch (e) {
        c.warnings.push(`model_config attribute is not valid JSON (${(e as Error).message}); layer classes guessed from weight names`);
      }
      model = parseModelConfig(cfg);
      if (cfg !== undefined && !model) c.warnings.push('model_config is not a Sequential or Functional model config');
    }
    for (const k of ['keras_version', 'backend']) {
      const v = attrString(rootAttrs, k);
      if (v !== undefined) metadata[k] = v;
    }
    let format = 'keras-h5';
    if (attrStrings(rootAttrs, 'layer_names')) {
      readKeras2(h5, h5.root, model, c);
    } else {
      const mw = h5.group(h5.root, 'model_weights');
      if (mw) {
        const mwAttrs = h5.attrs(mw);
        if (!attrStrings(mwAttrs, 'layer_names')) throw new FormatError(file, "group 'model_weights' has no layer_names attribute");
        for (const k of ['keras_version', 'backend']) {
          const v = attrString(mwAttrs, k);
          if (v !== undefined && metadata[k] === undefined) metadata[k] = v;
        }
        readKeras2(h5, mw, model, c);
      } else if (readKeras3File(h5, model, c)) {
        format = 'keras-v3';
      } else {
        throw new FormatError(file, `HDF5 file holds no Keras weights: no layer_names attribute, no model_weights or layers group (top-level members: ${h5.keys(h5.root).slice(0, 12).join(', ') || 'none'})`);
      }
    }
    return kerasCheckpoint(file, format, c, model, metadata, src);
  },
};
