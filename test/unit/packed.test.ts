// Edge weights packed as scaled 16-bit floats (graph/packed.ts): the conversion rounds to nearest,
// and a real network's graph gives the same degrees and eigenvalue packed or not, within the
// rounding the warning states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { openCheckpoint } from '../../src/engine/readers/index';
import { wireCheckpoint } from '../../src/engine/graph/wire';
import { buildRolledGraph } from '../../src/engine/graph/rolled';
import { floatToHalf, pack, unpackRange } from '../../src/engine/graph/packed';
import { halfToFloat } from '../../src/engine/tensor';
import { weightedDegree } from '../../src/engine/metrics/degree';
import { eigenvectorCentrality } from '../../src/engine/metrics/eigenvector';

test('floatToHalf rounds to the nearest half, ties to even, and keeps subnormals', () => {
  for (const [v, h] of [[1, 0x3c00], [0.5, 0x3800], [65504, 0x7bff], [2 ** -24, 0x0001], [2 ** -14, 0x0400], [0, 0], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02]] as const) {
    assert.equal(floatToHalf(v), h, `${v}`);
  }
  let worst = 0;
  for (let i = 1; i < 5000; i++) {
    const v = Math.exp(Math.sin(i) * 9);
    worst = Math.max(worst, Math.abs(halfToFloat(floatToHalf(v)) - v) / v);
  }
  assert.ok(worst <= 2 ** -11, `worst relative rounding ${worst}`);
});

test('pack: scaled by the block maximum, every weight within 2⁻¹¹ relative', () => {
  const w = Float32Array.from({ length: 1000 }, (_, i) => Math.abs(Math.sin(i)) * 1e6);
  const p = pack(w);
  const back = unpackRange(p, 0, w.length, new Float32Array(w.length));
  for (let i = 0; i < w.length; i++) if (w[i] > 1e-3) assert.ok(Math.abs(back[i] - w[i]) / w[i] <= 2 ** -11 + 1e-7, `${i}: ${back[i]} vs ${w[i]}`);
});

test('a packed graph has the degrees and eigenvalue of the float32 one within the stated rounding', () => {
  const file = path.join(__dirname, '..', 'fixtures', 'architectures', 'gpt2_hf', 'model.pt');
  const c = openCheckpoint(file);
  try {
    const { ops } = wireCheckpoint(c);
    const exact = buildRolledGraph(ops, { file });
    const packed = buildRolledGraph(ops, { file, packAboveEdges: 0, packMinBlock: 1 });
    assert.ok(packed.blocks.filter((b) => b.kind !== 'identity').every((b) => b.packed && b.weights.length === 0), 'every weighted block is packed');
    assert.ok(packed.warnings.some((w) => /16-bit floats/.test(w)));
    assert.equal(packed.edgeCount, exact.edgeCount);
    const de = weightedDegree(exact).total;
    const dp = weightedDegree(packed).total;
    for (let i = 0; i < de.length; i++) assert.ok(Math.abs(dp[i] - de[i]) <= 2 ** -11 * de[i] + 1e-9, `node ${i}`);
    const le = eigenvectorCentrality(exact).eigenvalue;
    const lp = eigenvectorCentrality(packed).eigenvalue;
    assert.ok(Math.abs(lp - le) / le <= 2 ** -11, `${lp} vs ${le}`);
  } finally {
    c.close();
  }
});
