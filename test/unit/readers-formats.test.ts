/**
 * Readers of the non-PyTorch formats: safetensors, numpy .npz/.npy, Keras 2 .h5, Keras 3 .keras,
 * TF.js. Fixtures and reference.json come from scripts/fixtures/make_formats.py (the same weights
 * as scripts/fixtures/models.py, written in each format; expected values computed by Python).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { READERS, findReader, openCheckpoint, readHead } from '../../src/engine/readers/index';
import { InputError, UnknownFormatError } from '../../src/engine/errors';
import type { Checkpoint } from '../../src/engine/checkpoint';
import type { TensorEntry } from '../../src/engine/tensor';
import { MemorySource, type ByteSource } from '../../src/engine/io/source';
import { safetensorsReader } from '../../src/engine/readers/safetensors';
import { npzReader } from '../../src/engine/readers/numpy';
import { toSnakeCase, type LayerTensors } from '../../src/engine/readers/keras/layout';
import { parseModelConfig } from '../../src/engine/readers/keras/model-config';
import { kerasTopology } from '../../src/engine/readers/keras/topology';
import { LazyTensor } from '../../src/engine/tensor';
import { analyzeCheckpointFull } from '../../src/engine/analyze-checkpoint';

const DIR = path.join(__dirname, '..', 'fixtures', 'formats');

interface RefTensor {
  name: string;
  shape: number[];
  dtype: string;
  sum: number;
  absSum: number;
  samples: [number, number][];
  source?: string;
  hwc?: [number, number, number];
}
interface RefOp {
  op: 'conv' | 'dense' | 'add';
  name: string;
  input?: string;
  inputs?: string[];
  groups?: number;
  norm?: { name: string; eps: number };
}
interface RefFile {
  format: string;
  model: string;
  flattenOrder?: 'hwc' | 'chw';
  tensors: RefTensor[];
  topology?: RefOp[];
}
const REFERENCE: Record<string, RefFile> = JSON.parse(fs.readFileSync(path.join(DIR, 'reference.json'), 'utf8'));

function close(a: number, b: number, rel = 1e-5, abs = 1e-6): boolean {
  return Math.abs(a - b) <= abs + rel * Math.abs(b);
}

function withCheckpoint<T>(file: string, fn: (c: Checkpoint) => T): T {
  const c = openCheckpoint(file);
  try {
    return fn(c);
  } finally {
    c.close();
  }
}

/** Full arrays of the state dict, read by this package's own .npz reader (itself checked against Python above). */
const npzCache = new Map<string, Map<string, Float32Array>>();
function stateDict(model: string): Map<string, Float32Array> {
  let m = npzCache.get(model);
  if (!m) {
    const mm = new Map<string, Float32Array>();
    withCheckpoint(path.join(DIR, `${model}.npz`), (c) => c.tensors.forEach((t) => mm.set(t.name, t.read())));
    m = mm;
    npzCache.set(model, m);
  }
  return m;
}

/** Dense weight [out, C*P] with channel-major columns → columns in (position, channel) order. */
function toHwc(w: Float32Array, out: number, c: number, p: number): Float32Array {
  const res = new Float32Array(w.length);
  const inn = c * p;
  for (let o = 0; o < out; o++) for (let ch = 0; ch < c; ch++) for (let q = 0; q < p; q++) res[o * inn + q * c + ch] = w[o * inn + ch * p + q];
  return res;
}

function checkTensor(file: string, t: TensorEntry, e: RefTensor, model: string): void {
  assert.equal(t.name, e.name, `${file}: tensor name`);
  assert.deepEqual([...t.shape], e.shape, `${file}: shape of ${e.name}`);
  assert.equal(t.dtype, e.dtype, `${file}: dtype of ${e.name}`);
  const v = t.read();
  assert.ok(v instanceof Float32Array, `${file}: ${e.name} reads as Float32Array`);
  assert.equal(v.length, e.shape.reduce((a, b) => a * b, 1), `${file}: element count of ${e.name}`);
  for (const [i, x] of e.samples) assert.ok(close(v[i], x), `${file}: ${e.name}[${i}] = ${v[i]}, expected ${x}`);
  let sum = 0;
  let absSum = 0;
  for (const x of v) {
    sum += x;
    absSum += Math.abs(x);
  }
  assert.ok(close(sum, e.sum, 1e-6, 1e-5), `${file}: sum of ${e.name} = ${sum}, expected ${e.sum}`);
  assert.ok(close(absSum, e.absSum, 1e-6, 1e-5), `${file}: |sum| of ${e.name} = ${absSum}, expected ${e.absSum}`);
  if (e.source && !file.endsWith(`${model}.npz`)) {
    let want = stateDict(model).get(e.source);
    assert.ok(want, `${model}.npz has ${e.source}`);
    if (e.hwc) want = toHwc(want!, e.shape[0], e.hwc[0], e.hwc[1] * e.hwc[2]);
    assert.equal(v.length, want!.length);
    for (let i = 0; i < v.length; i++) if (v[i] !== want![i]) assert.fail(`${file}: ${e.name}[${i}] = ${v[i]} but ${model}.npz ${e.source} gives ${want![i]}`);
  }
}

describe('format fixtures against the Python reference', () => {
  for (const [rel, ref] of Object.entries(REFERENCE)) {
    test(`${rel} (${ref.format})`, () => {
      const file = path.join(DIR, rel);
      const reader = findReader(file, readHead(file));
      assert.equal(reader?.id, ref.format === 'keras-v3' && rel.endsWith('.h5') ? 'keras-h5' : ref.format, `${rel}: claimed by the right reader`);
      withCheckpoint(file, (c) => {
        assert.equal(c.file, file);
        assert.equal(c.format, ref.format);
        assert.deepEqual(c.warnings, [], `${rel}: no warnings`);
        assert.deepEqual(c.tensors.map((t) => t.name), ref.tensors.map((t) => t.name), `${rel}: tensor names in model order`);
        c.tensors.forEach((t, i) => checkTensor(rel, t, ref.tensors[i], ref.model));
        if (ref.flattenOrder) assert.equal(c.flattenOrder, ref.flattenOrder);
        if (ref.topology) {
          assert.ok(c.topology, `${rel}: topology from the model config`);
          const got = c.topology!.map((op) => {
            if (op.op === 'add') return { op: op.op, name: op.name, inputs: op.inputs };
            if (op.op !== 'conv' && op.op !== 'dense') throw new Error(`${rel}: unexpected op ${op.op}`);
            const o: RefOp = { op: op.op, name: op.name, input: op.input };
            assert.equal(op.weight.name, `${op.name}.weight`, `${rel}: ${op.name} carries its weight tensor`);
            assert.ok(c.tensors.includes(op.weight), `${rel}: ${op.name}'s weight is one of the listed tensors`);
            if (op.op === 'conv') o.groups = op.groups;
            if (op.norm) {
              o.norm = { name: op.norm.name, eps: op.norm.eps };
              assert.equal(op.norm.weight?.name, `${op.norm.name}.weight`);
              assert.equal(op.norm.runningVar?.name, `${op.norm.name}.running_var`);
            }
            return o;
          });
          assert.deepEqual(got, ref.topology);
        } else {
          assert.equal(c.topology, undefined, `${rel}: no topology without a model config`);
        }
      });
    });
  }

  test('every reference fixture exists and the set covers each format', () => {
    const formats = new Set(Object.values(REFERENCE).map((r) => r.format));
    for (const f of ['safetensors', 'npz', 'npy', 'keras-h5', 'keras-v3', 'tfjs']) assert.ok(formats.has(f), `fixture for ${f}`);
    let total = 0;
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else total += fs.statSync(path.join(d, e.name)).size;
      }
    };
    walk(DIR);
    assert.ok(total < 3_500_000, `fixtures take ${total} bytes (budget 3.5 MB)`);
  });

  test('Keras 3 group names follow keras naming.to_snake_case', () => {
    assert.equal(toSnakeCase('Conv2D'), 'conv2d');
    assert.equal(toSnakeCase('BatchNormalization'), 'batch_normalization');
    assert.equal(toSnakeCase('MaxPooling2D'), 'max_pooling2d');
    assert.equal(toSnakeCase('DepthwiseConv2D'), 'depthwise_conv2d');
    assert.equal(toSnakeCase('Conv2DTranspose'), 'conv2d_transpose');
  });
});

/** A source that counts the bytes read through it. */
class CountingSource implements ByteSource {
  bytesRead = 0;
  closed = false;
  readonly size: number;
  constructor(
    readonly name: string,
    private readonly inner: ByteSource,
  ) {
    this.size = inner.size;
  }
  read(offset: number, length: number): Uint8Array {
    this.bytesRead += length;
    return this.inner.read(offset, length);
  }
  close(): void {
    this.closed = true;
  }
}

describe('lazy reading', () => {
  for (const [rel, reader] of [['lenet.safetensors', safetensorsReader], ['lenet.npz', npzReader]] as const) {
    test(`${rel}: open() reads headers only, read() one tensor`, () => {
      const file = path.join(DIR, rel);
      const src = new CountingSource(file, new MemorySource(file, fs.readFileSync(file)));
      const c = reader.open(file, src);
      // Zip archives: the reader scans the last 64 KiB for the end-of-central-directory record.
      const zipTail = rel.endsWith('.npz') ? 22 + 0xffff : 0;
      assert.ok(src.bytesRead < zipTail + 8192, `open read ${src.bytesRead} of ${src.size} bytes`);
      const fc1 = c.tensors.find((t) => t.name === 'fc1.weight')!;
      const before = src.bytesRead;
      fc1.read();
      assert.ok(src.bytesRead - before <= 120 * 400 * 4 + 1024, `read of fc1.weight took ${src.bytesRead - before} bytes`);
      c.close();
      assert.ok(src.closed, 'close() closes the source');
    });
  }

  test('close() releases the file: reads afterwards fail', () => {
    const c = openCheckpoint(path.join(DIR, 'mlp.safetensors'));
    c.close();
    assert.throws(() => c.tensors[0].read());
  });
});

describe('end to end: every format gives the rolled graph of the PyTorch-layout weights', () => {
  const groups: Record<string, string[]> = {
    'lenet.npz': ['lenet.safetensors', 'lenet.h5', 'lenet.keras', 'lenet_tfjs/model.json'],
    'mlp.npz': ['mlp.safetensors', 'mlp.h5', 'mlp_weights.h5', 'mlp_compressed.npz'],
    'vgg_bn.npz': ['vgg_bn.h5'],
    'resnet_small.npz': ['resnet_small.safetensors', 'resnet_small.h5'],
    'depthwise.npz': ['depthwise.safetensors', 'depthwise.h5', 'depthwise_fortran.npz'],
  };
  const summary = (rel: string): unknown => {
    const a = analyzeCheckpointFull(path.join(DIR, rel)).analysis;
    return {
      nodes: a.graph.nodes,
      edges: a.graph.edges,
      layers: a.layers.map((l) => [l.nodes, l.weightedDegree.mean.toPrecision(6), l.weightedDegree.max.toPrecision(6), l.eigenvectorCentrality.mean.toPrecision(6)]),
    };
  };
  for (const [base, others] of Object.entries(groups)) {
    test(`${others.join(', ')} match ${base}`, () => {
      const want = summary(base);
      for (const rel of others) assert.deepEqual(summary(rel), want, rel);
    });
  }
});

describe('Keras 3 weights file without a config', () => {
  test('lenet model.weights.h5 alone: classes and order from the group names', () => {
    const b = fixture('lenet.keras');
    const start = find(b, Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]));
    const p = write('lenet.weights.h5', b.subarray(start, start + Number(b.readBigUInt64LE(start + 40))));
    const ref = REFERENCE['lenet.keras'];
    withCheckpoint(p, (c) => {
      assert.equal(c.format, 'keras-v3');
      assert.equal(c.topology, undefined);
      assert.equal(c.flattenOrder, 'hwc');
      assert.match(c.warnings.join('\n'), /no model config/);
      // Groups conv2d, conv2d_1, dense, dense_1, dense_2 hold conv1, conv2, fc1, fc2, fc3.
      const rename: Record<string, string> = { conv2d: 'conv1', conv2d_1: 'conv2', dense: 'fc1', dense_1: 'fc2', dense_2: 'fc3' };
      assert.deepEqual(c.tensors.map((t) => t.name.replace(/^[^.]+/, (m) => rename[m] ?? m)), ref.tensors.map((t) => t.name));
      c.tensors.forEach((t, i) => checkTensor('lenet.weights.h5', t, { ...ref.tensors[i], name: t.name }, 'lenet'));
    });
  });
});

describe('Keras 3 functional config wiring', () => {
  const kt = (name: string): unknown => ({ class_name: '__keras_tensor__', config: { shape: [null, 8], dtype: 'float32', keras_history: [name, 0, 0] } });
  const layer = (cls: string, name: string, inputs: string[] | string[][], config: Record<string, unknown> = {}): unknown => ({
    module: 'keras.layers', class_name: cls, name, config: { name, ...config },
    inbound_nodes: inputs.length ? [{ args: Array.isArray(inputs[0]) ? [(inputs[0] as string[]).map(kt)] : (inputs as string[]).map(kt), kwargs: {} }] : [],
  });
  const fake = (name: string, shape: number[]): LazyTensor => new LazyTensor(name, 'float32', shape, () => new Float32Array(shape.reduce((a, b) => a * b, 1)), shape.reduce((a, b) => a * b, 1));
  const tensors = (): Map<string, LayerTensors> => new Map<string, LayerTensors>([
    ['conv2d', { weight: fake('conv2d.weight', [4, 1, 3, 3]), count: 1 }],
    ['batch_normalization', { gamma: fake('batch_normalization.weight', [4]), movingVariance: fake('batch_normalization.running_var', [4]), count: 4 }],
    ['conv2d_1', { weight: fake('conv2d_1.weight', [4, 4, 3, 3]), count: 1 }],
    ['dense', { weight: fake('dense.weight', [10, 4]), count: 2 }],
  ]);
  const config = (merge = 'Add', sumOrder = ['re_lu', 'conv2d_1']): unknown => ({
    module: 'keras', class_name: 'Functional',
    config: {
      name: 'functional',
      layers: [
        layer('InputLayer', 'input_layer', []),
        layer('Conv2D', 'conv2d', ['input_layer']),
        layer('BatchNormalization', 'batch_normalization', ['conv2d'], { epsilon: 0.001 }),
        layer('ReLU', 're_lu', ['batch_normalization']),
        layer('Conv2D', 'conv2d_1', ['re_lu']),
        layer(merge, 'add', [sumOrder]),
        layer('GlobalAveragePooling2D', 'global_average_pooling2d', ['add']),
        layer('Dense', 'dense', ['global_average_pooling2d']),
      ],
    },
  });
  test('inbound nodes in the Keras 3 {args, kwargs} form, main branch first in the add', () => {
    const model = parseModelConfig(config());
    assert.equal(model?.kind, 'Functional');
    const ops = kerasTopology(model!, tensors());
    assert.ok(Array.isArray(ops), String(ops));
    assert.deepEqual((ops as import('../../src/engine/graph/netspec').NetOp[]).map((o) => (o.op === 'add' ? [o.op, o.name, o.inputs] : o.op === 'conv' || o.op === 'dense' ? [o.op, o.name, o.input, o.norm?.name ?? null, o.norm?.eps ?? null] : [o.op])), [
      ['conv', 'conv2d', 'input', 'batch_normalization', 0.001],
      ['conv', 'conv2d_1', 'conv2d', null, null],
      ['add', 'add', ['conv2d_1', 'conv2d']],
      ['dense', 'dense', 'add', null, null],
    ]);
  });
  test('concatenation and shared layers give no topology, with the reason', () => {
    assert.match(String(kerasTopology(parseModelConfig(config('Concatenate'))!, tensors())), /add' \(Concatenate\) joins paths/);
    const shared = config() as { config: { layers: { inbound_nodes: unknown[] }[] } };
    shared.config.layers[4].inbound_nodes.push(shared.config.layers[4].inbound_nodes[0]);
    assert.match(String(kerasTopology(parseModelConfig(shared)!, tensors())), /conv2d_1' is called more than once/);
  });
});

// ------------------------------------------------------------------ bad input

let tmp = '';
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'td-formats-'));
});
after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function write(name: string, bytes: Uint8Array | string): string {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, bytes);
  return p;
}

function fixture(rel: string): Buffer {
  return fs.readFileSync(path.join(DIR, rel));
}

/** openCheckpoint (and reading every tensor) must fail with an InputError naming the file and the cause. */
function expectFailure(file: string, cause: RegExp): void {
  const t0 = Date.now();
  let err: unknown;
  try {
    const c = openCheckpoint(file);
    try {
      for (const t of c.tensors) t.read();
    } finally {
      c.close();
    }
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${path.basename(file)} should be rejected`);
  assert.ok(err instanceof InputError, `${path.basename(file)}: ${String(err)} is an InputError`);
  const msg = (err as Error).message;
  assert.ok(msg.includes(file), `message names the file: ${msg}`);
  assert.match(msg, cause);
  assert.ok(Date.now() - t0 < 5000, 'fails fast');
}

function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
}

describe('bad input: safetensors', () => {
  const good = (): Buffer => fixture('mlp.safetensors');
  test('truncated data', () => {
    const b = good();
    expectFailure(write('trunc.safetensors', b.subarray(0, b.length - 100)), /data_offsets \[\d+, \d+\] run past the end of the data/);
  });
  test('truncated inside the header', () => {
    expectFailure(write('trunc-header.safetensors', good().subarray(0, 40)), /header length \d+ runs past the end of the file \(40 bytes\)/);
  });
  test('shorter than the length prefix', () => {
    expectFailure(write('tiny.safetensors', Buffer.from([1, 2, 3])), /too short for a safetensors header/);
  });
  test('wrong magic: header does not start with {', () => {
    const b = good();
    b[8] = 0x5b; // '['
    expectFailure(write('magic.safetensors', b), /does not start with '\{'/);
  });
  test('header length larger than the file', () => {
    const b = good();
    u64(BigInt(b.length)).copy(b, 0);
    expectFailure(write('hlen.safetensors', b), new RegExp(`header length ${b.length} runs past the end of the file`));
  });
  test('data_offsets past the end', () => {
    const h = JSON.stringify({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 1600] } });
    const b = Buffer.concat([u64(BigInt(h.length)), Buffer.from(h), Buffer.alloc(16)]);
    expectFailure(write('offsets.safetensors', b), /tensor 'w': data_offsets \[0, 1600\] run past the end of the data \(16 bytes/);
  });
  test('shape x dtype differs from the byte range', () => {
    const h = JSON.stringify({ w: { dtype: 'F32', shape: [5], data_offsets: [0, 16] } });
    const b = Buffer.concat([u64(BigInt(h.length)), Buffer.from(h), Buffer.alloc(16)]);
    expectFailure(write('shape.safetensors', b), /tensor 'w': shape \[5\] of F32 needs 20 bytes but data_offsets \[0, 16\] hold 16/);
  });
  test('library-sorted files are listed in natural name order', () => {
    // Tensors in the order the safetensors library writes them: by dtype, then plain name order.
    const sd = stateDict('vgg_bn');
    const names = [...sd.keys()].sort();
    const header: Record<string, unknown> = {};
    let off = 0;
    for (const n of names) {
      header[n] = { dtype: 'F32', shape: [sd.get(n)!.length], data_offsets: [off, off + 4 * sd.get(n)!.length] };
      off += 4 * sd.get(n)!.length;
    }
    const h = Buffer.from(JSON.stringify(header));
    const data = Buffer.concat(names.map((n) => Buffer.from(sd.get(n)!.buffer, sd.get(n)!.byteOffset, sd.get(n)!.byteLength)));
    const p = write('sorted.safetensors', Buffer.concat([u64(BigInt(h.length)), h, data]));
    withCheckpoint(p, (c) => {
      const got = c.tensors.map((t) => t.name);
      assert.ok(got.indexOf('features.4.weight') < got.indexOf('features.11.weight'), got.join(' '));
      assert.ok(got.indexOf('features.1.running_var') < got.indexOf('features.4.weight'));
      assert.match(c.warnings.join('\n'), /alphabetical order/);
      const t = c.tensors[got.indexOf('features.11.weight')];
      assert.deepEqual(t.read(), sd.get('features.11.weight'));
    });
  });
  test('header is not JSON', () => {
    const h = '{"w": {"dtype": "F32", ';
    const b = Buffer.concat([u64(BigInt(h.length)), Buffer.from(h)]);
    expectFailure(write('json.safetensors', b), /header is not valid JSON/);
  });
});

/** Offset of the first occurrence of `needle` in `b`. */
function find(b: Buffer, needle: string | Buffer, from = 0): number {
  const i = b.indexOf(typeof needle === 'string' ? Buffer.from(needle, 'latin1') : needle, from);
  assert.ok(i >= 0, `fixture contains ${String(needle)}`);
  return i;
}

describe('bad input: npz / npy', () => {
  test('truncated archive', () => {
    const b = fixture('lenet.npz');
    expectFailure(write('trunc.npz', b.subarray(0, b.length - 200)), /end-of-central-directory record not found/);
  });
  test('wrong magic (not a zip)', () => {
    expectFailure(write('magic.npz', Buffer.from('this is not a zip archive at all, just text')), /not a \.npz \(zip\) archive: first bytes 74686973/);
  });
  test('member with a bad .npy magic', () => {
    const b = fixture('lenet.npz');
    b[find(b, '\x93NUMPY', 0)] = 0x58; // 'X'
    expectFailure(write('member-magic.npz', b), /member 'conv1\.weight\.npy': not a \.npy array/);
  });
  test('member shape larger than its data', () => {
    const b = fixture('lenet.npz');
    const i = find(b, "'shape': (6,)");
    b.write("'shape': (9,)", i, 'latin1');
    expectFailure(write('member-shape.npz', b), /member 'conv1\.bias\.npy': shape \(9\) of <f4 needs 36 bytes of data but 24 follow/);
  });
  test('member declared larger than the file (central directory size)', () => {
    const b = fixture('mlp.npz');
    const cd = find(b, Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    b.writeUInt32LE(0x7ffffff0, cd + 20); // compressed size
    b.writeUInt32LE(0x7ffffff0, cd + 24); // size
    expectFailure(write('member-size.npz', b), /past the end of the (file|data)/);
  });
  test('deflated member truncated', () => {
    const b = fixture('mlp_compressed.npz');
    expectFailure(write('trunc-compressed.npz', b.subarray(0, Math.floor(b.length / 2))), /end-of-central-directory record not found/);
  });
  test('.npy truncated', () => {
    const b = fixture('lenet.conv2.weight.npy');
    expectFailure(write('trunc.npy', b.subarray(0, b.length - 10)), /shape \(16, 6, 5, 5\) of <f4 needs 9600 bytes of data but 9590 follow/);
  });
  test('.npy wrong magic', () => {
    const b = fixture('lenet.conv2.weight.npy');
    b[0] = 0x00;
    expectFailure(write('magic.npy', b), /not a \.npy array \(first bytes 004e554d5059/);
  });
  test('.npy header length larger than the file', () => {
    const b = fixture('lenet.conv2.weight.npy').subarray(0, 60);
    expectFailure(write('hlen.npy', b), /ends inside the \.npy header/);
  });
  test('.npy header that is not a dict', () => {
    const b = Buffer.from(fixture('lenet.conv2.weight.npy'));
    b.write('[', 10, 'latin1');
    expectFailure(write('dict.npy', b), /\.npy header is not a Python dict literal/);
  });
});

describe('bad input: Keras HDF5 and .keras', () => {
  test('truncated .h5', () => {
    const b = fixture('lenet.h5');
    expectFailure(write('trunc.h5', b.subarray(0, Math.floor(b.length * 0.6))), new RegExp(`truncated HDF5 file: its superblock declares ${b.length} bytes, but there are ${Math.floor(b.length * 0.6)}`));
  });
  test('truncated to a few bytes', () => {
    expectFailure(write('tiny.h5', fixture('lenet.h5').subarray(0, 30)), /HDF5 structure unreadable at the superblock/);
  });
  test('wrong magic', () => {
    const b = fixture('mlp.h5');
    b[1] = 0x58;
    expectFailure(write('magic.h5', b), /not an HDF5 file: first bytes 8958444/);
  });
  test('dataset declared past the end of the file', () => {
    // Cut the file and make the superblock agree, so that only the dataset extents are wrong.
    const b = fixture('mlp_weights.h5');
    const cut = Math.floor(b.length * 0.5);
    const c = Buffer.from(b.subarray(0, cut));
    c.writeBigUInt64LE(BigInt(cut), 40);
    expectFailure(write('dataset.h5', c), /dataset '[^']+' \(\d+ bytes at offset \d+\) runs past the end of the file/);
  });
  test('HDF5 without Keras weights', () => {
    // An HDF5 file with the Keras 3 "vars" root group only: no layer_names, no model_weights/layers.
    const b = fixture('lenet.keras');
    const h5start = find(b, Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]));
    const h5 = Buffer.from(b.subarray(h5start, h5start + Number(b.readBigUInt64LE(h5start + 40))));
    // rename the 'layers' link so that the file no longer has the group
    const i = find(h5, 'layers');
    h5.write('lazers', i, 'latin1');
    expectFailure(write('nokeras.h5', h5), /HDF5 file holds no Keras weights/);
  });
  test('truncated .keras', () => {
    const b = fixture('lenet.keras');
    expectFailure(write('trunc.keras', b.subarray(0, b.length - 300)), /end-of-central-directory record not found/);
  });
  test('.keras with wrong magic', () => {
    expectFailure(write('magic.keras', Buffer.alloc(64, 7)), /not a Keras 3 \.keras \(zip\) archive/);
  });
  test('.keras whose weights member is declared larger than the file', () => {
    const b = fixture('lenet.keras');
    let cd = find(b, Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    while (b.toString('latin1', cd + 46, cd + 46 + b.readUInt16LE(cd + 28)) !== 'model.weights.h5') cd = find(b, Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 4);
    b.writeUInt32LE(b.length * 2, cd + 20);
    b.writeUInt32LE(b.length * 2, cd + 24);
    expectFailure(write('size.keras', b), /zip entry 'model\.weights\.h5' declares \d+ bytes at offset \d+, past the end of the file/);
  });
  test('.keras with a broken config.json', () => {
    // config.json is deflated: corrupting its bytes makes inflation (or JSON parsing) fail.
    const b = fixture('lenet.keras');
    const i = find(b, 'config.json');
    b.fill(0xff, i + 'config.json'.length, i + 'config.json'.length + 40);
    expectFailure(write('config.keras', b), /config\.json/);
  });
});

describe('bad input: TF.js', () => {
  const copyModel = (name: string): string => {
    const dst = path.join(tmp, name);
    fs.mkdirSync(dst, { recursive: true });
    for (const f of fs.readdirSync(path.join(DIR, 'lenet_tfjs'))) fs.copyFileSync(path.join(DIR, 'lenet_tfjs', f), path.join(dst, f));
    return dst;
  };
  const editManifest = (dir: string, fn: (doc: { weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[] }) => void): string => {
    const p = path.join(dir, 'model.json');
    const doc = JSON.parse(fs.readFileSync(p, 'utf8'));
    fn(doc);
    fs.writeFileSync(p, JSON.stringify(doc));
    return p;
  };
  test('truncated model.json', () => {
    const d = copyModel('trunc');
    const p = path.join(d, 'model.json');
    fs.writeFileSync(p, fs.readFileSync(p).subarray(0, 300));
    expectFailure(p, /TF\.js model file is not valid JSON/);
  });
  test('wrong magic: not JSON at all', () => {
    expectFailure(write('magic/model.json', '"weightsManifest" <xml>not json</xml>'), /TF\.js model file is not valid JSON/);
  });
  test('no weightsManifest', () => {
    expectFailure(write('nomanifest/model.json', JSON.stringify({ modelTopology: {} })), /TF\.js model has no weightsManifest list/);
  });
  test('shard shorter than the manifest declares', () => {
    const d = copyModel('short');
    const shard = path.join(d, 'group1-shard2of2.bin');
    fs.writeFileSync(shard, fs.readFileSync(shard).subarray(0, 1000));
    expectFailure(path.join(d, 'model.json'), /weight '[^']+' needs bytes \d+\.\.\d+ of weight group 0, but its shards \(group1-shard1of2\.bin, group1-shard2of2\.bin\) hold only \d+ bytes/);
  });
  test('weight shape larger than the shards', () => {
    const d = copyModel('bigshape');
    const p = editManifest(d, (doc) => {
      doc.weightsManifest[0].weights[0].shape = [5000, 5000];
    });
    expectFailure(p, /weight 'conv2d\/kernel' needs bytes 0\.\.100000000 of weight group 0/);
  });
  test('missing shard', () => {
    const d = copyModel('missing');
    fs.unlinkSync(path.join(d, 'group1-shard2of2.bin'));
    expectFailure(path.join(d, 'model.json'), /weight shard 'group1-shard2of2\.bin' does not exist/);
  });
  test('shard path leaving the model folder', () => {
    const d = copyModel('escape');
    write('secret.bin', Buffer.alloc(300000));
    const p = editManifest(d, (doc) => {
      doc.weightsManifest[0].paths[1] = '../secret.bin';
    });
    expectFailure(p, /weight shard path '\.\.\/secret\.bin' points outside the model folder/);
    const q = editManifest(d, (doc) => {
      doc.weightsManifest[0].paths[1] = path.join(tmp, 'secret.bin');
    });
    expectFailure(q, /is absolute or a URL/);
    const r = editManifest(d, (doc) => {
      doc.weightsManifest[0].paths[1] = '%2e%2e/secret.bin';
    });
    expectFailure(r, /points outside the model folder/);
  });
  test('shard symlinked outside the model folder', () => {
    const d = copyModel('symlink');
    fs.unlinkSync(path.join(d, 'group1-shard2of2.bin'));
    fs.symlinkSync(write('outside.bin', Buffer.alloc(300000)), path.join(d, 'group1-shard2of2.bin'));
    expectFailure(path.join(d, 'model.json'), /links outside the model folder/);
  });
});

describe('unknown and mismatched files', () => {
  test('unknown format', () => {
    const p = write('mystery.dat', Buffer.from('zzzz not a checkpoint of any kind'));
    assert.throws(() => openCheckpoint(p), (e: unknown) => e instanceof UnknownFormatError && (e as Error).message.includes(p) && /unknown checkpoint format/.test((e as Error).message));
  });
  test('a TF.js model.json is claimed by its format field too', () => {
    assert.equal(findReader('m/model.json', Buffer.from('{"format": "graph-model", "signature": {}}'))?.id, 'tfjs');
  });
  test('a plain JSON file is not claimed as TF.js', () => {
    const p = write('config.json', JSON.stringify({ learning_rate: 0.1 }));
    assert.throws(() => openCheckpoint(p), UnknownFormatError);
  });
  test('readers claim their files by magic even without the usual extension', () => {
    for (const [rel, id] of [['lenet.safetensors', 'safetensors'], ['lenet.conv2.weight.npy', 'npy'], ['lenet.h5', 'keras-h5']]) {
      const p = write(`renamed-${id}.bin`, fixture(rel));
      assert.equal(findReader(p, readHead(p))?.id, id, rel);
      withCheckpoint(p, (c) => assert.ok(c.tensors.length > 0));
    }
  });
  test('match() never throws on short heads', () => {
    for (const r of READERS) {
      for (const head of [new Uint8Array(0), new Uint8Array([0x89]), new Uint8Array(9).fill(0xff)]) assert.doesNotThrow(() => r.match('x', head));
    }
  });
});
