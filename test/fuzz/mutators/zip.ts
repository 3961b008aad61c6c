/**
 * Zip-aware mutations, for every zip-based format (PyTorch zip layout, .npz, .keras): entries
 * shuffled, duplicated, dropped, renamed out of the folder, recompressed or given lying sizes; a
 * bomb entry; a member's bytes mutated by a format-specific mutator and the archive rewritten
 * around it; and length fields patched in place in the local headers, central directory and end
 * record (APPNOTE 4.3.7, 4.3.12, 4.3.16).
 */
import * as zlib from 'node:zlib';
import { Rng } from '../rng';
import { Mutation, interestingValue, writeUint } from './bytes';

export interface Entry {
  name: string;
  method: number;
  data: Uint8Array; // as stored (compressed when method 8)
  size: number; // uncompressed size as declared
  crc: number;
}

export interface ParsedZip {
  entries: Entry[];
  /** Byte positions of the records, for in-place field patches. */
  locals: number[];
  centrals: number[];
  eocd: number;
}

const u16 = (b: Uint8Array, p: number): number => b[p] | (b[p + 1] << 8);
const u32 = (b: Uint8Array, p: number): number => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;

/** Parses a well-formed zip (the seeds); returns undefined when it is not one. */
export function parseZip(b: Uint8Array): ParsedZip | undefined {
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (u32(b, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = u16(b, eocd + 10);
  let p = u32(b, eocd + 16);
  const entries: Entry[] = [];
  const locals: number[] = [];
  const centrals: number[] = [];
  for (let i = 0; i < count; i++) {
    if (u32(b, p) !== 0x02014b50) return undefined;
    const method = u16(b, p + 10);
    const crc = u32(b, p + 16);
    const csize = u32(b, p + 20);
    const size = u32(b, p + 24);
    const nlen = u16(b, p + 28);
    const xlen = u16(b, p + 30);
    const clen = u16(b, p + 32);
    const local = u32(b, p + 42);
    const name = Buffer.from(b.subarray(p + 46, p + 46 + nlen)).toString('utf8');
    const dataStart = local + 30 + u16(b, local + 26) + u16(b, local + 28);
    entries.push({ name, method, data: b.slice(dataStart, dataStart + csize), size, crc });
    locals.push(local);
    centrals.push(p);
    p += 46 + nlen + xlen + clen;
  }
  return { entries, locals, centrals, eocd };
}

/** Writes entries as a plain (non-zip64) archive; `align` pads each entry's data like torch does. */
export function writeZip(entries: Entry[], align = 64): Uint8Array {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    let pad = align > 1 ? (align - ((off + 30 + name.length + 4) % align)) % align : 0;
    const extra = pad ? Buffer.alloc(4 + pad) : Buffer.alloc(0);
    if (pad) {
      extra.writeUInt16LE(0x4b46, 0); // an unknown extra id, as torch's padding field
      extra.writeUInt16LE(pad, 2);
    } else pad = 0;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(e.method & 0xffff, 8);
    lh.writeUInt32LE(e.crc >>> 0, 14);
    lh.writeUInt32LE(e.data.length >>> 0, 18);
    lh.writeUInt32LE(e.size >>> 0, 22);
    lh.writeUInt16LE(name.length, 26);
    lh.writeUInt16LE(extra.length, 28);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(e.method & 0xffff, 10);
    ch.writeUInt32LE(e.crc >>> 0, 16);
    ch.writeUInt32LE(e.data.length >>> 0, 20);
    ch.writeUInt32LE(e.size >>> 0, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(off >>> 0, 42);
    central.push(ch, name);
    chunks.push(lh, name, extra, Buffer.from(e.data));
    off += 30 + name.length + extra.length + e.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length & 0xffff, 8);
  end.writeUInt16LE(entries.length & 0xffff, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(off, 16);
  return new Uint8Array(Buffer.concat([...chunks, cd, end]));
}

/** The uncompressed bytes of an entry of a seed (seeds are well-formed). */
export function entryBytes(e: Entry): Uint8Array {
  if (e.method !== 8) return e.data;
  try {
    return new Uint8Array(zlib.inflateRawSync(e.data, { maxOutputLength: 256 << 20 }));
  } catch {
    return e.data; // an earlier mutation broke the stream: mutate what is there
  }
}

export function withBytes(e: Entry, bytes: Uint8Array, keepMethod = true): Entry {
  if (keepMethod && e.method === 8) return { ...e, data: new Uint8Array(zlib.deflateRawSync(bytes)), size: bytes.length };
  return { ...e, method: keepMethod ? e.method : 0, data: bytes, size: bytes.length };
}

let BOMB: Buffer | undefined;

/** `size` zero bytes as a raw deflate stream, from one deflated MiB repeated (sync-flushed pieces concatenate). */
function zerosStream(size: number): Buffer {
  const block = zlib.deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([...new Array<Buffer>(size >> 20).fill(block), zlib.deflateRawSync(Buffer.alloc(0))]);
}

const HOSTILE_NAMES = ['../data.pkl', '../../evil/data.pkl', '/tmp/td-fuzz/data.pkl', 'C:/x/data.pkl', 'a/../../b', '', 'x'.repeat(300), '..\\..\\w.bin', 'archive/data/../../../etc'];

/** Mutates the member list and rewrites the archive. `inner` mutates one member's bytes. */
export function mutateZipStructure(b: Uint8Array, rng: Rng, inner?: (name: string, bytes: Uint8Array, rng: Rng) => Mutation): Mutation {
  const z = parseZip(b);
  if (!z || z.entries.length === 0) return { bytes: b, desc: 'not a zip: unchanged' };
  const es = z.entries.slice();
  const i = rng.int(es.length);
  const what = rng.weighted<string>([[inner ? 6 : 0, 'inner'], [1, 'shuffle'], [1, 'duplicate'], [1, 'drop'], [1, 'rename'], [1, 'method'], [1, 'sizes'], [1, 'recompress'], [0.3, 'bomb'], [0.5, 'swap-data']]);
  let desc = '';
  switch (what) {
    case 'inner': {
      const m = inner!(es[i].name, entryBytes(es[i]), rng);
      es[i] = withBytes(es[i], m.bytes);
      desc = `member '${es[i].name}': ${m.desc}`;
      break;
    }
    case 'shuffle':
      for (let k = es.length - 1; k > 0; k--) {
        const j = rng.int(k + 1);
        [es[k], es[j]] = [es[j], es[k]];
      }
      desc = 'entries shuffled';
      break;
    case 'duplicate': {
      const copy = rng.chance(0.5) ? es[i] : { ...es[i], data: es[rng.int(es.length)].data };
      es.splice(rng.int(es.length + 1), 0, copy);
      desc = `entry '${es[i].name}' duplicated`;
      break;
    }
    case 'drop':
      desc = `entry '${es[i].name}' dropped`;
      es.splice(i, 1);
      break;
    case 'rename': {
      const old = es[i].name;
      const slash = old.lastIndexOf('/');
      const name = rng.chance(0.5) ? rng.pick(HOSTILE_NAMES) : `${rng.pick(['..', '', '.', 'x'])}/${old.slice(slash + 1)}`;
      es[i] = { ...es[i], name: rng.chance(0.3) && slash >= 0 ? old.slice(0, slash + 1) + name : name };
      desc = `entry '${old}' renamed '${es[i].name}'`;
      break;
    }
    case 'method':
      es[i] = { ...es[i], method: rng.pick([0, 8, 12, 14, 99, 0xffff]) };
      desc = `entry '${es[i].name}' method ${es[i].method}`;
      break;
    case 'sizes':
      es[i] = { ...es[i], size: Number(interestingValue(rng, 4)) };
      desc = `entry '${es[i].name}' declares size ${es[i].size}`;
      break;
    case 'recompress': {
      const raw = entryBytes(es[i]);
      es[i] = { ...es[i], method: 8, data: new Uint8Array(zlib.deflateRawSync(raw)), size: rng.chance(0.5) ? raw.length : raw.length + rng.range(-8, 8) };
      desc = `entry '${es[i].name}' deflated, declares ${es[i].size} of ${raw.length}`;
      break;
    }
    case 'bomb': {
      // 64 MB of zeros deflate to ~64 KB; declared small, or honest.
      // Deflated once per process: deflating 64 MiB per case took seconds under load, counted as a hang of the reader.
      const packed = (BOMB ??= zerosStream(64 << 20));
      es[i] = { ...es[i], method: 8, data: new Uint8Array(packed), size: rng.chance(0.5) ? rng.range(0, 4096) : 64 << 20 };
      desc = `entry '${es[i].name}' replaced by a deflate bomb (64 MiB), declares ${es[i].size}`;
      break;
    }
    case 'swap-data': {
      const j = rng.int(es.length);
      [es[i], es[j]] = [{ ...es[i], data: es[j].data, size: es[j].size, method: es[j].method }, { ...es[j], data: es[i].data, size: es[i].size, method: es[i].method }];
      desc = `data of '${es[i].name}' and '${es[j].name}' swapped`;
      break;
    }
  }
  return { bytes: writeZip(es, rng.chance(0.8) ? 64 : 1), desc };
}

/** Length and offset fields of the zip records, patched in place with interesting values. */
export function patchZipFields(b: Uint8Array, rng: Rng): Mutation {
  const z = parseZip(b);
  if (!z) return { bytes: b, desc: 'not a zip: unchanged' };
  const out = b.slice();
  const where = rng.int(3);
  let at: number;
  let width: number;
  let field: string;
  if (where === 0) {
    const rec = rng.pick(z.locals);
    [field, at, width] = rng.pick([['local csize', 18, 4], ['local size', 22, 4], ['local name length', 26, 2], ['local extra length', 28, 2], ['local signature', 0, 4]] as const);
    at += rec;
  } else if (where === 1) {
    const rec = rng.pick(z.centrals);
    [field, at, width] = rng.pick([['central csize', 20, 4], ['central size', 24, 4], ['central name length', 28, 2], ['central extra length', 30, 2], ['central comment length', 32, 2], ['central local offset', 42, 4], ['central method', 10, 2]] as const);
    at += rec;
  } else {
    [field, at, width] = rng.pick([['eocd disk entries', 8, 2], ['eocd total entries', 10, 2], ['eocd cd size', 12, 4], ['eocd cd offset', 16, 4], ['eocd comment length', 20, 2]] as const);
    at += z.eocd;
  }
  const v = interestingValue(rng, width);
  writeUint(out, at, width, v);
  return { bytes: out, desc: `${field} at ${at} := ${v}` };
}

/** A zip64 locator and end record claiming an absurd entry count or directory. */
export function zip64Lie(b: Uint8Array, rng: Rng): Mutation {
  const z = parseZip(b);
  if (!z) return { bytes: b, desc: 'not a zip: unchanged' };
  const rec = Buffer.alloc(56 + 20);
  rec.writeUInt32LE(0x06064b50, 0);
  rec.writeBigUInt64LE(44n, 4);
  rec.writeBigUInt64LE(interestingValue(rng, 8), 32);
  rec.writeBigUInt64LE(rng.chance(0.5) ? interestingValue(rng, 8) : BigInt(z.eocd - u32(b, z.eocd + 16)), 40);
  rec.writeBigUInt64LE(rng.chance(0.5) ? interestingValue(rng, 8) : BigInt(u32(b, z.eocd + 16)), 48);
  rec.writeUInt32LE(0x07064b50, 56);
  rec.writeBigUInt64LE(rng.chance(0.7) ? BigInt(z.eocd) : interestingValue(rng, 8), 64);
  const out = Buffer.concat([Buffer.from(b.subarray(0, z.eocd)), rec, Buffer.from(b.subarray(z.eocd))]);
  return { bytes: new Uint8Array(out), desc: 'zip64 end record and locator with lying fields inserted' };
}
