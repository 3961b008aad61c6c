/**
 * What is fuzzed, per reader: the real fixtures it starts from (test/fixtures/**) and the mix of
 * mutations it gets — format-blind byte mutations always, plus the structure-aware ones that
 * reach past the first sanity check of that format (length fields, the zip directory, pickle
 * opcodes, protobuf fields, JSON headers). A case is a small folder of files (most formats have
 * one; TF.js and ONNX external data have companions) and the file the CLI would be pointed at.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from './rng';
import { Mutation, interestingValue, mutateBytes, writeUint, truncate } from './mutators/bytes';
import { mutateZipStructure, patchZipFields, zip64Lie } from './mutators/zip';
import { mutatePickle, walkPickle } from './mutators/pickle';
import { mutateProtobuf } from './mutators/protobuf';
import { mutateJsonText } from './mutators/json';
import { mutateListing, refactor } from './mutators/tensors';

// The worker runs bundled from a temporary folder: the pool tells it where the fixtures are.
const FIX = process.env.TD_FUZZ_FIXTURES ?? path.join(__dirname, '..', 'fixtures');

/** A file of a case: bytes, or a symlink to an absolute path (to test "links outside the folder"). */
export type CaseFile = Uint8Array | { symlink: string };

export interface FuzzCase {
  /** Relative path → content. */
  files: Map<string, CaseFile>;
  /** The file handed to the reader. */
  target: string;
  seed: string;
  desc: string;
}

interface Seed {
  name: string;
  files: Map<string, Uint8Array>;
  target: string;
}

export interface Target {
  id: string;
  seeds: string[];
  mutate(seed: Seed, rng: Rng): { files: Map<string, CaseFile>; desc: string };
}

function loadSeed(rel: string): Seed {
  const full = path.join(FIX, rel);
  const files = new Map<string, Uint8Array>();
  if (fs.statSync(full).isDirectory()) {
    for (const f of fs.readdirSync(full)) files.set(f, new Uint8Array(fs.readFileSync(path.join(full, f))));
    const target = [...files.keys()].find((f) => f.endsWith('.json') || f.endsWith('.onnx'))!;
    return { name: rel, files, target };
  }
  files.set(path.basename(rel), new Uint8Array(fs.readFileSync(full)));
  return { name: rel, files, target: path.basename(rel) };
}

const seedCache = new Map<string, Seed>();
export function seed(rel: string): Seed {
  let s = seedCache.get(rel);
  if (!s) seedCache.set(rel, (s = loadSeed(rel)));
  return s;
}

/** A case whose target file is replaced by `m(bytes)`, companions kept. */
function onTarget(s: Seed, m: Mutation | ((b: Uint8Array) => Mutation)): { files: Map<string, CaseFile>; desc: string } {
  const files = new Map<string, CaseFile>(s.files);
  const r = typeof m === 'function' ? m(s.files.get(s.target)!) : m;
  files.set(s.target, r.bytes);
  return { files, desc: r.desc };
}

// ---------------------------------------------------------------- format-specific mutators

function pytorchMember(name: string, bytes: Uint8Array, rng: Rng): Mutation {
  if (name.endsWith('data.pkl')) return mutatePickle(bytes, rng);
  if (name.endsWith('byteorder')) return { bytes: new Uint8Array(Buffer.from(rng.pick(['big', 'little', '', 'middle\n', 'big'.repeat(100)]))), desc: 'byteorder rewritten' };
  if (rng.chance(0.5)) return truncate(bytes, rng);
  return mutateBytes(bytes, rng);
}

function npyHeader(b: Uint8Array, rng: Rng): Mutation {
  if (b.length < 10 || rng.chance(0.3)) {
    // The header length field (u16 in v1, u32 in v2/3) or the version byte.
    const out = b.slice();
    if (rng.chance(0.3)) {
      out[6] = rng.pick([0, 1, 2, 3, 4, 255]);
      return { bytes: out, desc: `npy version := ${out[6]}` };
    }
    const w = out[6] === 1 ? 2 : 4;
    const v = interestingValue(rng, w);
    writeUint(out, 8, w, v);
    return { bytes: out, desc: `npy header length := ${v}` };
  }
  const start = b[6] === 1 ? 10 : 12;
  const hlen = b[6] === 1 ? b[8] | (b[9] << 8) : b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24);
  const text = Buffer.from(b.subarray(start, start + hlen)).toString('latin1');
  const k = rng.int(5);
  const big = () => String(rng.pick([0, 1, 2 ** 31, 2 ** 40, 2 ** 53, 2 ** 64, 1e20, -1, 3]));
  const newText =
    k === 0 ? text.replace(/\(([^)]*)\)/, () => `(${Array.from({ length: rng.range(0, 4) }, big).join(', ')}${rng.chance(0.5) ? ',' : ''})`)
    : k === 1 ? text.replace(/'descr': *'[^']*'/, `'descr': '${rng.pick(['<f4', '>f4', '>f8', '<f2', '|O', '<c16', '<U10', '|V8', '<i8', '|b1', '<u8', '=f4', 'f4', "<f4', 'x': '"])}'`)
    : k === 2 ? text.replace(/'fortran_order': *\w+/, `'fortran_order': ${rng.pick(['True', 'False', '1', 'None', "'yes'", '(', '{}'])}`)
    : k === 3 ? text.replace(/\(([^)]*)\)/, (_, dims: string) => `(${refactor(dims.split(',').filter((d) => d.trim()).reduce((a, d) => a * Number(d), 1), rng).join(', ')},)`)
    : text.slice(0, rng.int(text.length)) + rng.pick(['{', '(((((((((((((((((((((((((((((((((((((((((', "'", '}', '\\', '\0']) + text.slice(rng.int(text.length));
  const body = Buffer.from(newText, 'latin1');
  const out = Buffer.concat([Buffer.from(b.subarray(0, start)), body, Buffer.from(b.subarray(start + hlen))]);
  if (rng.chance(0.8)) writeUint(out, 8, start - 8, body.length); // keep the declared length honest, mostly
  return { bytes: new Uint8Array(out), desc: `npy header text ${['shape', 'descr', 'fortran_order', 'reshape', 'syntax'][k]} mutated` };
}

function safetensorsHeader(b: Uint8Array, rng: Rng): Mutation {
  if (b.length < 8) return mutateBytes(b, rng);
  const n = Number(Buffer.from(b.subarray(0, 8)).readBigUInt64LE(0));
  if (rng.chance(0.3) || n + 8 > b.length) {
    const out = b.slice();
    const v = rng.chance(0.5) ? interestingValue(rng, 8) : BigInt(Math.max(0, n + rng.range(-16, 16)));
    writeUint(out, 0, 8, v);
    return { bytes: out, desc: `safetensors header length := ${v}` };
  }
  const { text, desc } = mutateJsonText(Buffer.from(b.subarray(8, 8 + n)).toString('utf8'), rng);
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(rng.chance(0.85) ? body.length : n));
  return { bytes: new Uint8Array(Buffer.concat([head, body, Buffer.from(b.subarray(8 + n))])), desc: `safetensors header: ${desc}` };
}

const ST_WIDTH: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** safetensors with a consistent header: tensors reshaped, renamed, aliased, re-typed (the data stays). */
function safetensorsListing(b: Uint8Array, rng: Rng): Mutation {
  if (b.length < 8) return mutateBytes(b, rng);
  const n = Number(Buffer.from(b.subarray(0, 8)).readBigUInt64LE(0));
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
  try {
    header = JSON.parse(Buffer.from(b.subarray(8, 8 + n)).toString('utf8'));
    if (!header || typeof header !== 'object' || Object.values(header).some((v) => !v || !Array.isArray(v.shape))) throw new Error('not a listing');
  } catch {
    return mutateBytes(b, rng); // a stacked mutation broke the header already
  }
  const meta = header.__metadata__;
  const items = Object.entries(header).filter(([k]) => k !== '__metadata__').map(([name, v]) => ({ name, ...v }));
  const desc = mutateListing(items, rng, (d) => ST_WIDTH[d], Object.keys(ST_WIDTH));
  const out: Record<string, unknown> = meta ? { __metadata__: meta } : {};
  for (const { name, ...v } of items) out[name] = v;
  const body = Buffer.from(JSON.stringify(out));
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(body.length));
  return { bytes: new Uint8Array(Buffer.concat([head, body, Buffer.from(b.subarray(8 + n))])), desc: `safetensors: ${desc}` };
}

const TFJS_WIDTH: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** TF.js model.json with a consistent manifest: weights reshaped, renamed, aliased, re-typed. */
function tfjsListing(text: string, rng: Rng): { text: string; desc: string } {
  let doc: { weightsManifest: { weights: { name: string; shape: number[]; dtype: string }[] }[] };
  try {
    doc = JSON.parse(text);
    if (!Array.isArray(doc.weightsManifest) || !doc.weightsManifest.every((g) => g && Array.isArray(g.weights) && g.weights.every((w) => w && Array.isArray(w.shape)))) throw new Error('no manifest');
  } catch {
    return mutateJsonText(text, rng); // a stacked mutation broke the document already
  }
  const group = rng.pick(doc.weightsManifest);
  const desc = mutateListing(group.weights, rng, (d) => TFJS_WIDTH[d], Object.keys(TFJS_WIDTH));
  return { text: JSON.stringify(doc), desc: `manifest: ${desc}` };
}

/** HDF5: the superblock's addresses, or an 8-byte little-endian address anywhere, made absurd. */
function hdf5(b: Uint8Array, rng: Rng): Mutation {
  const out = b.slice();
  if (rng.chance(0.4)) {
    const v = b[8];
    const fields = v === 0 || v === 1 ? [24, 32, 40, 48, 64, 72] : [12, 20, 28, 36];
    const at = rng.pick(fields) + (v === 1 ? 4 : 0);
    const x = interestingValue(rng, 8);
    writeUint(out, at, 8, x);
    return { bytes: out, desc: `HDF5 superblock v${v} address at ${at} := ${x}` };
  }
  // Addresses and lengths are 8-byte little-endian and usually 8-aligned in h5py's files.
  const at = rng.int(Math.max(1, b.length >> 3)) << 3;
  const x = rng.chance(0.5) ? interestingValue(rng, 8) : BigInt(rng.int(b.length * 2));
  writeUint(out, at, rng.pick([8, 8, 4, 2]), x);
  return { bytes: out, desc: `HDF5 value at ${at} := ${x}` };
}

function kerasMember(name: string, bytes: Uint8Array, rng: Rng): Mutation {
  if (name.endsWith('.json')) {
    const r = mutateJsonText(Buffer.from(bytes).toString('utf8'), rng);
    return { bytes: new Uint8Array(Buffer.from(r.text, 'utf8')), desc: r.desc };
  }
  return rng.chance(0.6) ? hdf5(bytes, rng) : mutateBytes(bytes, rng);
}

/** Legacy layout: the element counts before each raw storage, after the pickles. */
function legacyCounts(b: Uint8Array, rng: Rng): Mutation {
  const ops = walkPickle(b, 0, 5);
  const end = ops.length ? ops[ops.length - 1].pos + ops[ops.length - 1].len : 0;
  const out = b.slice();
  const v = interestingValue(rng, 8);
  writeUint(out, end, 8, v);
  return { bytes: out, desc: `legacy storage count at ${end} := ${v}` };
}

// ---------------------------------------------------------------- targets

const zipMix = (inner: (n: string, b: Uint8Array, r: Rng) => Mutation) => (s: Seed, rng: Rng) =>
  onTarget(s, (b) => rng.weighted<(b: Uint8Array, r: Rng) => Mutation>([
    [5, (x, r) => mutateZipStructure(x, r, inner)],
    [2, patchZipFields],
    [0.5, zip64Lie],
    [2.5, mutateBytes],
  ])(b, rng));

export const TARGETS: Target[] = [
  {
    id: 'pytorch-zip',
    seeds: ['pytorch/mlp.pt', 'pytorch/lenet.pt', 'pytorch/resnet_small.pt', 'pytorch/depthwise.pt', 'pytorch/views.pt', 'pytorch/lenet_fp16.pt', 'pytorch/lightning.ckpt', 'pytorch/zero_layer.pt', 'pytorch/mlp_net.pth'],
    mutate: zipMix(pytorchMember),
  },
  {
    id: 'pytorch-legacy',
    seeds: ['pytorch/lenet_legacy.pt'],
    mutate: (s, rng) => onTarget(s, (b) => rng.weighted<(b: Uint8Array, r: Rng) => Mutation>([[5, (x, r) => mutatePickle(x, r)], [1, legacyCounts], [3, mutateBytes]])(b, rng)),
  },
  {
    id: 'safetensors',
    seeds: ['formats/mlp.safetensors', 'formats/lenet.safetensors', 'formats/lenet_f16.safetensors', 'formats/lenet_bf16.safetensors', 'formats/resnet_small.safetensors', 'formats/depthwise.safetensors', 'formats/vgg_bn_sorted.safetensors'],
    mutate: (s, rng) => onTarget(s, (b) => rng.weighted<(b: Uint8Array, r: Rng) => Mutation>([[3, safetensorsHeader], [3, safetensorsListing], [3, mutateBytes]])(b, rng)),
  },
  {
    id: 'npy',
    seeds: ['formats/lenet.conv2.weight.npy', 'formats/lenet.conv2.weight_fortran.npy'],
    mutate: (s, rng) => onTarget(s, (b) => (rng.chance(0.6) ? npyHeader(b, rng) : mutateBytes(b, rng))),
  },
  {
    id: 'npz',
    seeds: ['formats/mlp.npz', 'formats/mlp_compressed.npz', 'formats/depthwise.npz', 'formats/depthwise_fortran.npz', 'formats/resnet_small.npz'],
    mutate: zipMix((_n, b, r) => (r.chance(0.6) ? npyHeader(b, r) : mutateBytes(b, r))),
  },
  {
    id: 'keras-h5',
    seeds: ['formats/mlp.h5', 'formats/mlp_weights.h5', 'formats/depthwise.h5', 'formats/resnet_small.h5'],
    mutate: (s, rng) => onTarget(s, (b) => (rng.chance(0.5) ? hdf5(b, rng) : mutateBytes(b, rng))),
  },
  {
    id: 'keras-v3',
    seeds: ['formats/lenet.keras'],
    mutate: zipMix(kerasMember),
  },
  {
    id: 'tfjs',
    seeds: ['formats/lenet_tfjs', 'formats/mlp_tfjs_quant'],
    mutate: (s, rng) => {
      const files = new Map<string, CaseFile>(s.files);
      const shards = [...s.files.keys()].filter((f) => f !== s.target);
      const k = rng.weighted<string>([[4, 'json'], [3, 'listing'], [1.5, 'json-bytes'], [2, 'shard'], [0.5, 'symlink']]);
      if (k === 'json' || k === 'listing') {
        const text = Buffer.from(s.files.get(s.target)!).toString('utf8');
        const r = k === 'json' ? mutateJsonText(text, rng) : tfjsListing(text, rng);
        files.set(s.target, new Uint8Array(Buffer.from(r.text, 'utf8')));
        return { files, desc: `model.json: ${r.desc}` };
      }
      if (k === 'json-bytes') return onTarget(s, (b) => mutateBytes(b, rng));
      const shard = rng.pick(shards);
      if (k === 'symlink') {
        // A shard that is a link to a file outside the model's folder (the seed's own copy).
        files.set(shard, { symlink: path.join(FIX, s.name, shard) });
        return { files, desc: `${shard} is a symlink out of the folder` };
      }
      if (rng.chance(0.15)) {
        files.delete(shard);
        return { files, desc: `${shard} missing` };
      }
      const m = rng.chance(0.5) ? truncate(s.files.get(shard)!, rng) : mutateBytes(s.files.get(shard)!, rng);
      files.set(shard, m.bytes);
      return { files, desc: `${shard}: ${m.desc}` };
    },
  },
  {
    id: 'onnx',
    seeds: ['onnx/handmade.onnx', 'onnx/depthwise.onnx', 'onnx/resnet_small.onnx', 'onnx/vgg_bn_folded.onnx', 'onnx/vgg_bn_train.onnx', 'onnx/concat.onnx', 'onnx/external'],
    mutate: (s, rng) => {
      if (s.files.size > 1 && rng.chance(0.25)) {
        const files = new Map<string, CaseFile>(s.files);
        const data = [...s.files.keys()].find((f) => f !== s.target)!;
        const m = rng.chance(0.6) ? truncate(s.files.get(data)!, rng) : mutateBytes(s.files.get(data)!, rng);
        files.set(data, m.bytes);
        return { files, desc: `${data}: ${m.desc}` };
      }
      return onTarget(s, (b) => (rng.chance(0.65) ? mutateProtobuf(b, rng) : mutateBytes(b, rng)));
    },
  },
];

/** The case `index` of `target` under `seedNo`: the same numbers always give the same bytes. */
export function makeCase(target: Target, seedNo: number, index: number): FuzzCase {
  const rng = new Rng(seedNo, target.id, index);
  const s = seed(rng.pick(target.seeds));
  // A structure-aware mutator may not understand bytes an earlier mutation broke: it then gives
  // way to a byte mutation (deterministically, so the case still replays).
  const mutate = (from: Seed): { files: Map<string, CaseFile>; desc: string } => {
    try {
      return target.mutate(from, rng);
    } catch (e) {
      const r = onTarget(from, (b) => mutateBytes(b, rng));
      return { files: r.files, desc: `(structured mutation failed: ${(e as Error).message.slice(0, 60)}) ${r.desc}` };
    }
  };
  let { files, desc } = mutate(s);
  // A quarter of the cases stack a second mutation on the first, to reach combinations.
  if (rng.chance(0.25) && [...files.values()].every((f) => f instanceof Uint8Array) && files.has(s.target)) {
    const again = mutate({ name: s.name, files: files as Map<string, Uint8Array>, target: s.target });
    files = again.files;
    desc = `${desc}; then ${again.desc}`;
  }
  return { files, target: s.target, seed: s.name, desc };
}
