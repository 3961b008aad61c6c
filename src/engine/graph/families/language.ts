/**
 * Language-model naming families:
 *  - GPT-2 (Hugging Face: Conv1D weights stored [in, out]) and nanoGPT (nn.Linear [out, in]):
 *    `wte`, `wpe`, `h.N.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj}`, `ln_f`, `lm_head`;
 *  - Llama / Mistral (and their kin): `embed_tokens`, `layers.N.{input_layernorm,
 *    self_attn.{q,k,v,o}_proj, post_attention_layernorm, mlp.{gate,up,down}_proj}`, `norm`, `lm_head`.
 */
import { ArchitectureError } from '../../errors';
import type { TensorEntry } from '../../tensor';
import { rows, transposed, type Net } from './kit';
import { embeddings, headCounts, transformerBlock, vocabularyHead } from './transformer';
import type { ModelHints } from './hints';

/** GPT-2 and nanoGPT. Returns false when the names are not theirs. */
export function gpt2(net: Net, hints: ModelHints): boolean {
  const p = net.p;
  const anchor = p.tensors.find((t) => /(^|\.)h\.0\.attn\.c_attn\.weight$/.test(t.name));
  if (!anchor) return false;
  const P = anchor.name.slice(0, -'h.0.attn.c_attn.weight'.length);
  const wte = p.get(`${P}wte.weight`);
  const d = wte.shape[1];
  // Conv1D stores [in, out] = [d, 3d]; nn.Linear [out, in] = [3d, d].
  const conv1d = anchor.shape[0] === d && anchor.shape[1] === 3 * d;
  const lin = (name: string): TensorEntry => (conv1d ? transposed(p.get(name)) : p.get(name));
  const tables = [{ input: 'tokens', t: wte }];
  if (p.has(`${P}wpe.weight`)) tables.push({ input: 'positions', t: p.get(`${P}wpe.weight`) });
  let x = embeddings(net, `${P}wte`, tables);
  for (const i of p.indices(`${P}h.`)) {
    const b = `${P}h.${i}`;
    const qkv = lin(`${b}.attn.c_attn.weight`);
    if (qkv.shape[0] !== 3 * d || qkv.shape[1] !== d) return fail(net, `'${b}.attn.c_attn.weight' [${p.get(`${b}.attn.c_attn.weight`).shape}] is not a fused [q; k; v] of width ${d}`);
    const { heads, kvHeads } = headCounts(net, b, d, d, d, hints);
    x = transformerBlock(net, {
      prefix: b, input: x, post: false,
      ln1: p.norm(`${b}.ln_1`, hints.eps), ln2: p.norm(`${b}.ln_2`, hints.eps),
      attn: { name: `${b}.attn`, w: { q: rows(qkv, 0, d), k: rows(qkv, d, d), v: rows(qkv, 2 * d, d), o: lin(`${b}.attn.c_proj.weight`), heads, kvHeads } },
      mlp: { up: { module: `${b}.mlp.c_fc`, weight: lin(`${b}.mlp.c_fc.weight`) }, down: { module: `${b}.mlp.c_proj`, weight: lin(`${b}.mlp.c_proj.weight`) } },
    });
  }
  const head = p.opt(`${P}lm_head.weight`) ?? p.opt('lm_head.weight');
  if (head) vocabularyHead(net, 'lm_head', x, head, p.norm(`${P}ln_f`, hints.eps));
  return true;
}

/** Llama, Mistral and the models that name their layers the same way (grouped-query K/V, RMSNorm, SwiGLU). */
export function llama(net: Net, hints: ModelHints): boolean {
  const p = net.p;
  const anchor = p.tensors.find((t) => /(^|\.)layers\.0\.self_attn\.q_proj\.weight$/.test(t.name));
  if (!anchor) return false;
  const P = anchor.name.slice(0, -'layers.0.self_attn.q_proj.weight'.length);
  const emb = p.get(`${P}embed_tokens.weight`);
  const d = emb.shape[1];
  let x = embeddings(net, `${P}embed_tokens`, [{ input: 'tokens', t: emb }]);
  for (const i of p.indices(`${P}layers.`)) {
    const b = `${P}layers.${i}`;
    const q = p.get(`${b}.self_attn.q_proj.weight`);
    const k = p.get(`${b}.self_attn.k_proj.weight`);
    const { heads, kvHeads } = headCounts(net, b, d, q.shape[0], k.shape[0], hints);
    const hasGate = p.has(`${b}.mlp.gate_proj.weight`);
    x = transformerBlock(net, {
      prefix: b, input: x, post: false,
      ln1: p.norm(`${b}.input_layernorm`, hints.eps), ln2: p.norm(`${b}.post_attention_layernorm`, hints.eps),
      attn: { name: `${b}.self_attn`, w: { q, k, v: p.get(`${b}.self_attn.v_proj.weight`), o: p.get(`${b}.self_attn.o_proj.weight`), heads, kvHeads } },
      mlp: {
        up: { module: `${b}.mlp.up_proj`, weight: p.get(`${b}.mlp.up_proj.weight`) },
        gate: hasGate ? { module: `${b}.mlp.gate_proj`, weight: p.get(`${b}.mlp.gate_proj.weight`) } : undefined,
        down: { module: `${b}.mlp.down_proj`, weight: p.get(`${b}.mlp.down_proj.weight`) },
      },
    });
  }
  const head = p.opt('lm_head.weight') ?? p.opt(`${P}lm_head.weight`);
  if (head) vocabularyHead(net, 'lm_head', x, head, p.norm(`${P}norm`, hints.eps));
  return true;
}

function fail(net: Net, msg: string): never {
  throw new ArchitectureError(net.p.file, msg);
}
