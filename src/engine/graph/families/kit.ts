/**
 * What every recogniser needs: tensors by name, lazy views (rows of a fused matrix, a transposed
 * Conv1D weight), norm references, and an op-list builder that checks each layer's shape
 * against the value it reads, so a recogniser that matched the names but not the shapes stops
 * with an ArchitectureError instead of building a wrong graph.
 */
import { ArchitectureError } from '../../errors';
import { LazyTensor, permute, type TensorEntry } from '../../tensor';
import type { BatchNormRef, NetOp, ValueId } from '../netspec';

export class Params {
  readonly byName: Map<string, TensorEntry>;
  constructor(
    readonly tensors: TensorEntry[],
    readonly file: string,
    readonly eps: number,
  ) {
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  get(name: string): TensorEntry {
    const t = this.byName.get(name);
    if (!t) throw new ArchitectureError(this.file, `tensor '${name}' is missing`);
    return t;
  }
  opt(name: string): TensorEntry | undefined {
    return this.byName.get(name);
  }
  /** A norm module's reference (weight and running_var when stored), or undefined when it has neither. */
  norm(module: string, eps = this.eps): BatchNormRef | undefined {
    const weight = this.opt(`${module}.weight`);
    const runningVar = this.opt(`${module}.running_var`);
    if (!weight && !runningVar) return undefined;
    return { name: module, weight, runningVar, eps };
  }
  /** Distinct values of the capture group of `re` over all names, in first-seen order. */
  distinct(re: RegExp): string[] {
    const out: string[] = [];
    for (const t of this.tensors) {
      const m = re.exec(t.name);
      if (m && !out.includes(m[1])) out.push(m[1]);
    }
    return out;
  }
  /** Indices N of `<prefix>N.` names, sorted. */
  indices(prefix: string): number[] {
    const esc = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return this.distinct(new RegExp(`^${esc}(\\d+)\\.`)).map(Number).sort((a, b) => a - b);
  }
}

/**
 * The values of the fused tensor whose rows were read last: the q, k and v rows of one fused
 * projection are read one after the other, and each read would otherwise decode (and, for a
 * Conv1D weight, transpose) the whole matrix again. One entry, so it never holds more than one.
 */
let lastFused: { t: TensorEntry; values: Float32Array } | undefined;

/** Drops the values kept by `rows` (once a checkpoint's graph is built). */
export function releaseFusedValues(): void {
  lastFused = undefined;
}

function fusedValues(t: TensorEntry): Float32Array {
  if (lastFused?.t !== t) lastFused = { t, values: t.read() };
  return lastFused.values;
}

/** Rows [start, start + count) of a 2-d (or higher) tensor. */
export function rows(t: TensorEntry, start: number, count: number, name = `${t.name}[${start}:${start + count}]`): TensorEntry {
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return new LazyTensor(name, t.dtype, [count, ...t.shape.slice(1)], () => fusedValues(t).slice(start * per, (start + count) * per), Math.min(t.storedElements, count * per));
}

/** A [in, out] weight (Hugging Face Conv1D, Keras) as [out, in]. */
export function transposed(t: TensorEntry): TensorEntry {
  return new LazyTensor(t.name, t.dtype, [t.shape[1], t.shape[0]], () => permute(t.read(), t.shape, [1, 0]), t.storedElements);
}

/** A [..., n] tensor viewed as [n] (a [C,1,1] layer scale, a [1,1,d] class token). */
export function flat(t: TensorEntry): TensorEntry {
  const n = t.shape.reduce((a, b) => a * b, 1);
  return new LazyTensor(t.name, t.dtype, [n], () => t.read(), t.storedElements);
}

/** A norm whose scale is |t| (LayerScale, a gate vector). */
export function scaleRef(t: TensorEntry, name = t.name): BatchNormRef {
  return { name, weight: t.shape.length === 1 ? t : flat(t), eps: 0 };
}

export class Net {
  readonly ops: NetOp[] = [];
  readonly sizes = new Map<ValueId, number>();
  readonly warnings: string[] = [];
  /** Column norms of tables, by the tensor that holds them (a tied head reuses its embedding's). */
  private readonly norms = new Map<TensorEntry, Float32Array>();
  constructor(readonly p: Params) {}

  /** ‖T[:, c]‖₂ of a [rows, cols] table (cols = its last dimension), times |scale_c|; computed once per tensor. */
  tableNorms(t: TensorEntry, scale?: Float32Array): Float32Array {
    const root = t.sameAs ?? t;
    let n = this.norms.get(root);
    if (!n) {
      const cols = t.shape[t.shape.length - 1];
      n = columnNorms(t.read(), t.shape.slice(0, -1).reduce((a, b) => a * b, 1), cols);
      this.norms.set(root, n);
    }
    if (!scale) return n.slice();
    const out = new Float32Array(n.length);
    for (let c = 0; c < n.length; c++) out[c] = n[c] * Math.abs(scale[c]);
    return out;
  }

  private fail(msg: string): never {
    throw new ArchitectureError(this.p.file, msg);
  }
  size(v: ValueId): number {
    const s = this.sizes.get(v);
    if (s === undefined) this.fail(`'${v}' is read before it is produced`);
    return s;
  }
  input(name: string, size: number): ValueId {
    this.ops.push({ op: 'input', name, size });
    this.sizes.set(name, size);
    return name;
  }
  /** A conv named after its module (`<module>.weight`), its groups from the input's width. */
  conv(module: string, input: ValueId, o: { norm?: BatchNormRef; inNorm?: BatchNormRef; into?: ValueId; weight?: TensorEntry } = {}): ValueId {
    const w = o.weight ?? this.p.get(`${module}.weight`);
    if (w.shape.length < 3) this.fail(`'${w.name}' [${w.shape}] is not a conv weight`);
    const inC = this.sizes.has(input) ? this.size(input) : w.shape[1];
    if (inC % w.shape[1] !== 0 || w.shape[0] % (inC / w.shape[1]) !== 0) this.fail(`conv '${w.name}' [${w.shape}] cannot take the ${inC} channels of '${input}'`);
    this.ops.push({ op: 'conv', name: module, weight: w, input, groups: inC / w.shape[1], norm: o.norm, inNorm: o.inNorm, into: o.into });
    if (!o.into) this.sizes.set(module, w.shape[0]);
    return o.into ?? module;
  }
  /** A dense layer; its input may be a flattened conv output (fan-in a multiple of the channels). */
  dense(module: string, input: ValueId, o: { norm?: BatchNormRef; inNorm?: BatchNormRef; into?: ValueId; weight?: TensorEntry; flatten?: 'chw' | 'hwc' } = {}): ValueId {
    const w = o.weight ?? this.p.get(`${module}.weight`);
    if (w.shape.length !== 2) this.fail(`'${w.name}' [${w.shape}] is not a dense weight`);
    const inC = this.sizes.has(input) ? this.size(input) : w.shape[1];
    if (w.shape[1] % inC !== 0) this.fail(`dense '${w.name}' [${w.shape}] cannot take the ${inC} outputs of '${input}'`);
    this.ops.push({ op: 'dense', name: module, weight: w, input, norm: o.norm, inNorm: o.inNorm, into: o.into, flatten: o.flatten });
    if (!o.into) this.sizes.set(module, w.shape[0]);
    return o.into ?? module;
  }
  matrix(name: string, input: ValueId, out: number, edges: () => Float32Array, o: { into?: ValueId; kind?: 'conv' | 'dense'; attributes?: Record<string, () => Float32Array> } = {}): ValueId {
    this.size(input);
    this.ops.push({ op: 'matrix', name, input, out, kind: o.kind ?? 'dense', edges, into: o.into, attributes: o.attributes });
    if (!o.into) this.sizes.set(name, out);
    else if (this.size(o.into) !== out) this.fail(`'${name}' gives ${out} channels into '${o.into}' of ${this.size(o.into)}`);
    return o.into ?? name;
  }
  add(name: string, inputs: ValueId[], norm?: BatchNormRef): ValueId {
    const s = this.size(inputs[0]);
    for (const v of inputs) if (this.size(v) !== s) this.fail(`'${name}' sums '${v}' (${this.size(v)} channels) with '${inputs[0]}' (${s})`);
    this.ops.push({ op: 'add', name, inputs, norm });
    this.sizes.set(name, s);
    return name;
  }
  concat(name: string, inputs: ValueId[]): ValueId {
    this.ops.push({ op: 'concat', name, inputs });
    this.sizes.set(name, inputs.reduce((a, v) => a + this.size(v), 0));
    return name;
  }
  select(name: string, input: ValueId, channels: number[]): ValueId {
    this.size(input);
    this.ops.push({ op: 'select', name, input, channels });
    this.sizes.set(name, channels.length);
    return name;
  }
  /** Channels [start, start + count) of a value. */
  slice(name: string, input: ValueId, start: number, count: number): ValueId {
    return this.select(name, input, Array.from({ length: count }, (_, i) => start + i));
  }
}

/** Column L2 norms of a [rows, cols] matrix (a vocabulary or position table collapsed to one node), times |scale|. */
export function columnNorms(values: Float32Array, rowsN: number, cols: number, scale?: Float32Array): Float32Array {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rowsN; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) acc[c] += values[base + c] * values[base + c];
  }
  const out = new Float32Array(cols);
  for (let c = 0; c < cols; c++) out[c] = Math.sqrt(acc[c]) * (scale ? Math.abs(scale[c]) : 1);
  return out;
}
