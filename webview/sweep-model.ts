/**
 * The sweep view's pure logic: the metric runs are ranked and coloured by, the rank of each run in
 * its sweep, sorting by any column of the runs table (hyperparameters included), the sweep the
 * charts describe, and the stopping advice summed over the runs. The advice itself is the host's
 * (RunSummary.advice, the same rule and numbers as the CLI): it is only counted here, never
 * re-derived. No DOM here.
 */
import type { RunSummary, TrainingStatus } from '../src/shared/dashboard-protocol';
import { compareText, hyperText, hyperValue } from './hyper';

/** What runs are ranked and coloured by: final accuracy when known, else the forecast ('score'). */
export type MetricKey = 'score' | 'forecast' | 'final';
export const METRICS: readonly MetricKey[] = ['score', 'forecast', 'final'];
export const METRIC_LABELS: Record<MetricKey, string> = { score: 'final, else forecast', forecast: 'forecast', final: 'final accuracy' };

export function metricOf(r: RunSummary, m: MetricKey): number | null {
  const fin = r.finalAccuracy !== null && Number.isFinite(r.finalAccuracy) ? r.finalAccuracy : null;
  const fc = r.forecast && Number.isFinite(r.forecast.accuracy) ? r.forecast.accuracy : null;
  if (m === 'final') return fin;
  if (m === 'forecast') return fc;
  return fin ?? fc;
}

/** Columns of the runs table that sort: fixed ones, and `hp:<key>` for a hyperparameter. */
export type FixedColumn = 'score' | 'name' | 'status' | 'epochs' | 'forecast' | 'final';
export type ColumnId = FixedColumn | `hp:${string}`;
export type SortDir = 'asc' | 'desc';
export const FIXED_COLUMNS: readonly FixedColumn[] = ['score', 'name', 'status', 'epochs', 'forecast', 'final'];

export function isColumnId(v: unknown): v is ColumnId {
  return typeof v === 'string' && ((FIXED_COLUMNS as readonly string[]).includes(v) || (v.startsWith('hp:') && v.length > 3 && v.length <= 512));
}

/** The direction a column sorts in when first clicked: best and largest first, names A→Z. */
export function naturalDir(c: ColumnId): SortDir {
  return c === 'name' || c === 'status' || c.startsWith('hp:') ? 'asc' : 'desc';
}

/** Where each training status sorts: what needs a decision first. */
const TRAINING_ORDER: Record<TrainingStatus, number> = { diverged: 0, running: 1, unknown: 2, stopped: 3, finished: 4 };
const ANALYSIS_ORDER: Record<RunSummary['status'], number> = { analyzing: 0, waiting: 1, ready: 2, error: 3 };

export function trainingStatus(r: RunSummary): TrainingStatus {
  const s = r.training?.status;
  return s && s in TRAINING_ORDER ? s : 'unknown';
}

type SortValue = number | string | null;

function sortValue(r: RunSummary, c: ColumnId): SortValue {
  switch (c) {
    case 'score':
      return metricOf(r, 'score');
    case 'forecast':
      return metricOf(r, 'forecast');
    case 'final':
      return metricOf(r, 'final');
    case 'epochs':
      return r.epochs.length;
    case 'name':
      return r.name;
    case 'status':
      return TRAINING_ORDER[trainingStatus(r)] * 10 + (ANALYSIS_ORDER[r.status] ?? 9);
    default: {
      const v = hyperValue(r, c.slice(3));
      if (v === undefined || v === null) return null;
      return typeof v === 'number' ? (Number.isFinite(v) ? v : null) : hyperText(v);
    }
  }
}

const byName = (a: RunSummary, b: RunSummary): number => a.name.localeCompare(b.name, undefined, { numeric: true }) || a.id.localeCompare(b.id);

/** Runs sorted by a column (a new array): runs without a value go last in either direction; ties by name. */
export function sortRuns(runs: readonly RunSummary[], c: ColumnId, dir: SortDir = naturalDir(c)): RunSummary[] {
  const sign = dir === 'asc' ? 1 : -1;
  const keyed = runs.map((r) => ({ r, v: sortValue(r, c) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === null && b.v === null ? byName(a.r, b.r) : a.v === null ? 1 : -1;
    let d: number;
    if (typeof a.v === 'number' && typeof b.v === 'number') d = a.v - b.v;
    else if (c === 'name') d = byName(a.r, b.r);
    else d = typeof a.v === 'number' ? -1 : typeof b.v === 'number' ? 1 : compareText(a.v as string, b.v as string);
    return sign * d || byName(a.r, b.r);
  });
  return keyed.map((k) => k.r);
}

/** Each scored run's place in its sweep by score (1 = best): run id → { rank, of }. */
export function sweepRanks(runs: readonly RunSummary[]): Map<string, { rank: number; of: number }> {
  const bySweep = new Map<string, RunSummary[]>();
  for (const r of runs) {
    if (metricOf(r, 'score') === null) continue;
    const g = bySweep.get(r.sweep);
    if (g) g.push(r);
    else bySweep.set(r.sweep, [r]);
  }
  const out = new Map<string, { rank: number; of: number }>();
  for (const g of bySweep.values()) {
    const sorted = sortRuns(g, 'score', 'desc');
    let rank = 0;
    sorted.forEach((r, i) => {
      // Equal scores share a rank.
      if (i === 0 || metricOf(r, 'score') !== metricOf(sorted[i - 1], 'score')) rank = i + 1;
      out.set(r.id, { rank, of: sorted.length });
    });
  }
  return out;
}

/** The sweep the charts describe: the selected run's when it has company, else the largest. */
export function focusSweep(runs: readonly RunSummary[], selected: string | null): string | null {
  const count = new Map<string, number>();
  for (const r of runs) count.set(r.sweep, (count.get(r.sweep) ?? 0) + 1);
  const sel = runs.find((r) => r.id === selected);
  if (sel && (count.get(sel.sweep) ?? 0) > 1) return sel.sweep;
  let best: string | null = null;
  for (const [s, n] of count) if (best === null || n > count.get(best)!) best = s;
  return best;
}

export interface AdviceSummary {
  /** Runs the host advises to stop, in the order given. */
  runs: RunSummary[];
  /** Epochs of compute saved, summed over the runs whose horizon is known. */
  epochsSaved: number;
  /** Advised runs whose saving is unknown (no horizon). */
  unknown: number;
}

export function adviceSummary(runs: readonly RunSummary[]): AdviceSummary {
  const advised = runs.filter((r) => r.advice?.stop === true);
  let saved = 0, unknown = 0;
  for (const r of advised) {
    const e = r.advice!.epochsSaved;
    if (typeof e === 'number' && Number.isFinite(e) && e >= 0) saved += e;
    else unknown++;
  }
  return { runs: advised, epochsSaved: Math.round(saved), unknown };
}

/** The advice in one sentence: "Stop these 3 runs now, saving about 24 epochs of compute." */
export function adviceText(a: AdviceSummary): string {
  const n = a.runs.length;
  if (n === 0) return '';
  const what = n === 1 ? 'Stop this run now' : `Stop these ${n} runs now`;
  const known = n - a.unknown;
  if (known === 0) return `${what} (how much compute that saves is unknown: no horizon is known for ${n === 1 ? 'it' : 'them'}).`;
  const eps = `${a.epochsSaved} epoch${a.epochsSaved === 1 ? '' : 's'}`;
  const more = a.unknown ? `, plus what ${a.unknown} run${a.unknown === 1 ? '' : 's'} without a known horizon would still take` : '';
  return `${what}, saving about ${eps} of compute${more}.`;
}
