/**
 * The fallback when no wiring can be recovered: every weight tensor is its own bipartite block
 * (its input channels → its output channels, with the conv and dense edge rules of
 * docs/rolled-graph.md), so a run still gets per-layer properties and a forecast from its
 * curve. The graph then has one component per tensor; centrality is computed per component
 * (metrics/centrality-parts.ts).
 */
import type { TensorEntry } from '../tensor';
import type { NetOp } from './netspec';

/** Parameters that are not layer weights even at rank ≥ 2 (masks, position indices). */
const SKIP = /(^|\.)(attn\.bias|attn\.masked_bias|relative_position_index|position_ids|inv_freq)$/;

export function layerLocalOps(tensors: TensorEntry[]): NetOp[] {
  const ops: NetOp[] = [];
  for (const t of tensors) {
    if (t.shape.length < 2 || t.shape.length > 5 || SKIP.test(t.name) || t.shape.some((d) => d === 0)) continue;
    const name = t.name.replace(/\.weight$/, '');
    if (t.shape.length === 2) {
      ops.push({ op: 'input', name: `${name} (inputs)`, size: t.shape[1] });
      ops.push({ op: 'dense', name, weight: t, input: `${name} (inputs)` });
    } else {
      ops.push({ op: 'input', name: `${name} (inputs)`, size: t.shape[1] });
      ops.push({ op: 'conv', name, weight: t, input: `${name} (inputs)`, groups: 1 });
    }
  }
  return ops;
}

export function layerLocalNote(reason: string): string {
  return `wiring: layer-local — the layers' wiring could not be recovered (${reason}), so each weight tensor is analyzed as its own bipartite block: per-layer properties are meaningful, graph-wide ones (eigenvalue, centrality across layers) are not; an ONNX export of the model in the run folder gives the wiring`;
}
