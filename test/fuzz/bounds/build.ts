/**
 * Writers for the bounds fuzzer's crafted inputs: pickle opcodes as torch.save writes them (a
 * state dict of rebuilt tensors over persistent storages), PyTorch's zip layout (stored or
 * deflated members, zip64 past 65535 entries), safetensors, and small helpers. Nothing here
 * decodes anything: it only writes bytes, so each generator states exactly what it crafted.
 */
import * as zlib from 'node:zlib';
import { maskedCrc32c } from '../../../src/engine/logs/tfevents';

// ------------------------------------------------------------------ pickle (protocol 2)
const MARK = Buffer.from('(');
const TUPLE = Buffer.from('t');
const REDUCE = Buffer.from('R');
const SETITEMS = Buffer.from('u');
const EMPTY_TUPLE = Buffer.from(')');
const BINPERSID = Buffer.from('Q');
const NEWFALSE = Buffer.from([0x89]);

export const cat = (...parts: (Buffer | Uint8Array | string)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

export function global(module: string, name: string): Buffer {
  return cat('c', module, '\n', name, '\n');
}

/** BINUNICODE */
export function str(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const h = Buffer.alloc(5);
  h[0] = 0x58;
  h.writeUInt32LE(b.length, 1);
  return cat(h, b);
}

/** An int: BININT1, BININT, or LONG1 (8 bytes two's complement) past 32 bits. */
export function int(n: number | bigint): Buffer {
  const v = BigInt(n);
  if (v >= 0n && v < 256n) return Buffer.from([0x4b, Number(v)]);
  if (v >= -(2n ** 31n) && v < 2n ** 31n) {
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(Number(v), 1);
    return b;
  }
  const b = Buffer.alloc(10);
  b[0] = 0x8a;
  b[1] = 8;
  b.writeBigInt64LE(BigInt.asIntN(64, v), 2);
  return b;
}

/** LONG4 of `bytes` little-endian bytes (an int of 8·bytes bits), value 1 << (8·bytes − 8). */
export function long4(bytes: number): Buffer {
  const h = Buffer.alloc(5);
  h[0] = 0x8b;
  h.writeInt32LE(bytes, 1);
  const body = Buffer.alloc(bytes);
  if (bytes > 0) body[bytes - 1] = 0x01;
  return cat(h, body);
}

export function tuple(...items: Buffer[]): Buffer {
  return cat(MARK, ...items, TUPLE);
}

export function call(fn: Buffer, ...args: Buffer[]): Buffer {
  return cat(fn, tuple(...args), REDUCE);
}

/** A tensor as torch.save writes it: _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
export function tensor(key: string, storageNumel: number, shape: number[], strides: number[], offset = 0, storageType = 'FloatStorage'): Buffer {
  const pid = cat(tuple(str('storage'), global('torch', storageType), str(key), str('cpu'), int(storageNumel)), BINPERSID);
  return call(global('torch._utils', '_rebuild_tensor_v2'), pid, int(offset), tuple(...shape.map(int)), tuple(...strides.map(int)), NEWFALSE, call(global('collections', 'OrderedDict')));
}

/** `{key: value, ...}` as an OrderedDict, then the pickle's STOP. `items` values are opcode runs. */
export function stateDictPickle(items: [string | Buffer, Buffer][], wrap?: (dict: Buffer) => Buffer): Buffer {
  // Parts gathered in an array: spreading 100k items as call arguments would overflow the stack.
  const parts: Buffer[] = [global('collections', 'OrderedDict'), EMPTY_TUPLE, REDUCE, MARK];
  for (const [k, v] of items) parts.push(str(k), v);
  parts.push(SETITEMS);
  const dict = Buffer.concat(parts);
  return cat('\x80\x02', wrap ? wrap(dict) : dict, '.');
}

export function contiguous(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function floats(n: number, f: (i: number) => number): Buffer {
  const b = Buffer.alloc(4 * n);
  for (let i = 0; i < n; i++) b.writeFloatLE(f(i), 4 * i);
  return b;
}

// ------------------------------------------------------------------ zip (PyTorch layout)
export interface ZipMember {
  name: string;
  data: Uint8Array;
  /** Deflate it (or give `packed`: already deflated bytes of `data.length`... see `size`). */
  deflate?: boolean;
  /** Already-deflated bytes and their inflated size (to reuse one big deflate stream many times). */
  packed?: { bytes: Uint8Array; size: number };
}

/** A zip archive; zip64 end records when there are more than 65535 members. */
export function zip(members: ZipMember[]): Buffer {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const packed = m.packed ? Buffer.from(m.packed.bytes) : m.deflate ? zlib.deflateRawSync(m.data) : Buffer.from(m.data);
    const size = m.packed ? m.packed.size : m.data.length;
    const method = m.packed || m.deflate ? 8 : 0;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt32LE(packed.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(45, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt32LE(packed.length, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(off, 42);
    central.push(ch, name);
    chunks.push(lh, name, packed);
    off += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(central);
  const count = members.length;
  const tail: Buffer[] = [];
  if (count > 0xffff) {
    const z = Buffer.alloc(56);
    z.writeUInt32LE(0x06064b50, 0);
    z.writeBigUInt64LE(44n, 4);
    z.writeUInt16LE(45, 12);
    z.writeUInt16LE(45, 14);
    z.writeBigUInt64LE(BigInt(count), 24);
    z.writeBigUInt64LE(BigInt(count), 32);
    z.writeBigUInt64LE(BigInt(cd.length), 40);
    z.writeBigUInt64LE(BigInt(off), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(off + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(z, loc);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(off, 16);
  return Buffer.concat([...chunks, cd, ...tail, end]);
}

/** torch.save's zip layout: archive/data.pkl, archive/data/<key> storages, archive/version. */
export function torchZip(pkl: Buffer, storages: { key: string; data: Uint8Array; deflate?: boolean; packed?: { bytes: Uint8Array; size: number } }[], folder = 'archive'): Buffer {
  return zip([{ name: `${folder}/data.pkl`, data: pkl }, ...storages.map((s) => ({ ...s, name: `${folder}/data/${s.key}` })), { name: `${folder}/version`, data: Buffer.from('3\n') }]);
}

/**
 * A raw deflate stream of `size` zero bytes, without deflating them all: one sync-flushed (so
 * byte-aligned, not final) stream of a 1 MiB block, repeated, then the remainder, then an empty
 * final block. Each piece references only itself, so the concatenation is a valid stream.
 */
const zeroStreams = new Map<string, Buffer>();
export function deflatedZeros(size: number, fill = 0): { bytes: Uint8Array; size: number } {
  const key = `${size}/${fill}`;
  let s = zeroStreams.get(key);
  if (!s) {
    const sync = { finishFlush: zlib.constants.Z_SYNC_FLUSH, level: 9 };
    const BLOCK = 1 << 20;
    // `fill`: the float32 every 4 bytes hold (0: zeros).
    const bytes = (n: number): Buffer => {
      const b = Buffer.alloc(n);
      if (fill !== 0) for (let i = 0; i + 4 <= n; i += 4) b.writeFloatLE(fill, i);
      return b;
    };
    const block = zlib.deflateRawSync(bytes(BLOCK), sync);
    const parts: Buffer[] = new Array(Math.floor(size / BLOCK)).fill(block);
    if (size % BLOCK) parts.push(zlib.deflateRawSync(bytes(size % BLOCK), sync));
    parts.push(zlib.deflateRawSync(Buffer.alloc(0)));
    zeroStreams.set(key, (s = Buffer.concat(parts)));
  }
  return { bytes: s, size };
}

/** The same as a zlib-wrapped stream (HDF5's gzip filter): header, the raw stream, Adler-32 of the zeros. */
export function zlibZeros(size: number): Uint8Array {
  const raw = deflatedZeros(size).bytes;
  // Adler-32 of n zeros: a = 1, b = n mod 65521.
  const adler = ((size % 65521) << 16) | 1;
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(adler >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), raw, tail]);
}

// ------------------------------------------------------------------ safetensors
export function safetensors(entries: { name: string; dtype: string; shape: number[]; data: Uint8Array }[], meta?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = meta ? { __metadata__: meta } : {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.data.length] };
    off += e.data.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...entries.map((e) => Buffer.from(e.data))]);
}

// ------------------------------------------------------------------ TensorBoard
/** One TFRecord-framed Event with one simple_value scalar. */
export function tfRecord(step: number, tag: string, value: number): Buffer {
  const t = Buffer.from(tag);
  const val = cat(Buffer.from([0x0a, t.length]), t, Buffer.from([0x15]), floats(1, () => value));
  const summary = cat(Buffer.from([0x0a, val.length]), val);
  const stepVarint: number[] = [];
  for (let s = step; ; ) {
    const b = s & 0x7f;
    s = Math.floor(s / 128);
    if (s) stepVarint.push(b | 0x80);
    else {
      stepVarint.push(b);
      break;
    }
  }
  const ev = cat(Buffer.from([0x10, ...stepVarint]), Buffer.from([0x2a, summary.length]), summary);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(ev.length));
  const c1 = Buffer.alloc(4);
  c1.writeUInt32LE(maskedCrc32c(len));
  const c2 = Buffer.alloc(4);
  c2.writeUInt32LE(maskedCrc32c(ev));
  return cat(len, c1, ev, c2);
}

