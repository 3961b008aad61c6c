/**
 * One progress axis for a run: `epoch` = training epochs completed when a checkpoint was written
 * or a metric logged (0 only for weights saved before any training), `step` = optimizer steps when
 * known. Each framework numbers epochs its own way; this file is the one place that knows how.
 *
 *  - Lightning: a checkpoint stores `epoch` = trainer.current_epoch, 0-based, written at the end
 *    of that epoch, so E means E+1 epochs done (`epoch=0-step=469.ckpt` after the first epoch), and
 *    `global_step`. A checkpoint whose step is short of E+1 epochs of steps was written mid-epoch
 *    (`every_n_train_steps`) and gets a fractional epoch. `metrics.csv` and TensorBoard's `epoch`
 *    series log current_epoch too: a training or validation value of epoch E is placed at E+1; a
 *    test value (`trainer.test` after fit, when current_epoch counts the epochs done) at E.
 *    (lightning `trainer/connectors/checkpoint_connector.py` dump_checkpoint,
 *    `trainer/connectors/logger_connector/logger_connector.py` log_metrics.)
 *  - Hugging Face: `trainer_state.json` `epoch` is a float of epochs done (1.0 after the first);
 *    a `checkpoint-<step>/` folder is at its own state's epoch, else at the epoch its step was
 *    logged at in the output folder's state.
 *  - Keras: `ModelCheckpoint('w.{epoch:02d}.h5')` formats epoch+1, so the number is epochs done
 *    (`w.01.h5` after the first); CSVLogger and the TensorBoard callback's `epoch_*` series count
 *    from 0, so their epoch E is placed at E+1. (keras `callbacks/model_checkpoint.py`
 *    `_get_file_path`, `callbacks/csv_logger.py`.)
 *  - Plain loops: the `epoch` a checkpoint stores, else the number in its name, read as epochs
 *    completed (`epoch_0.pt` = the weights before training, `epoch_3.pt` = after 3 epochs) unless
 *    told `epochNumbers: 'index'` (the number is the 0-based index of the epoch just trained: +1);
 *    logs likewise. Without either, checkpoints are numbered 1, 2, … in order of modification time.
 *    A number from a name or an order is a guess: `epochSource` says so and a warning explains it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricPoint, RunLog } from '../logs/common';
import { readTrainerState, TRAINER_STATE, type TrainerState } from '../logs/trainer-state';
import { hfCheckpointStep, type LayoutKind } from './layout';

export type EpochSource = 'stored' | 'name' | 'log' | 'order';
/** How a plain loop numbers its epochs in names, stored `epoch` keys and logs. */
export type EpochNumbers = 'completed' | 'index';

export interface ProgressOptions {
  epochNumbers?: EpochNumbers;
}

export interface CheckpointFacts {
  path: string;
  /** The epoch the file stores (CheckpointAnalysis.epoch), null when it stores none or is not read yet. */
  epoch: number | null;
  metadata?: Record<string, string | number | boolean | null>;
}

export interface Progress {
  /** Training epochs completed (may be fractional mid-epoch). */
  epoch: number;
  step: number | null;
  epochSource: EpochSource;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/** A name without its extension and without decimal numbers (`weights.03-0.45.hdf5` → `weights.03-`: 0.45 is a metric). */
function nameStem(file: string): string {
  return path.basename(file).replace(/\.[^.]+$/, '').replace(/\d+\.\d+(e-?\d+)?/gi, '');
}

const EPOCH_TAG = /epoch[=_-]?(\d+)/i;
const SHORT_TAG = /(?:^|[^a-z0-9.])ep?[=_-]?(\d+)/i;
const STEP_TAG = /(?:^|[^a-z])(?:global_?step|steps?|iters?|iterations?|it)[=_-]?(\d+)/i;

/** Whether a name tags its number as an epoch (`epoch=3`, `ep05`, `e12`). */
export function isTaggedEpoch(file: string): boolean {
  const stem = nameStem(file);
  return EPOCH_TAG.test(stem) || SHORT_TAG.test(stem);
}

/**
 * The number a file name gives its epoch: `epoch=3.ckpt`, `ckpt_0005.pt`, `weights.03-0.45.hdf5`
 * (decimals are metrics), else the last integer; undefined when the only number is tagged as a
 * step (`step_1000.pt`, `iter-500.pt`).
 */
export function epochFromName(file: string): number | undefined {
  const stem = nameStem(file);
  const tagged = EPOCH_TAG.exec(stem) ?? SHORT_TAG.exec(stem);
  if (tagged) return Number(tagged[1]);
  if (STEP_TAG.test(stem)) return undefined;
  const all = stem.match(/\d+/g);
  return all ? Number(all[all.length - 1]) : undefined;
}

/** The step a file name gives: `epoch=2-step=938.ckpt`, `step_1000.pt`, `iter-500.pt`. */
export function stepFromName(file: string): number | undefined {
  const m = STEP_TAG.exec(nameStem(file));
  return m ? Number(m[1]) : undefined;
}

function isLightningCheckpoint(c: CheckpointFacts): boolean {
  if (c.metadata && 'pytorch-lightning_version' in c.metadata) return true;
  if (!/\.ckpt$/i.test(c.path)) return false;
  const dir = path.dirname(c.path);
  return /^epoch=\d+/.test(path.basename(c.path)) || (/^checkpoints$/.test(path.basename(dir)) && /^version_\d+$/.test(path.basename(path.dirname(dir))));
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function trainerStateIn(dir: string): TrainerState | undefined {
  const f = path.join(dir, TRAINER_STATE);
  if (!fs.existsSync(f)) return undefined;
  try {
    return readTrainerState(f);
  } catch {
    return undefined;
  }
}

function mtime(p: string): number {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return Infinity; // gone since: last
  }
}

function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const metaNumber = (c: CheckpointFacts, key: string): number | null => {
  const v = c.metadata?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

export interface Placement<T> {
  /** On the axis, sorted by epoch, then step, then name. */
  placed: (T & Progress)[];
  /**
   * Files with no epoch of their own beside numbered ones (`best.pt`, `last.pt`): not on the axis.
   * They carry a provisional epoch after the last one, for ordering only.
   */
  unplaced: (T & Progress)[];
  /** The run numbers epochs from 0 after training them (told, or shown by an optimizer that has stepped in an "epoch 0" file). */
  zeroBased: boolean;
  warnings: string[];
}

/** Places a run's checkpoints on the progress axis. `warnings` explain every guess once per run. */
export function placeCheckpoints<T extends CheckpointFacts>(items: T[], opts: ProgressOptions = {}): Placement<T> {
  const warnings = new Set<string>();
  const out = new Map<T, Progress>();
  const plain: T[] = [];
  const stateless: { c: T; step: number }[] = []; // checkpoint-<step> folders no trainer state places
  let outputState: TrainerState | null | undefined; // read once, when a folder has no state of its own
  // Lightning: steps per epoch, for checkpoints written mid-epoch.
  const lightning = items.filter(isLightningCheckpoint);
  const spe = median(lightning.flatMap((c) => {
    const e = c.epoch ?? epochFromName(c.path);
    const s = metaNumber(c, 'global_step') ?? stepFromName(c.path);
    return e !== undefined && e !== null && s !== undefined && s !== null && s > 0 ? [s / (e + 1)] : [];
  }));
  for (const c of items) {
    if (isLightningCheckpoint(c)) {
      const stored = c.epoch;
      const e = stored ?? epochFromName(c.path);
      const step = metaNumber(c, 'global_step') ?? stepFromName(c.path) ?? null;
      if (e === undefined) {
        plain.push(c);
        continue;
      }
      let epoch = e + 1;
      if (step !== null && spe !== undefined && step < (e + 1) * spe * 0.98) {
        epoch = round(step / spe);
        warnings.add(`${path.basename(c.path)} was written mid-epoch (step ${step} of about ${Math.round((e + 1) * spe)} at the end of epoch ${e + 1}): placed at epoch ${epoch}`);
      }
      out.set(c, { epoch, step, epochSource: stored !== null ? 'stored' : 'name' });
      if (stored === null) warnings.add('Lightning epochs from file names (epoch=E-step=S.ckpt: E+1 epochs done), the files store none');
      continue;
    }
    const hfStep = isDirectory(c.path) ? hfCheckpointStep(c.path) : undefined;
    if (hfStep !== undefined) {
      const own = trainerStateIn(c.path);
      if (own?.epoch != null) {
        out.set(c, { epoch: round(own.epoch), step: own.globalStep ?? hfStep, epochSource: 'stored' });
        continue;
      }
      if (outputState === undefined) outputState = trainerStateIn(path.dirname(c.path)) ?? null;
      const logged = outputState ? Object.values(outputState.log.series).flat().find((p) => p.step === hfStep) : undefined;
      if (logged) out.set(c, { epoch: round(logged.epoch), step: hfStep, epochSource: 'log' });
      else if (outputState?.maxSteps && outputState.numTrainEpochs) {
        out.set(c, { epoch: round((hfStep * outputState.numTrainEpochs) / outputState.maxSteps), step: hfStep, epochSource: 'log' });
        warnings.add(`${path.basename(c.path)} has no trainer_state.json: its epoch is its step × num_train_epochs / max_steps of the output folder's state`);
      } else stateless.push({ c, step: hfStep });
      continue;
    }
    if (/\.(h5|hdf5|keras)$/i.test(c.path) && c.epoch === null && epochFromName(c.path) !== undefined) {
      out.set(c, { epoch: epochFromName(c.path)!, step: null, epochSource: 'name' });
      warnings.add('Keras epochs from file names as ModelCheckpoint writes them: {epoch} counts from 1 (weights.03.h5 = 3 epochs done)');
      continue;
    }
    plain.push(c);
  }
  if (stateless.length) {
    stateless.sort((a, b) => a.step - b.step).forEach(({ c, step }, i) => out.set(c, { epoch: i + 1, step, epochSource: 'order' }));
    warnings.add('checkpoint-<step> folders without a trainer_state.json, in or beside them: numbered 1, 2, … by step (their epochs are unknown)');
  }
  const { unplaced, zeroBased } = placePlain(plain, opts, out, warnings);
  // At the same epoch and step, a numbered file before a copy named best/last/latest/final.
  const copy = (p: string): number => (/^(best|last|latest|final)/i.test(path.basename(p)) ? 1 : 0);
  const byAxis = (a: Progress & { path: string }, b: Progress & { path: string }) => a.epoch - b.epoch || (a.step ?? -1) - (b.step ?? -1) || copy(a.path) - copy(b.path) || a.path.localeCompare(b.path);
  const placed = items.filter((c) => !unplaced.includes(c)).map((c) => ({ ...c, ...out.get(c)! })).sort(byAxis);
  const last = placed.length ? Math.floor(placed[placed.length - 1].epoch) : 0;
  const rest = unplaced.map((c, i) => ({ ...c, epoch: last + 1 + i, step: null, epochSource: 'order' as const }));
  return { placed, unplaced: rest, zeroBased, warnings: [...warnings] };
}

/** Optimizer steps a plain checkpoint records (a `global_step`/`step` key, else its optimizer's counters), or null. */
const plainStep = (c: CheckpointFacts): number | null => metaNumber(c, 'global_step') ?? metaNumber(c, 'step') ?? metaNumber(c, 'optimizer_steps') ?? stepFromName(c.path) ?? null;
/** The optimizer in the file has stepped: the weights were written after some training. */
const trained = (c: CheckpointFacts): boolean => (metaNumber(c, 'optimizer_steps') ?? 0) > 0 || c.metadata?.optimizer_trained === true;

/**
 * Plain loops: the stored epoch of every file, else the number in the names (files without one are
 * left unplaced when they store no epoch either), else the order of modification times. Numbers
 * are epochs completed, unless told (`epochNumbers: 'index'`) or shown otherwise: a file numbered 0
 * whose optimizer has already stepped was written after the first epoch, so the run counts from 0.
 */
function placePlain<T extends CheckpointFacts>(items: T[], opts: ProgressOptions, out: Map<T, Progress>, warnings: Set<string>): { unplaced: T[]; zeroBased: boolean } {
  const none = { unplaced: [] as T[], zeroBased: opts.epochNumbers === 'index' };
  if (!items.length) return none;
  const numbers = new Map<T, { n: number; source: EpochSource }>();
  const unplaced: T[] = [];
  if (items.every((c) => c.epoch !== null)) {
    for (const c of items) numbers.set(c, { n: c.epoch!, source: 'stored' });
    if (items.every((c) => epochFromName(c.path) === c.epoch! + 1) && opts.epochNumbers === undefined) {
      warnings.add(`the epoch stored in each file is one less than the number in its name (${path.basename(items[0].path)} stores ${items[0].epoch}): the stored epochs are used; if they count from 0, use --epoch-numbers index`);
    }
  } else {
    // A bare number in a name is an epoch only when the numbered files differ by that number alone
    // (ckpt_1.pt, ckpt_2.pt), so 'resnet18.pt' is not taken for epoch 18; tagged names always count.
    const numbered = items.filter((c) => epochFromName(c.path) !== undefined);
    const stems = new Set(numbered.map((c) => nameStem(c.path).replace(/\d+/g, '#')));
    const usable = numbered.length > 0 && (numbered.every((c) => isTaggedEpoch(c.path)) || (stems.size === 1 && numbered.length > 1));
    if (usable) {
      for (const c of items) {
        if (epochFromName(c.path) !== undefined) numbers.set(c, { n: epochFromName(c.path)!, source: 'name' });
        else if (c.epoch !== null) numbers.set(c, { n: c.epoch, source: 'stored' });
        else unplaced.push(c);
      }
      if (unplaced.length) warnings.add(`${unplaced.map((c) => path.basename(c.path)).join(', ')}: no epoch in ${unplaced.length === 1 ? 'its name or contents' : 'their names or contents'} beside the numbered checkpoints (a copy of one of them, such as the best or last): left out`);
    } else {
      const byTime = [...items].sort((a, b) => mtime(a.path) - mtime(b.path) || a.path.localeCompare(b.path));
      byTime.forEach((c, i) => out.set(c, { epoch: i + 1, step: plainStep(c), epochSource: 'order' }));
      const steps = items.some((c) => stepFromName(c.path) !== undefined) ? ' (their names give steps, not epochs)' : '';
      warnings.add(items.length > 1 ? `the checkpoints store no epoch and their names give none${steps}: numbered 1, 2, … in order of modification time` : `the checkpoint stores no epoch and its name gives none${steps}: taken as epoch 1`);
      return none;
    }
  }
  const evidence = [...numbers].find(([c, v]) => v.n === 0 && trained(c));
  let zeroBased = opts.epochNumbers === 'index';
  if (evidence && opts.epochNumbers === undefined) {
    zeroBased = true;
    const [c] = evidence;
    const steps = metaNumber(c, 'optimizer_steps');
    warnings.add(`${path.basename(c.path)} is numbered 0 but its optimizer has ${steps ? `taken ${steps} steps` : 'state'}: it was written after training, so this run numbers epochs from 0 after training them; read as the number + 1 (--epoch-numbers completed to read them as written)`);
  } else if (evidence && opts.epochNumbers === 'completed') {
    warnings.add(`${path.basename(evidence[0].path)} is numbered 0 but its optimizer has stepped: --epoch-numbers completed reads it as the weights before training anyway`);
  }
  if (zeroBased && opts.epochNumbers === 'index') warnings.add('epoch numbers read as 0-based indices of the epoch just trained (--epoch-numbers index): + 1');
  if (!zeroBased && [...numbers.values()].some((v) => v.source === 'name')) {
    warnings.add('epochs from file names, read as epochs completed (epoch_0 = the weights before training, epoch_3 = after 3 epochs); if your loop names the file after the 0-based index of the epoch it just trained, use --epoch-numbers index');
  }
  for (const [c, v] of numbers) out.set(c, { epoch: v.n + (zeroBased ? 1 : 0), step: plainStep(c), epochSource: v.source });
  return { unplaced, zeroBased };
}

// ---------------------------------------------------------------------------------------------
// Logs on the same axis
// ---------------------------------------------------------------------------------------------

const isTestMetric = (name: string): boolean => /(^|[^a-z])test/i.test(name);

function mapSeries(log: RunLog, f: (name: string, p: MetricPoint) => number): RunLog {
  const series: Record<string, MetricPoint[]> = {};
  for (const [k, pts] of Object.entries(log.series)) {
    Object.defineProperty(series, k, { value: pts.map((p) => ({ ...p, epoch: f(k, p) })), enumerable: true, writable: true, configurable: true });
  }
  return { ...log, series };
}

function isLightningLog(log: RunLog, layout: LayoutKind): boolean {
  if (log.format === 'tensorboard') return 'epoch' in log.series;
  if (log.format !== 'lightning-csv') return false;
  const dir = path.basename(path.dirname(log.source));
  return layout === 'lightning' || (path.basename(log.source) === 'metrics.csv' && /^version_\d+$/.test(dir));
}

const KERAS_EPOCH_SERIES = /(^|\/)epoch_/;

function isKerasLog(log: RunLog, layout: LayoutKind): boolean {
  const names = Object.keys(log.series);
  // Keras' TensorBoard callback: per-epoch series `epoch_<metric>` at step = the 0-based epoch (batch series beside them keep their steps).
  if (log.format === 'tensorboard') return names.some((n) => KERAS_EPOCH_SERIES.test(n));
  if (log.format !== 'keras-csv') return false;
  if (layout === 'keras') return true;
  // Keras' CSVLogger: epochs from 0 and the metric columns sorted by name.
  const first = earliestEpoch(log);
  return first === 0 && names.every((n, i) => i === 0 || names[i - 1] <= n);
}

/**
 * The run's logs with every point's epoch on the checkpoints' axis, a line per log saying how,
 * and warnings where the convention is assumed.
 */
export function placeLogs(logs: RunLog[], layout: LayoutKind, opts: ProgressOptions = {}, zeroBased = false): { logs: RunLog[]; rules: string[]; warnings: string[] } {
  const rules: string[] = [];
  const warnings: string[] = [];
  const told = opts.epochNumbers === 'index';
  const placed = logs.map((log) => {
    const name = path.basename(log.source);
    if (log.format === 'hf-trainer-state') {
      rules.push(`${name}: epochs as logged (epochs done, fractional mid-epoch)`);
      return log;
    }
    if (isLightningLog(log, layout)) {
      rules.push(`${name}: Lightning's 0-based epoch E of a training or validation value placed at E+1, a test value at E`);
      return mapSeries(log, (k, p) => (isTestMetric(k) ? p.epoch : p.epoch + 1));
    }
    if (isKerasLog(log, layout)) {
      rules.push(`${name}: Keras' 0-based epoch E placed at E+1`);
      return mapSeries(log, (k, p) => (log.format !== 'tensorboard' || KERAS_EPOCH_SERIES.test(k) ? p.epoch + 1 : p.epoch));
    }
    const min = earliestEpoch(log);
    // A run whose checkpoints count epochs from 0 (progress: an "epoch 0" file written after training) logs them so too when its log starts at 0.
    const shift = told || (zeroBased && min === 0) ? 1 : 0;
    rules.push(`${name}: epochs as logged, read as epochs completed${told ? ' (--epoch-numbers index: +1)' : shift ? ' after +1 (the run numbers epochs from 0, as its checkpoints show)' : ''}`);
    if (!shift && min === 0 && Object.keys(log.series).some((k) => !isTestMetric(k))) {
      warnings.push(`${name} logs epoch 0, read as before any training; if it logs the 0-based index of the epoch just trained, use --epoch-numbers index`);
    }
    return shift ? mapSeries(log, (_k, p) => p.epoch + shift) : log;
  });
  return { logs: placed, rules, warnings };
}

/** The smallest epoch any series of a log holds (Infinity for none): a loop, since a log may hold millions of points. */
function earliestEpoch(log: RunLog): number {
  let min = Infinity;
  for (const pts of Object.values(log.series)) for (const p of pts) if (p.epoch < min) min = p.epoch;
  return min;
}
