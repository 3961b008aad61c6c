/**
 * Format detection: each reader's `match()` sees the file name and its first bytes, and the first
 * reader that claims the file opens it.
 */
import * as fs from 'node:fs';
import { FileSource } from '../io/source';
import { InputError, FormatError, UnknownFormatError, errorMessage } from '../errors';
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

export function readHead(file: string): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = fs.readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
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
  try {
    src = new FileSource(file);
    head = src.read(0, Math.min(HEAD_BYTES, src.size));
  } catch (e) {
    src?.close();
    throw new InputError(file, `cannot read file: ${errorMessage(e)}`);
  }
  const reader = findReader(file, head);
  if (!reader) {
    src.close();
    throw new UnknownFormatError(file);
  }
  try {
    return reader.open(file, src);
  } catch (e) {
    src.close();
    // Errors raised inside an archive entry name 'file!entry': restate them against the file.
    if (e instanceof InputError && e.file !== file && e.file.startsWith(file + '!')) {
      throw new FormatError(file, `entry '${e.file.slice(file.length + 1)}': ${e.problem}`);
    }
    if (e instanceof InputError) throw e;
    throw new FormatError(file, `${reader.id}: ${errorMessage(e)}`);
  }
}
