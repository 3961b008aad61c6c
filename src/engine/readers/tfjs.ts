/**
 * TensorFlow.js models: `model.json` with `modelTopology` (a Keras model config for layers models)
 * and `weightsManifest`: groups of `{paths: [shard files], weights: [{name, shape, dtype,
 * quantization?}]}`. A group's weights are the concatenation of its shards, in manifest order.
 * Quantized weights: float16 (half floats), or uint8/uint16 with `value = q * scale + min`; they
 * are reported with their logical dtype (the manifest's, e.g. float32) and read dequantized.
 *
 * Shard paths must stay inside the model's folder (no absolute paths, URLs, '..' or symlinks out).
 * Weights are Keras-layout (kernel HWIO, dense [in, out]) and are converted like Keras files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINT_DEFAULTS, checkTensorCount, type Checkpoint, type CheckpointReader } from '../checkpoint';
import { FormatError, errorMessage } from '../errors';
import type { NetOp } from '../graph/netspec';
import { ByteSource, FileSource, checkRange } from '../io/source';
import { DType, TensorEntry, decodeElements, numel } from '../tensor';
import { addKerasVar, splitWeightName, type LayerTensors } from './keras/layout';
import { isObj, kerasFlattenOrder, parseModelConfig, type KerasModel } from './keras/model-config';
import { kerasTopology } from './keras/topology';
import { preview } from '../text/safe-text';

const MAX_MODEL_JSON = 256 << 20;

/** Several files read as one byte stream (a weight group's shards). */
class ConcatSource implements ByteSource {
  readonly size: number;
  private readonly starts: number[] = [];
  constructor(
    readonly name: string,
    private readonly parts: ByteSource[],
  ) {
    let acc = 0;
    for (const p of parts) {
      this.starts.push(acc);
      acc += p.size;
    }
    this.size = acc;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const out = new Uint8Array(length);
    let done = 0;
    for (let i = 0; i < this.parts.length && done < length; i++) {
      const start = this.starts[i];
      const part = this.parts[i];
      const from = offset + done;
      if (from >= start + part.size) continue;
      const take = Math.min(length - done, start + part.size - from);
      out.set(part.read(from - start, take), done);
      done += take;
    }
    return out;
  }
}

const TFJS_DTYPES: Record<string, { dtype: DType; bytes: number }> = {
  float32: { dtype: 'float32', bytes: 4 },
  int32: { dtype: 'int32', bytes: 4 },
  bool: { dtype: 'bool', bytes: 1 },
};
const QUANT_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** Resolves a shard path inside the model folder, refusing anything that would leave it. */
function resolveShard(file: string, dir: string, p: unknown): string {
  if (typeof p !== 'string' || p === '') throw new FormatError(file, `weight shard path ${preview(p)} is not a file name`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('/') || p.startsWith('\\') || path.isAbsolute(p)) {
    throw new FormatError(file, `weight shard path '${p}' is absolute or a URL; only files inside the model folder are read`);
  }
  const candidates = [p];
  try {
    const decoded = decodeURIComponent(p);
    if (decoded !== p) candidates.push(decoded);
  } catch {
    /* not URI-encoded */
  }
  const realDir = fs.realpathSync(dir);
  for (const c of candidates) {
    const full = path.resolve(dir, c);
    const rel = path.relative(dir, full);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new FormatError(file, `weight shard path '${p}' points outside the model folder`);
    if (!fs.existsSync(full)) continue;
    const real = fs.realpathSync(full);
    const realRel = path.relative(realDir, real);
    if (realRel.startsWith('..') || path.isAbsolute(realRel)) throw new FormatError(file, `weight shard '${p}' links outside the model folder`);
    return full;
  }
  throw new FormatError(file, `weight shard '${p}' does not exist next to the model file`);
}

export const tfjsReader: CheckpointReader = {
  id: 'tfjs',
  match(file, head) {
    if (!/\.json$/i.test(file)) return false;
    const text = Buffer.from(head).toString('latin1');
    return text.includes('"weightsManifest"') || text.includes('"modelTopology"') || /"format"\s*:\s*"(layers|graph)-model"/.test(text);
  },
  open(file, src) {
    if (src.size > MAX_MODEL_JSON) throw new FormatError(file, `model.json of ${src.size} bytes is above the ${MAX_MODEL_JSON}-byte limit`);
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.from(src.read(0, src.size)).toString('utf8'));
    } catch (e) {
      throw new FormatError(file, `TF.js model file is not valid JSON (${(e as Error).message}; truncated file?)`);
    }
    (src as { close?: () => void }).close?.();
    if (!isObj(doc)) throw new FormatError(file, 'TF.js model file is not a JSON object');
    const manifest = doc.weightsManifest;
    if (!Array.isArray(manifest)) throw new FormatError(file, `TF.js model has no weightsManifest list (keys: ${Object.keys(doc).slice(0, 12).join(', ')})`);

    const warnings: string[] = [];
    const metadata: Record<string, string | number | boolean | null> = {};
    for (const k of ['format', 'generatedBy', 'convertedBy']) if (typeof doc[k] === 'string') metadata[k] = doc[k] as string;
    const topo = doc.modelTopology;
    let model: KerasModel | undefined;
    if (isObj(topo)) {
      model = parseModelConfig(isObj(topo.model_config) ? topo.model_config : topo);
      if (typeof topo.keras_version === 'string') metadata.keras_version = topo.keras_version;
    }
    const graphModel = doc.format === 'graph-model' || (isObj(topo) && 'node' in topo);
    if (graphModel) warnings.push('TF.js graph model: tensor names are graph node names, and kernel layouts are guessed from their rank');

    const dir = path.dirname(path.resolve(file));
    const opened: FileSource[] = [];
    const closeAll = (): void => {
      for (const s of opened) s.close();
    };
    type Raw = { layer: string; varName: string; dtype: DType; shape: number[]; load: () => Float32Array; order: number; storedElements: number };
    const raw: Raw[] = [];
    try {
      manifest.forEach((group, gi) => {
        if (!isObj(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
          throw new FormatError(file, `weightsManifest[${gi}] is not {paths: [...], weights: [...]}`);
        }
        const shardPaths = group.paths as unknown[];
        const parts = shardPaths.map((p) => {
          const full = resolveShard(file, dir, p);
          const s = new FileSource(full, 'weight shard');
          opened.push(s);
          return s;
        });
        const data = new ConcatSource(`${file} weight group ${gi}`, parts);
        let offset = 0;
        group.weights.forEach((w, wi) => {
          if (!isObj(w) || typeof w.name !== 'string') throw new FormatError(file, `weightsManifest[${gi}].weights[${wi}] has no name`);
          const name = w.name;
          const shape = w.shape;
          if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
            throw new FormatError(file, `weight '${name}': shape ${preview(shape)} is not a list of non-negative integers`);
          }
          const dt = typeof w.dtype === 'string' ? TFJS_DTYPES[w.dtype] : undefined;
          if (!dt) throw new FormatError(file, `weight '${name}': dtype ${preview(w.dtype)} is not supported (float32, int32, bool)`);
          const q = isObj(w.quantization) ? w.quantization : undefined;
          const qd = q && typeof q.dtype === 'string' ? q.dtype : undefined;
          if (q && (!qd || !(qd in QUANT_BYTES))) throw new FormatError(file, `weight '${name}': quantization dtype ${preview(q.dtype)} is not supported (uint8, uint16, float16)`);
          if (q && qd !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number')) {
            throw new FormatError(file, `weight '${name}': ${qd} quantization needs numeric scale and min`);
          }
          const count = numel(shape as number[]);
          const nbytes = count * (qd ? QUANT_BYTES[qd] : dt.bytes);
          const start = offset;
          offset += nbytes;
          if (offset > data.size) {
            throw new FormatError(file, `weight '${name}' needs bytes ${start}..${offset} of weight group ${gi}, but its shards (${shardPaths.join(', ')}) hold only ${data.size} bytes`);
          }
          let load: () => Float32Array;
          if (qd === 'float16') {
            load = () => decodeElements(data.read(start, nbytes), 'float16', true, file);
          } else if (qd === 'uint8' || qd === 'uint16') {
            const scale = q!.scale as number;
            const min = q!.min as number;
            load = () => {
              const bytes = data.read(start, nbytes);
              const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
              const out = new Float32Array(count);
              for (let i = 0; i < count; i++) out[i] = (qd === 'uint8' ? bytes[i] : dv.getUint16(i * 2, true)) * scale + min;
              return out;
            };
          } else {
            load = () => decodeElements(data.read(start, nbytes), dt.dtype, true, file);
          }
          const { path: p, varName } = splitWeightName(name);
          checkTensorCount(file, raw.length + 1);
          raw.push({ layer: p.join('.') || varName, varName: p.length ? varName : 'value', dtype: dt.dtype, shape: shape as number[], load, order: raw.length, storedElements: count });
        });
        if (offset < data.size) warnings.push(`weight group ${gi}: shards hold ${data.size} bytes, the manifest uses ${offset}`);
      });
    } catch (e) {
      closeAll();
      if (e instanceof FormatError) throw e;
      throw new FormatError(file, `cannot read TF.js weights (${errorMessage(e)})`);
    }
    if (raw.length === 0) {
      closeAll();
      throw new FormatError(file, 'the TF.js model lists no weights');
    }

    // Model order: layers as the config lists them, then whatever the config does not name.
    const rank = new Map<string, number>();
    const classes = new Map<string, string>();
    model?.layers.forEach((l, i) => {
      rank.set(l.name, i);
      classes.set(l.name, l.cls);
    });
    const ordered = [...raw].sort((a, b) => (rank.get(a.layer) ?? Infinity) - (rank.get(b.layer) ?? Infinity) || a.order - b.order);
    const tensors: TensorEntry[] = [];
    const layers = new Map<string, LayerTensors>();
    for (const r of ordered) {
      let varName = r.varName;
      if (graphModel && r.shape.length >= 2 && !/kernel$/.test(varName)) {
        // Graph-model constants are named after graph nodes; TF keeps kernels HWIO / [in, out] / depthwise [kh, kw, in, mult].
        varName = /depthwise/i.test(r.layer) && r.shape.length === 4 ? 'depthwise_kernel' : 'kernel';
      }
      addKerasVar({ layer: r.layer, cls: classes.get(r.layer), varName, dtype: r.dtype, shape: r.shape, load: r.load, storedElements: r.storedElements }, tensors, layers);
    }
    let topology: NetOp[] | undefined;
    if (model) {
      const t = kerasTopology(model, layers);
      if (typeof t === 'string') warnings.push(`model config: ${t}; the wiring is left to name/shape inference`);
      else if (t.length > 0) topology = t;
    }
    // Each shard file once, however often the manifest lists it.
    const companionBytes = [...new Map(opened.map((o) => [o.name, o.size])).values()].reduce((a, b) => a + b, 0);
    const ckpt: Checkpoint = { ...CHECKPOINT_DEFAULTS, file, format: 'tfjs', tensors, metadata, topology, flattenOrder: kerasFlattenOrder(model), warnings, close: closeAll, companionBytes };
    return ckpt;
  },
};
