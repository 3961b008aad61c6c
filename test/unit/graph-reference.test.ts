// The rolled graph of real PyTorch checkpoints against an independent Python implementation
// (scripts/fixtures/reference_graph.py: wiring from torch.fx, centrality from networkx / scipy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCheckpointFull } from '../../src/engine/analyze-checkpoint';

const FIX = path.join(__dirname, '..', 'fixtures');
const expectedFiles = fs.readdirSync(path.join(FIX, 'expected')).filter((f) => f.endsWith('.json') && !f.endsWith('_values.json'));

const rel = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol * Math.max(1e-3, Math.abs(b));

test('there is a reference for every architecture the issue names', () => {
  for (const n of ['mlp', 'lenet', 'vgg_bn', 'resnet_small', 'depthwise', 'resnet18_narrow', 'mobilenet_v2']) assert.ok(expectedFiles.includes(`${n}.json`), n);
});

for (const f of expectedFiles) {
  const exp = JSON.parse(fs.readFileSync(path.join(FIX, 'expected', f), 'utf8'));
  test(`${exp.fixture}: rolled graph matches the Python reference`, () => {
    const { analysis, graph, nodes } = analyzeCheckpointFull(path.join(FIX, exp.fixture), { eigen: { tol: 1e-10 } });
    assert.equal(analysis.graph.nodes, exp.nodes, 'nodes');
    assert.equal(analysis.graph.edges, exp.edges, 'edges');
    assert.ok(rel(analysis.eigenvalue, exp.eigenvalue, 1e-6), `eigenvalue ${analysis.eigenvalue} vs ${exp.eigenvalue}`);
    assert.deepEqual(analysis.layers.map((l) => [l.name, l.nodes]), exp.groups.map((g: { name: string; nodes: number }) => [g.name, g.nodes]), 'groups');
    analysis.layers.forEach((l, i) => {
      const g = exp.groups[i];
      for (const s of ['mean', 'std', 'min', 'median', 'max'] as const) {
        // Degrees sum float32 weights: relative 1e-5. Centrality: absolute 1e-6 on unit-norm vectors.
        assert.ok(rel(l.weightedDegree[s], g.degreeTotal[s], 1e-5), `${l.name} degree ${s}: ${l.weightedDegree[s]} vs ${g.degreeTotal[s]}`);
        assert.ok(rel(l.inDegree[s], g.degreeIn[s], 1e-5), `${l.name} in-degree ${s}`);
        assert.ok(rel(l.outDegree[s], g.degreeOut[s], 1e-5), `${l.name} out-degree ${s}`);
        assert.ok(Math.abs(l.eigenvectorCentrality[s] - g.centrality[s]) < 1e-6, `${l.name} centrality ${s}: ${l.eigenvectorCentrality[s]} vs ${g.centrality[s]}`);
      }
    });
    for (const s of exp.sampleNodes) {
      const grp = graph.groups.find((g) => g.name === s.group)!;
      const i = grp.offset + s.index;
      assert.ok(rel(nodes.degree[i], s.degreeTotal, 1e-5), `${s.group}[${s.index}] degree`);
      assert.ok(Math.abs(nodes.centrality[i] - s.centrality) < 1e-6, `${s.group}[${s.index}] centrality ${nodes.centrality[i]} vs ${s.centrality}`);
    }
  });
}
