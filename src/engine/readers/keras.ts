/**
 * Keras weights, in three layouts:
 *  - Keras 2 HDF5 (`model.save('m.h5')`): root attrs `keras_version`, `backend`, `model_config`
 *    (JSON); group `model_weights` with attr `layer_names` (model.layers order); one group per layer
 *    with attr `weight_names` ('conv2d/kernel:0', ...), each a dataset path inside the layer group.
 *    Long attributes are split by Keras into `layer_names0`, `layer_names1`, ...
 *  - Keras 2 `save_weights('m.h5')`: the same, with the layer groups at the root.
 *  - Keras 3 (`m.keras`, a zip of config.json, metadata.json and model.weights.h5; or a bare
 *    `m.weights.h5`): groups `layers/<snake_case class name>[_N]/vars/<i>`, numbered by class in
 *    model.layers order (keras/src/saving/saving_lib.py), so config.json gives names and order.
 *
 * Output follows the engine's PyTorch convention: Keras kernels are transposed lazily (conv HWIO →
 * OIHW, dense [in, out] → [out, in], depthwise [kh, kw, in, mult] → [in*mult, 1, kh, kw]), BatchNorm
 * gamma/beta/moving_mean/moving_variance become weight/bias/running_mean/running_var, tensors are
 * named `<layer>.<param>` and listed in the model's layer order. A dense layer after Flatten keeps
 * Keras' channels-last column order: the checkpoint says so with flattenOrder 'hwc'.
 *
 * HDF5 is parsed with jsfive, which needs the whole file in memory (limit: 2 GiB). Contiguous
 * datasets (what h5py writes by default) are decoded straight from the file bytes after their
 * extent is checked against the file size; other layouts go through jsfive on read().
 */
import type { Checkpoint, CheckpointReader } from '../checkpoint';
import { FormatError, errorMessage } from '../errors';
import type { BatchNormRef, ConvOp, DenseOp, NetOp, ValueId } from '../graph/netspec';
import { hexHead, type ByteSource } from '../io/source';
import { openZipOf } from '../io/zip';
import { DTYPE_BYTES, DType, LazyTensor, TensorEntry, decodeElements, numel, permute } from '../tensor';


// ------------------------------------------------------------------ jsfive (untyped CommonJS module)
interface H5Node {
  readonly name: string;
  readonly attrs: Record<string, unknown>;
}
interface H5Group extends H5Node {
  readonly keys: string[];
  get(path: string): H5Group | H5Dataset | null;
}
interface H5Message {
  get(key: string): number;
}
interface H5Dataset extends H5Node {
  readonly shape: number[];
  readonly dtype: unknown;
  readonly value: ArrayLike<number | bigint>;
  readonly _dataobjects: {
    find_msg_type(type: number): H5Message[];
    _get_data_message_properties(offset: number): [number, number, number, number];
  };
}
interface Jsfive {
  File: new (buffer: ArrayBuffer, filename: string) => H5Group;
  Dataset: abstract new (...args: never[]) => H5Dataset;
}
let jsfiveModule: Jsfive | undefined;
function jsfive(): Jsfive {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jsfiveModule ??= require('jsfive') as Jsfive;
  return jsfiveModule;
}

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const DATA_LAYOUT_MSG = 0x0008;
/** jsfive works on one ArrayBuffer; Node's Buffer limit and memory make 2 GiB a sane ceiling. */
export const MAX_HDF5_BYTES = 2 ** 31 - 1;

export function isHdf5(head: Uint8Array): boolean {
  return head.length >= 8 && HDF5_MAGIC.every((b, i) => head[i] === b);
}

type Meta = Record<string, string | number | boolean | null>;

/**
 * The file size the HDF5 superblock states (base address + end-of-file address), when it uses
 * 8-byte addresses: superblock versions 0/1 keep it at byte 40/44, versions 2/3 at byte 28.
 */
function hdf5DeclaredSize(bytes: Uint8Array): bigint | undefined {
  if (bytes.length < 48) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[8];
  let base: number;
  let eof: number;
  if (version === 0 || version === 1) {
    if (bytes[13] !== 8) return undefined;
    base = 24;
    eof = version === 0 ? 40 : 44;
  } else if (version === 2 || version === 3) {
    if (bytes[9] !== 8) return undefined;
    base = 12;
    eof = 28;
  } else {
    return undefined;
  }
  if (version === 1) base = 28;
  return dv.getBigUint64(base, true) + dv.getBigUint64(eof, true);
}

/** An HDF5 file loaded in memory, with every jsfive failure turned into a FormatError naming the file. */
class H5File {
  readonly root: H5Group;
  constructor(
    readonly file: string,
    /** Prefix for messages about an HDF5 file inside an archive, e.g. 'model.weights.h5: '. */
    readonly label: string,
    readonly bytes: Uint8Array,
  ) {
    if (!isHdf5(bytes)) {
      throw new FormatError(file, `${label}not an HDF5 file: first bytes ${hexHead(bytes.subarray(0, 8))}, expected the signature 894844460d0a1a0a`);
    }
    const declared = hdf5DeclaredSize(bytes);
    if (declared !== undefined && declared > BigInt(bytes.length)) {
      throw new FormatError(file, `${label}truncated HDF5 file: its superblock declares ${declared} bytes, but there are ${bytes.length}`);
    }
    this.root = this.call('the superblock', () => new (jsfive().File)(bytes.buffer as ArrayBuffer, file));
  }

  call<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError(this.file, `${this.label}HDF5 structure unreadable at ${what} (${errorMessage(e)}; truncated or corrupt file?)`);
    }
  }

  attrs(node: H5Node): Record<string, unknown> {
    return this.call(`the attributes of '${node.name}'`, () => node.attrs);
  }

  keys(g: H5Group): string[] {
    return this.call(`the members of '${g.name}'`, () => g.keys);
  }

  child(g: H5Group, name: string): H5Group | H5Dataset | undefined {
    if (!this.keys(g).includes(name.split('/')[0])) return undefined;
    return this.call(`'${g.name === '/' ? '' : g.name}/${name}'`, () => g.get(name)) ?? undefined;
  }

  group(g: H5Group, name: string): H5Group | undefined {
    const c = this.child(g, name);
    return c && !this.isDataset(c) ? (c as H5Group) : undefined;
  }

  isDataset(n: H5Group | H5Dataset): n is H5Dataset {
    return n instanceof jsfive().Dataset;
  }
}

/** Reads a whole source into its own ArrayBuffer (jsfive wants one), in bounded chunks. */
function readAll(file: string, src: ByteSource, label = ''): Uint8Array {
  if (src.size > MAX_HDF5_BYTES) throw new FormatError(file, `${label}HDF5 file of ${src.size} bytes is above the ${MAX_HDF5_BYTES}-byte limit of the in-memory HDF5 reader`);
  const out = new Uint8Array(new ArrayBuffer(src.size));
  const CHUNK = 64 << 20;
  for (let off = 0; off < src.size; off += CHUNK) out.set(src.read(off, Math.min(CHUNK, src.size - off)), off);
  return out;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v.replace(/\0+$/, '');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8').replace(/\0+$/, '');
  return String(v);
}

/** A string-list attribute, joining Keras' chunked `name0`, `name1`, ... form. */
function attrStrings(attrs: Record<string, unknown>, name: string): string[] | undefined {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : v === undefined || v === null ? [] : [str(v)]);
  if (Object.prototype.hasOwnProperty.call(attrs, name)) return list(attrs[name]);
  if (!Object.prototype.hasOwnProperty.call(attrs, `${name}0`)) return undefined;
  const out: string[] = [];
  for (let i = 0; Object.prototype.hasOwnProperty.call(attrs, `${name}${i}`); i++) out.push(...list(attrs[`${name}${i}`]));
  return out;
}

function attrString(attrs: Record<string, unknown>, name: string): string | undefined {
  const v = attrs[name];
  if (v === undefined || v === null) return undefined;
  return str(Array.isArray(v) && v.length === 1 ? v[0] : v);
}

function h5Dtype(dt: unknown): { dtype?: DType; littleEndian: boolean } {
  if (typeof dt !== 'string') return { littleEndian: true };
  const m = /^([<>|=!]?)([fiu])(\d+)$/.exec(dt);
  if (!m) return { littleEndian: true };
  const map: Record<string, DType> = { f2: 'float16', f4: 'float32', f8: 'float64', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64', u1: 'uint8' };
  return { dtype: map[`${m[2]}${m[3]}`], littleEndian: m[1] !== '>' && m[1] !== '!' };
}

/** A raw Keras variable as found in a file: Keras layout, values read lazily. */
export interface KerasVar {
  /** Module path of the owning layer ('conv2d', or 'outer.inner' for nested models). */
  layer: string;
  /** Keras class of the owning layer when known ('Conv2D', 'DepthwiseConv2D', ...). */
  cls?: string;
  /** 'kernel', 'bias', 'gamma', 'depthwise_kernel', ... */
  varName: string;
  dtype: DType;
  shape: number[];
  load: () => Float32Array;
}

/** Tensor for one HDF5 dataset: shape/dtype checked now, values decoded on read(). */
function datasetVar(h5: H5File, ds: H5Dataset, where: string): { dtype: DType; shape: number[]; load: () => Float32Array } | string {
  const shape = h5.call(`the shape of '${where}'`, () => [...(ds.shape ?? [])]);
  const { dtype, littleEndian } = h5Dtype(h5.call(`the type of '${where}'`, () => ds.dtype));
  if (!dtype) return `dataset '${where}' has HDF5 type ${JSON.stringify(h5.call('a type', () => ds.dtype))}, which is not a numeric tensor type; skipped`;
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new FormatError(h5.file, `${h5.label}dataset '${where}' has a bad shape ${JSON.stringify(shape)}`);
  const count = numel(shape);
  const nbytes = count * DTYPE_BYTES[dtype];
  // Fast path: contiguous storage, decoded straight from the file bytes after a bounds check.
  let address: bigint | undefined;
  let declared: bigint | undefined;
  try {
    const dobj = ds._dataobjects;
    const msg = dobj.find_msg_type(DATA_LAYOUT_MSG)[0];
    const [version, , layoutClass, prop] = dobj._get_data_message_properties(msg.get('offset_to_message'));
    if (layoutClass === 1) {
      const dv = new DataView(h5.bytes.buffer, h5.bytes.byteOffset, h5.bytes.byteLength);
      address = dv.getBigUint64(prop, true);
      if (version >= 3) declared = dv.getBigUint64(prop + 8, true);
    }
  } catch {
    address = undefined;
  }
  if (address !== undefined) {
    if (address === 0xffffffffffffffffn) {
      return { dtype, shape, load: () => new Float32Array(count) }; // never written: HDF5 reads it as the fill value (0)
    }
    if (declared !== undefined && declared !== BigInt(nbytes)) {
      throw new FormatError(h5.file, `${h5.label}dataset '${where}' stores ${declared} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${nbytes}`);
    }
    if (address + BigInt(nbytes) > BigInt(h5.bytes.length)) {
      throw new FormatError(h5.file, `${h5.label}dataset '${where}' (${nbytes} bytes at offset ${address}) runs past the end of the file (${h5.bytes.length} bytes)`);
    }
    const start = Number(address);
    return { dtype, shape, load: () => decodeElements(h5.bytes.subarray(start, start + nbytes), dtype, littleEndian, h5.file) };
  }
  return {
    dtype,
    shape,
    load: () => {
      const v = h5.call(`the data of '${where}'`, () => ds.value);
      if (!v || v.length !== count) throw new FormatError(h5.file, `${h5.label}dataset '${where}' yields ${v?.length ?? 0} values, expected ${count}`);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(v[i]);
      return out;
    },
  };
}

// ------------------------------------------------------------------ Keras → PyTorch conversion

/** Per-layer facts the topology builder needs. */
export interface LayerTensors {
  weight?: TensorEntry;
  gamma?: TensorEntry;
  movingVariance?: TensorEntry;
  depthwise?: TensorEntry;
  pointwise?: TensorEntry;
  /** Input channels of a depthwise kernel ([kh, kw, in, mult]): the group count of the conv. */
  depthwiseIn?: number;
  count: number;
}

const RENAME: Record<string, string> = {
  bias: 'bias', gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var', embeddings: 'weight',
};

function isSeparable(cls?: string): boolean {
  return !!cls && /^SeparableConv[123]D$/.test(cls);
}

/**
 * Converts one Keras variable to a PyTorch-layout tensor, appends it to `out` and records it in
 * `layers` (keyed by module path).
 */
export function addKerasVar(v: KerasVar, out: TensorEntry[], layers: Map<string, LayerTensors>): void {
  const info = layers.get(v.layer) ?? { count: 0 };
  layers.set(v.layer, info);
  info.count++;
  const r = v.shape.length;
  const sep = isSeparable(v.cls);
  const depthwise = v.varName === 'depthwise_kernel' || (v.varName === 'kernel' && !!v.cls && /^DepthwiseConv[123]D$/.test(v.cls));
  let param: string;
  let shape = v.shape;
  let load = v.load;
  if (depthwise && r >= 3) {
    // [k..., in, mult] → [in, mult, k...] → [in*mult, 1, k...]: output channel c*mult + m, as TF orders them.
    const perm = [r - 2, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i)];
    const src = v.shape;
    shape = [src[r - 2] * src[r - 1], 1, ...src.slice(0, r - 2)];
    load = () => permute(v.load(), src, perm);
    param = sep ? 'depthwise.weight' : 'weight';
    info.depthwiseIn = src[r - 2];
    const t = new LazyTensor(`${v.layer}.${param}`, v.dtype, shape, load);
    if (sep) info.depthwise = t;
    else info.weight = t;
    out.push(t);
    return;
  }
  if ((v.varName === 'kernel' || v.varName === 'pointwise_kernel') && r >= 2) {
    // dense [in, out] → [out, in]; conv [k..., in, out] → [out, in, k...] (transposed convs: [k..., out, in] → [in, out, k...]).
    const perm = r === 2 ? [1, 0] : [r - 1, r - 2, ...Array.from({ length: r - 2 }, (_, i) => i)];
    const src = v.shape;
    shape = perm.map((p) => src[p]);
    load = () => permute(v.load(), src, perm);
    param = v.varName === 'pointwise_kernel' || sep ? 'pointwise.weight' : 'weight';
    const t = new LazyTensor(`${v.layer}.${param}`, v.dtype, shape, load);
    if (param === 'pointwise.weight') info.pointwise = t;
    else info.weight = t;
    out.push(t);
    return;
  }
  param = RENAME[v.varName] ?? v.varName;
  if (sep && v.varName === 'bias') param = 'pointwise.bias';
  const t = new LazyTensor(`${v.layer}.${param}`, v.dtype, shape, load);
  if (v.varName === 'gamma') info.gamma = t;
  if (v.varName === 'moving_variance') info.movingVariance = t;
  if (v.varName === 'kernel') info.weight = t; // rank-1 "kernel": keep as is
  out.push(t);
}

/** Splits a Keras weight name ('conv2d/kernel:0', 'block/conv/kernel') into layer path and variable. */
export function splitWeightName(name: string): { path: string[]; varName: string } {
  const parts = name.split('/').filter((p) => p !== '');
  const last = (parts.pop() ?? name).replace(/:\d+$/, '');
  return { path: parts, varName: last };
}

/** keras.src.utils.naming.to_snake_case: the Keras 3 weight-group name of a layer class. */
export function toSnakeCase(name: string): string {
  let s = name.replace(/\W+/g, '');
  s = s.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  s = s.replace(/([a-z])([A-Z])/g, '$1_$2');
  return s.toLowerCase();
}

const KNOWN_CLASSES = [
  'Dense', 'EinsumDense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv1DTranspose', 'Conv2DTranspose', 'Conv3DTranspose',
  'DepthwiseConv1D', 'DepthwiseConv2D', 'SeparableConv1D', 'SeparableConv2D', 'BatchNormalization',
  'LayerNormalization', 'GroupNormalization', 'Embedding', 'PReLU',
];
const CLASS_OF_SNAKE = new Map(KNOWN_CLASSES.map((c) => [toSnakeCase(c), c]));

/** Names of a Keras 3 layer's variables in `vars/0, 1, ...` order, or undefined when unknown. */
function keras3Roles(cls: string | undefined, config: Record<string, unknown> | undefined, n: number): string[] | undefined {
  const useBias = config?.use_bias !== false;
  let roles: string[];
  switch (cls) {
    case 'Dense': case 'EinsumDense': case 'Conv1D': case 'Conv2D': case 'Conv3D':
    case 'Conv1DTranspose': case 'Conv2DTranspose': case 'Conv3DTranspose':
      roles = ['kernel', 'bias'];
      break;
    case 'DepthwiseConv1D': case 'DepthwiseConv2D':
      roles = ['depthwise_kernel', 'bias'];
      break;
    case 'SeparableConv1D': case 'SeparableConv2D':
      roles = ['depthwise_kernel', 'pointwise_kernel', 'bias'];
      break;
    case 'BatchNormalization':
      roles = [...(config?.scale === false ? [] : ['gamma']), ...(config?.center === false ? [] : ['beta']), 'moving_mean', 'moving_variance'];
      return roles.length === n ? roles : undefined;
    case 'LayerNormalization': case 'GroupNormalization':
      roles = [...(config?.scale === false ? [] : ['gamma']), ...(config?.center === false ? [] : ['beta'])];
      return roles.length === n ? roles : undefined;
    case 'Embedding':
      roles = ['embeddings'];
      break;
    case 'PReLU':
      roles = ['alpha'];
      break;
    default:
      return undefined;
  }
  if (config && !useBias) roles = roles.filter((r) => r !== 'bias');
  if (!config && roles.length === n + 1 && roles[roles.length - 1] === 'bias') roles = roles.slice(0, -1);
  return roles.length === n ? roles : undefined;
}

// ------------------------------------------------------------------ model config

export interface KerasLayer {
  name: string;
  cls: string;
  config: Record<string, unknown>;
  /** Names of the layers feeding this one (functional models); 'shared' when called more than once. */
  inbound?: string[] | 'shared';
  /** Layers of a nested Sequential/Functional model. */
  model?: KerasModel;
}

export interface KerasModel {
  kind: 'Sequential' | 'Functional';
  layers: KerasLayer[];
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function collectHistory(v: unknown, out: string[], depth = 0): boolean {
  if (depth > 16) return true;
  if (Array.isArray(v)) return v.every((x) => collectHistory(x, out, depth + 1));
  if (!isObj(v)) return true;
  if (v.class_name === '__keras_tensor__' && isObj(v.config) && Array.isArray(v.config.keras_history)) {
    const [name, node] = v.config.keras_history as unknown[];
    if (typeof name !== 'string') return true;
    out.push(name);
    return node === 0;
  }
  return Object.values(v).every((x) => collectHistory(x, out, depth + 1));
}

/** Input layer names of a layer from its `inbound_nodes` (Keras 2/TF.js lists, or Keras 3 {args, kwargs}). */
function inboundNames(nodes: unknown): string[] | 'shared' {
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  if (nodes.length > 1) return 'shared';
  const node = nodes[0];
  const names: string[] = [];
  if (Array.isArray(node)) {
    for (const t of node) {
      if (Array.isArray(t) && typeof t[0] === 'string') {
        if (t[1] !== 0 && t[1] !== undefined) return 'shared';
        names.push(t[0]);
      }
    }
  } else if (isObj(node)) {
    if (!collectHistory(node.args, names)) return 'shared';
  }
  return names;
}

/** Parses a Keras model config ({class_name, config: {layers: [...]}}); undefined when it is not a model. */
export function parseModelConfig(cfg: unknown, depth = 0): KerasModel | undefined {
  if (!isObj(cfg) || depth > 8) return undefined;
  const cls = cfg.class_name;
  if (typeof cls !== 'string' || !MODEL_CLASSES.has(cls)) return undefined;
  const inner = cfg.config;
  const rawLayers = Array.isArray(inner) ? inner : isObj(inner) && Array.isArray(inner.layers) ? inner.layers : undefined;
  if (!rawLayers) return undefined;
  const kind = cls === 'Sequential' ? 'Sequential' : 'Functional';
  const layers: KerasLayer[] = [];
  for (const l of rawLayers) {
    if (!isObj(l) || typeof l.class_name !== 'string') continue;
    const config = isObj(l.config) ? l.config : {};
    const name = typeof config.name === 'string' ? config.name : typeof l.name === 'string' ? l.name : `${toSnakeCase(l.class_name)}_${layers.length}`;
    const layer: KerasLayer = { name, cls: l.class_name, config };
    if (kind === 'Functional') layer.inbound = inboundNames(l.inbound_nodes);
    if (MODEL_CLASSES.has(l.class_name)) layer.model = parseModelConfig(l, depth + 1);
    layers.push(layer);
  }
  return { kind, layers };
}

/** Flatten order of a model: channels-last unless some layer says channels_first. */
export function kerasFlattenOrder(model?: KerasModel): 'chw' | 'hwc' {
  const walk = (m: KerasModel): boolean => m.layers.some((l) => l.config.data_format === 'channels_first' || (l.model ? walk(l.model) : false));
  return model && walk(model) ? 'chw' : 'hwc';
}

const MERGE_CLASSES = new Set(['Concatenate', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum', 'Dot']);
/** Layers with weights that do not change which channel feeds which. */
const PASS_WITH_WEIGHTS = new Set(['PReLU', 'Normalization']);

/**
 * The wiring stated by a model config, as NetOps (see graph/netspec.ts). Returns a reason instead
 * when the config uses something the op list cannot state (shared layers, concatenation, nested
 * models, layers with unknown weights).
 */
export function kerasTopology(model: KerasModel, layers: Map<string, LayerTensors>): NetOp[] | string {
  const value = new Map<string, ValueId>();
  const producer = new Map<ValueId, ConvOp | DenseOp>();
  const ops: NetOp[] = [];
  /** Weighted layers on the longest path from the input to a value. */
  const depth = new Map<ValueId, number>([['input', 0]]);
  let prev: ValueId = 'input';
  let inputs = 0;
  for (const l of model.layers) {
    let ins: ValueId[];
    if (model.kind === 'Sequential') {
      ins = [prev];
    } else {
      if (l.inbound === 'shared') return `layer '${l.name}' is called more than once (shared layer)`;
      ins = [];
      for (const n of l.inbound ?? []) {
        const v = value.get(n);
        if (v === undefined) return `layer '${l.name}' takes its input from '${n}', which comes later or does not exist`;
        ins.push(v);
      }
      if (ins.length === 0 && l.cls !== 'InputLayer') return `layer '${l.name}' has no inbound node`;
    }
    const info = layers.get(l.name);
    const single: ValueId | undefined = ins.length === 1 ? ins[0] : undefined;
    const notSingle = `layer '${l.name}' (${l.cls}) takes ${ins.length} inputs`;
    let out: ValueId;
    if (l.cls === 'InputLayer') {
      if (++inputs > 1) return 'the model has more than one input';
      out = 'input';
    } else if (l.model || MODEL_CLASSES.has(l.cls)) {
      return `layer '${l.name}' is a nested ${l.cls} model`;
    } else if (/^Conv[123]D$/.test(l.cls) || /^DepthwiseConv[123]D$/.test(l.cls)) {
      if (single === undefined) return notSingle;
      const input = single;
      if (!info?.weight) return `conv layer '${l.name}' has no kernel in the file`;
      const depthwise = l.cls.startsWith('Depthwise');
      const groups = depthwise ? info.depthwiseIn ?? 1 : l.config.groups ?? 1;
      // From the file's JSON: anything but a positive integer (1.5, 5e-324, -1) would make the
      // graph's channel arithmetic meaningless (fuzzing found 5e-324 hanging the eigen solver).
      if (!Number.isSafeInteger(groups) || (groups as number) < 1) return `conv layer '${l.name}' has groups ${JSON.stringify(groups)}, not a positive integer`;
      const op: ConvOp = { op: 'conv', name: l.name, weight: info.weight, input, groups: groups as number };
      ops.push(op);
      producer.set(l.name, op);
      depth.set(l.name, (depth.get(input) ?? 0) + 1);
      out = l.name;
    } else if (isSeparable(l.cls)) {
      if (single === undefined) return notSingle;
      const input = single;
      if (!info?.depthwise || !info.pointwise) return `separable conv layer '${l.name}' lacks its depthwise or pointwise kernel`;
      ops.push({ op: 'conv', name: `${l.name}.depthwise`, weight: info.depthwise, input, groups: info.depthwiseIn ?? 1 });
      const pw: ConvOp = { op: 'conv', name: `${l.name}.pointwise`, weight: info.pointwise, input: `${l.name}.depthwise`, groups: 1 };
      ops.push(pw);
      producer.set(`${l.name}.pointwise`, pw);
      depth.set(`${l.name}.pointwise`, (depth.get(input) ?? 0) + 2);
      out = `${l.name}.pointwise`;
    } else if (l.cls === 'Dense') {
      if (single === undefined) return notSingle;
      const input = single;
      if (!info?.weight || info.weight.shape.length !== 2) return `dense layer '${l.name}' has no 2-d kernel in the file`;
      const op: DenseOp = { op: 'dense', name: l.name, weight: info.weight, input };
      ops.push(op);
      producer.set(l.name, op);
      depth.set(l.name, (depth.get(input) ?? 0) + 1);
      out = l.name;
    } else if (l.cls === 'BatchNormalization' || l.cls === 'LayerNormalization' || l.cls === 'GroupNormalization') {
      if (single === undefined) return notSingle;
      const input = single;
      const p = producer.get(input);
      if (p && !p.norm) {
        const norm: BatchNormRef = { name: l.name, eps: typeof l.config.epsilon === 'number' ? l.config.epsilon : 1e-3 };
        if (info?.gamma) norm.weight = info.gamma;
        if (l.cls === 'BatchNormalization') {
          if (!info?.movingVariance) return `batch norm layer '${l.name}' has no moving_variance in the file`;
          norm.runningVar = info.movingVariance;
        }
        p.norm = norm;
      }
      out = input;
    } else if (l.cls === 'Add') {
      if (ins.length < 2) return `add layer '${l.name}' has ${ins.length} input`;
      // The rolled graph takes the first input as the main branch: the deepest one (most weighted
      // layers since the input), whatever order the model code summed them in.
      const ordered = ins.map((v, i) => ({ v, i, d: depth.get(v) ?? 0 })).sort((a, b) => b.d - a.d || a.i - b.i).map((x) => x.v);
      ops.push({ op: 'add', name: l.name, inputs: ordered });
      depth.set(l.name, Math.max(...ins.map((v) => depth.get(v) ?? 0)));
      out = l.name;
    } else if (MERGE_CLASSES.has(l.cls)) {
      return `layer '${l.name}' (${l.cls}) joins paths in a way the op list cannot state`;
    } else if (info && info.count > 0 && !PASS_WITH_WEIGHTS.has(l.cls)) {
      return `layer '${l.name}' (${l.cls}) has weights whose wiring is not known`;
    } else {
      if (single === undefined) return notSingle;
      const input = single;
      out = input; // pooling, activation, dropout, flatten, padding, reshape: same channels feed on
    }
    value.set(l.name, out);
    prev = out;
  }
  return ops;
}

// ------------------------------------------------------------------ HDF5 layouts

interface Collected {
  tensors: TensorEntry[];
  layers: Map<string, LayerTensors>;
  warnings: string[];
}

function newCollected(): Collected {
  return { tensors: [], layers: new Map(), warnings: [] };
}

function addDataset(h5: H5File, c: Collected, ds: H5Dataset, where: string, layer: string, cls: string | undefined, varName: string): void {
  const d = datasetVar(h5, ds, where);
  if (typeof d === 'string') {
    c.warnings.push(d);
    return;
  }
  addKerasVar({ layer, cls, varName, ...d }, c.tensors, c.layers);
}

function layerClasses(model: KerasModel | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of model?.layers ?? []) out.set(l.name, l.cls);
  return out;
}

/** Keras 2: `layer_names` on `g`, then `weight_names` on each layer group. */
function readKeras2(h5: H5File, g: H5Group, model: KerasModel | undefined, c: Collected): void {
  const layerNames = attrStrings(h5.attrs(g), 'layer_names') ?? [];
  const classes = layerClasses(model);
  for (const name of layerNames) {
    const lg = h5.group(g, name);
    if (!lg) throw new FormatError(h5.file, `${h5.label}layer '${name}' is listed in layer_names but has no group in the file`);
    const weightNames = attrStrings(h5.attrs(lg), 'weight_names') ?? [];
    // A layer's own variables share one scope ('conv2d/kernel:0', 'conv2d/bias:0'); a nested model's differ.
    const scopes = new Set(weightNames.map((w) => splitWeightName(w).path[0] ?? ''));
    const own = scopes.size <= 1;
    for (const w of weightNames) {
      const ds = h5.child(lg, w);
      if (!ds || !h5.isDataset(ds)) throw new FormatError(h5.file, `${h5.label}weight '${w}' of layer '${name}' is listed in weight_names but missing from the file`);
      const { path, varName } = splitWeightName(w);
      const layer = own ? name : [name, ...path].join('.');
      addDataset(h5, c, ds, `${name}/${w}`, layer, own ? classes.get(name) : undefined, varName);
    }
  }
}

function numericKeys(keys: string[]): string[] {
  return keys.filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Keras 3: one layer group (`.../<group>/vars/<i>`). */
function readKeras3Layer(h5: H5File, c: Collected, grp: H5Group, where: string, layer: string, cls: string | undefined, config: Record<string, unknown> | undefined): void {
  const vars = h5.group(grp, 'vars');
  if (!vars) return;
  const keys = numericKeys(h5.keys(vars));
  if (keys.length === 0) return;
  const roles = keras3Roles(cls, config, keys.length);
  if (!roles) c.warnings.push(`layer '${layer}'${cls ? ` (${cls})` : ''}: ${keys.length} variables with unknown roles, kept untransposed as '${layer}.var<i>'`);
  keys.forEach((k, i) => {
    const ds = h5.child(vars, k);
    if (!ds || !h5.isDataset(ds)) throw new FormatError(h5.file, `${h5.label}'${where}/vars/${k}' is not a dataset`);
    addDataset(h5, c, ds, `${where}/vars/${k}`, layer, cls, roles ? roles[i] : `var${k}`);
  });
}

function readKeras3Layers(h5: H5File, c: Collected, top: H5Group, topPath: string, model: KerasModel | undefined, prefix: string): void {
  const groupNames = h5.keys(top);
  const used = new Set<string>();
  if (model) {
    const counts = new Map<string, number>();
    for (const l of model.layers) {
      let g = toSnakeCase(l.cls);
      const n = counts.get(g);
      counts.set(g, n === undefined ? 0 : n + 1);
      if (n !== undefined) g = `${g}_${n + 1}`;
      const gname = groupNames.includes(g) ? g : groupNames.includes(l.name) && !used.has(l.name) ? l.name : undefined;
      if (!gname) continue;
      used.add(gname);
      const grp = h5.group(top, gname);
      if (!grp) continue;
      const path = prefix ? `${prefix}.${l.name}` : l.name;
      if (l.model) {
        readKeras3Layer(h5, c, grp, `${topPath}/${gname}`, path, l.cls, l.config);
        const inner = h5.group(grp, 'layers') ?? h5.group(grp, '_layer_checkpoint_dependencies');
        if (inner) readKeras3Layers(h5, c, inner, `${topPath}/${gname}/layers`, l.model, path);
      } else {
        readKeras3Layer(h5, c, grp, `${topPath}/${gname}`, path, l.cls, l.config);
      }
    }
  }
  const rest = groupNames.filter((g) => !used.has(g)).sort(naturalCompare);
  for (const g of rest) {
    const grp = h5.group(top, g);
    if (!grp) continue;
    const before = c.tensors.length;
    const cls = CLASS_OF_SNAKE.get(g.replace(/_\d+$/, ''));
    const path = prefix ? `${prefix}.${g}` : g;
    readKeras3Layer(h5, c, grp, `${topPath}/${g}`, path, cls, undefined);
    const inner = h5.group(grp, 'layers');
    if (inner) readKeras3Layers(h5, c, inner, `${topPath}/${g}/layers`, undefined, path);
    if (model && c.tensors.length > before) c.warnings.push(`weight group '${topPath}/${g}' matches no layer of the model config; its tensors are listed last`);
  }
  if (!model && prefix === '' && c.tensors.length > 0) {
    c.warnings.push('no model config: layer order and classes are guessed from the HDF5 group names');
  }
}

function parseJson(file: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(file, `${what} is not valid JSON (${(e as Error).message})`);
  }
}


function finish(file: string, format: string, c: Collected, model: KerasModel | undefined, metadata: Meta, src: ByteSource): Checkpoint {
  if (c.tensors.length === 0) throw new FormatError(file, 'the Keras file holds no weight tensors');
  let topology: NetOp[] | undefined;
  if (model) {
    const t = kerasTopology(model, c.layers);
    if (typeof t === 'string') c.warnings.push(`model config: ${t}; the wiring is left to name/shape inference`);
    else if (t.length > 0) topology = t;
  }
  return { file, format, tensors: c.tensors, metadata, topology, flattenOrder: kerasFlattenOrder(model), warnings: c.warnings, close: () => src.close?.() };
}

/** Reads Keras 3 weights (`layers/...`) from an HDF5 file. */
function readKeras3File(h5: H5File, model: KerasModel | undefined, c: Collected): boolean {
  for (const top of ['layers', '_layer_checkpoint_dependencies']) {
    const g = h5.group(h5.root, top);
    if (g) {
      readKeras3Layers(h5, c, g, top, model, '');
      return true;
    }
  }
  return false;
}

export const kerasH5Reader: CheckpointReader = {
  id: 'keras-h5',
  match(file, head) {
    return isHdf5(head) || /\.(h5|hdf5|he5)$/i.test(file);
  },
  open(file, src) {
    const h5 = new H5File(file, '', readAll(file, src));
    const rootAttrs = h5.attrs(h5.root);
    const metadata: Meta = {};
    const c = newCollected();
    let model: KerasModel | undefined;
    const configText = attrString(rootAttrs, 'model_config');
    if (configText !== undefined) {
      let cfg: unknown;
      try {
        cfg = JSON.parse(configText);
      } catch (e) {
        c.warnings.push(`model_config attribute is not valid JSON (${(e as Error).message}); layer classes guessed from weight names`);
      }
      model = parseModelConfig(cfg);
      if (cfg !== undefined && !model) c.warnings.push('model_config is not a Sequential or Functional model config');
    }
    for (const k of ['keras_version', 'backend']) {
      const v = attrString(rootAttrs, k);
      if (v !== undefined) metadata[k] = v;
    }
    let format = 'keras-h5';
    if (attrStrings(rootAttrs, 'layer_names')) {
      readKeras2(h5, h5.root, model, c);
    } else {
      const mw = h5.group(h5.root, 'model_weights');
      if (mw) {
        const mwAttrs = h5.attrs(mw);
        if (!attrStrings(mwAttrs, 'layer_names')) throw new FormatError(file, "group 'model_weights' has no layer_names attribute");
        for (const k of ['keras_version', 'backend']) {
          const v = attrString(mwAttrs, k);
          if (v !== undefined && metadata[k] === undefined) metadata[k] = v;
        }
        readKeras2(h5, mw, model, c);
      } else if (readKeras3File(h5, model, c)) {
        format = 'keras-v3';
      } else {
        throw new FormatError(file, `HDF5 file holds no Keras weights: no layer_names attribute, no model_weights or layers group (top-level members: ${h5.keys(h5.root).slice(0, 12).join(', ') || 'none'})`);
      }
    }
    return finish(file, format, c, model, metadata, src);
  },
};

const MAX_JSON_BYTES = 256 << 20;

export const kerasV3Reader: CheckpointReader = {
  id: 'keras-v3',
  match(file) {
    return /\.keras$/i.test(file);
  },
  open(file, src) {
    const zip = openZipOf(src, file, 'a Keras 3 .keras');
    const weights = zip.find('model.weights.h5');
    if (!weights) {
      if (zip.find('model.weights.npz')) throw new FormatError(file, 'weights are stored as model.weights.npz (pickled object arrays), which is not supported; save with the default h5 weights format');
      throw new FormatError(file, `no model.weights.h5 in the archive (members: ${zip.entries.slice(0, 12).map((e) => e.name).join(', ') || 'none'})`);
    }
    const c = newCollected();
    const metadata: Meta = {};
    const readJson = (name: string): unknown => {
      const e = zip.find(name);
      if (!e) return undefined;
      if (e.size > MAX_JSON_BYTES) throw new FormatError(file, `${name} declares ${e.size} bytes, above the ${MAX_JSON_BYTES}-byte limit`);
      const s = zip.open(e);
      return parseJson(file, Buffer.from(s.read(0, s.size)).toString('utf8'), name);
    };
    const config = readJson('config.json');
    const meta = readJson('metadata.json');
    if (isObj(meta)) {
      for (const k of ['keras_version', 'date_saved']) if (typeof meta[k] === 'string') metadata[k] = meta[k] as string;
    }
    let model: KerasModel | undefined;
    if (config === undefined) c.warnings.push('no config.json in the archive: layer order and classes are guessed from the weight groups');
    else {
      model = parseModelConfig(config);
      if (!model) c.warnings.push('config.json is not a Sequential or Functional model config');
    }
    const label = 'model.weights.h5: ';
    const h5 = new H5File(file, label, readAll(file, zip.open(weights), label));
    if (!readKeras3File(h5, model, c)) {
      // A Keras 2.13 `.keras` may still use the legacy layout.
      const attrs = h5.attrs(h5.root);
      if (attrStrings(attrs, 'layer_names')) readKeras2(h5, h5.root, model, c);
      else throw new FormatError(file, `${label}no 'layers' group (top-level members: ${h5.keys(h5.root).slice(0, 12).join(', ') || 'none'})`);
    }
    return finish(file, 'keras-v3', c, model, metadata, src);
  },
};
