// Architecture families (test/fixtures/architectures, written by scripts/fixtures/make_architectures.py
// with Debian's torch and torchvision) against the independent Python construction in
// scripts/fixtures/reference_architectures.py: nodes, edges, connected components, the top
// eigenvalue and the layer groups; and the wiring rules around them (ambiguity, layer-local, SE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCheckpoint, analyzeCheckpointFull } from '../../src/engine/analyze-checkpoint';

const DIR = path.join(__dirname, '..', 'fixtures', 'architectures');
const expected: Record<string, { nodes: number; edges: number; components: number; eigenvalue: number; groups: [string, number][] }> = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8'));

test('every family of the issue has a fixture and a reference', () => {
  for (const n of ['densenet', 'googlenet', 'squeezenet', 'shufflenet', 'regnet', 'convnext', 'efficientnet', 'mobilenet_v3', 'swin', 'vit_torchvision', 'transformer_encoder', 'transformer_seq2seq', 'lstm', 'gru', 'nanogpt', 'gpt2_hf', 'bert_hf', 'roberta_hf', 'llama_hf', 'mistral_hf', 'vit_hf']) {
    assert.ok(expected[n], n);
    assert.ok(fs.statSync(path.join(DIR, n, 'model.pt')).size < 5 << 20, `${n} under 5 MB`);
  }
});

for (const [name, exp] of Object.entries(expected)) {
  test(`${name}: one connected graph, as the Python construction builds it`, () => {
    const a = analyzeCheckpoint(path.join(DIR, name, 'model.pt'), { eigen: { tol: 1e-10 } });
    assert.equal(a.graph.nodes, exp.nodes, 'nodes');
    assert.equal(a.graph.edges, exp.edges, 'edges');
    assert.equal(a.graph.components, 1, 'components');
    assert.equal(exp.components, 1, 'reference components');
    assert.notEqual(a.graph.wiring, 'layer-local');
    assert.ok(Math.abs(a.eigenvalue - exp.eigenvalue) <= 1e-5 * exp.eigenvalue, `eigenvalue ${a.eigenvalue} vs ${exp.eigenvalue}`);
    assert.deepEqual(a.layers.map((l) => [l.name, l.nodes]), exp.groups, 'groups');
    if (fs.existsSync(path.join(DIR, name, 'config.json'))) assert.equal(a.graph.wiring, 'config');
    if (name === 'two_branch') assert.ok(a.warnings.some((w) => /ambiguous/.test(w) && /'left' and 'right'/.test(w) && /ONNX/.test(w)), a.warnings.join('\n'));
  });
}

test('squeeze-excitation is connected: fc1 reads the gated channels and fc2 writes back into them', () => {
  for (const n of ['efficientnet', 'mobilenet_v3', 'regnet']) {
    const { analysis, graph } = analyzeCheckpointFull(path.join(DIR, n, 'model.pt'));
    assert.equal(analysis.graph.components, 1, n);
    const fc1 = graph.groups.findIndex((g) => g.name.endsWith('.fc1'));
    assert.ok(fc1 > 0, n);
    const into = graph.blocks.find((b) => b.src === fc1 && b.op.endsWith('.fc2'));
    const from = graph.blocks.find((b) => b.dst === fc1);
    assert.ok(into && from && into.dst === from.src, `${n}: fc2 gates the group fc1 reads`);
  }
});

test('Swin keeps its relative-position tables as a per-head attribute, not edges', () => {
  const { graph } = analyzeCheckpointFull(path.join(DIR, 'swin', 'model.pt'));
  const heads = graph.groups.find((g) => g.name === 'features.1.0.attn.heads')!;
  assert.equal(heads.size, 2);
  assert.equal(heads.attributes?.relativePositionBias?.length, 2);
});

test('without a config, head counts are assumed and said; nanoGPT reads them from model_args', () => {
  const enc = analyzeCheckpoint(path.join(DIR, 'transformer_encoder', 'model.pt'));
  assert.ok(enc.warnings.some((w) => /attention heads are not stored/.test(w)));
  const gpt = analyzeCheckpoint(path.join(DIR, 'nanogpt', 'model.pt'));
  assert.ok(!gpt.warnings.some((w) => /attention heads are not stored/.test(w)), gpt.warnings.join('\n'));
  assert.equal(gpt.layers.find((l) => l.name === 'transformer.h.0.attn.heads')?.nodes, 2);
});

test('ONNX: a concatenating export wires (Concat along channels)', () => {
  for (const f of ['onnx/concat.onnx', path.join('..', 'onnx', 'concat.onnx')]) {
    const a = analyzeCheckpoint(path.join(DIR, f));
    assert.equal(a.graph.wiring, 'onnx', f);
    assert.equal(a.graph.components, 1, f);
  }
  // stem 8 → a 4, b 6 → concat 10 → fc 5: 3 + 8 + 4 + 6 + 5 nodes.
  assert.equal(analyzeCheckpoint(path.join(DIR, 'onnx', 'concat.onnx')).graph.nodes, 26);
});

test('a weightless ONNX export in the run folder wires its state-dict checkpoints by name', () => {
  const a = analyzeCheckpoint(path.join(DIR, 'wired_run', 'epoch_1.pt'));
  assert.equal(a.graph.wiring, 'onnx');
  assert.equal(a.graph.components, 1);
  // left and right are summed: right's edges go into left's group (3 + 8 + 8 + 5 nodes, not the chain's 3 + 8 + 8 + 8 + 5).
  assert.equal(a.graph.nodes, 24);
  assert.ok(!a.warnings.some((w) => /ambiguous/.test(w)));
});

test('names that no recogniser or chain can follow fall back to layer-local, said in words', () => {
  const a = analyzeCheckpoint(path.join(DIR, 'onnx', 'tiny_gpt.onnx'));
  assert.equal(a.graph.wiring, 'layer-local');
  assert.ok(a.warnings.some((w) => /layer-local/.test(w)));
  assert.ok(a.layers.filter((l) => l.kind !== 'input').every((l) => Number.isFinite(l.weightedDegree.mean)));
});
