/**
 * Where a checkpoint's wiring comes from, in order of trust:
 *  1. the file states it (an ONNX graph: 'onnx'; a Keras or TF.js model config: 'config');
 *  2. an ONNX export of the model in the run folder or a folder above, matched by initializer
 *     names ('onnx', graph/wiring-file.ts);
 *  3. a recogniser of the naming family (transformers, DenseNet, Inception, ...; 'names', or
 *     'config' when a Hugging Face config.json beside the weights was needed);
 *  4. the generic chain and residual-block recovery from names and shapes ('names');
 *  5. none of these: each weight tensor on its own ('layer-local').
 */
import type { Checkpoint } from '../checkpoint';
import { ArchitectureError } from '../errors';
import { ambiguousChain, sameShapedSiblings, HOW_TO_WIRE } from './ambiguity';
import { recogniseFamily } from './families/index';
import { layerLocalNote, layerLocalOps } from './layer-local';
import type { NetOp } from './netspec';
import { recoverTopology, recoverTopologyAnyOrder } from './recover';
import { wiringFromFile } from './wiring-file';

/** Most weight tensors analyzed layer-local, each as its own layer. */
export const MAX_LAYER_LOCAL_TENSORS = 4096;

export type WiringSource = 'names' | 'config' | 'onnx' | 'layer-local';

export interface Wiring {
  ops: NetOp[];
  warnings: string[];
  wiring: WiringSource;
}

export function wireCheckpoint(ckpt: Checkpoint): Wiring {
  if (ckpt.topology && ckpt.topology.length > 0) return { ops: ckpt.topology, warnings: [], wiring: ckpt.wiringSource ?? 'config' };
  const fromFile = wiringFromFile(ckpt);
  if (fromFile && 'ops' in fromFile) return { ...fromFile, wiring: 'onnx' };
  const notes = fromFile ? fromFile.failures.map((f) => `wiring file: ${f}`) : [];
  const w = wireWithoutFile(ckpt);
  return notes.length ? { ...w, warnings: [...notes, ...w.warnings] } : w;
}

function wireWithoutFile(ckpt: Checkpoint): Wiring {
  const file = ckpt.file;
  const family = recogniseFamily(ckpt);
  if (family && 'ops' in family) return family;
  try {
    const eps = ckpt.batchNormEpsilon;
    const r = ckpt.tensorOrder === 'unknown' ? recoverTopologyAnyOrder(ckpt.tensors, file, eps) : recoverTopology(ckpt.tensors, file, eps);
    return { ops: r.ops, warnings: [...r.warnings, ...ambiguousChain(r.ops)], wiring: 'names' };
  } catch (e) {
    if (!(e instanceof ArchitectureError)) throw e;
    const ops = layerLocalOps(ckpt.tensors);
    if (ops.length === 0) throw e;
    // One layer summary per tensor: past this many the report would grow far beyond the file.
    if (ops.length > MAX_LAYER_LOCAL_TENSORS) throw new ArchitectureError(file, `${e.problem}; and its ${ops.length} weight tensors are too many to analyze one by one (at most ${MAX_LAYER_LOCAL_TENSORS})`);
    const warnings = [layerLocalNote(family ? family.failed : e.problem)];
    const pairs = sameShapedSiblings(ckpt.tensors);
    if (pairs.length) warnings.push(`ambiguous wiring: ${pairs.slice(0, 3).map(([a, b]) => `'${a}' and '${b}'`).join(', ')} have the same shape and names that do not order them (one after the other, or side by side?); nothing was assumed: ${HOW_TO_WIRE}`);
    return { ops, warnings, wiring: 'layer-local' };
  }
}
