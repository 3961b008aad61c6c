/**
 * Pickle-aware mutations: the opcode stream is walked (pickletools' argument table) so that a
 * mutation can hit what the unpickler trusts — declared lengths (BINBYTES 2^32-1, LONG4 2^31),
 * memo indices, tensor offsets/sizes/strides (BININT*), storage keys and dtype globals — or splice
 * in what it must never honour (os.system via GLOBAL + REDUCE, EXT codes, deep MARK stacks).
 * Legacy PyTorch files are several pickles in a row: the walk goes on after each STOP.
 */
import { Rng } from '../rng';
import { Mutation, interestingValue, writeUint } from './bytes';

interface Op {
  pos: number;
  code: number;
  /** Bytes of the opcode including its argument. */
  len: number;
  /** Where a length prefix or integer argument sits, and its width. */
  argAt?: number;
  argWidth?: number;
  kind: 'len' | 'int' | 'memo' | 'text' | 'plain';
}

const FIXED: Record<number, [number, Op['kind']]> = {
  0x80: [1, 'int'], 0x95: [8, 'len'], 0x4a: [4, 'int'], 0x4b: [1, 'int'], 0x4d: [2, 'int'], 0x47: [8, 'plain'],
  0x71: [1, 'memo'], 0x72: [4, 'memo'], 0x68: [1, 'memo'], 0x6a: [4, 'memo'], 0x82: [1, 'int'], 0x83: [2, 'int'], 0x84: [4, 'int'],
};
/** Length-prefixed: opcode → width of the length. */
const PREFIXED: Record<number, number> = { 0x8a: 1, 0x8b: 4, 0x54: 4, 0x55: 1, 0x58: 4, 0x8c: 1, 0x8d: 8, 0x42: 4, 0x43: 1, 0x8e: 8, 0x96: 8 };
const ONE_LINE = new Set([0x49, 0x4c, 0x46, 0x53, 0x56, 0x70, 0x67, 0x50]);
const TWO_LINES = new Set([0x63, 0x69]);
const NO_ARG = new Set([0x2e, 0x28, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x29, 0x85, 0x86, 0x87, 0x74, 0x5d, 0x6c, 0x61, 0x65, 0x7d, 0x64, 0x73, 0x75, 0x8f, 0x90, 0x91, 0x94, 0x93, 0x52, 0x81, 0x92, 0x6f, 0x62, 0x51, 0x97, 0x98]);
const ALL_OPCODES = [...Object.keys(FIXED), ...Object.keys(PREFIXED)].map(Number).concat([...ONE_LINE, ...TWO_LINES, ...NO_ARG]);

function readLen(b: Uint8Array, p: number, w: number): number {
  let v = 0;
  for (let i = w - 1; i >= 0; i--) v = v * 256 + b[p + i];
  return v;
}

/** The opcodes of the pickles starting at `start` (several, for the legacy layout). */
export function walkPickle(b: Uint8Array, start = 0, maxPickles = 8): Op[] {
  const ops: Op[] = [];
  let p = start;
  let pickles = 0;
  while (p < b.length && pickles < maxPickles) {
    const code = b[p];
    let op: Op;
    if (code in FIXED) {
      const [w, kind] = FIXED[code];
      op = { pos: p, code, len: 1 + w, argAt: p + 1, argWidth: w, kind };
    } else if (code in PREFIXED) {
      const w = PREFIXED[code];
      if (p + 1 + w > b.length) break;
      const n = readLen(b, p + 1, w);
      op = { pos: p, code, len: 1 + w + n, argAt: p + 1, argWidth: w, kind: 'len' };
    } else if (ONE_LINE.has(code) || TWO_LINES.has(code)) {
      let q = p + 1;
      for (let l = 0; l < (TWO_LINES.has(code) ? 2 : 1); l++) {
        while (q < b.length && b[q] !== 0x0a) q++;
        q++;
      }
      op = { pos: p, code, len: q - p, kind: code === 0x70 || code === 0x67 ? 'memo' : 'text' };
    } else if (NO_ARG.has(code)) {
      op = { pos: p, code, len: 1, kind: 'plain' };
    } else break;
    if (p + op.len > b.length) break;
    ops.push(op);
    p += op.len;
    if (code === 0x2e) pickles++;
  }
  return ops;
}

function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const shortUnicode = (s: string): Uint8Array => {
  const t = Buffer.from(s, 'utf8');
  return new Uint8Array([0x8c, t.length, ...t]);
};
const binUnicode = (s: string): Uint8Array => {
  const t = Buffer.from(s, 'utf8');
  return new Uint8Array([0x58, ...new Uint8Array(new Uint32Array([t.length]).buffer), ...t]);
};
/** Any payload that ran would create this file; the fuzz run checks that it never exists. */
export const FUZZ_MARKER = '/tmp/td-hostile-marker-fuzz';

/** Byte sequences a safe unpickler must keep inert or refuse. Each leaves one value on the stack. */
const PAYLOADS: [string, () => Uint8Array][] = [
  ['os.system call', () => new Uint8Array([...enc('cos\nsystem\n('), ...binUnicode(`touch ${FUZZ_MARKER}`), ...enc('tR')])],
  ['subprocess.Popen NEWOBJ', () => new Uint8Array([...enc('csubprocess\nPopen\n'), 0x29, 0x81])],
  ['builtins.eval STACK_GLOBAL', () => new Uint8Array([...shortUnicode('builtins'), ...shortUnicode('eval'), 0x93, ...shortUnicode('1+1'), 0x85, 0x52])],
  ['EXT1', () => new Uint8Array([0x82, 0x01])],
  ['EXT4', () => new Uint8Array([0x84, 0xff, 0xff, 0xff, 0x7f])],
  ['deep list nesting', () => new Uint8Array([...new Array(20000).fill(0x5d), ...new Array(19999).fill(0x61)])],
  ['deep marks', () => new Uint8Array([...new Array(20000).fill(0x28), ...new Array(20000).fill(0x6c)])],
  ['huge BINBYTES', () => new Uint8Array([0x42, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])],
  ['huge BINBYTES8', () => new Uint8Array([0x8e, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2])],
  ['huge LONG4', () => new Uint8Array([0x8b, 0xff, 0xff, 0xff, 0x7f, 1])],
  ['memo get unset', () => new Uint8Array([0x6a, 0xff, 0xff, 0xff, 0xff])],
  ['memo put huge then get', () => new Uint8Array([0x4e, 0x72, 0xfe, 0xff, 0xff, 0xff, 0x30, 0x6a, 0xfe, 0xff, 0xff, 0xff])],
  ['self-containing dict', () => new Uint8Array([0x7d, 0x71, 0x00, 0x8c, 0x01, 0x73, 0x68, 0x00, 0x73])],
  ['torch._utils._rebuild_tensor_v2 with junk', () => new Uint8Array([...enc('ctorch._utils\n_rebuild_tensor_v2\n'), 0x28, 0x4e, 0x4b, 0x00, 0x29, 0x29, 0x74, 0x52])],
  ['NEXT_BUFFER', () => new Uint8Array([0x97])],
];

const STRINGS = ['../../etc/passwd', '__proto__', 'constructor', 'state_dict', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'UntypedStorage', '_rebuild_parameter', '_rebuild_tensor', 'OrderedDict', '', '0', 'data.pkl', 'x'.repeat(1000)];

export function mutatePickle(b: Uint8Array, rng: Rng, start = 0): Mutation {
  const ops = walkPickle(b, start);
  if (ops.length === 0) return { bytes: b, desc: 'no pickle opcodes found: unchanged' };
  const what = rng.weighted<string>([[3, 'arg'], [2, 'length'], [1, 'opcode'], [1, 'delete'], [1, 'duplicate'], [1, 'swap'], [1.5, 'payload'], [1, 'string'], [1, 'memo']]);
  const pickOp = (pred: (o: Op) => boolean): Op | undefined => {
    const c = ops.filter(pred);
    return c.length ? rng.pick(c) : undefined;
  };
  const op = rng.pick(ops);
  const out = b.slice();
  switch (what) {
    case 'arg': {
      const o = pickOp((x) => x.kind === 'int' && x.argWidth !== undefined) ?? op;
      if (o.argAt === undefined) break;
      const v = interestingValue(rng, o.argWidth!);
      writeUint(out, o.argAt, o.argWidth!, v);
      return { bytes: out, desc: `pickle opcode 0x${o.code.toString(16)} at ${o.pos}: argument := ${v}` };
    }
    case 'length': {
      const o = pickOp((x) => x.kind === 'len');
      if (!o) break;
      const v = interestingValue(rng, o.argWidth!);
      writeUint(out, o.argAt!, o.argWidth!, v);
      return { bytes: out, desc: `pickle opcode 0x${o.code.toString(16)} at ${o.pos}: length := ${v}` };
    }
    case 'memo': {
      const o = pickOp((x) => x.kind === 'memo' && x.argWidth !== undefined);
      if (!o) break;
      const v = rng.chance(0.5) ? BigInt(rng.int(16)) : interestingValue(rng, o.argWidth!);
      writeUint(out, o.argAt!, o.argWidth!, v);
      return { bytes: out, desc: `pickle memo opcode 0x${o.code.toString(16)} at ${o.pos}: index := ${v}` };
    }
    case 'opcode':
      out[op.pos] = rng.chance(0.8) ? rng.pick(ALL_OPCODES) : rng.int(256);
      return { bytes: out, desc: `pickle opcode at ${op.pos}: 0x${op.code.toString(16)} -> 0x${out[op.pos].toString(16)}` };
    case 'delete':
      return { bytes: splice(b, op.pos, op.len, new Uint8Array(0)), desc: `pickle opcode 0x${op.code.toString(16)} at ${op.pos} deleted` };
    case 'duplicate':
      return { bytes: splice(b, op.pos, 0, b.slice(op.pos, op.pos + op.len)), desc: `pickle opcode 0x${op.code.toString(16)} at ${op.pos} duplicated` };
    case 'swap': {
      const o2 = rng.pick(ops);
      const [a, c] = op.pos < o2.pos ? [op, o2] : [o2, op];
      if (a === c) break;
      const moved = splice(splice(b, c.pos, c.len, b.slice(a.pos, a.pos + a.len)), a.pos, a.len, b.slice(c.pos, c.pos + c.len));
      return { bytes: moved, desc: `pickle opcodes at ${a.pos} and ${c.pos} swapped` };
    }
    case 'payload': {
      const [name, make] = rng.pick(PAYLOADS);
      // Before a value-producing opcode, or replacing one (keeps the stack balanced when it is a value).
      const replace = rng.chance(0.5) && (op.kind === 'len' || op.code === 0x4e || op.code === 0x4b);
      return { bytes: splice(b, op.pos, replace ? op.len : 0, make()), desc: `pickle: ${name} ${replace ? 'replaces' : 'inserted before'} opcode at ${op.pos}` };
    }
    case 'string': {
      const o = pickOp((x) => x.code === 0x58 || x.code === 0x8c || x.code === 0x63);
      if (!o) break;
      const s = rng.pick(STRINGS);
      const rep = o.code === 0x63 ? enc(`${rng.pick(['torch', 'os', 'collections', 'torch._utils', '__builtin__'])}\n${rng.pick(['FloatStorage', 'system', 'OrderedDict', '_rebuild_tensor_v2', s.replace(/\n/g, '')])}\n`) : o.code === 0x8c && s.length < 256 ? shortUnicode(s) : binUnicode(s);
      return { bytes: splice(b, o.pos + (o.code === 0x63 ? 1 : 0), o.len - (o.code === 0x63 ? 1 : 0), rep), desc: `pickle string at ${o.pos} := '${s.slice(0, 30)}'` };
    }
  }
  out[op.pos] ^= 1 << rng.int(8);
  return { bytes: out, desc: `pickle opcode byte at ${op.pos} bit-flipped` };
}
