/**
 * torchvision nets with structured blocks that the generic chain cannot follow:
 *  - ShuffleNetV2: `conv1`, `stageS.U.branch1.*` / `branch2.*` (split, concat, channel shuffle), `conv5`, `fc`;
 *  - RegNet: `stem`, `trunk_output.blockS.blockS-U.{proj, f.a, f.b, f.se.fc1/fc2, f.c}`, `fc`;
 *  - ConvNeXt: `features.S.U.{block.0 (depthwise), block.2 (LayerNorm), block.3, block.5, layer_scale}`,
 *    downsampling `features.S.{0 (LayerNorm), 1 (conv)}`, `classifier.{0, 2}`;
 *  - EfficientNet and MobileNetV3 (MBConv with squeeze-excitation): `features.S[.U].block.K.{0,1}` /
 *    `block.K.fc1/fc2`, `features.N.0` convs, `classifier.N`.
 * Squeeze-excitation: fc1 reads the gated channels, fc2's edges go back into them (a gate).
 */
import type { ValueId } from '../netspec';
import { scaleRef, type Net } from './kit';

/** A Conv(+BN) child `<m>.0` / `<m>.1`, or a bare conv `<m>`. */
function convBn(net: Net, m: string, input: ValueId, eps?: number): ValueId {
  const p = net.p;
  if (p.has(`${m}.0.weight`)) return net.conv(`${m}.0`, input, { norm: p.norm(`${m}.1`, eps) });
  return net.conv(m, input);
}

/** Squeeze-excitation on `x`: x → fc1 → fc2 → gates x. */
function se(net: Net, m: string, x: ValueId): void {
  const s = net.conv(`${m}.fc1`, x);
  net.conv(`${m}.fc2`, s, { into: x });
}

export function shufflenet(net: Net): boolean {
  const p = net.p;
  if (!p.has('stage2.0.branch2.0.weight')) return false;
  let x = net.conv('conv1.0', 'input', { norm: p.norm('conv1.1') });
  const seq = (b: string, input: ValueId): ValueId => {
    let v = input;
    for (const i of p.indices(`${b}.`)) if (p.get(`${b}.${i}.weight`).shape.length === 4) v = net.conv(`${b}.${i}`, v, { norm: p.norm(`${b}.${i + 1}`) });
    return v;
  };
  for (const s of p.distinct(/^(stage\d+)\./)) {
    for (const u of p.indices(`${s}.`)) {
      const b = `${s}.${u}`;
      let out: ValueId;
      if (p.has(`${b}.branch1.0.weight`)) {
        out = net.concat(`${b} (concat)`, [seq(`${b}.branch1`, x), seq(`${b}.branch2`, x)]);
      } else {
        const c = net.size(x);
        const x1 = net.slice(`${b} (split 1)`, x, 0, c / 2);
        const x2 = net.slice(`${b} (split 2)`, x, c / 2, c / 2);
        out = net.concat(`${b} (concat)`, [x1, seq(`${b}.branch2`, x2)]);
      }
      // channel_shuffle with 2 groups: channel i·2 + g of the result is channel g·(C/2) + i of the concatenation.
      const n = net.size(out);
      x = net.select(b, out, Array.from({ length: n }, (_, k) => (k % 2) * (n / 2) + Math.floor(k / 2)));
    }
  }
  x = net.conv('conv5.0', x, { norm: p.norm('conv5.1') });
  net.dense('fc', x);
  return true;
}

export function regnet(net: Net): boolean {
  const p = net.p;
  if (!p.has('stem.0.weight') || !p.tensors.some((t) => t.name.startsWith('trunk_output.'))) return false;
  let x = net.conv('stem.0', 'input', { norm: p.norm('stem.1') });
  for (const s of p.distinct(/^trunk_output\.(block\d+)\./)) {
    for (const u of p.distinct(new RegExp(`^trunk_output\\.${s}\\.(${s}-\\d+)\\.`))) {
      const b = `trunk_output.${s}.${u}`;
      const input = x;
      let y = convBn(net, `${b}.f.a`, input);
      y = convBn(net, `${b}.f.b`, y);
      if (p.has(`${b}.f.se.fc1.weight`)) se(net, `${b}.f.se`, y);
      y = convBn(net, `${b}.f.c`, y);
      if (p.has(`${b}.proj.0.weight`)) {
        net.conv(`${b}.proj.0`, input, { norm: p.norm(`${b}.proj.1`), into: y });
        x = y;
      } else x = net.add(b, [y, input]);
    }
  }
  net.dense('fc', x);
  return true;
}

export function convnext(net: Net): boolean {
  const p = net.p;
  if (!p.has('features.1.0.layer_scale') || !p.has('features.1.0.block.0.weight')) return false;
  let x = net.conv('features.0.0', 'input', { norm: p.norm('features.0.1', 1e-6) });
  for (const s of p.distinct(/^features\.(\d+)\./).slice(1)) {
    if (p.has(`features.${s}.1.weight`) && p.get(`features.${s}.1.weight`).shape.length === 4) {
      x = net.conv(`features.${s}.1`, x, { inNorm: p.norm(`features.${s}.0`, 1e-6) });
      continue;
    }
    for (const u of p.indices(`features.${s}.`)) {
      const b = `features.${s}.${u}`;
      const dw = net.conv(`${b}.block.0`, x, { norm: p.norm(`${b}.block.2`, 1e-6) });
      const h = net.dense(`${b}.block.3`, dw);
      const y = net.dense(`${b}.block.5`, h, { norm: scaleRef(p.get(`${b}.layer_scale`), `${b}.layer_scale`) });
      x = net.add(b, [y, x]);
    }
  }
  const head = p.distinct(/^classifier\.(\d+)\.weight$/).map(Number).filter((i) => p.get(`classifier.${i}.weight`).shape.length === 2);
  if (head.length) net.dense(`classifier.${head[0]}`, x, { inNorm: p.norm('classifier.0', 1e-6) });
  return true;
}

/** EfficientNet (v1, v2) and MobileNetV3: MBConv / FusedMBConv blocks with squeeze-excitation. */
export function mbconv(net: Net): boolean {
  const p = net.p;
  const blocks = p.distinct(/^(features\.\d+(?:\.\d+)?)\.block\./);
  if (blocks.length === 0) return false;
  // torchvision: MobileNetV3 (`features.N.block`) and EfficientNetV2 (fused blocks, no SE in the first stages) use eps 1e-3.
  const v2 = blocks.some((b) => /^features\.\d+\.\d+$/.test(b) && !p.tensors.some((t) => t.name.startsWith(`${b}.block.`) && /fc1/.test(t.name)));
  const eps = blocks.every((b) => /^features\.\d+$/.test(b)) || v2 ? 1e-3 : p.eps;
  const assumed: string[] = [];
  let x: ValueId = 'input';
  const stems = p.distinct(/^(features\.\d+(?:\.\d+)?)\.0\.weight$/).filter((m) => !m.includes('.block'));
  const done = new Set<string>();
  for (const t of p.tensors) {
    const blk = blocks.find((b) => t.name.startsWith(`${b}.block.`));
    const stem = stems.find((s) => t.name === `${s}.0.weight`);
    if (stem && !done.has(stem)) {
      done.add(stem);
      x = net.conv(`${stem}.0`, x, { norm: p.norm(`${stem}.1`, eps) });
    } else if (blk && !done.has(blk)) {
      done.add(blk);
      const input = x;
      let y = input;
      for (const k of p.indices(`${blk}.block.`)) {
        const m = `${blk}.block.${k}`;
        if (p.has(`${m}.fc1.weight`)) se(net, m, y);
        else y = net.conv(`${m}.0`, y, { norm: p.norm(`${m}.1`, eps) });
      }
      // MobileNetV3-small's first block keeps its width but has stride 2 (its only such block: no expansion, with SE).
      const mnv3SmallFirst = blk === 'features.1' && p.has(`${blk}.block.1.fc1.weight`) && p.get(`${blk}.block.0.0.weight`).shape[1] === 1;
      if (net.size(y) === net.size(input) && input !== 'input' && !mnv3SmallFirst) {
        x = net.add(blk, [y, input]);
        assumed.push(blk);
      } else x = y;
    }
  }
  if (assumed.length) net.warnings.push(`identity shortcuts assumed where a block keeps its width (${assumed.length} blocks: ${assumed.slice(0, 3).join(', ')}${assumed.length > 3 ? ', …' : ''}); strides are not stored in weights`);
  const head = p.distinct(/^classifier\.(\d+)\.weight$/);
  for (const h of head) x = net.dense(`classifier.${h}`, x);
  return true;
}
