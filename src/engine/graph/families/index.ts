/**
 * Recognisers of naming families: each looks at the tensor names and shapes (and the model's
 * config when there is one) and either builds the op list or declines with undefined.
 */
import type { Checkpoint } from '../../checkpoint';
import type { NetOp } from '../netspec';

export interface FamilyWiring {
  ops: NetOp[];
  warnings: string[];
  wiring: 'names' | 'config';
}

export function recogniseFamily(_ckpt: Checkpoint): FamilyWiring | undefined {
  return undefined;
}
