/**
 * Colour handling for the dashboard: parsing the theme's computed CSS colours, perceptual
 * interpolation (OKLab), the sequential and diverging scales used for the network, and a short
 * hash of the colours applied (the `data-colors` attribute the UI tests read). Pure functions.
 */

export interface RGBA {
  r: number; // 0..255
  g: number;
  b: number;
  a: number; // 0..1
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
const clamp255 = (x: number): number => Math.round(x < 0 ? 0 : x > 255 ? 255 : x);

/** Parses `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(…)` and `rgba(…)` (comma or space syntax). */
export function parseColor(text: string | null | undefined): RGBA | null {
  if (!text) return null;
  const s = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    const h = m[1];
    if (h.length === 3 || h.length === 4) {
      const v = [...h].map((c) => parseInt(c + c, 16));
      return { r: v[0], g: v[1], b: v[2], a: h.length === 4 ? v[3] / 255 : 1 };
    }
    if (h.length === 6 || h.length === 8) {
      const v = [0, 2, 4, 6].map((i) => parseInt(h.slice(i, i + 2), 16));
      return { r: v[0], g: v[1], b: v[2], a: h.length === 8 ? v[3] / 255 : 1 };
    }
    return null;
  }
  m = /^rgba?\(\s*([^)]*)\)$/.exec(s);
  if (m) {
    const parts = m[1].split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 3) return null;
    const ch = (p: string): number => (p.endsWith('%') ? (parseFloat(p) * 255) / 100 : parseFloat(p));
    const [r, g, b] = parts.slice(0, 3).map(ch);
    let a = 1;
    if (parts[3] !== undefined) a = parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3]);
    if (![r, g, b, a].every(Number.isFinite)) return null;
    return { r: clamp255(r), g: clamp255(g), b: clamp255(b), a: clamp01(a) };
  }
  return null;
}

const hex2 = (v: number): string => clamp255(v).toString(16).padStart(2, '0');

/** `#rrggbb` (alpha dropped: composite onto a background first with `over`). */
export function toHex(c: RGBA): string {
  return `#${hex2(c.r)}${hex2(c.g)}${hex2(c.b)}`;
}

/** `c` composited over an opaque background. */
export function over(c: RGBA, bg: RGBA): RGBA {
  const a = c.a;
  return { r: c.r * a + bg.r * (1 - a), g: c.g * a + bg.g * (1 - a), b: c.b * a + bg.b * (1 - a), a: 1 };
}

// --- OKLab (Björn Ottosson, 2020): interpolation that looks even to the eye -------------------

const toLinear = (v: number): number => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
};
const fromLinear = (c: number): number => 255 * (c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(Math.max(c, 0), 1 / 2.4) - 0.055);

type Lab = [number, number, number];

export function toOklab(c: RGBA): Lab {
  const r = toLinear(c.r), g = toLinear(c.g), b = toLinear(c.b);
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

export function fromOklab([L, A, B]: Lab): RGBA {
  const l = (L + 0.3963377774 * A + 0.2158037573 * B) ** 3;
  const m = (L - 0.1055613458 * A - 0.0638541728 * B) ** 3;
  const s = (L - 0.0894841775 * A - 1.291485548 * B) ** 3;
  return {
    r: clamp255(fromLinear(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s)),
    g: clamp255(fromLinear(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s)),
    b: clamp255(fromLinear(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s)),
    a: 1,
  };
}

/** Perceptual mix: t = 0 gives a, t = 1 gives b. */
export function mix(a: RGBA, b: RGBA, t: number): RGBA {
  const p = toOklab(a), q = toOklab(b);
  const u = clamp01(t);
  return fromOklab([p[0] + (q[0] - p[0]) * u, p[1] + (q[1] - p[1]) * u, p[2] + (q[2] - p[2]) * u]);
}

/** Relative luminance (WCAG), 0..1. */
export function luminance(c: RGBA): number {
  return 0.2126 * toLinear(c.r) + 0.7152 * toLinear(c.g) + 0.0722 * toLinear(c.b);
}

export type Scale = (t: number) => string;

/**
 * A scale through `stops` (evenly spaced on 0..1), interpolated in OKLab and precomputed into
 * `steps` bins so that applying it to thousands of nodes is a table lookup.
 */
export function sequentialScale(stops: RGBA[], steps = 256): Scale {
  if (stops.length === 0) throw new Error('a scale needs at least one colour');
  const table: string[] = [];
  for (let i = 0; i < steps; i++) {
    const t = steps === 1 ? 0 : i / (steps - 1);
    if (stops.length === 1) {
      table.push(toHex(stops[0]));
      continue;
    }
    const pos = t * (stops.length - 1);
    const k = Math.min(Math.floor(pos), stops.length - 2);
    table.push(toHex(mix(stops[k], stops[k + 1], pos - k)));
  }
  return (t: number) => table[Math.round(clamp01(Number.isFinite(t) ? t : 0) * (steps - 1))];
}

/** A diverging scale on -1..1: `neg` at -1, `mid` at 0, `pos` at 1. */
export function divergingScale(neg: RGBA, mid: RGBA, pos: RGBA, steps = 257): Scale {
  const seq = sequentialScale([neg, mid, pos], steps);
  return (t: number) => seq(((Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0) + 1) / 2);
}

/** Maps a value in [lo, hi] to 0..1, with an optional power (0.5 = square root) for skewed data. */
export function normalize(v: number, lo: number, hi: number, power = 1): number {
  if (!Number.isFinite(v) || !(hi > lo)) return 0;
  const t = clamp01((v - lo) / (hi - lo));
  return power === 1 ? t : Math.pow(t, power);
}

/** FNV-1a (32 bit) of the joined colours, as 8 hex digits: changes whenever any colour changes. */
export function hashColors(colors: readonly string[]): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < colors.length; i++) {
    const s = colors[i];
    for (let j = 0; j < s.length; j++) {
      h ^= s.charCodeAt(j);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x7c; // separator '|'
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
