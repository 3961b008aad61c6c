/**
 * Recovers a network's wiring (NetOp[]) from tensor names and shapes, for files that do not state
 * it (PyTorch state dicts, safetensors, npz). What is recognised:
 *  - conv (rank 3-5 `weight`), dense (rank 2 `weight`), and norms (rank 1 `weight` and/or
 *    `running_var`) folded into the layer right before them;
 *  - a sequential chain in state-dict order, checked shape by shape;
 *  - residual blocks: torchvision-style `layerX.Y.convN` blocks with `downsample`, CIFAR-style
 *    blocks with `shortcut` (an empty `shortcut` is the identity), and torchvision MobileNetV2
 *    inverted residuals (`features.N.conv.*`).
 * Anything else that breaks the chain stops with an ArchitectureError naming the tensor, rather
 * than building a wrong graph. Assumptions that cannot be checked are reported as warnings.
 */
import { ArchitectureError } from '../errors';
import type { TensorEntry } from '../tensor';
import type { NetOp, ConvOp, DenseOp, BatchNormRef, ValueId } from './netspec';

interface Module {
  name: string;
  params: Params;
}

/**
 * A module's parameters, with the Map methods recover uses. Most modules of real networks hold a
 * handful; a crafted file may hold 300k modules of one tensor each, where a Map per module cost
 * hundreds of MB. So the first parameter is kept inline and a Map is made only for a second.
 */
class Params {
  private k0?: string;
  private v0?: TensorEntry;
  private more?: Map<string, TensorEntry>;
  get(k: string): TensorEntry | undefined {
    return this.more ? this.more.get(k) : k === this.k0 ? this.v0 : undefined;
  }
  has(k: string): boolean {
    return this.more ? this.more.has(k) : k === this.k0;
  }
  set(k: string, v: TensorEntry): void {
    if (this.more) this.more.set(k, v);
    else if (this.k0 === undefined || this.k0 === k) {
      this.k0 = k;
      this.v0 = v;
    } else {
      this.more = new Map([[this.k0, this.v0!], [k, v]]);
      this.k0 = undefined;
      this.v0 = undefined;
    }
  }
  *[Symbol.iterator](): IterableIterator<[string, TensorEntry]> {
    if (this.more) yield* this.more;
    else if (this.k0 !== undefined) yield [this.k0, this.v0!];
  }
}

type Kind = 'conv' | 'dense' | 'norm' | 'ignored';

/** Parameters that carry no wiring. */
const HARMLESS = new Set(['bias', 'num_batches_tracked', 'running_mean']);
const SHORTCUT_NAMES = ['downsample', 'shortcut', 'skip', 'proj_shortcut'];

function groupModules(tensors: TensorEntry[]): Module[] {
  const mods = new Map<string, Module>();
  for (const t of tensors) {
    const dot = t.name.lastIndexOf('.');
    const mod = dot < 0 ? '' : t.name.slice(0, dot);
    const param = t.name.slice(dot + 1);
    let m = mods.get(mod);
    if (!m) mods.set(mod, (m = { name: mod, params: new Params() }));
    m.params.set(param, t);
  }
  return [...mods.values()];
}

function classify(m: Module, file: string): Kind {
  const w = m.params.get('weight');
  if (w && w.shape.length >= 3 && w.shape.length <= 5) return 'conv';
  if (w && w.shape.length === 2) return 'dense';
  if ((w && w.shape.length === 1) || m.params.has('running_var')) return 'norm';
  for (const [p, t] of m.params) {
    if (!HARMLESS.has(p) && t.shape.length > 1) {
      throw new ArchitectureError(file, `tensor '${t.name}' [${t.shape}] is neither a conv, dense nor norm parameter, so the network cannot be wired from tensor names; export to ONNX to give its graph`);
    }
  }
  return 'ignored';
}

function outChannels(op: ConvOp | DenseOp): number {
  return op.weight.shape[0];
}

/**
 * `layer1.0.conv1` → block prefix `layer1.0` when the model has residual blocks of that style: the
 * longest dotted prefix of the name that is a block. Looked up prefix by prefix in a set, so the
 * cost is the name's depth, not the number of blocks (300k blocks made a scan quadratic).
 */
function blockOf(name: string, blockPrefixes: ReadonlySet<string>): string | undefined {
  for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
    const p = name.slice(0, dot);
    if (blockPrefixes.has(p)) return p;
  }
  return undefined;
}

export interface Recovered {
  ops: NetOp[];
  warnings: string[];
}

/**
 * Like recoverTopology, but also for files that store tensors sorted by name (the safetensors
 * library does): when the stored order does not chain, the top-level containers (`features`,
 * `classifier`, …) are tried in every order, keeping each one's own order. Exactly one order must
 * chain; if several do, the file does not say which is right, and that is an error.
 */
export function recoverTopologyAnyOrder(tensors: TensorEntry[], file: string, normEps = 1e-5): Recovered {
  let firstError: unknown;
  try {
    return recoverTopology(tensors, file, normEps);
  } catch (e) {
    if (!(e instanceof ArchitectureError)) throw e;
    firstError = e;
  }
  // Top-level containers in first-seen order (a set: 300k of them must not cost a scan each).
  const seen = new Set<string>();
  for (const t of tensors) {
    seen.add(headOf(t.name));
    if (seen.size > 6) throw firstError;
  }
  const top = [...seen];
  if (top.length < 2) throw firstError;
  const byHead = new Map<string, TensorEntry[]>(top.map((h) => [h, []]));
  for (const t of tensors) byHead.get(headOf(t.name))!.push(t);
  const fits: { order: string[]; result: Recovered }[] = [];
  for (const order of permutations(top)) {
    if (order.every((h, i) => h === top[i])) continue;
    const reordered = order.flatMap((h) => byHead.get(h)!);
    try {
      fits.push({ order, result: recoverTopology(reordered, file, normEps) });
    } catch (e) {
      if (!(e instanceof ArchitectureError)) throw e;
    }
  }
  if (fits.length === 1) {
    fits[0].result.warnings.push(`tensors are not stored in layer order; the only order whose shapes chain is ${fits[0].order.join(' → ')}`);
    return fits[0].result;
  }
  if (fits.length > 1) {
    throw new ArchitectureError(file, `tensors are not stored in layer order, and ${fits.length} orders of ${top.join(', ')} fit their shapes, and the file does not store the wiring (an ONNX export does)`);
  }
  throw firstError;
}

function headOf(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield items.slice();
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const p of permutations(rest)) yield [items[i], ...p];
  }
}

export function recoverTopology(tensors: TensorEntry[], file: string, normEps = 1e-5): Recovered {
  const warnings: string[] = [];
  const modules = groupModules(tensors);
  const kinds = modules.map((m) => classify(m, file));

  // Weighted layers, with the norm right after each folded in.
  const layers: { op: ConvOp | DenseOp; module: string }[] = [];
  for (let i = 0; i < modules.length; i++) {
    const m = modules[i];
    const k = kinds[i];
    if (k === 'conv' || k === 'dense') {
      const weight = m.params.get('weight')!;
      const op: ConvOp | DenseOp = k === 'conv'
        ? { op: 'conv', name: m.name, weight, input: '', groups: 1 }
        : { op: 'dense', name: m.name, weight, input: '' };
      layers.push({ op, module: m.name });
    } else if (k === 'norm') {
      const prev = layers[layers.length - 1];
      const gamma = m.params.get('weight');
      const rv = m.params.get('running_var');
      const channels = (gamma ?? rv)!.shape[0];
      const norm: BatchNormRef = { name: m.name, weight: gamma, runningVar: rv, eps: normEps };
      if (prev && !prev.op.norm && outChannels(prev.op) === channels) prev.op.norm = norm;
      else warnings.push(`norm '${m.name}' (${channels} channels) does not follow a layer of that width; its scale is not folded`);
    }
  }
  if (layers.length === 0) throw new ArchitectureError(file, 'no conv or dense weights found (tensor names should end in .weight)');

  // Residual block prefixes.
  const names = layers.map((l) => l.module);
  const explicit = new Set<string>();
  for (const n of names) {
    const parts = n.split('.');
    const i = parts.findIndex((p) => SHORTCUT_NAMES.includes(p));
    if (i > 0) explicit.add(parts.slice(0, i).join('.'));
  }
  const blockPrefixes = new Set<string>(explicit);
  if (explicit.size > 0) {
    // Siblings of a block with a shortcut, shaped like it (`<container>.<index>` with named convs
    // inside), are residual blocks whose shortcut is the identity (no weights, so no names).
    for (const n of names) {
      const m = /^(.*\.\d+)\.[A-Za-z_][\w]*$/.exec(n) ?? /^(.*\.\d+)\.[A-Za-z_]\w*\.\d+$/.exec(n);
      if (m && !SHORTCUT_NAMES.some((s) => m[1].endsWith('.' + s))) blockPrefixes.add(m[1]);
    }
  }
  const inverted = new Set<string>();
  for (const n of names) {
    const m = /^(.*\.\d+)\.conv\.\d+(\.\d+)?$/.exec(n);
    if (m) inverted.add(m[1]);
  }
  const prefixes = new Set([...blockPrefixes, ...inverted]);

  // Wire the chain: `at` is the value the next layer reads.
  interface At {
    value: ValueId;
    channels: number; // -1 before the first layer
    isConv: boolean;
  }
  const ops: NetOp[] = [];
  const check = (op: ConvOp | DenseOp, at: At): void => {
    const w = op.weight;
    const { value: input, channels: inChannels, isConv: inputIsConv } = at;
    if (op.op === 'conv') {
      const perGroup = w.shape[1];
      if (inChannels < 0) {
        op.groups = 1;
      } else {
        if (perGroup <= 0 || inChannels % perGroup !== 0 || w.shape[0] % (inChannels / perGroup) !== 0) {
          throw new ArchitectureError(file, `conv '${w.name}' [${w.shape}] cannot take the ${inChannels} channels of '${input}': ${inChannels} is not a multiple of ${perGroup} input channels per group`);
        }
        op.groups = inChannels / perGroup;
      }
    } else if (inChannels >= 0) {
      const fanIn = w.shape[1];
      if (inputIsConv ? fanIn % inChannels !== 0 : fanIn !== inChannels) {
        throw new ArchitectureError(file, `dense '${w.name}' [${w.shape}] cannot follow '${input}' with ${inChannels} ${inputIsConv ? 'channels' : 'outputs'}: ${fanIn} inputs ${inputIsConv ? 'is not a multiple of the channel count' : 'differ'}`);
      }
    }
  };
  /** Appends `op` reading `at`; returns where the chain stands after it. */
  const step = (op: ConvOp | DenseOp, at: At): At => {
    check(op, at);
    op.input = at.value;
    ops.push(op);
    return { value: op.name, channels: outChannels(op), isConv: op.op === 'conv' };
  };

  let at: At = { value: 'input', channels: -1, isConv: false };
  let i = 0;
  while (i < layers.length) {
    const prefix = blockOf(layers[i].module, prefixes);
    if (!prefix) {
      at = step(layers[i].op, at);
      i++;
      continue;
    }
    // A residual block: main branch, then optional shortcut ops, then the add.
    const blockIn = at;
    const main: (ConvOp | DenseOp)[] = [];
    const shortcut: (ConvOp | DenseOp)[] = [];
    while (i < layers.length && blockOf(layers[i].module, prefixes) === prefix) {
      const rest = layers[i].module.slice(prefix.length + 1).split('.');
      (SHORTCUT_NAMES.includes(rest[0]) ? shortcut : main).push(layers[i].op);
      i++;
    }
    const out = main.reduce((a, op) => step(op, a), blockIn);
    const skipEnd = shortcut.reduce((a, op) => step(op, a), blockIn);
    const blockInput = blockIn.value;
    const blockInChannels = blockIn.channels;
    const ch = out.channels;
    const skip = skipEnd.value;
    const sc = skipEnd.channels;
    const isInverted = inverted.has(prefix) && !blockPrefixes.has(prefix);
    if (isInverted) {
      if (blockInChannels === ch) {
        ops.push({ op: 'add', name: prefix, inputs: [out.value, blockInput] });
        warnings.push(`'${prefix}': identity shortcut assumed from MobileNetV2-style naming (input and output both ${ch} channels; strides are not stored in weights)`);
        at = { value: prefix, channels: ch, isConv: true };
      } else {
        at = out;
      }
    } else {
      if (shortcut.length === 0 && blockInChannels !== ch) {
        throw new ArchitectureError(file, `residual block '${prefix}' has no shortcut weights but changes channels from ${blockInChannels} to ${ch}`);
      }
      if (shortcut.length > 0 && sc !== ch) {
        throw new ArchitectureError(file, `residual block '${prefix}': shortcut gives ${sc} channels but the main branch ${ch}`);
      }
      ops.push({ op: 'add', name: prefix, inputs: [out.value, skip] });
      at = { value: prefix, channels: ch, isConv: true };
    }
  }
  return { ops, warnings };
}
