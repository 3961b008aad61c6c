/**
 * Runs as training frameworks lay them out on disk: which folder is the run, what it is called,
 * which of its files are checkpoints, and where its logs and configs are.
 *
 *  - Hugging Face Trainer: `<output_dir>/checkpoint-<step>/` folders (model.safetensors or
 *    pytorch_model.bin, sharded or not; config.json, trainer_state.json, training_args.bin,
 *    optimizer.pt, scheduler.pt, rng_state.pth). The run is the output folder; the weights that
 *    `trainer.save_model()` puts in the output folder itself are the final (or, with
 *    `load_best_model_at_end`, the best) model, not a further epoch: with checkpoint folders beside
 *    them they are left out, with a note. (transformers `trainer.py`: PREFIX_CHECKPOINT_DIR,
 *    `_save_checkpoint`, `save_model`.)
 *  - PyTorch Lightning: `<root>/lightning_logs/version_<n>/checkpoints/epoch=E-step=S.ckpt`, with
 *    `metrics.csv`, `hparams.yaml` and event files in `version_<n>/` (a logger's own name replaces
 *    `lightning_logs`). The run is `<root>` (the folder that holds `lightning_logs`; the logger's
 *    folder for other names), or `version_<n>` when several versions hold checkpoints.
 *    (lightning `callbacks/model_checkpoint.py` `__resolve_ckpt_dir`, `loggers/csv_logs.py`.)
 *  - A `checkpoints/` (or `ckpt/`, `ckpts/`) folder inside a run folder: the run is its parent
 *    (Lightning without a logger writes `<root>/checkpoints/`).
 *  - Keras `ModelCheckpoint` files (.h5, .keras, .weights.h5) and plain training loops: the run is
 *    the folder that holds the checkpoints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isFolderCheckpoint } from '../readers/folder';

export type LayoutKind = 'huggingface' | 'lightning' | 'keras' | 'plain';

export interface RunLayout {
  kind: LayoutKind;
  /** The run's folder: what `runs[].path` shows and where `.training-dynamics/` goes. */
  dir: string;
  /** The run's name: its folder's name, and `/version_<n>` for one of several Lightning versions. */
  name: string;
  /** Folders whose training logs are this run's, and whether only their own files count. */
  logDirs: { dir: string; topOnly: boolean }[];
  /** Folders searched for configs (hyperparameters, horizon), nearest first. */
  configDirs: string[];
  /** Facts about the layout worth telling the user. */
  notes: string[];
}

/** Files a training framework writes beside the weights that are not weights (never analyzed). */
export const NOT_WEIGHTS = /^(training_args\.bin|optimizer\.(pt|bin)|scheduler\.pt|scaler\.pt|rng_state(_\d+)?\.pth|random_states_\d+\.pkl|pytorch_model_fsdp\.bin)$/;
/** Folders that hold a run's checkpoints and are not the run themselves. */
const CHECKPOINT_DIRS = /^(checkpoints?|ckpts?)$/;
const HF_CHECKPOINT = /^checkpoint-(\d+)$/;
const VERSION_DIR = /^version_\d+$/;

function listDirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

function exists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The step of a Hugging Face `checkpoint-<step>` folder. */
export function hfCheckpointStep(p: string): number | undefined {
  const m = HF_CHECKPOINT.exec(path.basename(p));
  return m ? Number(m[1]) : undefined;
}

/** `<logger>/version_<n>/checkpoints`: the version folder and the logger folder, else undefined. */
function lightningVersionOf(holder: string): { version: string; logger: string } | undefined {
  if (!CHECKPOINT_DIRS.test(path.basename(holder))) return undefined;
  const version = path.dirname(holder);
  if (!VERSION_DIR.test(path.basename(version))) return undefined;
  return { version, logger: path.dirname(version) };
}

function hasCheckpointFiles(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((n) => /\.(ckpt|pt|pth|safetensors|h5|keras)$/i.test(n));
  } catch {
    return false;
  }
}

/** The folder that a Lightning logger folder's run is: the folder holding `lightning_logs`, else the logger folder (a named experiment). */
function lightningRoot(logger: string): string {
  return path.basename(logger) === 'lightning_logs' ? path.dirname(logger) : logger;
}

/**
 * The run folder of checkpoints found in `holder`. `holders` is every folder found holding
 * checkpoints: a `checkpoints/` folder whose parent holds checkpoints of its own stays a run.
 */
export function runDirFor(holder: string, holders: ReadonlySet<string>): string {
  const lv = lightningVersionOf(holder);
  if (lv) {
    const versions = listDirs(lv.logger).filter((v) => VERSION_DIR.test(path.basename(v)) && hasCheckpointFiles(path.join(v, path.basename(holder))));
    return versions.length > 1 ? lv.version : lightningRoot(lv.logger);
  }
  if (CHECKPOINT_DIRS.test(path.basename(holder)) && !holders.has(path.dirname(holder))) return path.dirname(holder);
  return holder;
}

/** The Lightning version folders of a run folder: its own `version_<n>`, or those under its loggers. */
function lightningVersions(dir: string): string[] {
  if (VERSION_DIR.test(path.basename(dir))) return [dir];
  const loggers = [path.join(dir, 'lightning_logs')];
  // A named logger's folder is itself the run: its versions are right below it.
  if (listDirs(dir).some((v) => VERSION_DIR.test(path.basename(v)))) loggers.push(dir);
  return loggers.flatMap((l) => listDirs(l).filter((v) => VERSION_DIR.test(path.basename(v)))).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** How a run folder with these checkpoints is laid out. */
export function layoutOf(dir: string, checkpoints: string[]): RunLayout {
  const notes: string[] = [];
  const base = path.basename(dir);
  const folders = checkpoints.filter((c) => isFolderCheckpoint(c));
  const isLightning =
    checkpoints.some((c) => /\.ckpt$/i.test(c) && (/^epoch=\d+/.test(path.basename(c)) || lightningVersionOf(path.dirname(c)) !== undefined)) ||
    (checkpoints.some((c) => /\.ckpt$/i.test(c)) && (exists(path.join(dir, 'lightning_logs')) || VERSION_DIR.test(base)));
  if (folders.length > 0 || exists(path.join(dir, 'trainer_state.json'))) {
    const latest = [...folders].sort((a, b) => (hfCheckpointStep(b) ?? -1) - (hfCheckpointStep(a) ?? -1))[0];
    if (folders.some((f) => f !== dir) && isFolderCheckpoint(dir)) {
      notes.push("the model saved in the output folder itself (trainer.save_model) is the final or best model, not a further checkpoint: it is not analyzed; the checkpoint-<step> folders are");
    }
    return { kind: 'huggingface', dir, name: base, logDirs: [{ dir, topOnly: false }], configDirs: latest && latest !== dir ? [dir, latest] : [dir], notes };
  }
  if (isLightning) {
    const versions = lightningVersions(dir);
    const own = VERSION_DIR.test(base);
    const name = own ? `${path.basename(lightningRoot(path.dirname(dir)))}/${base}` : base;
    // The version the checkpoints are in (or the newest one when they are elsewhere).
    const version = own ? dir : versions.find((v) => checkpoints.some((c) => c.startsWith(v + path.sep))) ?? versions[versions.length - 1];
    const logDirs = version ? [{ dir: version, topOnly: true }, { dir, topOnly: true }] : [{ dir, topOnly: false }];
    if (!own && versions.length > 1 && version) notes.push(`${versions.length} Lightning versions in ${path.relative(dir, path.dirname(version)) || '.'}: logs and hyperparameters read from ${path.basename(version)}`);
    return { kind: 'lightning', dir, name, logDirs, configDirs: version ? [version, dir] : [dir], notes };
  }
  const keras = checkpoints.length > 0 && checkpoints.every((c) => /\.(h5|hdf5|keras)$/i.test(c));
  return { kind: keras ? 'keras' : 'plain', dir, name: base, logDirs: [{ dir, topOnly: false }], configDirs: [dir], notes };
}

/** Whether a file found beside checkpoints is one to analyze (not an optimizer or RNG state, not part of a folder checkpoint). */
export function isWeightsFile(file: string): boolean {
  return !NOT_WEIGHTS.test(path.basename(file));
}
