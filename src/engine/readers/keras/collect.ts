/**
 * The tensors and per-layer facts gathered while walking a Keras weights file, and the checkpoint
 * they make: tensors listed in the model's layer order, wiring from the model config when it
 * states one, Keras' normalization epsilon and Flatten order.
 */
import { CHECKPOINT_DEFAULTS, checkTensorCount, type Checkpoint } from '../../checkpoint';
import { FormatError } from '../../errors';
import type { NetOp } from '../../graph/netspec';
import type { ByteSource } from '../../io/source';
import type { TensorEntry } from '../../tensor';
import { datasetValues, type H5Dataset, type H5File } from './hdf5';
import { addKerasVar, type LayerTensors } from './layout';
import { KERAS_NORM_EPSILON, kerasFlattenOrder, type KerasModel } from './model-config';
import { kerasTopology } from './topology';

export type Meta = Record<string, string | number | boolean | null>;

export interface Collected {
  tensors: TensorEntry[];
  layers: Map<string, LayerTensors>;
  warnings: string[];
}

export function newCollected(): Collected {
  return { tensors: [], layers: new Map(), warnings: [] };
}

export function addDataset(h5: H5File, c: Collected, ds: H5Dataset, where: string, layer: string, cls: string | undefined, varName: string): void {
  checkTensorCount(h5.file, c.tensors.length + 1);
  const d = datasetValues(h5, ds, where);
  if (typeof d === 'string') {
    c.warnings.push(d);
    return;
  }
  addKerasVar({ layer, cls, varName, ...d }, c.tensors, c.layers);
}

export function kerasCheckpoint(file: string, format: string, c: Collected, model: KerasModel | undefined, metadata: Meta, src: ByteSource): Checkpoint {
  if (c.tensors.length === 0) throw new FormatError(file, 'the Keras file holds no weight tensors');
  let topology: NetOp[] | undefined;
  if (model) {
    const t = kerasTopology(model, c.layers);
    if (typeof t === 'string') c.warnings.push(`model config: ${t}; the wiring is left to name/shape inference`);
    else if (t.length > 0) topology = t;
  }
  return {
    ...CHECKPOINT_DEFAULTS,
    batchNormEpsilon: KERAS_NORM_EPSILON,
    file,
    format,
    tensors: c.tensors,
    metadata,
    topology,
    flattenOrder: kerasFlattenOrder(model),
    warnings: c.warnings,
    close: () => src.close?.(),
  };
}
