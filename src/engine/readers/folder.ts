/**
 * Checkpoints that are folders, as Hugging Face `save_pretrained` / `Trainer` write them
 * (`checkpoint-<step>/`, or the output folder after `trainer.save_model()`):
 *  - `model.safetensors` (transformers ≥ 4.35 default), or `pytorch_model.bin` (older);
 *  - sharded: `model-00001-of-00003.safetensors` … with `model.safetensors.index.json`
 *    (`{"metadata": {"total_size": N}, "weight_map": {"<tensor>": "<shard file>"}}`), and likewise
 *    `pytorch_model-0000k-of-0000n.bin` with `pytorch_model.bin.index.json`.
 * The folder's other files (`optimizer.pt`, `scheduler.pt`, `rng_state.pth`, `training_args.bin`)
 * are not weights and are never opened as checkpoints.
 *
 * References: transformers `modeling_utils.PreTrainedModel.save_pretrained` and
 * `utils/__init__.py` (SAFE_WEIGHTS_NAME, SAFE_WEIGHTS_INDEX_NAME, WEIGHTS_NAME, WEIGHTS_INDEX_NAME).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Checkpoint } from '../checkpoint';
import { FormatError, InputError, errorMessage } from '../errors';
import type { TensorEntry } from '../tensor';
import { stripWrapperPrefixes } from './names';

export const SAFE_WEIGHTS = 'model.safetensors';
export const SAFE_INDEX = 'model.safetensors.index.json';
export const TORCH_WEIGHTS = 'pytorch_model.bin';
export const TORCH_INDEX = 'pytorch_model.bin.index.json';
/** The largest index file read (a model of thousands of tensors has an index of a few hundred KiB). */
const MAX_INDEX_BYTES = 64 * 2 ** 20;

export interface FolderWeights {
  /** The weight files, in shard order. */
  files: string[];
  /** The index file of a sharded checkpoint. */
  index?: string;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The shard files an index names, in shard order, each kept inside the folder. */
function shardsOf(dir: string, index: string): string[] {
  const size = fs.statSync(index).size;
  if (size > MAX_INDEX_BYTES) throw new FormatError(index, `index file of ${size} bytes is larger than the ${MAX_INDEX_BYTES}-byte limit`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(index, 'utf8'));
  } catch (e) {
    throw new FormatError(index, `not a valid JSON index (${errorMessage(e)})`);
  }
  const map = (json as { weight_map?: unknown })?.weight_map;
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new FormatError(index, "the index has no 'weight_map' object");
  const names = [...new Set(Object.values(map as Record<string, unknown>))];
  if (names.length === 0) throw new FormatError(index, "the index's weight_map is empty");
  for (const n of names) {
    // Shard names are plain file names in the same folder: anything else is refused.
    if (typeof n !== 'string' || n !== path.basename(n) || n === '.' || n === '..') throw new FormatError(index, `weight_map names ${JSON.stringify(n)}, not a file in the checkpoint folder`);
  }
  return (names as string[]).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((n) => path.join(dir, n));
}

/**
 * The weight files of a Hugging Face checkpoint folder, or null when the folder holds none.
 * safetensors first (what transformers loads first), then pytorch_model.bin.
 */
export function folderWeights(dir: string): FolderWeights | null {
  for (const [single, index] of [[SAFE_WEIGHTS, SAFE_INDEX], [TORCH_WEIGHTS, TORCH_INDEX]]) {
    const s = path.join(dir, single);
    if (isFile(s)) return { files: [s] };
    const i = path.join(dir, index);
    if (isFile(i)) {
      try {
        return { files: shardsOf(dir, i), index: i };
      } catch {
        return { files: [], index: i }; // a broken index: still a checkpoint folder, reported when opened
      }
    }
  }
  return null;
}

/** True when `dir` is a folder checkpoint (it holds model weights under Hugging Face's names). */
export function isFolderCheckpoint(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory() && folderWeights(dir) !== null;
  } catch {
    return false;
  }
}

/** A tensor under another name (shards are renamed together once their prefixes are known). */
function renamed(t: TensorEntry, name: string): TensorEntry {
  return { name, dtype: t.dtype, shape: t.shape, storedElements: t.storedElements, read: () => t.read() };
}

/**
 * Opens a folder checkpoint: every shard with the file reader that claims it, the tensors joined
 * in shard order. `openFile` is readers/index.ts `openCheckpoint` (passed in to avoid an import cycle).
 */
export function openFolderCheckpoint(dir: string, openFile: (file: string) => Checkpoint): Checkpoint {
  const w = folderWeights(dir);
  if (!w) throw new InputError(dir, `folder holds no ${SAFE_WEIGHTS}, ${SAFE_INDEX}, ${TORCH_WEIGHTS} or ${TORCH_INDEX}`);
  if (w.index && w.files.length === 0) shardsOf(dir, w.index); // throws the index's problem
  for (const f of w.files) if (!isFile(f)) throw new FormatError(dir, `shard '${path.basename(f)}' named by ${path.basename(w.index ?? '')} is missing`);
  const parts: Checkpoint[] = [];
  try {
    for (const f of w.files) {
      try {
        parts.push(openFile(f));
      } catch (e) {
        if (e instanceof InputError) throw new FormatError(dir, `${path.basename(f)}: ${e.problem}`);
        throw e;
      }
    }
  } catch (e) {
    for (const p of parts) p.close();
    throw e;
  }
  const first = parts[0];
  const warnings = [...new Set(parts.flatMap((p) => p.warnings))];
  let tensors: TensorEntry[];
  let jointPrefix: string | undefined;
  if (parts.length === 1) tensors = first.tensors;
  else {
    // Each shard's reader stripped the wrapper prefixes of its own names; strip them over all shards instead.
    const full = parts.flatMap((p) => p.tensors.map((t) => ({ t, name: `${typeof p.metadata.strippedPrefix === 'string' ? p.metadata.strippedPrefix : ''}${t.name}` })));
    const { names, stripped } = stripWrapperPrefixes(full.map((x) => x.name));
    tensors = full.map((x, i) => (names[i] === x.t.name ? x.t : renamed(x.t, names[i])));
    jointPrefix = stripped;
    if (parts.some((p) => p.warnings.some((m) => /alphabetical order/.test(m)))) {
      tensors.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    }
  }
  const metadata: Checkpoint['metadata'] = { ...first.metadata, folder: 'huggingface', weightFiles: w.files.map((f) => path.basename(f)).join(', ') };
  if (parts.length > 1) {
    metadata.shards = parts.length;
    if (jointPrefix) metadata.strippedPrefix = jointPrefix;
    else delete metadata.strippedPrefix;
  }
  return {
    file: dir,
    format: first.format,
    tensors,
    epoch: first.epoch,
    metadata,
    topology: parts.length === 1 ? first.topology : undefined,
    flattenOrder: first.flattenOrder,
    batchNormEpsilon: first.batchNormEpsilon,
    // Shards hold whole tensors in file order each; their order together is the model's only when each's is.
    tensorOrder: parts.every((p) => p.tensorOrder === 'model') ? 'model' : 'unknown',
    warnings,
    close: () => parts.forEach((p) => p.close()),
  };
}
