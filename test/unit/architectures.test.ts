// Architecture families (test/fixtures/architectures, written by scripts/fixtures/make_architectures.py
// with Debian's torch and torchvision) against the independent Python construction in
// scripts/fixtures/reference_architectures.py: nodes, edges, connected components, the top
// eigenvalue and the layer groups; and the wiring rules around them (ambiguity, layer-local, SE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

test('ONNX: transformer exports wire into one connected graph, attention entrywise', () => {
  // Layer groups derived by hand from the models in scripts/fixtures/make_onnx_transformers.py and
  // make_architectures.py (TinyGPT): each residual sum is the group of the branch's last layer (the
  // output projection, the MLP's second layer), the stream joining it by identity edges, as in the
  // names route; a fused q/k/v projection is one group of 3d; SwiGLU's up projection writes into the gate's channels; a position table is an
  // input node of its own whose edges go into the token embedding's channels.
  const cases: Record<string, { layers: string; says: RegExp[] }> = {
    'tiny_gpt.onnx': { layers: 'tokens:1 wte:16 positions:1 q:16 k:16 v:16 o:16 fc:64 proj:16 head:30', says: [/1 attention product/] },
    'gpt_fused.onnx': { layers: 'tokens:1 wte:16 positions:1 h.0.c_attn:48 h.0.c_proj:16 h.0.c_fc:64 h.0.mlp_proj:16 h.1.c_attn:48 h.1.c_proj:16 h.1.c_fc:64 h.1.mlp_proj:16 lm_head:30', says: [/2 attention products/, /fused projection .* equal parts/] },
    'llama_like.onnx': {
      layers: 'tokens:1 embed_tokens:16 layers.0.q_proj:16 layers.0.k_proj:8 layers.0.v_proj:8 layers.0.o_proj:16 layers.0.gate_proj:24 layers.0.down_proj:16 layers.1.q_proj:16 layers.1.k_proj:8 layers.1.v_proj:8 layers.1.o_proj:16 layers.1.gate_proj:24 layers.1.down_proj:16 lm_head:40',
      says: [/gating products/, /grouped-query attention/],
    },
    'encoder_postln.onnx': { layers: 'tokens:1 embed:16 encoder.layers.0.self_attn:48 encoder.layers.0.self_attn.out_proj:16 encoder.layers.0.linear1:32 encoder.layers.0.linear2:16 encoder.layers.1.self_attn:48 encoder.layers.1.self_attn.out_proj:16 encoder.layers.1.linear1:32 encoder.layers.1.linear2:16 classifier:5', says: [/fused projection/] },
  };
  for (const [f, c] of Object.entries(cases)) {
    const a = analyzeCheckpoint(path.join(DIR, 'onnx', f));
    assert.equal(a.graph.wiring, 'onnx', f);
    assert.equal(a.graph.components, 1, f);
    assert.equal(a.layers.map((l) => `${l.name}:${l.nodes}`).join(' '), c.layers, f);
    for (const re of c.says) assert.match(a.warnings.join('\n'), re, f);
    assert.ok(Number.isFinite(a.eigenvalue) && a.eigenvalue > 0, f);
  }
  // torchvision's VisionTransformer: patch conv, class token, position table, nn.MultiheadAttention.
  const vit = analyzeCheckpoint(path.join(DIR, 'onnx', 'vit_tv.onnx'));
  assert.equal(vit.graph.wiring, 'onnx');
  assert.equal(vit.graph.components, 1);
  assert.deepEqual(vit.layers.filter((l) => /self_attention$|out_proj$|mlp\.[03]$|head$/.test(l.name)).map((l) => l.nodes), [48, 16, 32, 16, 48, 16, 32, 16, 10]);
});

test('a weightless ONNX export in the run folder wires its state-dict checkpoints by name', () => {
  const a = analyzeCheckpoint(path.join(DIR, 'wired_run', 'epoch_1.pt'));
  assert.equal(a.graph.wiring, 'onnx');
  assert.equal(a.graph.components, 1);
  // left and right are summed: right's edges go into left's group (3 + 8 + 8 + 5 nodes, not the chain's 3 + 8 + 8 + 8 + 5).
  assert.equal(a.graph.nodes, 24);
  assert.ok(!a.warnings.some((w) => /ambiguous/.test(w)));
});

test('a weightless transformer export (constant folding off, tied head) wires its state-dict checkpoints', () => {
  // nn.Linear exported as MatMul(x, Transpose(W)); lm_head tied to wte, so the export names it once.
  for (const e of [0, 1]) {
    const a = analyzeCheckpoint(path.join(DIR, 'wired_transformer_run', `epoch_${e}.pt`));
    assert.equal(a.graph.wiring, 'onnx');
    assert.equal(a.graph.components, 1);
    assert.equal(a.layers.map((l) => `${l.name}:${l.nodes}`).join(' '), 'tokens:1 wte:16 positions:1 h.0.c_attn:48 h.0.c_proj:16 h.0.c_fc:64 h.0.mlp_proj:16 h.1.c_attn:48 h.1.c_proj:16 h.1.c_fc:64 h.1.mlp_proj:16 lm_head:30');
    assert.match(a.warnings.join('\n'), /'lm_head\.weight' is not in 'model\.onnx' \(tied/);
  }
});

test('an export that names the weights but cannot be followed says so, and the wiring falls back', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-wirefile-'));
  fs.copyFileSync(path.join(DIR, 'wired_transformer_run', 'epoch_0.pt'), path.join(dir, 'epoch_0.pt'));
  // The export with one MatMul turned into an op the walk cannot follow (ConvTranspose holding a weight).
  const model = fs.readFileSync(path.join(DIR, 'wired_transformer_run', 'model.onnx'));
  // The first node whose op_type (NodeProto field 4: tag 0x22, length 6) is MatMul.
  const i = model.indexOf(Buffer.concat([Buffer.from([0x22, 6]), Buffer.from('MatMul')])) + 2;
  fs.writeFileSync(path.join(dir, 'model.onnx'), Buffer.concat([model.subarray(0, i), Buffer.from('MatMuX'), model.subarray(i + 6)]));
  const a = analyzeCheckpoint(path.join(dir, 'epoch_0.pt'));
  assert.notEqual(a.graph.wiring, 'onnx');
  assert.match(a.warnings.join('\n'), /wiring file: 'model\.onnx' names this checkpoint's weights, but its graph could not be followed \(topology not read from the graph: MatMuX node .* holds the weight 'h\.0\.c_attn\.weight'/);
});

test('names that no recogniser or chain can follow fall back to layer-local, said in words', () => {
  // Three weight matrices whose names say nothing and whose shapes chain nowhere ([16,16] → [7,5] → [3,9]).
  const entries = [['enc.alpha', [16, 16]], ['mix.beta', [7, 5]], ['out.gamma', [3, 9]]] as const;
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [name, shape] of entries) {
    header[name] = { dtype: 'F32', shape, data_offsets: [off, off + 4 * shape[0] * shape[1]] };
    off += 4 * shape[0] * shape[1];
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const data = new Float32Array(off / 4).map((_, i) => Math.sin(i + 1));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'td-local-')), 'weights.safetensors');
  fs.writeFileSync(file, Buffer.concat([len, json, Buffer.from(data.buffer)]));
  const a = analyzeCheckpoint(file);
  assert.equal(a.graph.wiring, 'layer-local');
  assert.ok(a.warnings.some((w) => /layer-local/.test(w)));
  assert.ok(a.layers.filter((l) => l.kind !== 'input').every((l) => Number.isFinite(l.weightedDegree.mean)));
});
