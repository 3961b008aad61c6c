/**
 * Keras 3 `.keras` files: a zip of config.json (the model config), metadata.json and
 * model.weights.h5 (the Keras 3 weight layout; a Keras 2.13 `.keras` may still hold the Keras 2
 * one), read into the engine's PyTorch convention (see layout.ts).
 */
import type { CheckpointReader } from '../../checkpoint';
import { FormatError } from '../../errors';
import { openZipOf } from '../../io/zip';
import { kerasCheckpoint, newCollected, type Meta } from './collect';
import { H5File, attrStrings, ownedBytes } from './hdf5';
import { readKeras2 } from './keras2-weights';
import { readKeras3File } from './keras3-weights';
import { isObj, parseModelConfig, type KerasModel } from './model-config';

function parseJson(file: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(file, `${what} is not valid JSON (${(e as Error).message})`);
  }
}

const MAX_JSON_BYTES = 256 << 20;
const MAX_HDF5_MEMBER = 2 ** 31 - 1;

export const kerasV3Reader: CheckpointReader = {
  id: 'keras-v3',
  match(file) {
    return /\.keras$/i.test(file);
  },
  open(file, src) {
    const zip = openZipOf(src, file, 'a Keras 3 .keras');
    const weights = zip.find('model.weights.h5');
    if (!weights) {
      if (zip.find('model.weights.npz')) throw new FormatError(file, 'weights are stored as model.weights.npz (pickled object arrays), which is not supported; save with the default h5 weights format');
      throw new FormatError(file, `no model.weights.h5 in the archive (members: ${zip.entries.slice(0, 12).map((e) => e.name).join(', ') || 'none'})`);
    }
    const c = newCollected();
    const metadata: Meta = {};
    const readJson = (name: string): unknown => {
      const e = zip.find(name);
      if (!e) return undefined;
      if (e.size > MAX_JSON_BYTES) throw new FormatError(file, `${name} declares ${e.size} bytes, above the ${MAX_JSON_BYTES}-byte limit`);
      const s = zip.open(e);
      return parseJson(file, Buffer.from(s.read(0, s.size)).toString('utf8'), name);
    };
    const config = readJson('config.json');
    const meta = readJson('metadata.json');
    if (isObj(meta)) {
      for (const k of ['keras_version', 'date_saved']) if (typeof meta[k] === 'string') metadata[k] = meta[k] as string;
    }
    let model: KerasModel | undefined;
    if (config === undefined) c.warnings.push('no config.json in the archive: layer order and classes are guessed from the weight groups');
    else {
      model = parseModelConfig(config);
      if (!model) c.warnings.push('config.json is not a Sequential or Functional model config');
    }
    const label = 'model.weights.h5: ';
    if (weights.size > MAX_HDF5_MEMBER) throw new FormatError(file, `${label}declares ${weights.size} bytes, above the ${MAX_HDF5_MEMBER}-byte limit of the in-memory HDF5 reader`);
    // Read (or inflated) once, and handed to jsfive without a second copy.
    const h5 = new H5File(file, label, ownedBytes(zip.bytes(weights)), zip.budget);
    if (!readKeras3File(h5, model, c)) {
      // A Keras 2.13 `.keras` may still use the legacy layout.
      const attrs = h5.attrs(h5.root);
      if (attrStrings(attrs, 'layer_names')) readKeras2(h5, h5.root, model, c);
      else throw new FormatError(file, `${label}no 'layers' group (top-level members: ${h5.keys(h5.root).slice(0, 12).join(', ') || 'none'})`);
    }
    return kerasCheckpoint(file, 'keras-v3', c, model, metadata, src);
  },
};
