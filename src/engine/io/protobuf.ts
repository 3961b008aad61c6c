/**
 * A small, bounded reader of the protobuf wire format, shared by the ONNX reader (ModelProto,
 * walked in place over a file of any size) and the TensorBoard log reader (Event records in memory).
 *
 * It reads through a small window of its ByteSource, so a large file is never loaded whole; an
 * in-memory message (`ProtoReader.fromBytes`) is read in place. Every read takes the end of the
 * message it is in, and every length is checked against that end before anything is read or
 * allocated: a corrupt or hostile length gives a FormatError naming the file, the offset and the
 * problem, never a read past the message or a huge allocation.
 */
import { FormatError } from '../errors';
import { MemorySource, type ByteSource } from './source';

export const WT_VARINT = 0;
export const WT_I64 = 1;
export const WT_LEN = 2;
export const WT_I32 = 5;

/** Window sizes: small after a jump (e.g. past a tensor's raw_data), growing while reading on sequentially. */
const MIN_WINDOW = 1 << 12;
const MAX_WINDOW = 1 << 20;

export interface ProtoReaderOptions {
  /** What the whole source is called in errors: 'file' (default), or e.g. 'record'. */
  whole?: string;
  /** Longest string accepted by `string()`; a longer one is a corrupt length. Default 1 MiB. */
  maxString?: number;
  /** Accept field number 0 in tags (invalid protobuf) instead of failing. Default false. */
  allowFieldZero?: boolean;
}

/** A cursor over [pos, limit) of a source, reading through a small window buffer. */
export class ProtoReader {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  private window = MIN_WINDOW;
  private readonly whole: string;
  private readonly maxString: number;
  private readonly allowFieldZero: boolean;

  constructor(
    readonly src: ByteSource,
    readonly file: string,
    public pos: number,
    readonly limit: number,
    options: ProtoReaderOptions = {},
  ) {
    this.whole = options.whole ?? 'file';
    this.maxString = options.maxString ?? 1 << 20;
    this.allowFieldZero = options.allowFieldZero ?? false;
  }

  /** A reader over a message held in memory, read in place (no copies, no windowing). */
  static fromBytes(file: string, bytes: Uint8Array, options?: ProtoReaderOptions): ProtoReader {
    const r = new ProtoReader(new MemorySource(file, bytes), file, 0, bytes.length, options);
    r.buf = bytes;
    return r;
  }

  private truncated(what: string, need: number, end: number): never {
    throw new FormatError(
      this.file,
      `truncated or corrupt: ${what} at offset ${this.pos} needs ${need} byte(s) but the ${end === this.src.size ? `${this.whole} ends` : 'enclosing message ends'} at ${end}`,
    );
  }

  /** Makes bytes [pos, pos+n) available in the window. */
  private ensure(n: number, end: number, what: string): void {
    if (this.pos + n > end) this.truncated(what, n, end);
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length) return;
    this.window = this.pos === this.bufStart + this.buf.length ? Math.min(this.window * 2, MAX_WINDOW) : MIN_WINDOW;
    const len = Math.min(Math.max(n, this.window), this.src.size - this.pos);
    this.buf = this.src.read(this.pos, len);
    this.bufStart = this.pos;
  }

  byte(end: number, what: string): number {
    this.ensure(1, end, what);
    return this.buf[this.pos++ - this.bufStart];
  }

  /** A varint as a JS number; values past 2^49 (or negative int64s) are decoded exactly via BigInt. */
  varint(end: number, what = 'varint'): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte(end, what);
      if (i < 7) {
        result += (b & 0x7f) * mul;
        mul *= 128;
        if (!(b & 0x80)) return result;
      } else {
        // Rare: a value of 49+ bits (e.g. a negative int64). Re-read exactly.
        this.pos -= i + 1;
        return this.varintBig(end, what);
      }
    }
    throw new FormatError(this.file, `corrupt ${what} at offset ${this.pos}: varint longer than 10 bytes`);
  }

  private varintBig(end: number, what: string): number {
    let v = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte(end, what);
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return Number(BigInt.asIntN(64, v));
    }
    throw new FormatError(this.file, `corrupt ${what} at offset ${this.pos}: varint longer than 10 bytes`);
  }

  /** 4 bytes (wire type 5) as a little-endian DataView. */
  fixed32(end: number, what: string): DataView {
    this.ensure(4, end, what);
    const dv = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos - this.bufStart, 4);
    this.pos += 4;
    return dv;
  }

  /** 8 bytes (wire type 1) as a little-endian DataView. */
  fixed64(end: number, what: string): DataView {
    this.ensure(8, end, what);
    const dv = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos - this.bufStart, 8);
    this.pos += 8;
    return dv;
  }

  /** Reads a length prefix and returns [start, end) of the payload, checked against `end`. */
  lengthDelimited(end: number, what: string): [number, number] {
    const len = this.varint(end, `length of ${what}`);
    const start = this.pos;
    if (len < 0 || start + len > end) {
      throw new FormatError(
        this.file,
        `truncated or corrupt: ${what} at offset ${start} with length ${len} runs past the end of the ${end === this.src.size ? `${this.whole} (${this.src.size} bytes)` : `enclosing message (ends at ${end})`}`,
      );
    }
    return [start, start + len];
  }

  /** Enters a length-delimited sub-message: returns its end, with `pos` at its start. */
  enter(end: number, what: string): number {
    const [s, e] = this.lengthDelimited(end, what);
    this.pos = s;
    return e;
  }

  /** The payload of a length-delimited field (a view, not a copy, where the window allows). */
  bytes(end: number, what: string): Uint8Array {
    const [s, e] = this.lengthDelimited(end, what);
    const n = e - s;
    if (n === 0) return new Uint8Array(0);
    this.ensure(n, e, what);
    const out = this.buf.subarray(s - this.bufStart, e - this.bufStart);
    this.pos = e;
    return out;
  }

  /** A UTF-8 string field, at most `maxString` bytes long. */
  string(end: number, what: string): string {
    const [s, e] = this.lengthDelimited(end, what);
    const n = e - s;
    if (n > this.maxString) throw new FormatError(this.file, `${what} at offset ${s} is ${n} bytes long (limit ${this.maxString}); the ${this.whole} is corrupt`);
    if (n === 0) return '';
    this.ensure(n, e, what);
    const out = Buffer.from(this.buf.buffer, this.buf.byteOffset + s - this.bufStart, n).toString('utf8');
    this.pos = e;
    return out;
  }

  /** Skips a field's value of any supported wire type; groups (3, 4) and unknown types are errors. */
  skip(wireType: number, end: number, field: number, msg: string): void {
    switch (wireType) {
      case WT_VARINT: this.varint(end, `${msg} field ${field}`); return;
      case WT_I64: this.ensure(8, end, `${msg} field ${field}`); this.pos += 8; return;
      case WT_I32: this.ensure(4, end, `${msg} field ${field}`); this.pos += 4; return;
      case WT_LEN: { const [, e] = this.lengthDelimited(end, `${msg} field ${field}`); this.pos = e; return; }
      default:
        throw new FormatError(this.file, `corrupt ${msg}: field ${field} at offset ${this.pos} has unsupported wire type ${wireType}`);
    }
  }

  /** Next tag in [pos, end), or null at the end. */
  tag(end: number, msg: string): { field: number; wt: number } | null {
    if (this.pos >= end) return null;
    const t = this.varint(end, `${msg} tag`);
    const field = Math.floor(t / 8);
    if (field === 0 && !this.allowFieldZero) throw new FormatError(this.file, `corrupt ${msg} at offset ${this.pos}: field number 0`);
    return { field, wt: t % 8 };
  }

  expect(wt: number, want: number, field: number, msg: string): void {
    if (wt !== want) throw new FormatError(this.file, `corrupt ${msg}: field ${field} has wire type ${wt}, expected ${want}`);
  }

  /**
   * A repeated scalar field, packed (wire type 2) or one element of `elemWt`: calls `read` once per
   * value, with the end it may read up to; `read` must consume exactly one value. `more`, when
   * given, can stop a packed run early (its remaining values are skipped). Returns false, having
   * read nothing, when `wt` is neither.
   */
  repeated(wt: number, elemWt: number, end: number, what: string, read: (end: number) => void, more?: () => boolean): boolean {
    if (wt === WT_LEN) {
      const e = this.enter(end, what);
      while (this.pos < e && (!more || more())) read(e);
      this.pos = e;
      return true;
    }
    if (wt !== elemWt) return false;
    read(end);
    return true;
  }
}
