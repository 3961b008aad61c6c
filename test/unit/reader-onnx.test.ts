/**
 * ONNX reader: tensors and topology of torch exports (fixtures from scripts/fixtures/make_onnx.py,
 * expected values recorded by onnx's own decoder and checked there against the torch weights),
 * external data, and malformed / hostile files.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnxReader } from '../../src/engine/readers/onnx/reader';
import { modulePathFromNodeName } from '../../src/engine/readers/onnx/topology';
import { openCheckpoint, readHead } from '../../src/engine/readers/index';
import { FileSource, MemorySource, type ByteSource } from '../../src/engine/io/source';
import { FormatError, InputError } from '../../src/engine/errors';
import type { Checkpoint } from '../../src/engine/checkpoint';
import type { AddOp, ConvOp, DenseOp, NetOp } from '../../src/engine/graph/netspec';
import type { TensorEntry } from '../../src/engine/tensor';

const DIR = path.join(__dirname, '..', 'fixtures', 'onnx');
const fx = (name: string): string => path.join(DIR, name);

interface Described { name: string; shape: number[]; first: number[]; last: number | null; sum: number; abs_sum: number }
interface Expected {
  tensors: Described[];
  torch?: Record<string, Described>;
  bn_eps?: Record<string, number>;
  adds?: { node: string; inputs: string[] }[];
  folded_from?: Record<string, string>;
  pytorch_layout?: Record<string, Described>;
  groups?: Record<string, number>;
}
const EXPECTED: Record<string, Expected> = JSON.parse(fs.readFileSync(fx('expected.json'), 'utf8'));

function open(name: string): Checkpoint {
  return openCheckpoint(fx(name));
}

function close(a: number, b: number, tol = 1e-5): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

function assertTensor(t: TensorEntry, want: Described): void {
  assert.equal(t.name, want.name);
  assert.deepEqual([...t.shape], want.shape, `shape of ${t.name}`);
  const v = t.read();
  assert.equal(v.length, want.shape.reduce((a, b) => a * b, 1));
  want.first.forEach((x, i) => assert.ok(close(v[i], x, 1e-6), `${t.name}[${i}] = ${v[i]}, want ${x}`));
  if (want.last !== null) assert.ok(close(v[v.length - 1], want.last, 1e-6), `${t.name} last`);
  let sum = 0;
  let abs = 0;
  for (const x of v) {
    sum += x;
    abs += Math.abs(x);
  }
  assert.ok(close(sum, want.sum, 1e-4), `${t.name} sum ${sum}, want ${want.sum}`);
  assert.ok(close(abs, want.abs_sum, 1e-5), `${t.name} |sum| ${abs}, want ${want.abs_sum}`);
}

function assertAllTensors(c: Checkpoint, file: string): void {
  const want = EXPECTED[file].tensors;
  assert.deepEqual(c.tensors.map((t) => t.name), want.map((t) => t.name));
  c.tensors.forEach((t, i) => assertTensor(t, want[i]));
}

const convs = (ops: NetOp[]): ConvOp[] => ops.filter((o): o is ConvOp => o.op === 'conv');
const denses = (ops: NetOp[]): DenseOp[] => ops.filter((o): o is DenseOp => o.op === 'dense');
const adds = (ops: NetOp[]): AddOp[] => ops.filter((o): o is AddOp => o.op === 'add');

function expectError(file: string, ...parts: (string | RegExp)[]): InputError {
  let err: unknown;
  try {
    openCheckpoint(file).close();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof FormatError, `expected a FormatError for ${file}, got ${String(err)}`);
  assert.ok(err.message.includes(file), `message names the file: ${err.message}`);
  for (const p of parts) {
    if (typeof p === 'string') assert.ok(err.message.includes(p), `message '${err.message}' mentions '${p}'`);
    else assert.match(err.message, p);
  }
  return err;
}

test('match: by extension and by the ModelProto header', () => {
  const head = readHead(fx('lenet.onnx'));
  assert.ok(onnxReader.match('model.onnx', new Uint8Array(0)));
  assert.ok(onnxReader.match('renamed.bin', head));
  assert.ok(!onnxReader.match('weights.bin', new TextEncoder().encode('{"format": "layers-model"}')));
  assert.ok(!onnxReader.match('x.pt', new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0])));
  // A safetensors header length that happens to start with 0x08.
  assert.ok(!onnxReader.match('m.safetensors', new Uint8Array([0x08, 0x07, 0x12, 0x00, 0, 0, 0, 0, 0x7b, 0x22])));
});

test('lenet: initializers keep the state-dict names and values; topology is the chain', () => {
  const c = open('lenet.onnx');
  try {
    assert.equal(c.format, 'onnx');
    assert.equal(c.flattenOrder, 'chw');
    assert.equal(c.metadata.producer_name, 'pytorch');
    assert.equal(c.metadata.opset, 13);
    assertAllTensors(c, 'lenet.onnx');
    // Against the torch weights themselves.
    const torch = EXPECTED['lenet.onnx'].torch!;
    assert.equal(c.tensors.length, Object.keys(torch).length);
    for (const t of c.tensors) assertTensor(t, torch[t.name]);

    const ops = c.topology!;
    assert.deepEqual(ops.map((o) => [o.op, o.name, 'input' in o ? o.input : 'inputs' in o ? o.inputs.join('+') : '']), [
      ['conv', 'conv1', 'input'],
      ['conv', 'conv2', 'conv1'],
      ['dense', 'fc1', 'conv2'],
      ['dense', 'fc2', 'fc1'],
      ['dense', 'fc3', 'fc2'],
    ]);
    assert.equal(convs(ops)[0].groups, 1);
    assert.equal(convs(ops)[1].weight.name, 'conv2.weight');
    assert.deepEqual([...denses(ops)[0].weight.shape], [120, 400]); // Gemm transB=1: [out, in] as stored
    assert.deepEqual(c.warnings, []);
  } finally {
    c.close();
  }
});

test('vgg_bn (training-mode export): BatchNormalization nodes fold into the preceding convs', () => {
  const c = open('vgg_bn_train.onnx');
  try {
    assertAllTensors(c, 'vgg_bn_train.onnx');
    const torch = EXPECTED['vgg_bn_train.onnx'].torch!;
    for (const t of c.tensors) assertTensor(t, torch[t.name]);
    const ops = c.topology!;
    assert.deepEqual(ops.map((o) => o.name), ['features.0', 'features.4', 'features.7', 'features.11', 'classifier.1', 'classifier.3']);
    const eps = EXPECTED['vgg_bn_train.onnx'].bn_eps!;
    const bns = ['features.1', 'features.5', 'features.8', 'features.12'];
    convs(ops).forEach((op, i) => {
      assert.ok(op.norm, `${op.name} has its BatchNorm`);
      assert.equal(op.norm.name, bns[i]);
      assert.equal(op.norm.weight?.name, `${bns[i]}.weight`);
      assert.equal(op.norm.runningVar?.name, `${bns[i]}.running_var`);
      assert.ok(close(op.norm.eps, eps[bns[i]], 1e-6));
      assertTensor(op.norm.runningVar!, torch[`${bns[i]}.running_var`]);
    });
    assert.equal(denses(ops)[0].input, 'features.11'); // through ReLU, MaxPool, Flatten, Dropout
    assert.equal(denses(ops)[0].norm, undefined);
  } finally {
    c.close();
  }
});

test('vgg_bn (default export, BatchNorm folded): onnx::Conv_N weights, module names from node names', () => {
  const c = open('vgg_bn_folded.onnx');
  try {
    assertAllTensors(c, 'vgg_bn_folded.onnx');
    assert.ok(c.tensors.some((t) => t.name.startsWith('onnx::Conv_')));
    const ops = c.topology!;
    assert.deepEqual(ops.map((o) => [o.name, 'input' in o ? o.input : '']), [
      ['features.0', 'input'],
      ['features.4', 'features.0'],
      ['features.7', 'features.4'],
      ['features.11', 'features.7'],
      ['classifier.1', 'features.11'],
      ['classifier.3', 'classifier.1'],
    ]);
    for (const op of convs(ops)) {
      assert.equal(op.norm, undefined);
      assert.match(op.weight.name, /^onnx::Conv_\d+$/);
    }
  } finally {
    c.close();
  }
});

test('resnet_small: three AddOps joining the right values', () => {
  const c = open('resnet_small.onnx');
  try {
    assertAllTensors(c, 'resnet_small.onnx');
    const ops = c.topology!;
    // Conv ops are named after the module whose folded weights they hold (checked in python against torch).
    const folded = EXPECTED['resnet_small.onnx'].folded_from!;
    assert.equal(convs(ops).length, Object.keys(folded).length);
    for (const op of convs(ops)) assert.equal(op.name, folded[op.weight.name], op.weight.name);

    const a = adds(ops);
    assert.equal(a.length, 3);
    assert.deepEqual(a.map((o) => o.inputs), [
      ['layer1.0.conv2', 'conv1'],
      ['layer2.0.conv2', 'layer2.0.shortcut.0'],
      ['layer3.0.conv2', 'layer3.0.shortcut.0'],
    ]);
    assert.deepEqual(a.map((o) => o.name), EXPECTED['resnet_small.onnx'].adds!.map((x) => x.node));
    const byName = new Map(ops.map((o) => [o.name, o]));
    const input = (n: string): string => (byName.get(n) as ConvOp | DenseOp).input;
    assert.equal(input('conv1'), 'input');
    assert.equal(input('layer1.0.conv1'), 'conv1');
    assert.equal(input('layer2.0.conv1'), a[0].name);
    assert.equal(input('layer2.0.shortcut.0'), a[0].name);
    assert.equal(input('layer3.0.conv1'), a[1].name);
    assert.equal(input('layer3.0.shortcut.0'), a[1].name);
    assert.equal(input('linear'), a[2].name); // through ReLU, GlobalAveragePool, Flatten
    // Every op's inputs refer to earlier ops or the input.
    const seen = new Set(['input']);
    for (const op of ops) {
      for (const i of 'input' in op ? [op.input] : 'inputs' in op ? op.inputs : []) assert.ok(seen.has(i), `${op.name} reads ${i}`);
      seen.add(op.name);
    }
  } finally {
    c.close();
  }
});

test('external data: weights.bin next to the model gives the same tensors', () => {
  const c = open('external/model.onnx');
  try {
    assertAllTensors(c, 'external/model.onnx');
    assert.deepEqual(EXPECTED['external/model.onnx'].tensors, EXPECTED['resnet_small.onnx'].tensors);
    assert.equal(adds(c.topology!).length, 3);
  } finally {
    c.close();
  }
});

test('handmade graph: MatMul and Gemm transB=0 weights transposed to [out, in]; typed fields; BN after a dense', () => {
  const c = open('handmade.onnx');
  try {
    const want = EXPECTED['handmade.onnx'];
    const byName = new Map(c.tensors.map((t) => [t.name, t]));
    // int64 shape constants are not weights.
    assert.ok(!byName.has('shape.const'));
    assert.equal(c.tensors.length, want.tensors.length);
    for (const [name, d] of Object.entries(want.pytorch_layout!)) assertTensor(byName.get(name)!, d);
    assert.equal(byName.get('extra.half')!.dtype, 'float16');
    assert.equal(byName.get('extra.bf16')!.dtype, 'bfloat16');
    assert.equal(byName.get('extra.double')!.dtype, 'float64');
    // Tensors not used by a MatMul keep their stored layout and values.
    for (const d of want.tensors) if (!(d.name in want.pytorch_layout!)) assertTensor(byName.get(d.name)!, d);

    const ops = c.topology!;
    assert.deepEqual(ops.map((o) => [o.op, o.name, 'input' in o ? o.input : '']), [
      ['dense', 'fc1', 'input'],
      ['dense', 'head', 'fc1'], // weight 'onnx::Gemm_7': name from the node '/head/Gemm'
      ['dense', 'out', 'head'],
    ]);
    const [fc1, head, out] = denses(ops);
    assert.deepEqual([...fc1.weight.shape], [3, 4]);
    assert.deepEqual([...head.weight.shape], [2, 3]);
    assert.deepEqual([...out.weight.shape], [2, 2]);
    assert.equal(fc1.weight, byName.get('fc1.weight')); // the same lazy tensor in both places
    assert.equal(fc1.norm?.name, 'bn1'); // BatchNormalization after MatMul + bias Add
    assert.ok(close(fc1.norm!.eps, 1e-3, 1e-6));
    assert.equal(c.epoch, 7);
    assert.equal(c.metadata.note, 'handmade');
  } finally {
    c.close();
  }
});

test('depthwise: Conv group attributes become ConvOp.groups', () => {
  const c = open('depthwise.onnx');
  try {
    assertAllTensors(c, 'depthwise.onnx');
    const groups = EXPECTED['depthwise.onnx'].groups!;
    const cs = convs(c.topology!);
    assert.deepEqual(Object.fromEntries(cs.map((o) => [o.name, o.groups])), groups);
    assert.deepEqual(cs.map((o) => o.input), ['input', 'stem', 'dw1', 'pw1', 'dw2']);
    assert.deepEqual([...cs.find((o) => o.name === 'dw2')!.weight.shape], [32, 1, 3, 3]);
  } finally {
    c.close();
  }
});

test('a Concat join along channels: tensors are read, the topology has a concat op reading both branches', () => {
  const c = open('concat.onnx');
  try {
    assertAllTensors(c, 'concat.onnx');
    const cat = c.topology!.find((o) => o.op === 'concat');
    assert.ok(cat && cat.op === 'concat' && cat.inputs.length === 2, JSON.stringify(c.topology?.map((o) => o.op)));
  } finally {
    c.close();
  }
});

test('hostile external location ../../etc/passwd is refused, naming the path', () => {
  const err = expectError(fx('hostile/model.onnx'), '../../etc/passwd', 'outside the model');
  assert.ok(err.message.includes('stolen.weight'));
  expectError(fx('hostile/absolute.onnx'), "'/etc/passwd'", 'outside the model');
});

test('external data past the end of its file is refused', () => {
  expectError(fx('hostile/oob.onnx'), 'small.bin', 'runs past the end', 'offset 8', 'length 16');
});

test('external data through a symlink out of the folder, or missing, is refused', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-ext-'));
  try {
    const inside = path.join(tmp, 'model');
    const outside = path.join(tmp, 'secret');
    fs.mkdirSync(inside);
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'data.bin'), Buffer.alloc(64));
    fs.copyFileSync(fx('hostile/oob.onnx'), path.join(inside, 'oob.onnx'));
    expectError(path.join(inside, 'oob.onnx'), 'small.bin', 'not found');
    fs.symlinkSync(path.join(outside, 'data.bin'), path.join(inside, 'small.bin'));
    expectError(path.join(inside, 'oob.onnx'), 'small.bin', 'link');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('truncated file: FormatError naming the file and the truncation', () => {
  expectError(fx('truncated.onnx'), /truncated/, /runs past the end of the file \(\d+ bytes\)/);
  const empty = path.join(os.tmpdir(), `empty-${process.pid}.onnx`);
  fs.writeFileSync(empty, '');
  try {
    expectError(empty, 'empty');
  } finally {
    fs.rmSync(empty);
  }
});

test('open() reads only the structure, not the weights', () => {
  const file = fx('lenet.onnx');
  const inner = new FileSource(file);
  let bytes = 0;
  const counting: ByteSource = {
    name: inner.name,
    size: inner.size,
    read(offset: number, length: number): Uint8Array {
      bytes += length;
      return inner.read(offset, length);
    },
  };
  try {
    const c = onnxReader.open(file, counting);
    assert.ok(bytes < inner.size / 4, `open read ${bytes} of ${inner.size} bytes`);
    const fc1 = c.tensors.find((t) => t.name === 'fc1.weight')!;
    const before = bytes;
    fc1.read();
    assert.equal(bytes - before, 120 * 400 * 4);
  } finally {
    inner.close();
  }
});

test('module paths from torch node names', () => {
  assert.equal(modulePathFromNodeName('/layer2/layer2.0/shortcut/shortcut.0/Conv'), 'layer2.0.shortcut.0');
  assert.equal(modulePathFromNodeName('/features/features.11/Conv'), 'features.11');
  assert.equal(modulePathFromNodeName('/conv1/Conv'), 'conv1');
  assert.equal(modulePathFromNodeName('/Relu'), undefined);
  assert.equal(modulePathFromNodeName('Conv_0'), undefined);
});

test('corrupted bytes give FormatError or a valid result, never another error', () => {
  const good = fs.readFileSync(fx('handmade.onnx'));
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const tryOpen = (bytes: Uint8Array): void => {
    let c: Checkpoint | undefined;
    try {
      c = onnxReader.open('fuzz.onnx', new MemorySource('fuzz.onnx', bytes));
      for (const t of c.tensors) t.read();
    } catch (e) {
      if (!(e instanceof FormatError)) throw new Error(`unexpected ${String(e)}\n${(e as Error).stack}`);
      assert.ok(e.message.startsWith('fuzz.onnx'));
    }
  };
  for (let cut = 0; cut < good.length; cut += 7) tryOpen(good.subarray(0, cut));
  for (let i = 0; i < 400; i++) {
    const b = Uint8Array.from(good);
    for (let k = 0; k < 1 + rand(4); k++) b[rand(b.length)] = rand(256);
    tryOpen(b);
  }
});
