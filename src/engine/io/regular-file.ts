/**
 * Opening input files: only regular files. A FIFO opened for reading blocks until some writer
 * appears (a TF.js weight shard that is a FIFO hung the analysis forever), a device can stream
 * without end, and a socket cannot be opened at all. Every path the engine reads (checkpoints,
 * their companion files, training logs) is opened here: non-blocking, so a FIFO cannot stall the
 * open itself, then checked with fstat on the descriptor (no window between the check and the use).
 */
import * as fs from 'node:fs';
import { InputError } from '../errors';

/** What a non-regular file is, in words. */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * Opens `file` for reading and returns its descriptor and size, or throws an InputError naming
 * `reportAs` (default: the file) when it cannot be opened or is not a regular file.
 */
export function openRegularFile(file: string, what = 'file', reportAs = file): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENXIO' ? 'it is a socket or a device without a reader' : (e as Error).message;
    throw new InputError(reportAs, `cannot read ${what}${reportAs === file ? '' : ` '${file}'`}: ${why}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new InputError(reportAs, `${what}${reportAs === file ? '' : ` '${file}'`} is ${kindOf(st)}, not a regular file; only regular files are read`);
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** The first `length` bytes (fewer when the file is shorter) of a regular file. */
export function readRegularHead(file: string, length: number): Uint8Array {
  const { fd } = openRegularFile(file);
  try {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(fd, buf, 0, length, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** A whole regular file, refused above `limit` bytes (checked before anything is read). */
export function readRegularFile(file: string, limit: number, what = 'file'): Buffer {
  const { fd, size } = openRegularFile(file, what);
  try {
    if (size > limit) throw new InputError(file, `${what} is ${size} bytes, above the ${limit}-byte limit`);
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = fs.readSync(fd, buf, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done);
  } finally {
    fs.closeSync(fd);
  }
}
