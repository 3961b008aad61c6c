/**
 * The hyperparameters of a sweep as the runs table and the parallel coordinates show them: which
 * keys vary between the runs (those are the columns; the keys every run shares go into one line
 * under the table's title), in the order an ML engineer looks for them (learning rate, batch size,
 * epochs, optimizer, regularisation, seed, then the rest as the runs list them), and each value
 * as short text. Pure functions of the run summaries.
 */
import type { RunSummary } from '../src/shared/dashboard-protocol';

/** A hyperparameter value as the page handles it (the engine may send null for a YAML `~`). */
export type HyperValue = number | string | boolean | null;

export interface HyperColumn {
  key: string;
  /** 'number' when every value the runs have is a finite number, else 'category'. */
  kind: 'number' | 'category';
  /** Distinct values, as text, in display order. */
  distinct: string[];
  /** Runs that have the key. */
  present: number;
}

export interface HyperColumns {
  /** Keys with at least two distinct values among the runs, most looked-for first. */
  varying: HyperColumn[];
  /** Keys every run that has them sets to the same value: [key, value as text]. */
  constant: [string, string][];
}

/** The usual suspects first (the CLI's run summary lists them in this order); the seed last of all. */
const FIRST = [/(^|\.)(lr|learning_rate)$/, /batch_size$/, /(^|\.)(max_epochs|num_train_epochs|epochs)$/, /(^|\.)optim(izer)?$/, /weight_decay$/, /momentum$/, /dropout$/];
const LAST = /(^|\.)seed$/;

/** Keys that describe the run rather than tune it: never columns. */
const BOOKKEEPING = /(^|\.)(index|run_id|id|name|output_dir|logging_dir|run_name)$/;

export function keyPriority(key: string): number {
  if (LAST.test(key)) return FIRST.length + 1;
  const i = FIRST.findIndex((re) => re.test(key));
  return i < 0 ? FIRST.length : i;
}

/** A run's value for a key (undefined when the run does not set it). */
export function hyperValue(r: RunSummary, key: string): HyperValue | undefined {
  const values = r.hyperparameters?.values as Record<string, HyperValue> | undefined;
  if (!values || !Object.prototype.hasOwnProperty.call(values, key)) return undefined;
  return values[key];
}

/** A value as short text: 0.00041 → "4.1e-4", 256 → "256", true → "true", null → "null". */
export function hyperText(v: HyperValue | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '∞' : '−∞';
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-2 || a >= 1e5)) return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
    return String(Number(v.toPrecision(3)));
  }
  return String(v);
}

const isNum = (v: HyperValue | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Sorts category texts: numbers by value, then the rest alphabetically. */
export function compareText(a: string, b: string): number {
  const x = Number(a), y = Number(b);
  const nx = a.trim() !== '' && Number.isFinite(x), ny = b.trim() !== '' && Number.isFinite(y);
  if (nx && ny) return x - y;
  if (nx !== ny) return nx ? -1 : 1;
  return a.localeCompare(b, undefined, { numeric: true });
}

/** The columns and constants of a set of runs (typically one sweep, or every run listed). */
export function hyperColumns(runs: readonly RunSummary[]): HyperColumns {
  const order: string[] = [];
  const seen = new Map<string, HyperValue[]>();
  for (const r of runs) {
    const values = r.hyperparameters?.values;
    if (!values || typeof values !== 'object') continue;
    for (const k of Object.keys(values)) {
      let list = seen.get(k);
      if (!list) {
        list = [];
        seen.set(k, list);
        order.push(k);
      }
      list.push(values[k] as HyperValue);
    }
  }
  const varying: HyperColumn[] = [];
  const constant: [string, string][] = [];
  for (const key of order) {
    const vals = seen.get(key)!;
    const kind = vals.every(isNum) ? 'number' : 'category';
    const texts = [...new Set(vals.map((v) => (kind === 'number' ? String(v) : hyperText(v))))];
    if (texts.length < 2 || BOOKKEEPING.test(key)) {
      if (!BOOKKEEPING.test(key)) constant.push([key, hyperText(vals[0])]);
      continue;
    }
    const distinct = kind === 'number' ? [...new Set(vals as number[])].sort((a, b) => a - b).map(hyperText) : texts.sort(compareText);
    varying.push({ key, kind, distinct, present: vals.length });
  }
  const idx = new Map(order.map((k, i) => [k, i]));
  varying.sort((a, b) => keyPriority(a.key) - keyPriority(b.key) || idx.get(a.key)! - idx.get(b.key)!);
  constant.sort((a, b) => keyPriority(a[0]) - keyPriority(b[0]) || idx.get(a[0])! - idx.get(b[0])!);
  return { varying, constant };
}

/** At most this many hyperparameter columns unless the user picks them. */
export const AUTO_COLUMNS = 8;

/** The columns shown: the user's choice (those still varying, in their order), else the first few. */
export function shownColumns(all: readonly HyperColumn[], chosen: readonly string[] | null): HyperColumn[] {
  if (chosen === null) return all.slice(0, AUTO_COLUMNS);
  const byKey = new Map(all.map((c) => [c.key, c]));
  return chosen.map((k) => byKey.get(k)).filter((c): c is HyperColumn => c !== undefined);
}
