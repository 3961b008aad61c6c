/**
 * torchvision nets that join branches by concatenation (no nodes of its own: a consumer's input
 * channels map back to the groups that produced them):
 *  - DenseNet: `features.conv0/norm0`, `denseblockB.denselayerL.{norm1, conv1, norm2, conv2}`
 *    (pre-activation: norm1 folds into conv1's input side), `transitionT.{norm, conv}`, `norm5`, `classifier`;
 *  - SqueezeNet: `features.N.{squeeze, expand1x1, expand3x3}` fire modules, `classifier.1`;
 *  - GoogLeNet: `conv1..3`, `inceptionXY.branch{1..4}` (BasicConv2d `conv`+`bn`), `aux1/2`, `fc`;
 *  - Inception v3: `Conv2d_*`, `Mixed_*` with their branches, `AuxLogits`, `fc`.
 */
import type { ValueId } from '../netspec';
import type { Net } from './kit';

export function densenet(net: Net): boolean {
  const p = net.p;
  if (!p.has('features.conv0.weight') || !p.tensors.some((t) => t.name.includes('.denselayer'))) return false;
  let x = net.conv('features.conv0', 'input', { norm: p.norm('features.norm0') });
  const stages = p.distinct(/^features\.((?:denseblock|transition)\d+)\./);
  for (const s of stages) {
    if (s.startsWith('transition')) {
      x = net.conv(`features.${s}.conv`, x, { inNorm: p.norm(`features.${s}.norm`) });
      continue;
    }
    const layers = p.distinct(new RegExp(`^features\\.${s}\\.(denselayer\\d+)\\.`));
    const parts: ValueId[] = [x];
    for (const l of layers) {
      const b = `features.${s}.${l}`;
      const n1 = p.has(`${b}.norm1.weight`) || p.has(`${b}.norm1.running_var`) ? '.norm1' : '.norm.1';
      const c1 = p.has(`${b}.conv1.weight`) ? '.conv1' : '.conv.1';
      const joined = parts.length === 1 ? parts[0] : net.concat(`${b} (input)`, parts.slice());
      const h = net.conv(`${b}${c1}`, joined, { inNorm: p.norm(`${b}${n1}`) });
      const y = net.conv(`${b}${c1.replace('1', '2')}`, h, { inNorm: p.norm(`${b}${n1.replace('1', '2')}`) });
      parts.push(y);
    }
    x = net.concat(`features.${s}`, parts);
  }
  net.dense('classifier', x, { inNorm: p.norm('features.norm5') });
  return true;
}

export function squeezenet(net: Net): boolean {
  const p = net.p;
  const fires = p.distinct(/^features\.(\d+)\.squeeze\.weight$/);
  if (fires.length === 0) return false;
  const firstConv = p.distinct(/^features\.(\d+)\.weight$/);
  let x = net.conv(`features.${firstConv[0]}`, 'input');
  for (const f of fires) {
    const s = net.conv(`features.${f}.squeeze`, x);
    const a = net.conv(`features.${f}.expand1x1`, s);
    const b = net.conv(`features.${f}.expand3x3`, s);
    x = net.concat(`features.${f}`, [a, b]);
  }
  const head = p.distinct(/^classifier\.(\d+)\.weight$/)[0];
  if (head !== undefined) net.conv(`classifier.${head}`, x);
  return true;
}

/** torchvision BasicConv2d (`<m>.conv` + `<m>.bn`). */
const basic = (net: Net, m: string, input: ValueId): ValueId => net.conv(`${m}.conv`, input, { norm: net.p.norm(`${m}.bn`, 1e-3) });

/** A branch: BasicConv2d modules `<b>` or `<b>.0`, `<b>.1`, … in order; a max-pool branch may start with an index > 0. */
function branch(net: Net, b: string, input: ValueId): ValueId {
  const p = net.p;
  if (p.has(`${b}.conv.weight`)) return basic(net, b, input);
  let x = input;
  for (const i of p.indices(`${b}.`)) x = basic(net, `${b}.${i}`, x);
  return x;
}

export function googlenet(net: Net): boolean {
  const p = net.p;
  if (!p.has('inception3a.branch1.conv.weight')) return false;
  let x = basic(net, 'conv1', 'input');
  x = basic(net, 'conv2', x);
  x = basic(net, 'conv3', x);
  const outs = new Map<string, ValueId>();
  for (const m of p.distinct(/^(inception\d[a-z])\./)) {
    x = net.concat(m, [1, 2, 3, 4].map((k) => branch(net, `${m}.branch${k}`, x)));
    outs.set(m, x);
  }
  // Auxiliary heads read inception4a and 4d.
  for (const [aux, from] of [['aux1', 'inception4a'], ['aux2', 'inception4d']]) {
    if (!p.has(`${aux}.conv.conv.weight`) || !outs.has(from)) continue;
    const c = basic(net, `${aux}.conv`, outs.get(from)!);
    const h = net.dense(`${aux}.fc1`, c);
    net.dense(`${aux}.fc2`, h);
  }
  net.dense('fc', x);
  return true;
}

/** Inception v3's mixed blocks: branches (sub-branches concatenated), and a pooled copy of the input where no branch_pool conv exists. */
const MIXED: Record<string, (string | string[])[][]> = {
  A: [['branch1x1'], ['branch5x5_1', 'branch5x5_2'], ['branch3x3dbl_1', 'branch3x3dbl_2', 'branch3x3dbl_3'], ['branch_pool']],
  B: [['branch3x3'], ['branch3x3dbl_1', 'branch3x3dbl_2', 'branch3x3dbl_3'], ['pool']],
  C: [['branch1x1'], ['branch7x7_1', 'branch7x7_2', 'branch7x7_3'], ['branch7x7dbl_1', 'branch7x7dbl_2', 'branch7x7dbl_3', 'branch7x7dbl_4', 'branch7x7dbl_5'], ['branch_pool']],
  D: [['branch3x3_1', 'branch3x3_2'], ['branch7x7x3_1', 'branch7x7x3_2', 'branch7x7x3_3', 'branch7x7x3_4'], ['pool']],
  E: [['branch1x1'], ['branch3x3_1', ['branch3x3_2a', 'branch3x3_2b']], ['branch3x3dbl_1', 'branch3x3dbl_2', ['branch3x3dbl_3a', 'branch3x3dbl_3b']], ['branch_pool']],
};

export function inception3(net: Net): boolean {
  const p = net.p;
  if (!p.has('Mixed_5b.branch1x1.conv.weight')) return false;
  let x: ValueId = 'input';
  for (const m of p.distinct(/^(Conv2d_\w+?)\.conv\.weight$/)) x = basic(net, m, x);
  let aux: ValueId | undefined;
  for (const m of p.distinct(/^(Mixed_\w+?)\./)) {
    const kind = p.has(`${m}.branch5x5_1.conv.weight`) ? 'A' : p.has(`${m}.branch7x7_1.conv.weight`) ? 'C' : p.has(`${m}.branch7x7x3_1.conv.weight`) ? 'D' : p.has(`${m}.branch3x3_2a.conv.weight`) ? 'E' : 'B';
    const input = x;
    const outs = MIXED[kind].map((steps) => {
      if (steps[0] === 'pool') return input;
      let v = input;
      for (const s of steps) {
        if (Array.isArray(s)) {
          const from = v;
          v = net.concat(`${m}.${s[0]}+`, s.map((t) => basic(net, `${m}.${t}`, from)));
        } else v = basic(net, `${m}.${s}`, v);
      }
      return v;
    });
    x = net.concat(m, outs);
    if (m === 'Mixed_6e') aux = x;
  }
  if (aux !== undefined && p.has('AuxLogits.conv0.conv.weight')) {
    const a = basic(net, 'AuxLogits.conv1', basic(net, 'AuxLogits.conv0', aux));
    net.dense('AuxLogits.fc', a);
  }
  net.dense('fc', x);
  return true;
}
