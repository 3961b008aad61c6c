// The same network written in every format must give the same rolled graph as its PyTorch
// original, whose values come from the independent Python reference (test/fixtures/expected).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCheckpoint } from '../../src/engine/analyze-checkpoint';

const FIX = path.join(__dirname, '..', 'fixtures');
const expected = (name: string) => JSON.parse(fs.readFileSync(path.join(FIX, 'expected', `${name}.json`), 'utf8'));

// [file, reference, what it proves]
const CASES: [string, string, string][] = [
  ['formats/lenet.safetensors', 'lenet', 'safetensors'],
  ['formats/lenet_f16.safetensors', 'lenet_fp16', 'safetensors float16'],
  ['formats/lenet_bf16.safetensors', 'lenet_bf16', 'safetensors bfloat16'],
  ['formats/resnet_small.safetensors', 'resnet_small', 'safetensors, residual wiring from names'],
  ['formats/depthwise.safetensors', 'depthwise', 'safetensors, depthwise convs'],
  ['formats/vgg_bn.npz', 'vgg_bn', 'npz, BatchNorm folding'],
  ['formats/vgg_bn_sorted.safetensors', 'vgg_bn', 'safetensors sorted by name: layer order recovered from shapes'],
  ['formats/depthwise_fortran.npz', 'depthwise', 'npz with Fortran-order arrays'],
  ['formats/mlp_compressed.npz', 'mlp', 'deflated npz'],
  ['formats/lenet.h5', 'lenet', 'Keras 2 HDF5, channels-last flatten'],
  ['formats/vgg_bn.h5', 'vgg_bn', 'Keras 2 HDF5 with BatchNorm'],
  ['formats/resnet_small.h5', 'resnet_small', 'Keras 2 HDF5 functional model with Add'],
  ['formats/depthwise.h5', 'depthwise', 'Keras DepthwiseConv2D'],
  ['formats/mlp_weights.h5', 'mlp', 'Keras save_weights file'],
  ['formats/lenet.keras', 'lenet', 'Keras 3 .keras'],
  ['formats/lenet_tfjs/model.json', 'lenet', 'TF.js model.json + shards'],
  ['onnx/lenet.onnx', 'lenet', 'ONNX'],
  ['onnx/resnet_small.onnx', 'resnet_small', 'ONNX graph wiring with Add, BN folded by the exporter'],
  ['onnx/vgg_bn_folded.onnx', 'vgg_bn', 'ONNX with BN folded into conv'],
  ['onnx/depthwise.onnx', 'depthwise', 'ONNX grouped conv'],
  ['onnx/external/model.onnx', 'resnet_small', 'ONNX with external data'],
];

for (const [file, ref, what] of CASES) {
  test(`${file} (${what}) gives the reference graph of ${ref}`, () => {
    const exp = expected(ref);
    const a = analyzeCheckpoint(path.join(FIX, file), { eigen: { tol: 1e-10 } });
    assert.equal(a.graph.nodes, exp.nodes, 'nodes');
    assert.equal(a.graph.edges, exp.edges, 'edges');
    assert.ok(Math.abs(a.eigenvalue - exp.eigenvalue) < 2e-6 * exp.eigenvalue, `eigenvalue ${a.eigenvalue} vs ${exp.eigenvalue}`);
    assert.deepEqual(a.layers.map((l) => l.nodes), exp.groups.map((g: { nodes: number }) => g.nodes), 'layer sizes');
    a.layers.forEach((l, i) => {
      const g = exp.groups[i];
      assert.ok(Math.abs(l.weightedDegree.mean - g.degreeTotal.mean) < 1e-4 * Math.max(1, g.degreeTotal.mean), `layer ${i} degree mean ${l.weightedDegree.mean} vs ${g.degreeTotal.mean}`);
      assert.ok(Math.abs(l.eigenvectorCentrality.max - g.centrality.max) < 1e-5, `layer ${i} centrality max`);
    });
  });
}

test('an ONNX graph with a Concat wires: the consumer reads both branches', () => {
  const a = analyzeCheckpoint(path.join(FIX, 'onnx/concat.onnx'));
  assert.equal(a.graph.wiring, 'onnx');
  assert.equal(a.graph.components, 1);
});

test('unrolled size of a ResNet: an ImageNet stem downsamples by 4 whether the input size is inferred or given', () => {
  const file = path.join(FIX, 'pytorch', 'resnet18_narrow.pt');
  const inferred = analyzeCheckpoint(file).graph;
  const given = analyzeCheckpoint(file, { inputSize: 224 }).graph;
  assert.equal(inferred.inputSize, 224);
  assert.equal(given.unrolledEdges, inferred.unrolledEdges);
  assert.equal(given.unrolledNodes, inferred.unrolledNodes);
  // Twice the input side: four times the positions in every conv layer.
  const doubled = analyzeCheckpoint(file, { inputSize: 448 }).graph;
  assert.ok(doubled.unrolledEdges > 3.9 * given.unrolledEdges && doubled.unrolledEdges < 4.1 * given.unrolledEdges, `${doubled.unrolledEdges} vs ${given.unrolledEdges}`);
});
