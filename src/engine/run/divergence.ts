/**
 * Divergence: a run whose weights or loss are no longer finite numbers has ended, whatever its
 * script does next. Its checkpoints from then on have no graph (the metrics refuse NaN/Inf), so
 * instead of calling them unreadable the run is classified as diverged:
 *  - weights: the first checkpoint (on the progress axis) holding a non-finite value, and the
 *    first tensor, in the file's order, that holds one; found by reading the tensors one at a time;
 *  - loss: the first non-finite value of a logged loss series (`loss`, `train_loss`, `val_loss`,
 *    `eval_loss`, …), on the same axis.
 * Its forecast is chance level: 1 / the number of classes, read from the width of the network's
 * output layer (or the run's `num_labels` / `num_classes`), else unknown.
 */
import * as path from 'node:path';
import type { CheckpointAnalysis } from '../analyze-checkpoint';
import type { MetricPoint, RunLog } from '../logs/common';
import { openCheckpoint } from '../readers/index';
import { isFloat } from '../tensor';
import type { Hyperparameters } from './hyperparameters';

export interface NonFinite {
  /** The first tensor holding a non-finite value. */
  tensor: string;
  value: number;
  /** Flat index of that value. */
  index: number;
  /** What the file stores, for placing it on the progress axis. */
  epoch: number | null;
  metadata: Record<string, string | number | boolean | null>;
  /** Rows of the last weight matrix (the output layer's width in PyTorch layout). */
  outputWidth: number | null;
}

export interface Divergence {
  /** Epoch (progress axis) of the first sign of divergence. */
  epoch: number;
  step: number | null;
  source: 'weights' | 'loss';
  /** The first non-finite tensor of the first diverged checkpoint (null when only the loss says so). */
  tensor: string | null;
  /** The diverged checkpoint, or the log. */
  file: string;
  /** The loss series, when the loss diverged first. */
  metric?: string;
  /** 'NaN', 'Infinity' or '-Infinity'. */
  value: string;
}

/** The first non-finite value in a checkpoint, or null when all its float tensors are finite (or it cannot be read). */
export function firstNonFinite(file: string): NonFinite | null {
  let ckpt;
  try {
    ckpt = openCheckpoint(file);
  } catch {
    return null;
  }
  try {
    let outputWidth: number | null = null;
    let found: { tensor: string; value: number; index: number } | null = null;
    for (const t of ckpt.tensors) {
      if (t.shape.length >= 2) outputWidth = t.shape[0];
      if (found || !isFloat(t.dtype)) continue;
      let values: Float32Array;
      try {
        values = t.read();
      } catch {
        continue;
      }
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) {
          found = { tensor: t.name, value: values[i], index: i };
          break;
        }
      }
    }
    return found ? { ...found, epoch: ckpt.epoch ?? null, metadata: ckpt.metadata, outputWidth } : null;
  } finally {
    ckpt.close();
  }
}

const isLoss = (name: string): boolean => /(^|[^a-z])loss($|[^a-z])/i.test(name) || /loss$/i.test(name);

/** The first non-finite loss value in the run's logs (already on the progress axis). */
export function lossDivergence(logs: RunLog[]): Divergence | null {
  let first: { p: MetricPoint; metric: string; file: string } | null = null;
  for (const log of logs) {
    for (const [metric, pts] of Object.entries(log.series)) {
      if (!isLoss(metric)) continue;
      for (const p of pts) {
        if (Number.isFinite(p.value)) continue;
        if (!first || p.epoch < first.p.epoch || (p.epoch === first.p.epoch && (p.step ?? 0) < (first.p.step ?? 0))) first = { p, metric, file: log.source };
        break;
      }
    }
  }
  return first && { epoch: first.p.epoch, step: first.p.step ?? null, source: 'loss', tensor: null, file: first.file, metric: first.metric, value: String(first.p.value) };
}

export interface Chance {
  /** 1 / classes, or null when the number of classes is unknown. */
  accuracy: number | null;
  classes: number | null;
  /** Where the number of classes came from, in words. */
  from: string;
}

/** Chance-level accuracy from the output layer's width, else the run's hyperparameters. */
export function chanceLevel(analyses: CheckpointAnalysis[], nonFinite: NonFinite | null, hp: Hyperparameters): Chance {
  const last = analyses[analyses.length - 1]?.layers.filter((l) => l.kind !== 'input').pop();
  if (last && last.kind === 'dense' && last.nodes >= 2) return { accuracy: 1 / last.nodes, classes: last.nodes, from: `the ${last.nodes} outputs of layer '${last.name}'` };
  if (nonFinite?.outputWidth && nonFinite.outputWidth >= 2) return { accuracy: 1 / nonFinite.outputWidth, classes: nonFinite.outputWidth, from: `the ${nonFinite.outputWidth} rows of the last weight matrix` };
  for (const k of ['model.num_labels', 'num_labels', 'num_classes', 'n_classes', 'classes']) {
    const v = hp.values[k];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 2) return { accuracy: 1 / v, classes: v, from: `${k} = ${v} (${path.basename(hp.sources[k] ?? '')})` };
  }
  return { accuracy: null, classes: null, from: 'the number of classes is unknown (no classifier output layer, no num_labels or num_classes)' };
}
