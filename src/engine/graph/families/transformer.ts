/**
 * A transformer block, embeddings and a vocabulary head as ops (docs/rolled-graph.md,
 * "Transformers"). Pre-LN blocks fold each norm into the input side of the ops it feeds;
 * post-LN blocks (BERT, nn.TransformerEncoderLayer's default) fold it into the output side of
 * the sum it follows: the branch's edges and the identity edges of the residual.
 */
import type { TensorEntry } from '../../tensor';
import type { BatchNormRef, ValueId } from '../netspec';
import { normScale } from '../rolled-edges';
import { headEdges, headSideNorms, ovEdges, type AttentionWeights } from './attention';
import type { Net } from './kit';

export interface Attn {
  /** Module name: the attention output group's name. */
  name: string;
  w: AttentionWeights;
  /** Swin's relative-position bias table [(2M-1)², heads]: a per-head node attribute. */
  relTable?: TensorEntry;
}

export interface Mlp {
  up: { module: string; weight: TensorEntry };
  /** SwiGLU: its edges are summed into the hidden group (parallel edges), as the product gates it. */
  gate?: { module: string; weight: TensorEntry };
  down: { module: string; weight: TensorEntry };
}

export interface Block {
  prefix: string;
  input: ValueId;
  post: boolean;
  ln1?: BatchNormRef;
  ln2?: BatchNormRef;
  attn: Attn;
  cross?: { attn: Attn; memory: ValueId; memNorm?: BatchNormRef; ln?: BatchNormRef };
  mlp: Mlp;
}

const scaleOf = (n: BatchNormRef | undefined, size: number, file: string): Float32Array | undefined => normScale(n, size, file);

function headAttributes(a: Attn): Record<string, () => Float32Array> | undefined {
  const t = a.relTable;
  if (!t) return undefined;
  return {
    relativePositionBias: () => {
      const v = t.read();
      const [n, h] = [t.shape[0], t.shape[1]];
      const out = new Float32Array(h);
      for (let j = 0; j < h; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += v[i * h + j] * v[i * h + j];
        out[j] = Math.sqrt(s);
      }
      return out;
    },
  };
}

/** Self-attention: head nodes and OV edges from `input`, plus the residual. Returns the sum. */
function selfAttention(net: Net, a: Attn, input: ValueId, pre?: BatchNormRef, post?: BatchNormRef): ValueId {
  const file = net.p.file;
  const d = net.size(input);
  net.matrix(`${a.name}.heads`, input, a.w.heads, () => headEdges(a.w, scaleOf(pre, d, file)), { attributes: headAttributes(a) });
  const out = net.matrix(a.name, input, a.w.o.shape[0], () => ovEdges(a.w, scaleOf(pre, d, file), scaleOf(post, a.w.o.shape[0], file)));
  return net.add(`${a.name} (residual)`, [out, input], post);
}

function crossAttention(net: Net, a: Attn, x: ValueId, memory: ValueId, pre?: BatchNormRef, memNorm?: BatchNormRef, post?: BatchNormRef): ValueId {
  const file = net.p.file;
  const qs = scaleOf(pre, net.size(x), file);
  const ks = scaleOf(memNorm, net.size(memory), file);
  const heads = net.matrix(`${a.name}.heads`, x, a.w.heads, () => headSideNorms(a.w, 'query', qs, ks));
  net.matrix(`${a.name}.heads (keys)`, memory, a.w.heads, () => headSideNorms(a.w, 'key', qs, ks), { into: heads });
  const out = net.matrix(a.name, memory, a.w.o.shape[0], () => ovEdges(a.w, ks, scaleOf(post, a.w.o.shape[0], file)));
  return net.add(`${a.name} (residual)`, [out, x], post);
}

export function transformerBlock(net: Net, b: Block): ValueId {
  let x = b.post ? selfAttention(net, b.attn, b.input, undefined, b.ln1) : selfAttention(net, b.attn, b.input, b.ln1);
  let mlpNorm = b.ln2;
  if (b.cross) {
    // Decoder: self-attention (norm1), cross-attention (norm2), MLP (norm3 given as ln).
    const c = b.cross;
    x = b.post ? crossAttention(net, c.attn, x, c.memory, undefined, c.memNorm, b.ln2) : crossAttention(net, c.attn, x, c.memory, b.ln2, c.memNorm);
    mlpNorm = c.ln;
  }
  const m = b.mlp;
  const pre = b.post ? undefined : mlpNorm;
  const h = net.dense(m.up.module, x, { weight: m.up.weight, inNorm: pre });
  if (m.gate) net.dense(m.gate.module, x, { weight: m.gate.weight, inNorm: pre, into: h });
  const y = net.dense(m.down.module, h, { weight: m.down.weight, norm: b.post ? mlpNorm : undefined });
  return net.add(`${b.prefix} (residual)`, [y, x], b.post ? mlpNorm : undefined);
}

/**
 * Token (and position, token-type) embeddings: each table collapses its rows (the vocabulary, the
 * positions) into one input node, with edge ‖E[:, c]‖₂ into channel c, like a flatten.
 */
export function embeddings(net: Net, name: string, tables: { input: string; t: TensorEntry }[], post?: BatchNormRef, attributes?: Record<string, () => Float32Array>): ValueId {
  let group: ValueId | undefined;
  for (const { input, t } of tables) {
    const d = t.shape[t.shape.length - 1];
    net.input(input, 1);
    const scale = () => scaleOf(post, d, net.p.file);
    const v = net.matrix(group ?? name, input, d, () => net.tableNorms(t, scale()), group ? { into: group } : { attributes });
    group ??= v;
  }
  return group!;
}

/** Extra tables (positions, class-token-free) summed into an existing group, e.g. ViT's position table into its patch embedding. */
export function addTable(net: Net, into: ValueId, input: string, t: TensorEntry): void {
  const d = t.shape[t.shape.length - 1];
  net.input(input, 1);
  net.matrix(`${input} → ${into}`, input, d, () => net.tableNorms(t), { into });
}

/** A head over the vocabulary [V, d]: one output node with edge ‖W[:, c]‖₂ · t_c from channel c. */
export function vocabularyHead(net: Net, name: string, input: ValueId, w: TensorEntry, inNorm?: BatchNormRef): ValueId {
  const d = w.shape[1];
  return net.matrix(name, input, 1, () => net.tableNorms(w, scaleOf(inNorm, d, net.p.file)));
}

/** Heads and key/value heads: from the model's config, else a head size of 64 (said in a warning). */
export function headCounts(net: Net, where: string, d: number, qRows: number, kRows: number, cfg: { heads?: number; kvHeads?: number }): { heads: number; kvHeads: number } {
  let heads = cfg.heads;
  if (!heads || qRows % heads !== 0) {
    heads = qRows % 64 === 0 ? qRows / 64 : 1;
    const w = `attention heads are not stored in the weights; assumed ${heads} head${heads === 1 ? '' : 's'} of ${qRows / heads} channels (from ${where} on); a config.json beside the weights (num_attention_heads) states them`;
    if (!net.warnings.some((x) => x.startsWith('attention heads are not stored'))) net.warnings.push(w);
  }
  const dh = qRows / heads;
  let kvHeads = cfg.kvHeads ?? kRows / dh;
  if (!Number.isInteger(kvHeads) || kvHeads < 1 || heads % kvHeads !== 0) kvHeads = heads;
  void d;
  return { heads, kvHeads };
}
