/**
 * A wiring file: an ONNX export of the model (with or without weights) in the run folder or a
 * folder above it wires the state-dict checkpoints of that run by initializer names.
 */
import type { Checkpoint } from '../checkpoint';
import type { NetOp } from './netspec';

export function wiringFromFile(_ckpt: Checkpoint): { ops: NetOp[]; warnings: string[] } | undefined {
  return undefined;
}
