/**
 * The runs table's filter: one line of text, the single place a filter lives, so that typing it
 * and brushing an axis of the parallel coordinates are the same thing (a brush writes
 * `lr>=1e-4 lr<=3e-3` into the line; clearing the line clears every brush). Pure functions.
 *
 * Syntax: words separated by spaces, all must hold.
 *   conv          the run's name contains "conv" (any case)
 *   key=a,b       the hyperparameter is a or b (numbers compare as numbers, text in any case)
 *   key!=a        it is not a (a run without the key passes)
 *   key<x key<=x key>x key>=x   numeric comparisons
 * Besides hyperparameter keys: name, status (training or analysis status), forecast, final and
 * score (final accuracy when known, else the forecast), as fractions or percentages (final>70%).
 * Values with spaces are quoted: name="my run".
 */
import type { RunSummary } from '../src/shared/dashboard-protocol';
import { hyperText, hyperValue, type HyperValue } from './hyper';

export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface Clause {
  /** null: a free word matched against the run's name. */
  key: string | null;
  op: FilterOp | null;
  values: string[];
}

export interface ParsedFilter {
  clauses: Clause[];
  /** Words that could not be read (e.g. `lr<abc`): shown under the field, otherwise ignored. */
  errors: string[];
}

const NUMERIC_OPS: FilterOp[] = ['<', '<=', '>', '>='];

/** Splits on spaces outside double quotes; quotes are kept in the words. */
function words(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

const unquote = (s: string): string => (s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s.replace(/"/g, ''));

/** Splits a value list on commas outside quotes. */
function valueList(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === ',') {
      out.push(unquote(cur));
      cur = '';
    } else cur += ch;
  }
  out.push(unquote(cur));
  return out.filter((v) => v !== '');
}

/** A number typed in a filter: "0.7", "70%", "1e-3". */
export function filterNumber(s: string): number {
  const t = s.trim();
  const pct = t.endsWith('%');
  const v = Number(pct ? t.slice(0, -1) : t);
  return t === '' || !Number.isFinite(v) ? NaN : pct ? v / 100 : v;
}

export function parseFilter(text: string): ParsedFilter {
  const clauses: Clause[] = [];
  const errors: string[] = [];
  for (const w of words(text)) {
    const m = /^([^=<>!"]+)(!=|<=|>=|=|<|>)(.*)$/.exec(w);
    if (!m) {
      clauses.push({ key: null, op: null, values: [unquote(w)] });
      continue;
    }
    const key = m[1];
    const op = m[2] as FilterOp;
    const values = valueList(m[3]);
    if (values.length === 0 || (NUMERIC_OPS.includes(op) && (values.length !== 1 || !Number.isFinite(filterNumber(values[0]))))) {
      errors.push(w);
      continue;
    }
    clauses.push({ key, op, values });
  }
  return { clauses, errors };
}

/** What a filter key reads from a run: a hyperparameter, or one of the run's own fields. */
export function fieldValue(r: RunSummary, key: string): HyperValue | HyperValue[] | undefined {
  const own = hyperValue(r, key);
  if (own !== undefined) return own;
  switch (key.toLowerCase()) {
    case 'name':
      return r.name;
    case 'status':
      return [r.training?.status ?? 'unknown', r.status];
    case 'forecast':
      return r.forecast && Number.isFinite(r.forecast.accuracy) ? r.forecast.accuracy : undefined;
    case 'final':
      return r.finalAccuracy !== null && Number.isFinite(r.finalAccuracy) ? r.finalAccuracy : undefined;
    case 'score':
      return fieldValue(r, 'final') ?? fieldValue(r, 'forecast');
    default: {
      // A key typed in another case, when only one key matches.
      const values = r.hyperparameters?.values ?? {};
      const hits = Object.keys(values).filter((k) => k.toLowerCase() === key.toLowerCase());
      return hits.length === 1 ? (values[hits[0]] as HyperValue) : undefined;
    }
  }
}

function equals(v: HyperValue, want: string): boolean {
  if (typeof v === 'number') {
    const n = filterNumber(want);
    return Number.isFinite(n) ? Math.abs(v - n) <= 1e-12 * Math.max(1, Math.abs(v), Math.abs(n)) || hyperText(v) === want : false;
  }
  return hyperText(v).toLowerCase() === want.toLowerCase();
}

function compare(v: HyperValue, op: FilterOp, want: number): boolean {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  // Tolerance for numbers rounded when written by a brush.
  const eps = 1e-9 * Math.max(Math.abs(v), Math.abs(want));
  switch (op) {
    case '<':
      return v < want - eps;
    case '<=':
      return v <= want + eps;
    case '>':
      return v > want + eps;
    case '>=':
      return v >= want - eps;
    default:
      return false;
  }
}

export function clauseMatches(r: RunSummary, c: Clause): boolean {
  if (c.key === null) return r.name.toLowerCase().includes(c.values[0].toLowerCase());
  const raw = fieldValue(r, c.key);
  const vals = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (c.op === '!=') return !vals.some((v) => c.values.some((w) => equals(v, w)));
  if (vals.length === 0) return false;
  if (c.op === '=') return vals.some((v) => c.values.some((w) => equals(v, w)));
  const want = filterNumber(c.values[0]);
  return vals.some((v) => compare(v, c.op!, want));
}

export function matchesFilter(r: RunSummary, f: ParsedFilter): boolean {
  return f.clauses.every((c) => clauseMatches(r, c));
}

// ---------------------------------------------------------------------------------------------
// Brushes: a key's clauses in the line, read and written

/** The numeric range the filter puts on a key (either end may be open), or null when none. */
export function rangeFor(f: ParsedFilter, key: string): { lo: number; hi: number } | null {
  let lo = -Infinity, hi = Infinity, any = false;
  for (const c of f.clauses) {
    if (c.key !== key || c.op === null || !NUMERIC_OPS.includes(c.op)) continue;
    const v = filterNumber(c.values[0]);
    any = true;
    if (c.op === '>' || c.op === '>=') lo = Math.max(lo, v);
    else hi = Math.min(hi, v);
  }
  return any ? { lo, hi } : null;
}

/** The values the filter allows for a key (`key=a,b`), or null when it names none. */
export function setFor(f: ParsedFilter, key: string): string[] | null {
  const c = f.clauses.find((x) => x.key === key && x.op === '=');
  return c ? c.values : null;
}

const quoteIfNeeded = (s: string): string => (/[\s,"=<>!]/.test(s) ? `"${s.replace(/"/g, '')}"` : s);

/** Rounds towards −∞ (down) or +∞ (up) at `sig` significant digits, so a brush keeps its edge runs. */
export function roundAt(v: number, sig: number, dir: 'down' | 'up'): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const p = Math.floor(Math.log10(Math.abs(v))) - sig + 1;
  const k = Math.pow(10, p);
  const q = v / k;
  const r = dir === 'down' ? Math.floor(q + 1e-9) : Math.ceil(q - 1e-9);
  return Number((r * k).toPrecision(sig + 1));
}

/** The filter line without any word about `key`. */
export function withoutKey(text: string, key: string): string {
  const parsedKey = (w: string): string | null => /^([^=<>!"]+)(!=|<=|>=|=|<|>)/.exec(w)?.[1] ?? null;
  return words(text)
    .filter((w) => parsedKey(w) !== key)
    .join(' ');
}

/** Whether a key can be written into the filter line (no spaces, quotes, commas or operators in it). */
export function filterableKey(key: string): boolean {
  return /^[^\s=<>!",]+$/.test(key);
}

/** The filter line with `key` restricted to [lo, hi] (replacing what it said about the key). */
export function withRange(text: string, key: string, lo: number, hi: number): string {
  if (!filterableKey(key)) return text;
  const k = key;
  const a = hyperText(roundAt(lo, 3, 'down'));
  const b = hyperText(roundAt(hi, 3, 'up'));
  return [withoutKey(text, key), `${k}>=${a}`, `${k}<=${b}`].filter(Boolean).join(' ');
}

/** The filter line with `key` restricted to some values. */
export function withValues(text: string, key: string, values: readonly string[]): string {
  if (!filterableKey(key)) return text;
  return [withoutKey(text, key), `${key}=${values.map(quoteIfNeeded).join(',')}`].filter(Boolean).join(' ');
}
