/**
 * A run's horizon: the epoch (and step) its training is set to end at, on the progress axis
 * (progress.ts). From, in order:
 *  1. `--horizon T` (the user knows best);
 *  2. Hugging Face: the trainer state's `max_steps` (always the total step budget) and
 *     `num_train_epochs`; an explicit `max_steps` > 0 in the training arguments overrides the
 *     epochs (transformers: "max_steps overrides num_train_epochs"), converted with the steps per
 *     epoch its log shows;
 *  3. the run's config: `max_epochs` (Lightning, also `trainer.max_epochs` of LightningCLI),
 *     `num_train_epochs`, `epochs`, `num_epochs`, `n_epochs`, `total_epochs` (a dotted key ending
 *     in one of these, e.g. `budget.epochs`); -1 and 0 mean "no limit" and are skipped; `max_steps`
 *     alone gives a horizon in steps;
 *  4. none: status.ts then takes the epoch at which the run logged its test result, when it did.
 */
import type { TrainerState } from '../logs/trainer-state';
import type { Hyperparameters } from './hyperparameters';

export interface Horizon {
  /** Epochs the run is set to train; null when only a step budget is known. */
  epochs: number | null;
  steps: number | null;
  source: 'flag' | 'config' | 'log';
  /** The hyperparameter it was read from, and its file. */
  key?: string;
  file?: string;
}

const EPOCH_KEYS = ['max_epochs', 'num_train_epochs', 'epochs', 'num_epochs', 'n_epochs', 'total_epochs'];

const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

/** The first hyperparameter named `name` or ending in `.name`, nearest (shortest) key first. */
function find(hp: Hyperparameters, names: string[]): { key: string; value: number } | undefined {
  for (const name of names) {
    const keys = Object.keys(hp.values).filter((k) => k === name || k.endsWith(`.${name}`)).sort((a, b) => a.length - b.length);
    for (const key of keys) {
      const v = positive(hp.values[key]);
      if (v !== undefined) return { key, value: v };
    }
  }
  return undefined;
}

/** Steps per epoch seen in a trainer state's log (step / epoch of its latest entry). */
function stepsPerEpoch(state: TrainerState | undefined): number | undefined {
  if (!state) return undefined;
  let best: { step: number; epoch: number } | undefined;
  for (const pts of Object.values(state.log.series)) for (const p of pts) if (p.step !== undefined && p.epoch > 0 && (!best || p.step > best.step)) best = { step: p.step, epoch: p.epoch };
  return best ? best.step / best.epoch : undefined;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/** `stateFile` is the trainer state's file as the report names it (relative to the run folder). */
export function resolveHorizon(hp: Hyperparameters, state: TrainerState | undefined, flag?: number, stateFile?: string): Horizon | null {
  if (flag !== undefined) return { epochs: flag, steps: null, source: 'flag' };
  if (state && positive(state.maxSteps)) {
    const explicit = positive(hp.values.max_steps);
    const spe = stepsPerEpoch(state);
    if (explicit !== undefined && spe) return { epochs: round(explicit / spe), steps: explicit, source: 'config', key: 'max_steps', file: hp.sources.max_steps };
    return { epochs: positive(state.numTrainEpochs) ?? null, steps: state.maxSteps, source: 'config', key: 'num_train_epochs', file: stateFile ?? 'trainer_state.json' };
  }
  const e = find(hp, EPOCH_KEYS);
  if (e) return { epochs: e.value, steps: null, source: 'config', key: e.key, file: hp.sources[e.key] };
  const s = find(hp, ['max_steps', 'total_steps', 'num_train_steps']);
  if (s) return { epochs: null, steps: s.value, source: 'config', key: s.key, file: hp.sources[s.key] };
  return null;
}
