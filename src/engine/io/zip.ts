/**
 * A read-only zip reader over a ByteSource: it reads the central directory only, and each entry's
 * bytes on demand. Stored entries (PyTorch writes its tensor storages stored, 64-byte aligned) stay
 * lazy slices of the file; deflated entries are inflated when first read, with the declared size
 * as a hard limit and the output charged to the checkpoint's decompression budget (inflate.ts), so
 * neither one bomb nor many small ones can fill memory. Only the most recently inflated entry is
 * kept: reading entry after entry holds one of them at a time.
 * Entries are looked up by name through a map: an archive of 100k entries costs one pass, not one
 * scan per lookup.
 *
 * Reference: PKWARE APPNOTE.TXT 6.3.10, sections 4.3.7 (local header), 4.3.12 (central directory),
 * 4.3.14-16 (zip64 end records), 4.5.3 (zip64 extra field).
 */
import { FormatError } from '../errors';
import { inflateExact, type InflateBudget } from './inflate';
import { ByteSource, SliceSource, budgetOf, checkRange, hexHead } from './source';

export interface ZipEntry {
  readonly name: string;
  readonly method: number; // 0 stored, 8 deflate
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

/** Largest entry we will inflate into memory; stored entries have no such limit (they stay lazy). */
export const MAX_INFLATED_BYTES = 1 << 30;
/**
 * Deflated weights shrink little (float32 about 1.1:1); only a constant tensor, or a bomb, gets
 * past 100:1. Above 16 MiB such a ratio is refused: a 1 MB archive must not cost a gigabyte.
 */
export const MAX_INFLATE_RATIO = 100;
const RATIO_FREE_BYTES = 16 << 20;
const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX_ENTRIES = 1_000_000;

export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A name that, extracted, would land outside the archive's folder. */
export function escapesFolder(name: string): boolean {
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name)) return true;
  return name.split(/[\\/]/).some((part) => part === '..');
}

/** Opens `src` as a zip archive of the kind `what` (e.g. 'a .npz'), or says why it is not one. */
export function openZipOf(src: ByteSource, file: string, what: string): ZipArchive {
  const head = src.read(0, Math.min(src.size, 4));
  if (!isZip(head)) {
    throw new FormatError(file, `not ${what} (zip) archive: first bytes ${hexHead(head)}, expected the zip magic 504b0304`);
  }
  return openZip(src);
}

/** A deflated entry as a source: inflated on first read, through the archive's one-entry cache. */
class InflatedEntry implements ByteSource {
  readonly size: number;
  constructor(
    readonly name: string,
    private readonly zip: ZipArchive,
    private readonly entry: ZipEntry,
  ) {
    this.size = entry.size;
  }
  get budget(): InflateBudget {
    return this.zip.budget;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return this.zip.inflated(this.entry).subarray(offset, offset + length);
  }
}

export class ZipArchive {
  private readonly byName = new Map<string, ZipEntry>();
  readonly budget: InflateBudget;
  private cached?: { entry: ZipEntry; bytes: Uint8Array };

  constructor(
    readonly src: ByteSource,
    readonly entries: ZipEntry[],
  ) {
    // The first entry of a name wins, as a scan from the start would find it.
    for (const e of entries) if (!this.byName.has(e.name)) this.byName.set(e.name, e);
    this.budget = budgetOf(src);
  }

  find(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /** Offset of the entry's data, after checking its local header and extent. */
  private dataStart(entry: ZipEntry): number {
    const local = this.src.read(entry.localHeaderOffset, 30);
    const dv = view(local);
    if (dv.getUint32(0, true) !== LOCAL_SIG) throw new FormatError(this.src.name, `zip entry '${entry.name}' has no local header at offset ${entry.localHeaderOffset}`);
    const dataStart = entry.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
    if (dataStart + entry.compressedSize > this.src.size) {
      throw new FormatError(this.src.name, `zip entry '${entry.name}' declares ${entry.compressedSize} bytes at offset ${dataStart}, past the end of the file (${this.src.size} bytes)`);
    }
    return dataStart;
  }

  /** The entry's uncompressed bytes as a source: a lazy slice when stored, inflated on first read when deflated. */
  open(entry: ZipEntry): ByteSource {
    const name = `${this.src.name}!${entry.name}`;
    const dataStart = this.dataStart(entry);
    if (entry.method === 0) {
      if (entry.size !== entry.compressedSize) throw new FormatError(this.src.name, `stored zip entry '${entry.name}' has size ${entry.size} but compressed size ${entry.compressedSize}`);
      return new SliceSource(name, this.src, dataStart, entry.size);
    }
    if (entry.method === 8) {
      this.checkDeflated(entry);
      return new InflatedEntry(name, this, entry);
    }
    throw new FormatError(this.src.name, `zip entry '${entry.name}' uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  }

  /** The whole entry's bytes, read or inflated now (not cached): for members read whole (an HDF5 file). */
  bytes(entry: ZipEntry): Uint8Array {
    const src = this.open(entry);
    if (entry.method === 0) return src.read(0, src.size);
    return this.inflate(entry);
  }

  private checkDeflated(entry: ZipEntry): void {
    if (entry.size > MAX_INFLATED_BYTES) throw new FormatError(this.src.name, `zip entry '${entry.name}' declares ${entry.size} bytes uncompressed, above the ${MAX_INFLATED_BYTES}-byte limit`);
    if (entry.size > RATIO_FREE_BYTES && entry.size > MAX_INFLATE_RATIO * entry.compressedSize) {
      throw new FormatError(this.src.name, `zip entry '${entry.name}' would inflate ${entry.compressedSize} bytes to ${entry.size} (more than ${MAX_INFLATE_RATIO}:1): refused as a likely zip bomb`);
    }
  }

  private inflate(entry: ZipEntry): Uint8Array {
    this.checkDeflated(entry);
    const packed = this.src.read(this.dataStart(entry), entry.compressedSize);
    return inflateExact(this.budget, packed, entry.size, `zip entry '${entry.name}'`);
  }

  /** A deflated entry's bytes through the one-entry cache (used by the entry's source). */
  inflated(entry: ZipEntry): Uint8Array {
    if (this.cached?.entry !== entry) {
      this.cached = undefined; // let the previous one go before the next is allocated
      this.cached = { entry, bytes: this.inflate(entry) };
    }
    return this.cached.bytes;
  }
}

export function openZip(src: ByteSource): ZipArchive {
  const file = src.name;
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  const tailLen = Math.min(src.size, 22 + 0xffff);
  if (tailLen < 22) throw new FormatError(file, `file of ${src.size} bytes is too short to be a zip archive`);
  const tailStart = src.size - tailLen;
  const tail = src.read(tailStart, tailLen);
  const tv = view(tail);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError(file, 'zip end-of-central-directory record not found (truncated file?)');
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  // Zip64: the locator sits 20 bytes before the EOCD record.
  if (eocd >= 20 && tv.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIG) {
    const z64Offset = Number(tv.getBigUint64(eocd - 20 + 8, true));
    const rec = view(src.read(z64Offset, 56));
    if (rec.getUint32(0, true) !== ZIP64_EOCD_SIG) throw new FormatError(file, `zip64 end record not found at offset ${z64Offset}`);
    count = Number(rec.getBigUint64(32, true));
    cdSize = Number(rec.getBigUint64(40, true));
    cdOffset = Number(rec.getBigUint64(48, true));
  }
  if (count > MAX_ENTRIES) throw new FormatError(file, `zip declares ${count} entries, above the limit of ${MAX_ENTRIES}`);
  if (cdOffset + cdSize > src.size) throw new FormatError(file, `zip central directory (offset ${cdOffset}, ${cdSize} bytes) runs past the end of the file (${src.size} bytes)`);
  const cd = src.read(cdOffset, cdSize);
  const dv = view(cd);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== CENTRAL_SIG) throw new FormatError(file, `zip central directory entry ${i} is malformed at offset ${cdOffset + p}`);
    const method = dv.getUint16(p + 10, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new FormatError(file, `zip central directory entry ${i} runs past the directory`);
    const name = Buffer.from(cd.subarray(p + 46, p + 46 + nameLen)).toString('utf8');
    // Zip64 extra field (id 1): the 0xffffffff fields, in order size, compressed size, offset.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len) throw new FormatError(file, `zip64 extra field of entry '${name}' is too short`);
          const v = Number(dv.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    if (escapesFolder(name)) throw new FormatError(file, `zip entry name '${name}' points outside the archive folder`);
    if (localHeaderOffset + 30 > src.size) throw new FormatError(file, `zip entry '${name}' has local header offset ${localHeaderOffset} past the end of the file`);
    entries.push({ name, method, compressedSize, size, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return new ZipArchive(src, entries);
}
