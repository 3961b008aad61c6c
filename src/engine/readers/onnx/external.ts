/**
 * ONNX initializers stored outside the model (`external_data`: `location` relative to the model's
 * folder, `offset`, `length`). A location never leads outside that folder, neither by its path nor
 * through a link; each external file is opened once and closed with the checkpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FormatError } from '../../errors';
import { FileSource } from '../../io/source';

/** An external_data `offset` or `length`: a non-negative integer written as a string. */
export function parseIntString(file: string, tensor: string, key: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(Number(v))) {
    throw new FormatError(file, `initializer '${tensor}': external data ${key} '${v}' is not a non-negative integer`);
  }
  return Number(v);
}

/**
 * Resolves an external data location inside the model's folder. Absolute paths and any `..`
 * component are refused, and so is a path that leaves the folder through a symlink.
 */
function resolveExternal(file: string, tensor: string, location: string): string {
  const dir = path.dirname(path.resolve(file));
  const parts = location.split(/[\\/]+/);
  if (
    location === '' || location.includes('\0') || path.isAbsolute(location) || path.win32.isAbsolute(location) ||
    /^[a-zA-Z]:/.test(location) || parts.includes('..')
  ) {
    throw new FormatError(file, `initializer '${tensor}': external data location '${location}' is outside the model's folder (absolute paths and '..' are not allowed)`);
  }
  const resolved = path.resolve(dir, ...parts.filter((p) => p !== '' && p !== '.'));
  const rel = path.relative(dir, resolved);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new FormatError(file, `initializer '${tensor}': external data location '${location}' is outside the model's folder`);
  }
  let real: string;
  try {
    real = fs.realpathSync(resolved);
  } catch {
    throw new FormatError(file, `initializer '${tensor}': external data file '${location}' not found next to the model`);
  }
  const realRel = path.relative(fs.realpathSync(dir), real);
  if (realRel === '' || realRel.startsWith('..') || path.isAbsolute(realRel)) {
    throw new FormatError(file, `initializer '${tensor}': external data location '${location}' leads outside the model's folder (through a link)`);
  }
  if (!fs.statSync(real).isFile()) throw new FormatError(file, `initializer '${tensor}': external data location '${location}' is not a file`);
  return real;
}

export class ExternalFiles {
  private open = new Map<string, FileSource>();
  get(file: string, tensor: string, location: string): FileSource {
    const real = resolveExternal(file, tensor, location);
    let src = this.open.get(real);
    if (!src) {
      try {
        src = new FileSource(real, 'external data file');
      } catch (e) {
        throw new FormatError(file, `initializer '${tensor}': cannot open external data file '${location}': ${(e as Error).message}`);
      }
      this.open.set(real, src);
    }
    return src;
  }
  /** Bytes of the external files opened so far. */
  get bytes(): number {
    let n = 0;
    for (const s of this.open.values()) n += s.size;
    return n;
  }
  close(): void {
    for (const s of this.open.values()) s.close();
    this.open.clear();
  }
}
