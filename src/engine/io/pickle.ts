/**
 * A safe unpickler. It implements every opcode of pickle protocols 0-5 as a plain stack machine,
 * but nothing from the file is ever executed: a GLOBAL becomes an inert `PyGlobal` record, and a
 * call (REDUCE, NEWOBJ, INST, OBJ) only does something when the callable is on a short allow-list
 * of data constructors (OrderedDict, tensor rebuild functions, ...). Every other call becomes an
 * inert `PyCall` record. Lengths are checked against the bytes left before anything is allocated,
 * the stack and memo are bounded, and there is no recursion, so deep nesting cannot overflow.
 *
 * Reference: CPython Lib/pickletools.py (opcode table) and Lib/pickle.py (_Unpickler).
 */
import { FormatError } from '../errors';
import type { ByteSource } from './source';

export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A call we did not perform: the callable, its arguments and any state BUILD gave it. */
export class PyCall {
  state: unknown = undefined;
  constructor(
    readonly callable: unknown,
    readonly args: unknown[],
  ) {}
}

/** What a persistent id resolves to; supplied by the caller (PyTorch storages). */
export type PersistentLoad = (pid: unknown) => unknown;
/** An allow-listed constructor: returns the value, or `undefined` to fall back to an inert PyCall. */
export type CallHandler = (fn: PyGlobal, args: unknown[]) => unknown;

export interface UnpickleOptions {
  persistentLoad?: PersistentLoad;
  call?: CallHandler;
  /** Bounds on hostile input. */
  maxStack?: number;
  maxMemo?: number;
}

const CHUNK = 1 << 16;

/** Sequential reader over a ByteSource with a small buffer: the pickle may sit before gigabytes of storages. */
class Cursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  constructor(
    private readonly src: ByteSource,
    public pos: number,
  ) {}
  get remaining(): number {
    return this.src.size - this.pos;
  }
  bytes(n: number, what: string): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.remaining) {
      throw new FormatError(this.src.name, `pickle ${what} declares ${n} bytes at offset ${this.pos}, but only ${this.remaining} remain`);
    }
    const off = this.pos - this.bufStart;
    if (off >= 0 && off + n <= this.buf.length) {
      this.pos += n;
      return this.buf.subarray(off, off + n);
    }
    if (n > CHUNK) {
      const out = this.src.read(this.pos, n);
      this.pos += n;
      return out;
    }
    this.bufStart = this.pos;
    this.buf = this.src.read(this.pos, Math.min(CHUNK, this.remaining));
    this.pos += n;
    return this.buf.subarray(0, n);
  }
  byte(): number {
    return this.bytes(1, 'opcode')[0];
  }
  line(): string {
    // Text-protocol arguments end with a newline; cap the search so a missing newline cannot spin.
    let s = '';
    for (let i = 0; i < 1 << 20; i++) {
      const c = this.byte();
      if (c === 0x0a) return s;
      s += String.fromCharCode(c);
    }
    throw new FormatError(this.src.name, `pickle text argument longer than 1 MiB at offset ${this.pos}`);
  }
}

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * A Python int wider than MAX_LONG_BYTES, kept as an inert record of its size. Checkpoints hold
 * small ints (epochs, steps, seeds); a crafted `1 << (8*524288)` decoded bit by bit took 109 s,
 * and even decoded fast it is no number anything here could use (and printing it is quadratic).
 */
export class PyBigInt {
  constructor(readonly bytes: number) {}
  toString(): string {
    return `an integer of ${this.bytes} bytes`;
  }
}

/** Widest int decoded; wider ones become PyBigInt. 1 KiB is 8192 bits, far past any real value. */
export const MAX_LONG_BYTES = 1024;

/** Two's-complement little-endian bytes as a number (when safe) or bigint: one hex parse, linear in the length. */
function decodeLong(b: Uint8Array): number | bigint | PyBigInt {
  if (b.length === 0) return 0;
  if (b.length > MAX_LONG_BYTES) return new PyBigInt(b.length);
  const hex = Buffer.from(b).reverse().toString('hex');
  let v = BigInt('0x' + hex);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A decimal integer from a text opcode: same cap (in digits), parsed only when short. */
function decodeDecimal(s: string): number | bigint | PyBigInt {
  if (s.length > MAX_LONG_BYTES * 2.5) return new PyBigInt(Math.ceil(s.length / 2.41));
  const b = BigInt(s);
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/** Unpickles one object starting at `offset`; returns it and the offset just after STOP. */
export function unpickle(src: ByteSource, offset = 0, opts: UnpickleOptions = {}): { value: unknown; end: number } {
  const file = src.name;
  const maxStack = opts.maxStack ?? 1_000_000;
  const maxMemo = opts.maxMemo ?? 1_000_000;
  const cur = new Cursor(src, offset);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let merged = 0;
  const maxMerged = 4 * src.size + 65536;
  const fail = (msg: string): never => {
    throw new FormatError(file, `pickle: ${msg} (at offset ${cur.pos})`);
  };
  const push = (v: unknown): void => {
    if (stack.length >= maxStack) fail(`stack deeper than ${maxStack}`);
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1])) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail('MARK expected but not found');
    return stack.splice(m as number);
  };
  const memoPut = (i: number): void => {
    if (memo.size >= maxMemo && !memo.has(i)) fail(`memo larger than ${maxMemo}`);
    memo.set(i, top());
  };
  const memoGet = (i: number): void => {
    if (!memo.has(i)) fail(`memo index ${i} was never stored`);
    push(memo.get(i));
  };
  const call = (fn: unknown, args: unknown[]): unknown => {
    if (fn instanceof PyGlobal && opts.call) {
      const v = opts.call(fn, args);
      if (v !== undefined) return v;
    }
    return new PyCall(fn, args);
  };
  const setItems = (d: unknown, items: unknown[]): void => {
    if (items.length % 2) fail('odd number of items for SETITEMS');
    if (d instanceof Map) {
      for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
    } else if (d instanceof PyCall) {
      // A dict subclass we did not build: keep its items as state.
      const m = d.state instanceof Map ? d.state : new Map();
      for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1]);
      d.state = m;
    } else fail('SETITEM on a value that is not a dict');
  };
  const appendItems = (l: unknown, items: unknown[]): void => {
    if (Array.isArray(l)) {
      for (const it of items) l.push(it);
    } else if (l instanceof Set) {
      for (const it of items) l.add(it);
    } else if (l instanceof PyCall) {
      const arr = Array.isArray(l.state) ? l.state : [];
      for (const it of items) arr.push(it); // no spread: a long APPENDS would overflow the call stack
      l.state = arr;
    } else fail('APPEND on a value that is not a list');
  };
  const global = (module: string, name: string): PyGlobal => new PyGlobal(module, name);

  for (;;) {
    const op = cur.byte();
    switch (op) {
      case 0x80: { // PROTO
        const p = cur.byte();
        if (p > 5) fail(`unsupported pickle protocol ${p}`);
        break;
      }
      case 0x95: cur.bytes(8, 'FRAME'); break; // FRAME: length is advisory
      case 0x2e: { // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} values on the stack`);
        return { value: stack[0], end: cur.pos };
      }
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: push(top()); break; // DUP
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x4a: push(dv(cur.bytes(4, 'BININT')).getInt32(0, true)); break;
      case 0x4b: push(cur.byte()); break; // BININT1
      case 0x4d: push(dv(cur.bytes(2, 'BININT2')).getUint16(0, true)); break;
      case 0x8a: push(decodeLong(cur.bytes(cur.byte(), 'LONG1'))); break;
      case 0x8b: push(decodeLong(cur.bytes(dv(cur.bytes(4, 'LONG4')).getInt32(0, true), 'LONG4'))); break;
      case 0x49: { // INT (text); "00"/"01" are False/True in protocol 0
        const s = cur.line();
        if (s === '00') push(false);
        else if (s === '01') push(true);
        else {
          if (!/^[-+]?\d+$/.test(s.trim())) fail(`bad INT '${s.slice(0, 40)}'`);
          push(decodeDecimal(s.trim()));
        }
        break;
      }
      case 0x4c: { // LONG (text)
        const s = cur.line().replace(/L$/, '');
        if (!/^-?\d+$/.test(s)) fail(`bad LONG '${s.slice(0, 40)}'`);
        push(decodeDecimal(s));
        break;
      }
      case 0x46: push(parseFloat(cur.line())); break; // FLOAT
      case 0x47: push(dv(cur.bytes(8, 'BINFLOAT')).getFloat64(0, false)); break;
      case 0x53: { // STRING (repr-quoted)
        const s = cur.line();
        push(s.length >= 2 ? s.slice(1, -1) : s);
        break;
      }
      case 0x54: push(latin1.decode(cur.bytes(dv(cur.bytes(4, 'BINSTRING')).getInt32(0, true), 'BINSTRING'))); break;
      case 0x55: push(latin1.decode(cur.bytes(cur.byte(), 'SHORT_BINSTRING'))); break;
      case 0x56: push(cur.line()); break; // UNICODE (raw-unicode-escape; ASCII in practice)
      case 0x58: push(utf8.decode(cur.bytes(dv(cur.bytes(4, 'BINUNICODE')).getUint32(0, true), 'BINUNICODE'))); break;
      case 0x8c: push(utf8.decode(cur.bytes(cur.byte(), 'SHORT_BINUNICODE'))); break;
      case 0x8d: push(utf8.decode(cur.bytes(Number(dv(cur.bytes(8, 'BINUNICODE8')).getBigUint64(0, true)), 'BINUNICODE8'))); break;
      case 0x42: push(cur.bytes(dv(cur.bytes(4, 'BINBYTES')).getUint32(0, true), 'BINBYTES').slice()); break;
      case 0x43: push(cur.bytes(cur.byte(), 'SHORT_BINBYTES').slice()); break;
      case 0x8e: push(cur.bytes(Number(dv(cur.bytes(8, 'BINBYTES8')).getBigUint64(0, true)), 'BINBYTES8').slice()); break;
      case 0x96: push(cur.bytes(Number(dv(cur.bytes(8, 'BYTEARRAY8')).getBigUint64(0, true)), 'BYTEARRAY8').slice()); break;
      case 0x97: fail('NEXT_BUFFER needs out-of-band buffers, which a checkpoint file cannot carry'); break;
      case 0x98: break; // READONLY_BUFFER: no-op on our values
      case 0x29: push([]); break; // EMPTY_TUPLE
      case 0x85: push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); push([a, b, c]); break; } // TUPLE3
      case 0x74: push(popMark()); break; // TUPLE
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x6c: push(popMark()); break; // LIST
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const d = new Map(); setItems(d, items); push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x8f: push(new Set()); break; // EMPTY_SET
      case 0x90: { const items = popMark(); appendItems(top(), items); break; } // ADDITEMS
      case 0x91: push(new Set(popMark())); break; // FROZENSET
      case 0x70: memoPut(Number(cur.line())); break; // PUT
      case 0x71: memoPut(cur.byte()); break; // BINPUT
      case 0x72: memoPut(dv(cur.bytes(4, 'LONG_BINPUT')).getUint32(0, true)); break;
      case 0x94: memoPut(memo.size); break; // MEMOIZE
      case 0x67: memoGet(Number(cur.line())); break; // GET
      case 0x68: memoGet(cur.byte()); break; // BINGET
      case 0x6a: memoGet(dv(cur.bytes(4, 'LONG_BINGET')).getUint32(0, true)); break;
      case 0x63: { // GLOBAL: never imported, only recorded
        const module = cur.line();
        const name = cur.line();
        push(global(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        push(global(module as string, name as string));
        break;
      }
      case 0x82: case 0x83: case 0x84: // EXT1/2/4: the copyreg extension registry is empty here
        fail('EXT opcodes refer to a copyreg extension registry, which checkpoints do not use');
        break;
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        push(call(fn, Array.isArray(args) ? args : [args]));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = pop();
        const cls = pop();
        push(call(cls, Array.isArray(args) ? args : [args]));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        const c = call(cls, Array.isArray(args) ? args : [args]);
        if (c instanceof PyCall) c.state = kwargs;
        push(c);
        break;
      }
      case 0x69: { // INST
        const module = cur.line();
        const name = cur.line();
        push(call(global(module, name), popMark()));
        break;
      }
      case 0x6f: { // OBJ
        const items = popMark();
        if (items.length === 0) fail('OBJ without a class');
        push(call(items[0], items.slice(1)));
        break;
      }
      case 0x62: { // BUILD: set state; for our inert records it is just kept
        const state = pop();
        const obj = top();
        if (obj instanceof PyCall) obj.state = state;
        else if (obj instanceof Map && state instanceof Map) {
          // Each BUILD copies its state: a memoized big state applied over and over would cost
          // far more than the file's bytes, so the copying is bounded by them.
          merged += state.size;
          if (merged > maxMerged) fail(`BUILD copies more than ${maxMerged} dict items in all (the same state applied over and over?)`);
          for (const [k, v] of state) obj.set(k, v);
        }
        // Tensors rebuilt by _rebuild_tensor_v2 may get BUILD with hooks: nothing to do.
        break;
      }
      case 0x50: { // PERSID
        const pid = cur.line();
        push(opts.persistentLoad ? opts.persistentLoad(pid) : new PyCall(new PyGlobal('persistent', 'id'), [pid]));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        push(opts.persistentLoad ? opts.persistentLoad(pid) : new PyCall(new PyGlobal('persistent', 'id'), [pid]));
        break;
      }
      default:
        fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}
