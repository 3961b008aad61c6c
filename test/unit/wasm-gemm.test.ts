// The WebAssembly SIMD matrix product (src/engine/wasm/gemm.ts) against a float64 reference, on
// shapes that exercise its 4×8 tiles and their padding; and its bytes against its source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gemm } from '../../src/engine/wasm/gemm';

function reference(a: Float32Array, b: Float32Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) c[i * m + j] += a[i * k + p] * b[p * m + j];
  return c;
}

test('gemm equals the float64 product within float32 rounding, whatever the shape', () => {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  for (const [n, k, m] of [[1, 1, 1], [3, 5, 7], [4, 8, 8], [5, 9, 17], [64, 64, 64], [13, 130, 9], [2, 300, 33]]) {
    const a = Float32Array.from({ length: n * k }, rnd);
    const b = Float32Array.from({ length: k * m }, rnd);
    const c = gemm(a, b, n, k, m);
    const r = reference(a, b, n, k, m);
    assert.equal(c.length, n * m);
    for (let i = 0; i < r.length; i++) assert.ok(Math.abs(c[i] - r[i]) <= 1e-6 * k + 1e-7, `${n}×${k}×${m} at ${i}: ${c[i]} vs ${r[i]}`);
  }
  assert.throws(() => gemm(new Float32Array(5), new Float32Array(6), 2, 3, 2), RangeError);
});

test('gemm-wasm.ts is what scripts/build-wasm.mjs makes of gemm.wat', async () => {
  const dir = path.join(__dirname, '..', '..', 'src', 'engine', 'wasm');
  // @ts-expect-error: a plain ES module of the build scripts, without types
  const { compileWat, moduleSource } = await import('../../scripts/build-wasm.mjs');
  const src = moduleSource('gemm', await compileWat(path.join(dir, 'gemm.wat')));
  assert.equal(fs.readFileSync(path.join(dir, 'gemm-wasm.ts'), 'utf8'), src);
});
