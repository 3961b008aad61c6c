/**
 * Format detection: each reader's `match()` sees the file name and its first bytes, and the first
 * reader that claims the file opens it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSource } from '../io/source';
import { readRegularHead } from '../io/regular-file';
import { InputError, FormatError, UnknownFormatError, asInputError, explainError } from '../errors';
import { gateTensors } from './gate';
import type { Checkpoint, CheckpointReader } from '../checkpoint';
import { pytorchReader } from './pytorch';
import { onnxReader } from './onnx/reader';
import { safetensorsReader } from './safetensors';
import { npzReader, npyReader } from './numpy';
import { kerasH5Reader } from './keras/h5-reader';
import { kerasV3Reader } from './keras/v3-reader';
import { tfjsReader } from './tfjs';
import { isFolderCheckpoint, openFolderCheckpoint } from './folder';

// Each format registers here, most specific magic first.
export const READERS: CheckpointReader[] = [
  pytorchReader,
  safetensorsReader,
  npzReader,
  npyReader,
  kerasH5Reader,
  kerasV3Reader,
  tfjsReader,
  onnxReader, // weak magic (a protobuf): after the formats with a real signature
  // readers: (one entry per format module)
];

export const HEAD_BYTES = 512;

/** The first bytes of a regular file (a FIFO or device is refused, never waited on). */
export function readHead(file: string): Uint8Array {
  return readRegularHead(file, HEAD_BYTES);
}

export function findReader(file: string, head: Uint8Array): CheckpointReader | undefined {
  return READERS.find((r) => {
    try {
      return r.match(file, head);
    } catch {
      return false;
    }
  });
}

/** True when some reader claims the file, or it is a folder checkpoint (used to find checkpoints in a folder). */
export function isCheckpointFile(file: string): boolean {
  if (isFolderCheckpoint(file)) return true;
  try {
    return findReader(file, readHead(file)) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Opens a checkpoint with the reader that claims it. Every failure comes out as an InputError
 * naming the file; anything else a reader throws (a bug, a RangeError on hostile bytes) is wrapped
 * so the caller can report it and go on with other files.
 */
export function openCheckpoint(file: string): Checkpoint {
  // A Hugging Face checkpoint folder (readers/folder.ts): its weight files opened as one checkpoint.
  if (isFolderCheckpoint(file)) return openFolderCheckpoint(file, openCheckpoint);
  let src: FileSource | undefined;
  let head: Uint8Array;
  refuseLinkOut(file);
  try {
    src = new FileSource(file);
    head = src.read(0, Math.min(HEAD_BYTES, src.size));
  } catch (e) {
    src?.close();
    if (e instanceof InputError) throw e;
    throw new InputError(file, `cannot read file: ${explainError(e)}`);
  }
  const reader = findReader(file, head);
  if (!reader) {
    src.close();
    throw new UnknownFormatError(file);
  }
  let ckpt: Checkpoint;
  try {
    ckpt = reader.open(file, src);
  } catch (e) {
    src.close();
    throw restate(e, file, reader.id);
  }
  ckpt.warnings.push(...gateTensors(file, ckpt.tensors, src.size + (ckpt.companionBytes ?? 0)));
  return ckpt;
}

/**
 * A checkpoint reached through a link is read only when the link leads somewhere inside the
 * folder that holds it (its run folder): a link out of it is reported, not followed, as the
 * training logs next to it are (logs/index.ts).
 */
function refuseLinkOut(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return; // opening it says why
  }
  if (!st.isSymbolicLink()) return;
  let real: string;
  let dir: string;
  try {
    real = fs.realpathSync(file);
    dir = fs.realpathSync(path.dirname(path.resolve(file)));
  } catch (e) {
    throw new InputError(file, `is a link that cannot be followed (${explainError(e)})`);
  }
  const rel = path.relative(dir, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new InputError(file, `is a link to '${real}', outside its run folder; not followed`);
}

/**
 * Any failure about a checkpoint as an InputError naming it and the cause in words: errors raised
 * inside an archive entry (named 'file!entry') are restated against the file, and JavaScript's own
 * errors (a RangeError on a hostile size) are explained (errors.ts explainError).
 */
export function restate(e: unknown, file: string, what: string): InputError {
  if (e instanceof InputError && e.file !== file && e.file.startsWith(file + '!')) {
    return new FormatError(file, `entry '${e.file.slice(file.length + 1)}': ${e.problem}`);
  }
  return asInputError(e, file, what);
}
