/**
 * Protobuf-aware mutations for ONNX ModelProto files. The message tree is parsed with a schema of
 * which fields are sub-messages (model → graph → node/initializer → attribute/external_data), so
 * that a mutation can change one value — a dims varint, a node's input name, an external data
 * location or offset, a raw_data length — and re-serialize a well-formed file whose meaning is
 * wrong; or patch a length varint in place so that it runs past its enclosing message.
 */
import { Rng } from '../rng';
import { Mutation, interestingValue } from './bytes';
import { refactor } from './tensors';

type Value = bigint | Uint8Array | Msg;
interface Field {
  num: number;
  wt: number;
  value: Value;
}
interface Msg {
  type: string;
  fields: Field[];
}

/** Sub-message fields per message type (onnx.proto3). */
const SCHEMA: Record<string, Record<number, string>> = {
  Model: { 7: 'Graph', 8: 'Opset', 14: 'Entry' },
  Graph: { 1: 'Node', 5: 'Tensor', 11: 'ValueInfo', 12: 'ValueInfo', 13: 'ValueInfo' },
  Node: { 5: 'Attribute' },
  Attribute: { 5: 'Tensor', 6: 'Graph' },
  Tensor: { 13: 'Entry' },
};

function readVarint(b: Uint8Array, p: number): [bigint, number] | undefined {
  let v = 0n;
  for (let i = 0; i < 10; i++) {
    if (p + i >= b.length) return undefined;
    v |= BigInt(b[p + i] & 0x7f) << BigInt(7 * i);
    if (!(b[p + i] & 0x80)) return [v, p + i + 1];
  }
  return undefined;
}

export function varint(v: bigint): Uint8Array {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? byte | 0x80 : byte);
  } while (x);
  return new Uint8Array(out);
}

/** Length-varint positions in the original bytes, collected while parsing (for in-place patches). */
interface LenRef {
  at: number;
  width: number;
}

function parse(b: Uint8Array, start: number, end: number, type: string, lens: LenRef[]): Msg | undefined {
  const fields: Field[] = [];
  let p = start;
  while (p < end) {
    const t = readVarint(b, p);
    if (!t) return undefined;
    const num = Number(t[0] >> 3n);
    const wt = Number(t[0] & 7n);
    p = t[1];
    if (wt === 0) {
      const v = readVarint(b, p);
      if (!v) return undefined;
      fields.push({ num, wt, value: v[0] });
      p = v[1];
    } else if (wt === 1 || wt === 5) {
      const n = wt === 1 ? 8 : 4;
      if (p + n > end) return undefined;
      fields.push({ num, wt, value: b.slice(p, p + n) });
      p += n;
    } else if (wt === 2) {
      const l = readVarint(b, p);
      if (!l) return undefined;
      const s = l[1];
      const e = s + Number(l[0]);
      if (e > end) return undefined;
      lens.push({ at: p, width: s - p });
      const sub = SCHEMA[type]?.[num];
      const m = sub ? parse(b, s, e, sub, lens) : undefined;
      fields.push({ num, wt, value: m ?? b.slice(s, e) });
      p = e;
    } else return undefined;
  }
  return { type, fields };
}

function serialize(m: Msg): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of m.fields) {
    parts.push(varint(BigInt((f.num << 3) | f.wt)));
    if (typeof f.value === 'bigint') parts.push(varint(f.value));
    else if (f.value instanceof Uint8Array && f.wt !== 2) parts.push(f.value);
    else {
      const body = f.value instanceof Uint8Array ? f.value : serialize(f.value);
      parts.push(varint(BigInt(body.length)), body);
    }
  }
  return new Uint8Array(Buffer.concat(parts));
}

function messages(m: Msg, out: Msg[] = []): Msg[] {
  out.push(m);
  for (const f of m.fields) if (typeof f.value === 'object' && !(f.value instanceof Uint8Array)) messages(f.value, out);
  return out;
}

const str = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const HOSTILE_LOCATIONS = ['../../etc/passwd', '/etc/passwd', '..\\..\\windows\\win.ini', 'C:/x.bin', 'sub/../../x.bin', '', '.', 'weights.bin\0.txt', 'file:///etc/passwd', '%2e%2e/x.bin', 'weights.bin', 'missing.bin'];

function entry(key: string, value: string): Msg {
  return { type: 'Entry', fields: [{ num: 1, wt: 2, value: str(key) }, { num: 2, wt: 2, value: str(value) }] };
}

/** A random string already in the model (node input/output names, initializer names). */
function someName(all: Msg[], rng: Rng): Uint8Array {
  const names: Uint8Array[] = [];
  for (const m of all) {
    if (m.type === 'Node') for (const f of m.fields) if ((f.num === 1 || f.num === 2) && f.value instanceof Uint8Array) names.push(f.value);
    if (m.type === 'Tensor') for (const f of m.fields) if (f.num === 8 && f.value instanceof Uint8Array) names.push(f.value);
  }
  return names.length ? rng.pick(names) : str('x');
}

export function mutateProtobuf(b: Uint8Array, rng: Rng): Mutation {
  const lens: LenRef[] = [];
  const root = parse(b, 0, b.length, 'Model', lens);
  if (!root) return { bytes: b, desc: 'not a parseable protobuf: unchanged' };
  const what = rng.weighted<string>([[2, 'inplace-length'], [3, 'varint'], [3, 'string'], [2, 'reorder'], [1, 'drop'], [1, 'duplicate'], [1.5, 'external'], [1, 'attribute'], [2, 'reshape']]);
  if (what === 'inplace-length' && lens.length) {
    const l = rng.pick(lens);
    const out = b.slice();
    if (rng.chance(0.5)) {
      // Same width, larger value: the length now runs past its message.
      const max = (1n << BigInt(7 * l.width)) - 1n;
      const v = rng.chance(0.5) ? max : BigInt(rng.int(Number(max > 1000000n ? 1000000n : max)) + 1);
      out.set(varint(v).length === l.width ? varint(v) : varint(max), l.at);
      return { bytes: out, desc: `length varint at ${l.at} (${l.width} bytes) := ${v}` };
    }
    const v = interestingValue(rng, 8);
    const rep = varint(v);
    return { bytes: new Uint8Array(Buffer.concat([b.subarray(0, l.at), rep, b.subarray(l.at + l.width)])), desc: `length varint at ${l.at} := ${v} (${rep.length} bytes)` };
  }
  const all = messages(root);
  const m = rng.pick(all);
  let desc = '';
  switch (what) {
    case 'varint': {
      const fs = all.flatMap((x) => x.fields.filter((f) => typeof f.value === 'bigint').map((f) => [x, f] as const));
      if (!fs.length) break;
      const [owner, f] = rng.pick(fs);
      f.value = rng.chance(0.3) ? BigInt(rng.range(-2, 300)) : interestingValue(rng, 8);
      desc = `${owner.type} field ${f.num} := ${BigInt.asIntN(64, f.value as bigint)}`;
      break;
    }
    case 'string': {
      const fs = all.flatMap((x) => x.fields.filter((f) => f.value instanceof Uint8Array && f.wt === 2).map((f) => [x, f] as const));
      if (!fs.length) break;
      const [owner, f] = rng.pick(fs);
      const old = f.value as Uint8Array;
      const k = rng.int(5);
      f.value = k === 0 ? someName(all, rng) : k === 1 ? old.slice(0, rng.int(old.length + 1)) : k === 2 ? new Uint8Array(Buffer.concat([old, Buffer.alloc(rng.range(1, 64), rng.int(256))])) : k === 3 ? str(rng.pick(HOSTILE_LOCATIONS)) : new Uint8Array(0);
      desc = `${owner.type} field ${f.num} (${old.length} bytes) := ${(f.value as Uint8Array).length} bytes (${['another name', 'truncated', 'extended', 'hostile path', 'empty'][k]})`;
      break;
    }
    case 'reorder': {
      if (m.fields.length < 2) break;
      const i = rng.int(m.fields.length);
      const j = rng.int(m.fields.length);
      [m.fields[i], m.fields[j]] = [m.fields[j], m.fields[i]];
      desc = `${m.type} fields ${i} and ${j} swapped`;
      break;
    }
    case 'drop': {
      if (!m.fields.length) break;
      const i = rng.int(m.fields.length);
      desc = `${m.type} field ${m.fields[i].num} dropped`;
      m.fields.splice(i, 1);
      break;
    }
    case 'duplicate': {
      if (!m.fields.length) break;
      const i = rng.int(m.fields.length);
      m.fields.splice(rng.int(m.fields.length + 1), 0, m.fields[i]);
      desc = `${m.type} field ${m.fields[i].num} duplicated`;
      break;
    }
    case 'external': {
      const ts = all.filter((x) => x.type === 'Tensor');
      if (!ts.length) break;
      const t = rng.pick(ts);
      const loc = rng.pick(HOSTILE_LOCATIONS);
      t.fields.push({ num: 14, wt: 0, value: 1n }, { num: 13, wt: 2, value: entry('location', loc) });
      if (rng.chance(0.5)) t.fields.push({ num: 13, wt: 2, value: entry('offset', String(rng.chance(0.5) ? interestingValue(rng, 8) : rng.int(100))) });
      if (rng.chance(0.5)) t.fields.push({ num: 13, wt: 2, value: entry('length', rng.pick(['-1', '1e9', '0x10', String(interestingValue(rng, 8)), '16'])) });
      if (rng.chance(0.5)) t.fields = t.fields.filter((f) => f.num !== 9);
      desc = `initializer: external data at '${loc}'`;
      break;
    }
    case 'reshape': {
      // Same element count, another shape: passes the data-size checks, changes the wiring.
      const ts = all.filter((x) => x.type === 'Tensor');
      if (!ts.length) break;
      const t = rng.pick(ts);
      const dims: bigint[] = [];
      for (const f of t.fields) {
        if (f.num !== 1) continue;
        if (typeof f.value === 'bigint') dims.push(f.value);
        else if (f.value instanceof Uint8Array) for (let p = 0; p < f.value.length; ) {
          const v = readVarint(f.value, p);
          if (!v) break;
          dims.push(v[0]);
          p = v[1];
        }
      }
      const n = dims.reduce((a, d) => a * Number(d), 1);
      const shape = refactor(n, rng);
      t.fields = t.fields.filter((f) => f.num !== 1);
      t.fields.unshift(...shape.map((d) => ({ num: 1, wt: 0, value: BigInt(d) })));
      desc = `initializer reshaped [${dims.join(',')}] -> [${shape}]`;
      break;
    }
    case 'attribute': {
      const ns = all.filter((x) => x.type === 'Node');
      if (!ns.length) break;
      const n = rng.pick(ns);
      const name = rng.pick(['group', 'transB', 'transA', 'epsilon', 'axis', 'kernel_shape']);
      const v = rng.chance(0.5) ? BigInt(rng.range(-1, 4)) : interestingValue(rng, 8);
      n.fields.push({ num: 5, wt: 2, value: { type: 'Attribute', fields: [{ num: 1, wt: 2, value: str(name) }, { num: 3, wt: 0, value: v }, { num: 20, wt: 0, value: 2n }] } });
      desc = `node attribute ${name} := ${BigInt.asIntN(64, v)}`;
      break;
    }
  }
  if (!desc) {
    const out = b.slice();
    out[rng.int(out.length)] ^= 1 << rng.int(8);
    return { bytes: out, desc: 'protobuf: random bit flip (no structural target)' };
  }
  return { bytes: serialize(root), desc };
}
