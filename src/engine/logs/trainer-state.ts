/**
 * Hugging Face Trainer state (`trainer_state.json`), written into every `checkpoint-<step>/` and,
 * by `trainer.save_state()`, into the output folder. It is `dataclasses.asdict(TrainerState)`
 * dumped with `json.dumps(indent=2, sort_keys=True)`, so non-finite floats appear as bare `NaN` /
 * `Infinity` (read with parsePythonJson). Fields used here:
 *  - `log_history`: one object per `Trainer.log` call, each with `epoch` (a float: epochs done,
 *    e.g. 0.42 mid-way through the first epoch, 1.0 at its end) and `step` (the global step):
 *    training logs (`loss`, `learning_rate`, `grad_norm`), evaluations (`eval_loss`,
 *    `eval_<metric>` from compute_metrics, `eval_runtime`), and at the end of `train()` a summary
 *    with `train_runtime`, `train_loss`, `total_flos` (the run completed);
 *  - `epoch`, `global_step`, `max_steps`, `num_train_epochs`, `train_batch_size`,
 *    `logging_steps`, `eval_steps`, `save_steps`, `best_metric`, `best_model_checkpoint`;
 *  - `stateful_callbacks.TrainerControl.args.should_training_stop` (transformers ≥ 4.41): true in
 *    the state saved with the last checkpoint.
 *
 * Reference: transformers `trainer_callback.py` (TrainerState, DefaultFlowCallback) and
 * `trainer.py` (`Trainer.log`, `_inner_training_loop`).
 */
import * as path from 'node:path';
import { FormatError, InputError } from '../errors';
import { readLogText, SeriesBuilder, type RunLog } from './common';
import { parsePythonJson } from './jsonl';

export const TRAINER_STATE = 'trainer_state.json';
/** A trainer state is small (its log history grows by one entry per logging step); refuse giants. */
const MAX_STATE_BYTES = 64 * 2 ** 20;

export interface TrainerState {
  file: string;
  /** Epochs done when it was written (a float). */
  epoch: number | null;
  globalStep: number | null;
  maxSteps: number | null;
  numTrainEpochs: number | null;
  /** The run completed: a `train_runtime` summary was logged, or the control said to stop, or global_step reached max_steps. */
  completed: boolean;
  /** Scalar fields worth keeping as hyperparameters (train_batch_size, logging_steps, ...). */
  scalars: Record<string, number | string | boolean>;
  log: RunLog;
}

export function isTrainerStateFile(file: string): boolean {
  return path.basename(file) === TRAINER_STATE;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Bookkeeping numbers of a log entry that are not metrics of the model. */
const NOT_METRIC = /(^|_)(runtime|samples_per_second|steps_per_second|total_flos|num_input_tokens_seen)$/;
const STATE_SCALARS = ['train_batch_size', 'logging_steps', 'eval_steps', 'save_steps', 'num_train_epochs', 'max_steps'];

export function readTrainerState(file: string): TrainerState {
  let json: unknown;
  try {
    json = parsePythonJson(readLogText(file, MAX_STATE_BYTES));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new FormatError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(json)) throw new FormatError(file, 'a trainer state is a JSON object');
  const history = json.log_history;
  if (!Array.isArray(history)) throw new FormatError(file, "no 'log_history' list: not a Hugging Face trainer state");
  const warnings: string[] = [];
  const builder = new SeriesBuilder();
  let completed = false;
  let noEpoch = 0;
  for (const entry of history) {
    if (!isRecord(entry)) continue;
    const step = num(entry.step);
    const epoch = num(entry.epoch);
    if (epoch === null) {
      noEpoch++;
      continue;
    }
    if ('train_runtime' in entry) completed = true;
    for (const [k, v] of Object.entries(entry)) {
      if (k === 'epoch' || k === 'step' || typeof v !== 'number' || NOT_METRIC.test(k)) continue;
      builder.add(k, step === null ? { epoch, value: v } : { epoch, step, value: v });
    }
  }
  if (noEpoch) warnings.push(`${noEpoch} log_history entr${noEpoch === 1 ? 'y has' : 'ies have'} no epoch; skipped`);
  const control = (json.stateful_callbacks as { TrainerControl?: { args?: { should_training_stop?: unknown } } } | undefined)?.TrainerControl?.args;
  if (control?.should_training_stop === true) completed = true;
  const globalStep = num(json.global_step);
  const maxSteps = num(json.max_steps);
  if (globalStep !== null && maxSteps !== null && maxSteps > 0 && globalStep >= maxSteps) completed = true;
  const scalars: TrainerState['scalars'] = {};
  for (const k of STATE_SCALARS) {
    const v = json[k];
    if (typeof v === 'number' && Number.isFinite(v)) scalars[k] = v;
  }
  return {
    file,
    epoch: num(json.epoch),
    globalStep,
    maxSteps,
    numTrainEpochs: num(json.num_train_epochs),
    completed,
    scalars,
    log: { source: file, format: 'hf-trainer-state', series: builder.toRecord(), warnings },
  };
}

/**
 * Of several trainer states (the output folder's and each checkpoint's), the most advanced one:
 * the highest global_step, then the one that says the run completed, then the output folder's
 * (fewest path parts). Each later state holds the whole log history of the earlier ones.
 */
export function latestTrainerState(files: string[]): string | undefined {
  let best: { file: string; key: [number, number, number] } | undefined;
  for (const f of files) {
    let s: TrainerState;
    try {
      s = readTrainerState(f);
    } catch {
      continue; // reported when the chosen log is read, or not at all when another is complete
    }
    const key: [number, number, number] = [s.globalStep ?? -1, s.completed ? 1 : 0, -f.split(path.sep).length];
    if (!best || key[0] > best.key[0] || (key[0] === best.key[0] && (key[1] > best.key[1] || (key[1] === best.key[1] && key[2] > best.key[2])))) best = { file: f, key };
  }
  return best?.file ?? files[0];
}
