/**
 * Mutations of a tensor listing that keep the file self-consistent, so that they get past the
 * readers' size checks and reach wiring recovery and the graph builder with valid bytes: a tensor
 * reshaped to another factorisation of its element count, renamed (to module paths that mean
 * residual blocks, shortcuts, norms, or to junk), given another tensor's place, dropped,
 * duplicated as an alias of the same bytes, or re-typed to a dtype of the same width.
 */
import { Rng } from '../rng';

export interface Listed {
  name: string;
  shape: number[];
  dtype: string;
}

/** A random shape of rank 1-5 with the given element count (ones included). */
export function refactor(n: number, rng: Rng): number[] {
  if (n <= 1) return rng.pick([[n], [1, n], [n, 1, 1, 1], []]);
  const primes: number[] = [];
  let m = n;
  // Trial division up to 1e5: enough for tensor sizes; a huge count keeps its big factor whole.
  for (let p = 2; p * p <= m && p < 100000 && primes.length < 64; p++) {
    while (m % p === 0) {
      primes.push(p);
      m /= p;
    }
  }
  if (m > 1) primes.push(m);
  const rank = rng.range(1, 5);
  const dims = new Array(rank).fill(1);
  for (const p of primes) dims[rng.int(rank)] *= p;
  return dims;
}

const NAME_PARTS = ['layer1.0.downsample.0', 'layer2.1.shortcut', 'features.3.conv.1', 'features.0', 'classifier.1', 'bn1', 'conv1', 'fc', 'model.', 'module.', '', '.', '..', 'a..b', 'x'.repeat(300), '__proto__', 'constructor', 'layer1.0.conv2', 'skip', 'proj_shortcut'];
const PARAMS = ['weight', 'bias', 'running_var', 'running_mean', 'num_batches_tracked', 'gamma', 'kernel', ''];

export function mutateListing<T extends Listed>(items: T[], rng: Rng, widthOf: (dtype: string) => number | undefined, dtypes: string[]): string {
  if (!items.length) return 'empty listing';
  const i = rng.int(items.length);
  const t = items[i];
  switch (rng.int(6)) {
    case 0: {
      const n = t.shape.reduce((a, b) => a * b, 1);
      t.shape = refactor(n, rng);
      return `'${t.name}' reshaped to [${t.shape}]`;
    }
    case 1: {
      const old = t.name;
      t.name = rng.chance(0.5) ? `${rng.pick(NAME_PARTS)}.${rng.pick(PARAMS)}` : old.replace(/^[^.]*/, rng.pick(NAME_PARTS));
      return `'${old}' renamed '${t.name}'`;
    }
    case 2: {
      const j = rng.int(items.length);
      [items[i].name, items[j].name] = [items[j].name, items[i].name];
      return `names of '${items[i].name}' and '${items[j].name}' swapped`;
    }
    case 3:
      items.splice(i, 1);
      return `'${t.name}' dropped`;
    case 4: {
      const alias = { ...t, name: `${t.name.replace(/\.[^.]*$/, '')}.${rng.pick(PARAMS)}` };
      items.splice(rng.int(items.length + 1), 0, alias);
      return `'${t.name}' aliased as '${alias.name}'`;
    }
    default: {
      const w = widthOf(t.dtype);
      const same = dtypes.filter((d) => widthOf(d) === w && d !== t.dtype);
      if (!same.length) return 'no dtype of the same width';
      const old = t.dtype;
      t.dtype = rng.pick(same);
      return `'${t.name}' re-typed ${old} -> ${t.dtype}`;
    }
  }
}
