// In-memory tensors for unit tests of the graph and metrics code (the readers are tested on real files).
import type { TensorEntry } from '../../src/engine/tensor';

export function tensor(name: string, shape: number[], values: ArrayLike<number> | ((i: number) => number)): TensorEntry {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = typeof values === 'function' ? values(i) : values[i];
  return { name, dtype: 'float32', shape, storedElements: n, read: () => data.slice() };
}

export const filled = (name: string, shape: number[], v: number): TensorEntry => tensor(name, shape, () => v);
