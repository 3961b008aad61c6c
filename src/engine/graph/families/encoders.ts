/**
 * Encoder naming families:
 *  - Hugging Face BERT / RoBERTa (post-LN) and ViT (pre-LN: `layernorm_before`/`layernorm_after`):
 *    `embeddings.*`, `encoder.layer.N.attention.{self|attention}.{query,key,value}`,
 *    `attention.output.dense`, `intermediate.dense`, `output.dense`; pooler, classifier, MLM head;
 *  - torchvision ViT: `conv_proj`, `class_token`, `encoder.pos_embedding`,
 *    `encoder.layers.encoder_layer_N.{ln_1, self_attention.in_proj_weight, self_attention.out_proj, ln_2, mlp.0, mlp.3}`, `encoder.ln`, `heads.*`;
 *  - torch.nn.TransformerEncoder / Decoder / Transformer: `layers.N.{self_attn.in_proj_weight,
 *    self_attn.out_proj, [multihead_attn.*,] linear1, linear2, norm1, norm2[, norm3]}`.
 */
import type { TensorEntry } from '../../tensor';
import type { ValueId } from '../netspec';
import { flat, rows, type Net } from './kit';
import type { ModelHints } from './hints';
import { addTable, embeddings, headCounts, transformerBlock, vocabularyHead } from './transformer';

const qkvOf = (inProj: TensorEntry, d: number) => ({ q: rows(inProj, 0, d), k: rows(inProj, d, d), v: rows(inProj, 2 * d, d) });

/** BERT, RoBERTa and Hugging Face ViT. */
export function bertLike(net: Net, hints: ModelHints): boolean {
  const p = net.p;
  const anchor = p.tensors.find((t) => /(^|\.)encoder\.layer\.0\.attention\.(self|attention)\.query\.weight$/.test(t.name));
  if (!anchor) return false;
  const m = /^(.*?)encoder\.layer\.0\.attention\.(self|attention)\.query\.weight$/.exec(anchor.name)!;
  const [P, inner] = [m[1], m[2]];
  const pre = p.has(`${P}encoder.layer.0.layernorm_before.weight`);
  let x: ValueId;
  const patch = p.opt(`${P}embeddings.patch_embeddings.projection.weight`);
  if (patch) {
    x = net.conv(`${P}embeddings.patch_embeddings.projection`, 'input');
    const cls = p.opt(`${P}embeddings.cls_token`);
    if (cls) net.warnings.push(`class token '${cls.name}': a node attribute of '${x}' (classToken), not edges`);
    const pos = p.opt(`${P}embeddings.position_embeddings`);
    if (pos) addTable(net, x, 'positions', pos);
    if (cls) attach(net, x, 'classToken', cls);
  } else {
    const tables = [{ input: 'tokens', t: p.get(`${P}embeddings.word_embeddings.weight`) }];
    for (const [k, input] of [['position_embeddings', 'positions'], ['token_type_embeddings', 'token types']] as const) {
      const t = p.opt(`${P}embeddings.${k}.weight`);
      if (t) tables.push({ input, t });
    }
    x = embeddings(net, `${P}embeddings`, tables, p.norm(`${P}embeddings.LayerNorm`, hints.eps));
  }
  for (const i of p.indices(`${P}encoder.layer.`)) {
    const b = `${P}encoder.layer.${i}`;
    const q = p.get(`${b}.attention.${inner}.query.weight`);
    const d = net.size(x);
    const { heads, kvHeads } = headCounts(net, b, d, q.shape[0], p.get(`${b}.attention.${inner}.key.weight`).shape[0], hints);
    x = transformerBlock(net, {
      prefix: b, input: x, post: !pre,
      ln1: p.norm(pre ? `${b}.layernorm_before` : `${b}.attention.output.LayerNorm`, hints.eps),
      ln2: p.norm(pre ? `${b}.layernorm_after` : `${b}.output.LayerNorm`, hints.eps),
      attn: { name: `${b}.attention`, w: { q, k: p.get(`${b}.attention.${inner}.key.weight`), v: p.get(`${b}.attention.${inner}.value.weight`), o: p.get(`${b}.attention.output.dense.weight`), heads, kvHeads } },
      mlp: { up: { module: `${b}.intermediate.dense`, weight: p.get(`${b}.intermediate.dense.weight`) }, down: { module: `${b}.output.dense`, weight: p.get(`${b}.output.dense.weight`) } },
    });
  }
  const finalNorm = p.norm(`${P}layernorm`, hints.eps);
  const vocab = p.opt(`${P}embeddings.word_embeddings.weight`)?.shape[0];
  // Heads: pooler → classifier; an MLM transform → decoder over the vocabulary; a classifier.
  let y = x;
  if (p.has(`${P}pooler.dense.weight`)) y = net.dense(`${P}pooler.dense`, y, { inNorm: finalNorm });
  for (const [dense, ln, dec] of [['cls.predictions.transform.dense', 'cls.predictions.transform.LayerNorm', 'cls.predictions.decoder'], ['lm_head.dense', 'lm_head.layer_norm', 'lm_head.decoder']]) {
    if (!p.has(`${dense}.weight`)) continue;
    const t = net.dense(dense, x, { norm: p.norm(ln, hints.eps) });
    const w = p.opt(`${dec}.weight`) ?? p.opt(`${P}embeddings.word_embeddings.weight`);
    if (w) vocabularyHead(net, dec, t, w);
  }
  if (p.has('classifier.dense.weight')) {
    const c = net.dense('classifier.dense', y, { inNorm: y === x ? finalNorm : undefined });
    net.dense('classifier.out_proj', c);
  } else if (p.has('classifier.weight')) {
    const w = p.get('classifier.weight');
    if (vocab !== undefined && w.shape[0] === vocab) vocabularyHead(net, 'classifier', y, w, y === x ? finalNorm : undefined);
    else net.dense('classifier', y, { inNorm: y === x ? finalNorm : undefined });
  }
  return true;
}

/** A per-node attribute |t[c]| on a group (a class token). */
function attach(net: Net, group: ValueId, key: string, t: TensorEntry): void {
  const op = net.ops.find((o) => o.op === 'matrix' && o.into === group && o.input === 'positions');
  const f = flat(t);
  const attr = () => Float32Array.from(f.read(), Math.abs);
  if (op && op.op === 'matrix') op.attributes = { ...op.attributes, [key]: attr };
  else {
    net.input(`${key} (attribute)`, 1);
    net.matrix(`${key} → ${group}`, `${key} (attribute)`, net.size(group), attr, { into: group });
  }
}

/** torchvision's VisionTransformer. */
export function torchvisionVit(net: Net, hints: ModelHints): boolean {
  const p = net.p;
  if (!p.has('encoder.layers.encoder_layer_0.self_attention.in_proj_weight') || !p.has('conv_proj.weight')) return false;
  let x = net.conv('conv_proj', 'input');
  const pos = p.get('encoder.pos_embedding');
  addTable(net, x, 'positions', pos);
  const cls = p.opt('class_token');
  if (cls) attach(net, x, 'classToken', cls);
  const d = net.size(x);
  for (let i = 0; p.has(`encoder.layers.encoder_layer_${i}.ln_1.weight`); i++) {
    const b = `encoder.layers.encoder_layer_${i}`;
    const inProj = p.get(`${b}.self_attention.in_proj_weight`);
    const { heads, kvHeads } = headCounts(net, b, d, d, d, hints);
    const [fc1, fc2] = p.has(`${b}.mlp.0.weight`) ? ['mlp.0', 'mlp.3'] : ['mlp.linear_1', 'mlp.linear_2'];
    x = transformerBlock(net, {
      prefix: b, input: x, post: false, ln1: p.norm(`${b}.ln_1`), ln2: p.norm(`${b}.ln_2`),
      attn: { name: `${b}.self_attention`, w: { ...qkvOf(inProj, d), o: p.get(`${b}.self_attention.out_proj.weight`), heads, kvHeads } },
      mlp: { up: { module: `${b}.${fc1}`, weight: p.get(`${b}.${fc1}.weight`) }, down: { module: `${b}.${fc2}`, weight: p.get(`${b}.${fc2}.weight`) } },
    });
  }
  const ln = p.norm('encoder.ln');
  if (p.has('heads.pre_logits.weight')) {
    const y = net.dense('heads.pre_logits', x, { inNorm: ln });
    net.dense('heads.head', y);
  } else if (p.has('heads.head.weight')) net.dense('heads.head', x, { inNorm: ln });
  return true;
}

/** torch.nn.TransformerEncoder, TransformerDecoder and Transformer, with optional embeddings before and dense layers after. */
export function torchTransformer(net: Net, hints: ModelHints): boolean {
  const p = net.p;
  const anchor = p.tensors.find((t) => /(^|\.)layers\.0\.self_attn\.in_proj_weight$/.test(t.name));
  if (!anchor) return false;
  const stacks = p.distinct(/^(.*?)layers\.\d+\.self_attn\.in_proj_weight$/);
  const post = !(hints.normFirst ?? false);
  if (hints.normFirst === undefined) net.warnings.push(`norm_first is not stored in the weights; assumed PyTorch's default (norms after each residual sum); a config stating norm_first changes only where norm scales are folded`);
  const inStack = (n: string) => stacks.some((s) => n.startsWith(`${s}layers.`) || n === `${s}norm.weight` || n === `${s}norm.bias`);
  const before = p.tensors.filter((t) => !inStack(t.name) && p.tensors.indexOf(t) < p.tensors.indexOf(anchor));
  const emb = before.find((t) => t.shape.length === 2 && /emb/i.test(t.name));
  const d = p.get(`${stacks[0]}layers.0.self_attn.out_proj.weight`).shape[0];
  let memory: ValueId | undefined;
  let memNorm;
  let x: ValueId = emb ? embeddings(net, emb.name.replace(/\.weight$/, ''), [{ input: 'tokens', t: emb }]) : net.input('src', d);
  for (const s of stacks) {
    const decoder = p.has(`${s}layers.0.multihead_attn.in_proj_weight`);
    if (decoder && memory === undefined) {
      memory = x;
      memNorm = memNorm ?? undefined;
      x = net.input('tgt', d);
    }
    for (const i of p.indices(`${s}layers.`)) {
      const b = `${s}layers.${i}`;
      const attnOf = (m: string) => {
        const { heads, kvHeads } = headCounts(net, b, d, d, d, hints);
        return { name: `${b}.${m}`, w: { ...qkvOf(p.get(`${b}.${m}.in_proj_weight`), d), o: p.get(`${b}.${m}.out_proj.weight`), heads, kvHeads } };
      };
      x = transformerBlock(net, {
        prefix: b, input: x, post, ln1: p.norm(`${b}.norm1`), ln2: p.norm(`${b}.norm2`),
        attn: attnOf('self_attn'),
        cross: decoder ? { attn: attnOf('multihead_attn'), memory: memory!, memNorm, ln: p.norm(`${b}.norm3`) } : undefined,
        mlp: { up: { module: `${b}.linear1`, weight: p.get(`${b}.linear1.weight`) }, down: { module: `${b}.linear2`, weight: p.get(`${b}.linear2.weight`) } },
      });
    }
    if (!decoder) memNorm = p.norm(`${s}norm`);
  }
  // Dense layers after the stack (a classifier, an output projection), chained.
  const finalNorm = p.norm(`${stacks[stacks.length - 1]}norm`);
  const after = p.tensors.filter((t) => !inStack(t.name) && t !== emb && t.shape.length === 2 && p.tensors.indexOf(t) > p.tensors.indexOf(anchor));
  let first = true;
  for (const t of after) {
    x = net.dense(t.name.replace(/\.weight$/, ''), x, { inNorm: first ? (decoderOrNorm(memory, finalNorm, memNorm)) : undefined });
    first = false;
  }
  return true;
}

function decoderOrNorm<T>(memory: ValueId | undefined, finalNorm: T, memNorm: T): T {
  return memory !== undefined ? finalNorm : (finalNorm ?? memNorm);
}
