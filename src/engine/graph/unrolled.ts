/**
 * Size of the *unrolled* graph (one node per channel × spatial position, one edge per kernel tap),
 * the representation that earlier work on neural persistence used and the rolled graph avoids.
 * It is counted, never built.
 *
 * Weights do not store strides or pooling, so spatial sizes are estimated: the input side comes
 * from `inputSize` (or a default from the input channels: 28 for 1 channel, 32 for 3, 224 for a
 * 3-channel net whose stem kernel is 7×7 or larger, which then downsamples by 4 as ImageNet stems
 * do); the flatten before the first dense layer fixes the last conv size when it has P > 1
 * positions; in between, the resolution shrinks by one constant factor at each spatial conv wider
 * than all before it (where CNNs usually downsample), 2 when the final size is unknown.
 */
import type { RolledGraph } from './rolled';
import { edgeWeightCount } from './packed';

export interface UnrolledSize {
  nodes: number;
  edges: number;
  inputSize: number;
  estimated: boolean;
}

export function unrolledSize(g: RolledGraph, inputSize?: number): UnrolledSize {
  const convGroups = g.groups.map((gr, i) => (gr.kind === 'conv' ? i : -1)).filter((i) => i >= 0);
  if (convGroups.length === 0) return { nodes: g.nodeCount, edges: g.edgeCount, inputSize: 1, estimated: false };
  const c0 = g.groups[0].size;
  const stem = g.convInfo.get(convGroups[0]);
  const imagenetStem = c0 === 3 && (stem?.kernel ?? 0) >= 49;
  const s0 = inputSize ?? (c0 === 1 ? 28 : imagenetStem ? 224 : 32);
  // Final conv resolution from the flatten, when there is one.
  let finalSize: number | undefined;
  for (const [gi, info] of g.convInfo) {
    if (g.groups[gi].kind === 'dense' && info.kernel > 1) finalSize = Math.sqrt(info.kernel);
  }
  // Downsampling points: spatial (k > 1) convs wider than every earlier spatial conv. 1×1
  // expansions (bottlenecks, inverted residuals) widen without changing resolution, so they don't count.
  const downs: number[] = [];
  let widest = -1;
  convGroups.forEach((gi, k) => {
    if ((g.convInfo.get(gi)?.kernel ?? 1) <= 1) return;
    if (k > 0 && widest >= 0 && g.groups[gi].size > widest) downs.push(gi);
    widest = Math.max(widest, g.groups[gi].size);
  });
  // A 7×7 stem (stride 2) and its max-pool downsample by 4 whatever the input size.
  const afterStem = imagenetStem ? s0 / 4 : s0;
  const ratio = finalSize !== undefined ? Math.pow(afterStem / finalSize, 1 / Math.max(1, downs.length + (finalSize < afterStem && downs.length === 0 ? 1 : 0))) : 2;
  const downSet = new Set(downs);
  const spatial = new Float64Array(g.groups.length).fill(1);
  spatial[0] = s0 * s0;
  let s = afterStem;
  for (const gi of convGroups) {
    if (downSet.has(gi)) s = Math.max(1, s / ratio);
    spatial[gi] = Math.round(s) ** 2;
  }
  let nodes = 0;
  for (let i = 0; i < g.groups.length; i++) nodes += g.groups[i].size * spatial[i];
  let edges = 0;
  for (const b of g.blocks) {
    const dst = g.groups[b.dst];
    if (b.kind === 'identity') edges += dst.size * spatial[b.dst];
    else if (dst.kind === 'conv') edges += edgeWeightCount(b) * (g.convInfo.get(b.dst)?.kernel ?? 1) * spatial[b.dst];
    else edges += edgeWeightCount(b) * (g.groups[b.src].kind === 'conv' ? spatial[b.src] : 1);
  }
  return { nodes, edges, inputSize: s0, estimated: true };
}
