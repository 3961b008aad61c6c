/**
 * The run facts of the dashboard protocol (training status, horizon, hyperparameters, divergence)
 * from what the run-facts job read (run-facts.ts), and the sweep's stopping advice from the
 * engine's one rule (engine run/sweep-advice.ts), so the dashboard, the status bar and the
 * notifications show the same numbers the CLI prints.
 *
 * Advice is only given on what is known: a run whose logs are not read yet, or whose forecast was
 * made before they were, has none (a forecast without the logged validation accuracy, or a run
 * not yet known to be finished, must never ask to stop a run).
 */
import * as path from 'node:path';
import { adviseSweep, type SweepRun } from '../../engine/run/sweep-advice';
import type { DivergenceView, HorizonView, RunSummary, StopAdviceView, TrainingView } from '../../shared/dashboard-protocol';
import type { RunState } from './run-registry';

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/** The last epoch the run completed: its latest checkpoint's or its logs', whichever is later. */
export function lastEpochOf(run: RunState): number | null {
  const ordered = run.ordered();
  const ckpt = ordered.length ? ordered[ordered.length - 1].order : null;
  const logged = run.facts?.status.lastEpoch ?? null;
  if (ckpt === null) return logged;
  return logged === null ? ckpt : round(Math.max(ckpt, logged));
}

export function trainingView(run: RunState): TrainingView {
  const f = run.facts;
  if (!f) return { status: 'unknown', reason: 'its logs are not read yet', lastEpoch: lastEpochOf(run) };
  return { status: f.status.status, reason: f.status.reason, lastEpoch: lastEpochOf(run) };
}

export function horizonView(run: RunState): HorizonView | null {
  const h = run.facts?.horizon;
  return h ? { epochs: h.epochs, steps: h.steps, source: h.source } : null;
}

export function divergenceView(run: RunState): DivergenceView | null {
  const d = run.facts?.divergence;
  if (!d) return null;
  const v: DivergenceView = { epoch: d.epoch, value: d.value };
  if (d.tensor) v.tensor = d.tensor;
  if (d.metric) v.metric = d.metric;
  return v;
}

export function hyperparametersView(run: RunState): RunSummary['hyperparameters'] {
  const values: Record<string, number | string | boolean> = {};
  const sources: Record<string, string> = {};
  const hp = run.facts?.hyperparameters;
  if (hp) {
    for (const [k, v] of Object.entries(hp.values)) {
      if (v === null) continue;
      values[k] = v;
      if (hp.sources[k] !== undefined) sources[k] = hp.sources[k];
    }
  }
  return { values, sources };
}

/** Where a run diverged, in words: "at epoch 4: NaN in fc1.weight". */
export function divergenceWords(run: RunState): string | null {
  const d = run.facts?.divergence;
  if (!d) return null;
  const where = d.tensor ? `${d.value} in ${d.tensor}` : `${d.metric ?? 'the loss'} is ${d.value} in ${path.basename(d.file)}`;
  return `at epoch ${round(d.epoch)}: ${where}`;
}

/** A run as the stopping rule sees it; its forecast counts only once made after its logs were read. */
function sweepRun(run: RunState, s: RunSummary): SweepRun {
  const trusted = run.facts !== null && run.forecastAfterFacts > 0;
  return {
    id: run.dir,
    name: s.name,
    status: s.training.status,
    forecast: trusted && s.forecast ? { accuracy: s.forecast.accuracy, low: s.forecast.low, high: s.forecast.high } : null,
    finalAccuracy: s.finalAccuracy,
    epochsDone: s.training.lastEpoch,
    horizon: run.facts?.horizon?.epochs ?? null,
    divergence: divergenceWords(run),
  };
}

/**
 * Fills each summary's `advice` by the sweep's rule (runs sharing a parent folder are a sweep);
 * returns each sweep's summary line ("Stop these 2 runs now, saving about 21 epochs of compute.").
 */
export function fillAdvice(runs: RunState[], summaries: RunSummary[]): Map<string, string> {
  const bySweep = new Map<string, { run: RunState; s: RunSummary }[]>();
  runs.forEach((run, i) => bySweep.set(run.sweep, [...(bySweep.get(run.sweep) ?? []), { run, s: summaries[i] }]));
  const lines = new Map<string, string>();
  for (const [sweep, members] of bySweep) {
    const advice = adviseSweep(members.map((m) => sweepRun(m.run, m.s)));
    lines.set(sweep, advice.summary.text);
    for (const { run, s } of members) {
      const a = advice.perRun.get(run.dir);
      const view: StopAdviceView | null = a && run.facts ? { stop: a.stop, reason: a.reason, epochsSaved: a.epochsSaved } : null;
      s.advice = view;
    }
  }
  return lines;
}
