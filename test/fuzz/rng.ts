/**
 * A small seeded PRNG (mulberry32) so that every fuzz case is reproducible from (seed, reader,
 * case index) alone: a crash report names those three numbers and `npm run fuzz -- --replay`
 * regenerates the exact bytes.
 */
export class Rng {
  private s: number;
  constructor(...parts: (number | string)[]) {
    // FNV-1a over the parts: distinct streams for each (seed, reader, case).
    let h = 0x811c9dc5;
    for (const p of parts.join('/')) {
      h ^= p.charCodeAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    this.s = h || 1;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One of `options` with probability proportional to its weight. */
  weighted<T>(options: readonly [number, T][]): T {
    let total = 0;
    for (const [w] of options) total += w;
    let r = this.next() * total;
    for (const [w, v] of options) {
      r -= w;
      if (r < 0) return v;
    }
    return options[options.length - 1][1];
  }
}

/** Integers that break length and offset arithmetic: 0, ±1, sign and width boundaries, huge. */
export const INTERESTING = [
  0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
  2 ** 32, 2 ** 40, 2 ** 53 - 1, 2 ** 53, 2 ** 62, 2 ** 63, 2 ** 64 - 1,
] as const;
