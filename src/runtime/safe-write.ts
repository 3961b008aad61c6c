/**
 * Writing a small file into a folder the user does not fully control (a run folder of a shared
 * workspace) without following links. A plain writeFileSync(path) follows a symlink planted at
 * that name, or at a predictable temporary name, and overwrites whatever it points to.
 *
 * writeFileNoFollow(dir, name, data):
 *  - refuses a `name` that is not a plain file name inside `dir` (a path separator, '..', empty);
 *  - refuses when `dir` itself is a symlink that leads out of its parent folder;
 *  - creates a temporary file under a random name with O_CREAT | O_EXCL | O_NOFOLLOW: it can only
 *    be a new regular file (a link or file planted at that name makes the open fail), writes the
 *    data, then renames it over `name`. rename() replaces a link at `name` itself, never its
 *    target, so nothing outside `dir` is ever written.
 * Returns the full path written. Pure Node; no VS Code.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class UnsafeWriteError extends Error {
  constructor(
    readonly target: string,
    reason: string,
  ) {
    super(`${target}: not written: ${reason}`);
    this.name = 'UnsafeWriteError';
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function writeFileNoFollow(dir: string, name: string, data: string | Uint8Array): string {
  const target = path.join(dir, name);
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\') || name.includes('\0') || path.basename(name) !== name) {
    throw new UnsafeWriteError(target, `'${name}' is not a plain file name inside the folder`);
  }
  const full = path.resolve(dir, name);
  if (path.dirname(full) !== path.resolve(dir)) throw new UnsafeWriteError(target, 'the name resolves outside the folder');
  // The folder itself may be a link: only one that stays inside its own parent is accepted.
  const st = fs.lstatSync(dir);
  if (st.isSymbolicLink()) {
    const real = fs.realpathSync(dir);
    const parent = fs.realpathSync(path.dirname(path.resolve(dir)));
    if (!inside(parent, real) || real === parent) throw new UnsafeWriteError(target, `the folder is a link to '${real}', outside its parent folder`);
  } else if (!st.isDirectory()) throw new UnsafeWriteError(target, 'the folder is not a folder');

  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);
  let tmp = '';
  let fd = -1;
  for (let attempt = 0; fd < 0; attempt++) {
    tmp = path.join(dir, `.${name}.${crypto.randomBytes(8).toString('hex')}.tmp`);
    try {
      fd = fs.openSync(tmp, flags, 0o644);
    } catch (e) {
      // EEXIST: something (maybe a planted link) holds that name; another random name is tried.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 8) throw new UnsafeWriteError(target, `cannot create a temporary file: ${(e as Error).message}`);
    }
  }
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, full);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UnsafeWriteError(target, `cannot move the temporary file into place: ${(e as Error).message}`);
  }
  return full;
}
