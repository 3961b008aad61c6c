/**
 * Same-shaped siblings: two layers of one container with the same square weight shape and names
 * that do not order them (`left`/`right`, not `conv1`/`conv2` or Sequential indices) fit both
 * "one after the other" and "side by side" (summed or concatenated). Names and shapes cannot
 * tell which; the analysis says what it assumed, with the word "ambiguous", and how to give
 * the wiring.
 */
import type { TensorEntry } from '../tensor';
import type { NetOp, WeightOp } from './netspec';

export const HOW_TO_WIRE = 'give the wiring with an ONNX export placed in the run folder (torch.onnx.export(model, example_input, "model.onnx"))';

const parentOf = (n: string): string => n.slice(0, Math.max(0, n.lastIndexOf('.')));
const leafOf = (n: string): string => n.slice(n.lastIndexOf('.') + 1);
/** A name that states an order: a Sequential index or a name ending in a number. */
const ordered = (leaf: string): boolean => /\d$/.test(leaf);

function square(op: WeightOp): boolean {
  if (op.op === 'matrix') return false;
  const s = op.weight.shape;
  return op.op === 'conv' ? s[0] === s[1] * op.groups : s[0] === s[1];
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Warnings for consecutive chain layers that could as well be siblings. */
export function ambiguousChain(ops: NetOp[]): string[] {
  const out: string[] = [];
  const byName = new Map(ops.map((o) => [o.name, o]));
  for (const b of ops) {
    if (b.op !== 'conv' && b.op !== 'dense') continue;
    const a = byName.get(b.input);
    if (!a || (a.op !== 'conv' && a.op !== 'dense') || !square(a) || !square(b)) continue;
    if (!sameShape(a.weight.shape, b.weight.shape) || parentOf(a.name) !== parentOf(b.name)) continue;
    if (ordered(leafOf(a.name)) && ordered(leafOf(b.name))) continue;
    out.push(`ambiguous wiring: '${a.name}' and '${b.name}' have the same shape [${a.weight.shape.join(', ')}] and their names do not order them; assumed '${b.name}' reads the output of '${a.name}' (one after the other); if they are parallel branches (summed or concatenated) the graph is wrong: ${HOW_TO_WIRE}`);
  }
  return out;
}

/** Same-shaped weight tensors of sibling modules without ordered names (for a refusal's note). */
export function sameShapedSiblings(tensors: TensorEntry[]): [string, string][] {
  const weights = tensors.filter((t) => t.name.endsWith('.weight') && t.shape.length >= 2);
  const pairs: [string, string][] = [];
  for (let i = 0; i < weights.length; i++) {
    for (let j = i + 1; j < weights.length; j++) {
      const a = weights[i].name.slice(0, -7);
      const b = weights[j].name.slice(0, -7);
      if (parentOf(a) !== parentOf(b) || !sameShape(weights[i].shape, weights[j].shape)) continue;
      if (ordered(leafOf(a)) && ordered(leafOf(b))) continue;
      pairs.push([a, b]);
    }
  }
  return pairs;
}
