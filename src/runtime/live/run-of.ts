/**
 * Which checkpoint a watched file is part of, and which run that checkpoint belongs to, by the
 * engine's layout rules (run/layout.ts, run/discover.ts), so the editor sees the runs `analyze`
 * sees:
 *  - a weight file of a Hugging Face `checkpoint-<step>/` folder (model.safetensors, a shard,
 *    pytorch_model.bin) is that folder, one checkpoint of the output folder's run; the model
 *    `trainer.save_model()` leaves in the output folder beside such folders is not a checkpoint;
 *  - a Lightning checkpoint (`<root>/lightning_logs/version_<n>/checkpoints/*.ckpt`) belongs to
 *    the run named after `<root>`; a `checkpoints/` folder's run is its parent;
 *  - any other checkpoint file belongs to the folder holding it.
 * A folder's run is decided the first time a checkpoint shows up in it and kept: a run never
 * changes its identity under the user's eyes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hfCheckpointStep, runDirFor } from '../../engine/run/layout';
import { isFolderCheckpoint } from '../../engine/readers/folder';

/** Weight files of a Hugging Face checkpoint folder, sharded or not. */
const HF_WEIGHTS = /^(model(-\d+-of-\d+)?\.safetensors|pytorch_model(-\d+-of-\d+)?\.bin)$/;

/** The checkpoint a file is part of: the file itself, its checkpoint-<step> folder, or null (not a checkpoint). */
export function checkpointOf(file: string, exists: (dir: string) => boolean = isFolderCheckpoint): string | null {
  if (!HF_WEIGHTS.test(path.basename(file))) return file;
  const dir = path.dirname(file);
  if (hfCheckpointStep(dir) !== undefined) return dir;
  // The output folder's own model beside checkpoint-<step> folders: the final or best model, not an epoch.
  try {
    if (fs.readdirSync(dir).some((n) => hfCheckpointStep(n) !== undefined && exists(path.join(dir, n)))) return null;
  } catch {
    /* gone: as a file */
  }
  return file;
}

/** The run of each folder holding checkpoints, decided once per folder. */
export class RunDirs {
  private readonly byHolder = new Map<string, string>();

  /** The run folder of a checkpoint (file or checkpoint folder). */
  of(checkpoint: string): string {
    const holder = path.dirname(checkpoint);
    let dir = this.byHolder.get(holder);
    if (dir === undefined) {
      dir = runDirFor(holder, new Set([...this.byHolder.keys(), holder]));
      this.byHolder.set(holder, dir);
    }
    return dir;
  }

  /** The run folder of a checkpoint, if its folder was seen. */
  known(checkpoint: string): string | undefined {
    return this.byHolder.get(path.dirname(checkpoint));
  }

  /** Forgets the folders inside a deleted path. */
  forget(p: string): void {
    for (const h of [...this.byHolder.keys()]) {
      const rel = path.relative(p, h);
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) this.byHolder.delete(h);
    }
  }
}
