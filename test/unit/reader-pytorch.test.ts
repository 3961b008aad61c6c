// The PyTorch reader on real files written by torch.save (scripts/fixtures/make_pytorch.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCheckpoint } from '../../src/engine/readers/index';
import { FormatError, InputError } from '../../src/engine/errors';

const FIX = path.join(__dirname, '..', 'fixtures');
const P = (f: string): string => path.join(FIX, 'pytorch', f);
const LENET = ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias'];

function tensors(file: string) {
  const c = openCheckpoint(file);
  try {
    return { c, map: new Map(c.tensors.map((t) => [t.name, { shape: [...t.shape], dtype: t.dtype, values: t.read() }])) };
  } finally {
    c.close();
  }
}

test('zip and legacy layouts give the same tensors in state-dict order', () => {
  const zip = tensors(P('lenet.pt'));
  const legacy = tensors(P('lenet_legacy.pt'));
  assert.equal(zip.c.format, 'pytorch-zip');
  assert.equal(legacy.c.format, 'pytorch-legacy');
  assert.deepEqual([...zip.map.keys()], LENET);
  assert.deepEqual([...legacy.map.keys()], LENET);
  for (const k of LENET) assert.deepEqual(legacy.map.get(k), zip.map.get(k), k);
  assert.deepEqual(zip.map.get('conv2.weight')!.shape, [16, 6, 5, 5]);
});

test('checkpoint dicts: weights under model_state_dict / net / model / state_dict, epoch read', () => {
  const ref = tensors(P('lenet.pt')).map;
  const ck = tensors(P('lenet_checkpoint.pth'));
  assert.equal(ck.c.epoch, 3);
  assert.equal(ck.c.metadata.weightsKey, 'model_state_dict');
  assert.deepEqual(ck.map.get('fc1.weight'), ref.get('fc1.weight'));
  assert.equal(tensors(P('mlp_net.pth')).c.metadata.weightsKey, 'net');
  const vgg = tensors(P('vgg_model.pth'));
  assert.equal(vgg.c.metadata.weightsKey, 'model');
  assert.equal(vgg.c.epoch, 7);
  assert.equal(tensors(P('resnet_state.pt')).c.metadata.weightsKey, 'state_dict');
});

test('Lightning .ckpt: model. prefix stripped, epoch, global_step and best_model_score read', () => {
  const { c, map } = tensors(P('lightning.ckpt'));
  assert.deepEqual([...map.keys()], LENET);
  assert.equal(c.epoch, 4);
  assert.equal(c.metadata.global_step, 400);
  assert.equal(c.metadata.strippedPrefix, 'model.');
  assert.ok(Math.abs((c.metadata.best_model_score as number) - 0.8123) < 1e-6);
  assert.equal(c.metadata.monitor, 'val_acc');
});

test('float16 and bfloat16 are widened to float32 within their precision', () => {
  const ref = tensors(P('lenet.pt')).map.get('fc1.weight')!.values;
  for (const [f, dtype, tol] of [['lenet_fp16.pt', 'float16', 1e-3], ['lenet_bf16.pt', 'bfloat16', 8e-3]] as const) {
    const t = tensors(P(f)).map.get('fc1.weight')!;
    assert.equal(t.dtype, dtype);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(t.values[i] - ref[i]) / Math.max(1e-2, Math.abs(ref[i])));
    assert.ok(worst < tol, `${f}: worst relative error ${worst}`);
  }
});

test('views: shared storages, storage offsets and transposed strides read as torch shows them', () => {
  const exp = JSON.parse(fs.readFileSync(path.join(FIX, 'expected', 'views_values.json'), 'utf8'));
  const { map } = tensors(path.join(FIX, exp.fixture));
  let checked = 0;
  for (const [name, t] of Object.entries<{ shape: number[]; values: number[]; stride: number[] }>(exp.tensors)) {
    const got = map.get(name)!;
    assert.deepEqual(got.shape, t.shape, name);
    assert.equal(got.values.length, t.values.length, name);
    t.values.forEach((v, i) => assert.equal(got.values[i], Math.fround(v), `${name}[${i}]`));
    checked++;
  }
  assert.ok(checked >= 4);
  assert.ok(Object.values<{ stride: number[]; shape: number[] }>(exp.tensors).some((t) => t.stride.length === 2 && t.stride[0] === 1 && t.shape[1] > 1), 'a transposed view is covered');
});

test('bad input: every failure names the file and the problem', () => {
  const cases: [string, RegExp][] = [
    [P('empty.pt'), /empty\.pt: .*(no tensors|not a state dict)/],
    [path.join(FIX, 'hostile', 'truncated.pt'), /truncated\.pt: .*(end-of-central-directory|past the end)/],
    [path.join(FIX, 'hostile', 'truncated_legacy.pt'), /truncated_legacy\.pt: .*(past the end|remain)/],
    [path.join(FIX, 'hostile', 'bad_magic.pt'), /bad_magic\.pt: .*pickle/],
  ];
  for (const [file, re] of cases) {
    assert.throws(() => openCheckpoint(file), (e: unknown) => e instanceof InputError && re.test((e as Error).message), file);
  }
});

test('an unknown format and a missing file are named errors too', () => {
  const tmp = fs.mkdtempSync('/tmp/td-unknown-');
  const f = path.join(tmp, 'weights.pt');
  fs.writeFileSync(f, 'this is not a checkpoint');
  assert.throws(() => openCheckpoint(f), /weights\.pt: unknown checkpoint format/);
  assert.throws(() => openCheckpoint(path.join(tmp, 'missing.pt')), /missing\.pt: cannot read file/);
  // A pickle whose sizes point past the end of the file.
  fs.writeFileSync(f, Buffer.from([0x80, 0x02, 0x42, 0xff, 0xff, 0xff, 0x7f, 0x00]));
  assert.throws(() => openCheckpoint(f), (e: unknown) => e instanceof FormatError && /weights\.pt: pickle BINBYTES declares 2147483647 bytes/.test((e as Error).message));
});

test('a tied weight (one tensor under two keys, as GPT-2 saves wte and lm_head) keeps both names', () => {
  // Written by torch.save({'wte.weight': t, 'fc.weight': ..., 'lm_head.weight': t}): the pickle
  // memoizes t, so both keys hold the same tensor object.
  const c = openCheckpoint(path.join(__dirname, '..', 'fixtures', 'pytorch', 'tied_weights.pt'));
  try {
    assert.deepEqual(c.tensors.map((t) => t.name), ['wte.weight', 'fc.weight', 'lm_head.weight']);
    const [wte, , head] = c.tensors;
    assert.deepEqual([...head.read()], [...wte.read()]);
    assert.deepEqual(head.shape, [10, 4]);
    assert.equal(head.sameAs, wte, 'the second name knows it holds the first one\'s values');
  } finally {
    c.close();
  }
});
