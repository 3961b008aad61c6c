/**
 * JSON-aware mutations for the JSON inside checkpoints: the safetensors header, TF.js model.json,
 * the Keras config. A random value of the document (biased towards the keys the readers trust:
 * shapes, offsets, dtypes, shard paths, layer wiring) is replaced by a value that breaks
 * arithmetic, types or paths, or a container is shuffled, duplicated or emptied.
 */
import { Rng } from '../rng';

type J = null | boolean | number | string | J[] | { [k: string]: J };

const KEYS_OF_INTEREST = /^(shape|data_offsets|dtype|paths|weights|name|quantization|scale|min|inbound_nodes|class_name|config|layers|groups|epsilon|__metadata__|weightsManifest|modelTopology|format|data_format|filters|units|kernel_size)$/;

function deepArray(depth: number): J {
  let v: J = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function interesting(rng: Rng, old: J): J {
  return rng.pick<() => J>([
    () => 0, () => -1, () => 1.5, () => 2 ** 31, () => 2 ** 53, () => 2 ** 64, () => 1e308, () => -1e308, () => Number.MIN_VALUE,
    () => '', () => '../../etc/passwd', () => '/etc/passwd', () => 'https://example.invalid/x.bin', () => '%2e%2e%2fx.bin', () => 'x'.repeat(100000),
    () => null, () => true, () => [], () => ({}), () => [0, 2 ** 40], () => [2 ** 53, 2 ** 53], () => [-8, 8], () => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
    () => new Array(1000).fill(1), () => deepArray(5000), () => JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}}') as J,
    () => 'F64', () => 'I8', () => 'BOOL', () => 'U64', () => 'float16', () => 'uint16', () => 'complex64', () => 'string',
    () => (typeof old === 'number' ? old + 1 : 1), () => (typeof old === 'number' ? old * 1000003 : 7), () => (Array.isArray(old) ? [...old, ...old] : [old]),
    () => (Array.isArray(old) ? old.slice(0, -1) : old), () => (typeof old === 'string' ? old.slice(0, old.length >> 1) : String(old)),
  ])();
}

interface Slot {
  parent: J[] | { [k: string]: J };
  key: string | number;
  value: J;
}

function slots(v: J, out: Slot[] = []): Slot[] {
  const entries: [string | number, J][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : v && typeof v === 'object' ? Object.entries(v) : [];
  for (const [k, x] of entries) {
    out.push({ parent: v as Slot["parent"], key: k, value: x });
    slots(x, out);
  }
  return out;
}

/** Mutates the JSON document `text`; returns the new text (not necessarily the same length). */
export function mutateJsonText(text: string, rng: Rng): { text: string; desc: string } {
  let doc: J;
  try {
    doc = JSON.parse(text) as J;
  } catch {
    return { text, desc: 'not JSON: unchanged' };
  }
  const all = slots(doc);
  if (!all.length) return { text: '{}', desc: 'empty document' };
  const hot = all.filter((s) => typeof s.key === 'string' ? KEYS_OF_INTEREST.test(s.key) : false);
  const inHot = all.filter((s) => hot.some((h) => h.value === s.parent));
  const pool = rng.chance(0.7) && hot.length ? (rng.chance(0.5) && inHot.length ? inHot : hot) : all;
  const s = rng.pick(pool);
  const set = (v: J): void => {
    (s.parent as Record<string | number, J>)[s.key] = v;
  };
  let desc: string;
  const k = rng.int(10);
  if (k < 7) {
    const v = interesting(rng, s.value);
    set(v);
    desc = `${String(s.key)} := ${JSON.stringify(v)?.slice(0, 60)}`;
  } else if (k === 7 && Array.isArray(s.value) && s.value.length > 1) {
    const a = s.value.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    set(a);
    desc = `${String(s.key)} shuffled`;
  } else if (k === 8 && Array.isArray(s.parent)) {
    s.parent.splice(Number(s.key), 0, s.value);
    desc = `element ${String(s.key)} duplicated`;
  } else {
    if (Array.isArray(s.parent)) s.parent.splice(Number(s.key), 1);
    else delete (s.parent as Record<string, J>)[s.key as string];
    desc = `${String(s.key)} deleted`;
  }
  return { text: JSON.stringify(doc), desc };
}
