/**
 *  - torchvision Swin Transformer: `features.0.{0 (patch conv), 2 (LayerNorm)}`, blocks
 *    `features.S.U.{norm1, attn.qkv, attn.proj, attn.relative_position_bias_table, norm2, mlp.0, mlp.3}`,
 *    patch merging `features.S.{reduction, norm}` (2×2 positions flattened channels-last), `norm`, `head`;
 *  - nn.LSTM / nn.GRU / nn.RNN: `<m>.weight_ih_lL[_reverse]`, `<m>.weight_hh_lL[_reverse]`: a hidden
 *    group per layer and direction, fed by W_ih and by its own previous state through W_hh (a
 *    recurrence: edges within the group), the gates combined by the L2 norm over gates; a
 *    bidirectional layer's next layer reads both directions side by side. An embedding before it
 *    collapses its vocabulary; dense layers after it are chained.
 */
import { ArchitectureError } from '../../errors';
import type { TensorEntry } from '../../tensor';
import type { ValueId } from '../netspec';
import { rows, type Net } from './kit';
import type { ModelHints } from './hints';
import { embeddings, headCounts, transformerBlock } from './transformer';

export function swin(net: Net, hints: ModelHints): boolean {
  const p = net.p;
  if (!p.tensors.some((t) => /^features\.\d+\.\d+\.attn\.relative_position_bias_table$/.test(t.name))) return false;
  let x = net.conv('features.0.0', 'input', { norm: p.norm('features.0.2') });
  for (const s of p.distinct(/^features\.(\d+)\./).slice(1)) {
    if (p.has(`features.${s}.reduction.weight`)) {
      x = net.dense(`features.${s}.reduction`, x, { inNorm: p.norm(`features.${s}.norm`), flatten: 'hwc' });
      continue;
    }
    for (const u of p.indices(`features.${s}.`)) {
      const b = `features.${s}.${u}`;
      const d = net.size(x);
      const table = p.get(`${b}.attn.relative_position_bias_table`);
      const { heads } = headCounts(net, b, d, d, d, { heads: table.shape[1] });
      const qkv = p.get(`${b}.attn.qkv.weight`);
      x = transformerBlock(net, {
        prefix: b, input: x, post: false, ln1: p.norm(`${b}.norm1`), ln2: p.norm(`${b}.norm2`),
        attn: { name: `${b}.attn`, relTable: table, w: { q: rows(qkv, 0, d), k: rows(qkv, d, d), v: rows(qkv, 2 * d, d), o: p.get(`${b}.attn.proj.weight`), heads, kvHeads: heads } },
        mlp: { up: { module: `${b}.mlp.0`, weight: p.get(`${b}.mlp.0.weight`) }, down: { module: `${b}.mlp.3`, weight: p.get(`${b}.mlp.3.weight`) } },
      });
    }
  }
  void hints;
  if (p.has('head.weight')) net.dense('head', x, { inNorm: p.norm('norm') });
  return true;
}

/** Gate-combined edges of a [gates·H, in] matrix: [H × in], L2 norm over the gates. */
function gateNorms(t: TensorEntry, gates: number): Float32Array {
  const v = t.read();
  const [r, c] = [t.shape[0], t.shape[1]];
  const h = r / gates;
  const out = new Float32Array(h * c);
  for (let o = 0; o < h; o++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let g = 0; g < gates; g++) s += v[(g * h + o) * c + j] ** 2;
      out[o * c + j] = Math.sqrt(s);
    }
  }
  return out;
}

export function recurrent(net: Net): boolean {
  const p = net.p;
  const mods = p.distinct(/^(.*?)weight_ih_l0$/);
  if (mods.length === 0) return false;
  const first = p.tensors.findIndex((t) => t.name === `${mods[0]}weight_ih_l0`);
  const emb = p.tensors.slice(0, first).find((t) => t.shape.length === 2 && /emb/i.test(t.name));
  const in0 = p.get(`${mods[0]}weight_ih_l0`).shape[1];
  let x: ValueId = emb ? embeddings(net, emb.name.replace(/\.weight$/, ''), [{ input: 'tokens', t: emb }]) : net.input('input', in0);
  for (const m of mods) {
    for (let l = 0; p.has(`${m}weight_ih_l${l}`); l++) {
      const outs: ValueId[] = [];
      for (const dir of ['', '_reverse']) {
        const ih = p.opt(`${m}weight_ih_l${l}${dir}`);
        if (!ih) continue;
        const hh = p.get(`${m}weight_hh_l${l}${dir}`);
        const hidden = hh.shape[1];
        const gates = ih.shape[0] / hidden;
        if (!Number.isInteger(gates) || hh.shape[0] !== ih.shape[0]) throw new ArchitectureError(p.file, `'${hh.name}' [${hh.shape}] does not match '${ih.name}' [${ih.shape}]`);
        const name = `${m}l${l}${dir}`.replace(/^\./, '');
        const hGroup = net.matrix(name, x, hidden, () => gateNorms(ih, gates));
        net.matrix(`${name} (recurrent)`, hGroup, hidden, () => gateNorms(hh, gates), { into: hGroup });
        outs.push(hGroup);
      }
      x = outs.length === 1 ? outs[0] : net.concat(`${m}l${l} (both directions)`, outs);
    }
  }
  const last = p.tensors.findIndex((t) => t.name.startsWith(`${mods[mods.length - 1]}weight_hh_l`));
  for (const t of p.tensors.slice(last + 1)) {
    if (t.shape.length !== 2 || t.name.includes('weight_')) continue;
    if (t.shape[1] === net.size(x)) x = net.dense(t.name.replace(/\.weight$/, ''), x);
  }
  return true;
}
