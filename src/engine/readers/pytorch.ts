/**
 * PyTorch checkpoints (`torch.save`): the zip layout (`<name>/data.pkl` + `<name>/data/<key>`
 * storages) and the legacy layout (a run of pickles followed by the raw storages). Also checkpoint
 * dicts that hold the weights under `state_dict`, `model_state_dict`, `model` or `net`, including
 * Lightning `.ckpt` files with their `model.` key prefixes.
 *
 * Safety: the pickle is read by our own unpickler (io/pickle.ts). Only the tensor and container
 * rebuild functions below are honoured; any other global stays inert data and is never run.
 */
import { FormatError } from '../errors';
import { ByteSource, checkRange, readValues } from '../io/source';
import { openZip, isZip, ZipArchive } from '../io/zip';
import { unpickle, PyGlobal, PyCall } from '../io/pickle';
import { DType, DTYPE_BYTES, TensorEntry, decodeElements, gatherStrided, numel, contiguousStrides, type ReadGate } from '../tensor';
import { CHECKPOINT_DEFAULTS, checkTensorCount, type Checkpoint, type CheckpointReader } from '../checkpoint';
import { preview, safeText } from '../text/safe-text';
import { stripWrapperPrefixes } from './names';

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8', BoolStorage: 'bool',
};

/** torch.dtype globals, as newer versions pickle them next to UntypedStorage. */
const TORCH_DTYPES: Record<string, DType> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16', bfloat16: 'bfloat16',
  int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool',
};

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const MAX_RANK = 16;

interface Storage {
  key: string;
  dtype: DType;
  /** Bytes of the storage; resolved after the pickle is read (legacy layout). */
  source?: ByteSource;
  byteOffset: number;
  byteLength: number;
  littleEndian: boolean;
}

class TorchTensor implements TensorEntry {
  name = '';
  gate?: ReadGate;
  sameAs?: TensorEntry;
  constructor(
    readonly storage: Storage,
    readonly offset: number, // in elements
    readonly shape: number[],
    readonly strides: number[],
    /** The checkpoint, for error messages (the storage may have no source to name). */
    readonly file: string,
  ) {}
  get dtype(): DType {
    return this.storage.dtype;
  }
  /** The span of storage elements the view touches: [offset + lo, offset + hi]. */
  private span(): { lo: number; count: number } {
    let lo = 0;
    let hi = 0;
    for (let d = 0; d < this.shape.length; d++) {
      const span = (this.shape[d] - 1) * this.strides[d];
      if (span < 0) lo += span;
      else hi += span;
    }
    return { lo, count: hi - lo + 1 };
  }
  /**
   * Elements stored for the view: the span it touches, at most. A view with more elements than
   * that repeats storage (stride 0 from expand(), overlapping strides): a 511-byte file can declare
   * a 16384×16384 tensor over one float that way, and openCheckpoint refuses to materialise it.
   */
  get storedElements(): number {
    return numel(this.shape) === 0 ? 0 : this.span().count;
  }
  read(): Float32Array {
    this.gate?.admit(this);
    const st = this.storage;
    const n = numel(this.shape);
    if (n === 0) return new Float32Array(0);
    if (!st.source) throw new FormatError(this.file, `storage '${st.key}' of tensor '${this.name}' is missing from the file`);
    const size = DTYPE_BYTES[st.dtype];
    // The elements a view touches span [offset + lo, offset + hi]; read just that range.
    const { lo, count } = this.span();
    const first = this.offset + lo;
    const byteStart = st.byteOffset + first * size;
    if (first < 0 || (first + count) * size > st.byteLength) {
      throw new FormatError(st.source.name, `tensor '${this.name}' (offset ${this.offset}, shape [${this.shape}], strides [${this.strides}]) reaches outside its storage '${st.key}' of ${st.byteLength / size} elements`);
    }
    const values = readValues(st.source, byteStart, count * size, st.dtype, st.littleEndian);
    const contiguous = contiguousStrides(this.shape).every((s, i) => s === this.strides[i] || this.shape[i] === 1);
    return contiguous && lo === 0 ? values : gatherStrided(values, -lo, this.shape, this.strides);
  }
}

function asInt(v: unknown, what: string, file: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  throw new FormatError(file, `${what} should be an integer, got ${describe(v)}`);
}

/**
 * A pickled value in a few words, for messages. Never serializes it: a storage or a big object
 * turned into JSON made a 17 KB file cost 47 s and 3 GB in one message.
 */
function describe(v: unknown): string {
  if (v instanceof PyGlobal) return safeText(v.qualified, 120);
  if (v instanceof PyCall) return `call of ${describe(v.callable)}`;
  if (v instanceof Map) return 'dict';
  if (Array.isArray(v)) return `tuple of ${v.length}`;
  if (v instanceof StorageRef) return `storage '${safeText(v.storage.key, 60)}'`;
  if (v instanceof TorchTensor) return 'a tensor';
  return preview(v, 60);
}

function intTuple(v: unknown, what: string, file: string): number[] {
  if (!Array.isArray(v) || v.length > MAX_RANK) throw new FormatError(file, `${what} should be a tuple of at most ${MAX_RANK} integers, got ${describe(v)}`);
  return v.map((x, i) => {
    const n = asInt(x, `${what}[${i}]`, file);
    if (n < 0) throw new FormatError(file, `${what}[${i}] is negative (${n})`);
    return n;
  });
}

/** The allow-listed callables: data constructors only. Returning undefined leaves an inert PyCall. */
function makeCallHandler(file: string) {
  let made = 0;
  return (fn: PyGlobal, args: unknown[]): unknown => {
    switch (fn.qualified) {
      case 'torch._utils._rebuild_tensor':
      case 'torch._utils._rebuild_tensor_v2': {
        checkTensorCount(file, ++made);
        const [storage, offset, size, stride] = args;
        if (!(storage instanceof StorageRef)) throw new FormatError(file, `tensor rebuild got ${describe(storage)} instead of a storage`);
        const shape = intTuple(size, 'tensor size', file);
        const strides = intTuple(stride, 'tensor stride', file);
        if (shape.length !== strides.length) throw new FormatError(file, `tensor size has ${shape.length} dims but stride has ${strides.length}`);
        return new TorchTensor(storage.storage, asInt(offset, 'storage offset', file), shape, strides, file);
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        return args[0] instanceof TorchTensor ? args[0] : undefined;
      case 'torch._tensor._rebuild_from_type_v2': {
        // (func, type, args, state): the inner call was already resolved when it is a tensor.
        const [inner, , innerArgs] = args;
        if (inner instanceof PyGlobal && Array.isArray(innerArgs)) return makeCallHandler(file)(inner, innerArgs);
        return undefined;
      }
      case 'collections.OrderedDict':
        return new Map();
      case '_codecs.encode': {
        // Protocol 2 pickles bytes as _codecs.encode(str, 'latin1').
        const [s] = args;
        return typeof s === 'string' ? Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff) : undefined;
      }
      case 'torch.device':
        return typeof args[0] === 'string' ? args[0] : undefined;
      case 'numpy.core.multiarray.scalar': {
        // Numpy scalars such as an epoch saved as np.int64: (dtype, bytes).
        const [dt, bytes] = args;
        if (dt instanceof PyCall && Array.isArray(dt.args) && typeof dt.args[0] === 'string' && bytes instanceof Uint8Array) {
          const code = (dt.args[0] as string).replace(/^[<>=|]/, '');
          const map: Record<string, DType> = { f8: 'float64', f4: 'float32', i8: 'int64', i4: 'int32', f2: 'float16', u1: 'uint8', b1: 'bool' };
          const d = map[code];
          if (d && bytes.length === DTYPE_BYTES[d]) return decodeElements(bytes, d)[0];
        }
        return undefined;
      }
      default:
        return undefined;
    }
  };
}

class StorageRef {
  constructor(readonly storage: Storage) {}
}

function storageDtype(t: unknown, file: string): DType {
  if (t instanceof PyGlobal) {
    const d = STORAGE_DTYPES[t.name] ?? (t.module === 'torch' ? TORCH_DTYPES[t.name] : undefined);
    if (d) return d;
  }
  throw new FormatError(file, `unsupported storage type ${describe(t)}`);
}

/** Finds the state dict inside whatever object was saved. */
export function findStateDict(root: unknown): { dict: Map<unknown, unknown>; where: string } | undefined {
  const isTensorDict = (m: unknown): m is Map<unknown, unknown> =>
    m instanceof Map && m.size > 0 && [...m.values()].some((v) => v instanceof TorchTensor);
  if (!(root instanceof Map)) return undefined;
  for (const key of ['state_dict', 'model_state_dict', 'model', 'net', 'module', 'network']) {
    const v = root.get(key);
    if (isTensorDict(v)) return { dict: v, where: key };
    if (v instanceof PyCall && isTensorDict(v.state)) return { dict: v.state as Map<unknown, unknown>, where: key };
  }
  if (isTensorDict(root)) return { dict: root, where: '' };
  return undefined;
}


/**
 * Whether the checkpoint's optimizer has stepped, which tells weights written after training from
 * the initial ones (run/progress.ts): `optimizer_steps` from Adam-style `step` counters, else
 * `optimizer_trained` when the optimizer holds any per-parameter state (SGD momentum buffers).
 */
function optimizerProgress(root: Map<unknown, unknown>): Record<string, number | boolean> {
  const candidates: unknown[] = [];
  for (const key of ['optimizer_state_dict', 'optimizer', 'optim', 'optimizer_state']) candidates.push(root.get(key));
  const lightning = root.get('optimizer_states');
  if (Array.isArray(lightning)) candidates.push(...lightning);
  let steps: number | undefined;
  let trained = false;
  for (const opt of candidates) {
    const state = opt instanceof Map ? opt.get('state') : undefined;
    if (!(state instanceof Map) || state.size === 0) continue;
    trained = true;
    for (const ps of state.values()) {
      const step = ps instanceof Map ? ps.get('step') : undefined;
      let n: number | undefined = typeof step === 'number' ? step : undefined;
      if (step instanceof TorchTensor && numel(step.shape) === 1) {
        try {
          n = step.read()[0];
        } catch {
          /* an unreadable counter is no evidence */
        }
      }
      if (n !== undefined && Number.isFinite(n)) steps = Math.max(steps ?? 0, n);
    }
  }
  if (steps !== undefined) return { optimizer_steps: steps };
  return trained ? { optimizer_trained: true } : {};
}

function scalarMeta(root: Map<unknown, unknown>): Record<string, string | number | boolean | null> {
  const meta: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of root) {
    if (typeof k !== 'string') continue;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') meta[k] = v;
  }
  Object.assign(meta, optimizerProgress(root));
  // Lightning: callbacks -> "ModelCheckpoint{...}" -> best_model_score (a 0-d tensor)
  const cbs = root.get('callbacks');
  if (cbs instanceof Map) {
    for (const [k, v] of cbs) {
      if (typeof k === 'string' && k.startsWith('ModelCheckpoint') && v instanceof Map) {
        const s = v.get('best_model_score');
        if (s instanceof TorchTensor && numel(s.shape) === 1) {
          try {
            meta.best_model_score = s.read()[0];
          } catch {
            /* a broken score is not worth failing the checkpoint */
          }
        }
        const mon = v.get('monitor');
        if (typeof mon === 'string') meta.monitor = mon;
      }
      // Lightning's EarlyStopping: stopped_epoch > 0 once it ended the run (run/status.ts).
      if (typeof k === 'string' && k.startsWith('EarlyStopping') && v instanceof Map && typeof v.get('stopped_epoch') === 'number' && (v.get('stopped_epoch') as number) > 0) {
        meta.early_stopped_epoch = v.get('stopped_epoch') as number;
      }
    }
  }
  return meta;
}

function buildCheckpoint(file: string, format: string, root: unknown, close: () => void): Checkpoint {
  const found = findStateDict(root);
  if (!found) {
    throw new FormatError(file, root instanceof Map
      ? `no tensors found: the saved dict has keys [${[...root.keys()].slice(0, 12).map((k) => preview(k, 60)).join(', ')}] and none holds a state dict`
      : `the saved object is ${describe(root)}, not a state dict or checkpoint dict`);
  }
  const entries = [...found.dict].filter(([k, v]) => typeof k === 'string' && v instanceof TorchTensor) as [string, TorchTensor][];
  const { names, stripped } = stripWrapperPrefixes(entries.map(([k]) => k));
  // A tied weight (GPT-2's lm_head and wte) is one tensor object under two keys (the pickle memo):
  // each key gets a tensor of its own over the same storage, so neither name is lost.
  const seen = new Set<TorchTensor>();
  const tensors = entries.map(([, t], i) => {
    const own = seen.has(t) ? new TorchTensor(t.storage, t.offset, t.shape, t.strides, t.file) : t;
    if (own !== t) own.sameAs = t;
    seen.add(t);
    own.name = names[i];
    return own;
  });
  const warnings: string[] = [];
  for (const [k, v] of found.dict) {
    if (v instanceof PyCall) warnings.push(`entry '${safeText(String(k), 120)}' is a call of ${describe(v.callable)}, which was not run; it is ignored`);
  }
  const meta = root instanceof Map ? scalarMeta(root) : {};
  if (found.where) meta.weightsKey = found.where;
  if (stripped) meta.strippedPrefix = stripped;
  const epoch = typeof meta.epoch === 'number' ? meta.epoch : undefined;
  // nanoGPT keeps its hyper-parameters (n_head, …) beside the weights.
  const args = root instanceof Map ? root.get('model_args') : undefined;
  const modelConfig = args instanceof Map ? scalarMeta(args) : undefined;
  return { ...CHECKPOINT_DEFAULTS, file, format, tensors, epoch, metadata: meta, warnings, close, modelConfig };
}

/** The unpickled object of a zip-layout file, storages resolved lazily. */
function unpickleZipLayout(file: string, src: ByteSource): unknown {
  const zip: ZipArchive = openZip(src);
  const pkl = zip.entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) throw new FormatError(file, `zip archive has no data.pkl entry (entries: ${zip.entries.slice(0, 5).map((e) => e.name).join(', ')}): not a PyTorch checkpoint`);
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const bo = zip.find(`${prefix}byteorder`);
  const littleEndian = bo ? new TextDecoder().decode(zip.open(bo).read(0, Math.min(16, bo.size))).trim() !== 'big' : true;
  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): unknown => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new FormatError(file, `unexpected persistent id ${describe(pid)}`);
    const [, type, key] = pid;
    if (typeof key !== 'string' || !/^[\w.-]+$/.test(key)) throw new FormatError(file, `bad storage key ${describe(key)}`);
    let st = storages.get(key);
    if (!st) {
      const entry = zip.find(`${prefix}data/${key}`);
      if (!entry) throw new FormatError(file, `storage '${key}' referenced by the pickle is missing from the archive`);
      const source = zip.open(entry);
      st = { key, dtype: storageDtype(type, file), source, byteOffset: 0, byteLength: source.size, littleEndian };
      storages.set(key, st);
    }
    return new StorageRef(st);
  };
  return unpickle(zip.open(pkl), 0, { persistentLoad, call: makeCallHandler(file) }).value;
}

function openZipLayout(file: string, src: ByteSource): Checkpoint {
  return buildCheckpoint(file, 'pytorch-zip', unpickleZipLayout(file, src), () => src.close?.());
}

/**
 * The object a `torch.save` zip file holds, whatever it is (e.g. Hugging Face's
 * `training_args.bin`, a pickled TrainingArguments): dicts are Maps, tensors lazy entries, and
 * every global outside the allow-list an inert PyGlobal/PyCall record; nothing is run.
 */
export function readTorchObject(file: string, src: ByteSource): unknown {
  const head = src.read(0, Math.min(4, src.size));
  if (!isZip(head)) throw new FormatError(file, 'not a zip-layout torch.save file');
  return unpickleZipLayout(file, src);
}

function openLegacyLayout(file: string, src: ByteSource): Checkpoint {
  const call = makeCallHandler(file);
  const magic = unpickle(src, 0, { call });
  if (magic.value !== LEGACY_MAGIC) throw new FormatError(file, `legacy PyTorch magic number is ${describe(magic.value)}, expected 0x1950a86a20f9469cfc6c`);
  const proto = unpickle(src, magic.end, { call });
  if (proto.value !== 1001) throw new FormatError(file, `legacy PyTorch protocol version ${describe(proto.value)} is not supported (expected 1001)`);
  const sys = unpickle(src, proto.end, { call });
  const littleEndian = !(sys.value instanceof Map) || sys.value.get('little_endian') !== false;
  const storages = new Map<string, Storage>();
  const views: { ref: StorageRef; root: Storage; offset: number; size: number }[] = [];
  const persistentLoad = (pid: unknown): unknown => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new FormatError(file, `unexpected persistent id ${describe(pid)}`);
    const [, type, key, , , viewMeta] = pid;
    if (typeof key !== 'string') throw new FormatError(file, `bad storage key ${describe(key)}`);
    let st = storages.get(key);
    if (!st) {
      st = { key, dtype: storageDtype(type, file), byteOffset: 0, byteLength: 0, littleEndian };
      storages.set(key, st);
    }
    if (Array.isArray(viewMeta)) {
      // (view_key, offset, view_size): a storage view sharing the root storage's bytes.
      const view: Storage = { key: String(viewMeta[0]), dtype: st.dtype, byteOffset: 0, byteLength: 0, littleEndian };
      const ref = new StorageRef(view);
      views.push({ ref, root: st, offset: asInt(viewMeta[1], 'storage view offset', file), size: asInt(viewMeta[2], 'storage view size', file) });
      return ref;
    }
    return new StorageRef(st);
  };
  const obj = unpickle(src, sys.end, { persistentLoad, call });
  const keys = unpickle(src, obj.end, { call });
  if (!Array.isArray(keys.value)) throw new FormatError(file, `legacy storage key list is ${describe(keys.value)}`);
  let pos = keys.end;
  for (const k of keys.value) {
    const st = storages.get(String(k));
    if (!st) throw new FormatError(file, `legacy storage '${String(k)}' is listed but never referenced`);
    checkRange(src, pos, 8, `size of storage '${st.key}'`);
    const cb = src.read(pos, 8);
    const count = Number(new DataView(cb.buffer, cb.byteOffset, 8).getBigInt64(0, true));
    const len = count * DTYPE_BYTES[st.dtype];
    checkRange(src, pos + 8, len, `storage '${st.key}' (${count} elements)`);
    st.source = src;
    st.byteOffset = pos + 8;
    st.byteLength = len;
    pos += 8 + len;
  }
  for (const v of views) {
    const size = DTYPE_BYTES[v.root.dtype];
    if ((v.offset + v.size) * size > v.root.byteLength) throw new FormatError(file, `storage view '${v.ref.storage.key}' reaches outside storage '${v.root.key}'`);
    Object.assign(v.ref.storage, { source: v.root.source, byteOffset: v.root.byteOffset + v.offset * size, byteLength: v.size * size });
  }
  return buildCheckpoint(file, 'pytorch-legacy', obj.value, () => src.close?.());
}

export const pytorchReader: CheckpointReader = {
  id: 'pytorch',
  match(file, head) {
    const lower = file.toLowerCase();
    const ext = /\.(pt|pth|ckpt|bin|tar|pkl)$/.test(lower);
    // Zip layout: a zip that is not .npz/.keras; legacy: a protocol-2 pickle starting with the magic LONG1.
    if (isZip(head)) return !/\.(npz|keras|zip)$/.test(lower);
    return ext && head.length >= 2 && head[0] === 0x80 && head[1] <= 5;
  },
  open(file, src) {
    const head = src.read(0, Math.min(4, src.size));
    if (isZip(head)) return openZipLayout(file, src);
    if (head[0] === 0x80) return openLegacyLayout(file, src);
    throw new FormatError(file, `first bytes ${Buffer.from(head).toString('hex')} are neither a zip archive nor a pickle`);
  },
};
