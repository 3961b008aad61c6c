/**
 * Writing one file into a folder the user's training owns (a run folder) without following
 * links: a run folder is shared with the training job and, on a cluster, with other users, so a
 * `STOP` that is a symbolic link to `~/.bashrc` must not make the editor overwrite that file.
 *
 * The data goes to a fresh temporary name created exclusively (O_CREAT|O_EXCL: never an existing
 * file, and O_NOFOLLOW: never through a link), then is renamed over the name: rename replaces a
 * link at the name itself, never its target, and a reader sees the old file or the new one, never
 * half of it. A name that is not a plain file name, or a link at the name that resolves outside
 * the folder, is refused.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** O_NOFOLLOW where the platform has it (not on Windows, where links are not created by a user's job). */
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

function inside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Writes `data` to `dir/name` atomically, following no link; throws when it cannot. */
export function writeFileNoFollow(dir: string, name: string, data: string | Uint8Array): void {
  if (!name || name !== path.basename(name) || name === '.' || name === '..' || /[\\/]/.test(name)) throw new Error(`${JSON.stringify(name)} is not a plain file name`);
  const real = fs.realpathSync(dir);
  if (!fs.statSync(real).isDirectory()) throw new Error(`${dir} is not a folder`);
  const target = path.join(real, name);
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(target);
  } catch {
    /* not there yet */
  }
  if (st?.isSymbolicLink()) {
    let to: string | undefined;
    try {
      to = fs.realpathSync(target);
    } catch {
      /* a dangling link: its target is wherever it points */
    }
    if (to === undefined || !inside(real, to)) throw new Error(`${path.join(dir, name)} is a link to ${to ?? fs.readlinkSync(target)}, outside ${dir}: not written`);
  } else if (st?.isDirectory()) throw new Error(`${path.join(dir, name)} is a folder`);
  const tmp = path.join(real, `.${name}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, 0o644);
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
