/**
 * JSON-lines training logs (`metrics.jsonl`, `*.jsonl`): one JSON object per line, as a training
 * script writes with `json.dumps(record)`. Python writes bare `NaN`, `Infinity` and `-Infinity`
 * for non-finite floats; they are accepted. A last line cut short is normal (the file is being
 * written) and is dropped with a warning.
 *
 * Each line is either
 *  - wide: `{"epoch": 3, "step": 1200, "train_loss": 0.41, "val": {"acc": 0.87}}`, where every
 *    numeric leaf is a series (nested keys joined with '/': `val/acc`), or
 *  - long: `{"metric": "val_acc", "value": 0.87, "epoch": 3}` (also `name`/`tag`/`key`).
 * The epoch is `epoch`, else `step`/`global_step`, else the line's index (with a warning).
 * Lines are read as the file is, a chunk at a time (common.ts bounds the points and line length).
 */
import { FormatError } from '../errors';
import { LineSplitter, MAX_LOG_LINE, SeriesBuilder, streamLogText, type RunLog } from './common';

const NAN = '\u0000NaN';
const INF = '\u0000Infinity';
const NINF = '\u0000-Infinity';
const SENTINELS: Record<string, number> = { [NAN]: NaN, [INF]: Infinity, [NINF]: -Infinity };

/**
 * JSON.parse that also takes Python's bare NaN / Infinity / -Infinity (outside strings). They are
 * turned into sentinel strings before parsing and back into numbers by the reviver.
 */
export function parsePythonJson(line: string): unknown {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    let token: string | undefined;
    let sentinel = '';
    if (c === 0x4e && line.startsWith('NaN', i)) [token, sentinel] = ['NaN', NAN];
    else if (c === 0x49 && line.startsWith('Infinity', i)) [token, sentinel] = ['Infinity', INF];
    else if (c === 0x2d && line.startsWith('-Infinity', i)) [token, sentinel] = ['-Infinity', NINF];
    if (token) {
      out += line.slice(last, i) + JSON.stringify(sentinel);
      i += token.length - 1;
      last = i + 1;
    }
  }
  const text = last === 0 ? line : out + line.slice(last);
  return JSON.parse(text, (_k, v) => (typeof v === 'string' && v in SENTINELS ? SENTINELS[v] : v));
}

const EPOCH_KEYS = ['epoch'];
const STEP_KEYS = ['step', 'global_step', 'iteration', 'iter'];
const NAME_KEYS = ['metric', 'name', 'tag', 'key'];
const MAX_DEPTH = 6;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numberOf(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Numeric leaves of a nested object, keys joined with '/'. */
function leaves(obj: Record<string, unknown>, prefix: string, depth: number, out: [string, number][]): void {
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix ? `${prefix}/${k}` : k;
    if (typeof v === 'number') out.push([name, v]);
    else if (isRecord(v) && depth < MAX_DEPTH) leaves(v, name, depth + 1, out);
  }
}

export function readJsonlLog(file: string): RunLog {
  const warnings: string[] = [];
  const builder = new SeriesBuilder();
  let parsed = 0;
  let bad = 0;
  let noEpoch = 0;
  let long = 0;
  let sawContent = false;

  /** One line (`index` from 0); false to stop reading. */
  const take = (raw: string | null, i: number, isLast: boolean, endsWithNewline: boolean): boolean => {
    if (raw === null) {
      long++;
      sawContent = true;
      return true;
    }
    const line = raw.trim();
    if (line === '') return true;
    sawContent = true;
    let obj: unknown;
    try {
      obj = parsePythonJson(line);
    } catch {
      if (isLast) warnings.push(`the last line (${i + 1}) is incomplete or not valid JSON${endsWithNewline ? '' : ' (no line end)'}; the file is probably still being written, so it was skipped`);
      else {
        bad++;
        if (bad <= 5) warnings.push(`line ${i + 1} is not valid JSON; skipped`);
      }
      return true;
    }
    if (!isRecord(obj)) {
      bad++;
      if (bad <= 5) warnings.push(`line ${i + 1} is not a JSON object; skipped`);
      return true;
    }
    parsed++;
    const rec = obj;
    const step = STEP_KEYS.map((k) => numberOf(rec[k])).find((v) => v !== undefined && Number.isFinite(v));
    let epoch = EPOCH_KEYS.map((k) => numberOf(rec[k])).find((v) => v !== undefined && Number.isFinite(v));
    if (epoch === undefined) {
      noEpoch++;
      epoch = step ?? i;
    }
    const e = epoch;
    const point = (value: number) => (step === undefined ? { epoch: e, value } : { epoch: e, step, value });
    const nameKey = NAME_KEYS.find((k) => typeof rec[k] === 'string');
    if (nameKey && typeof rec.value === 'number') return builder.add(rec[nameKey] as string, point(rec.value));
    const vals: [string, number][] = [];
    leaves(rec, '', 0, vals);
    for (const [name, v] of vals) {
      if (EPOCH_KEYS.includes(name) || STEP_KEYS.includes(name)) continue;
      if (!builder.add(name, point(v))) return false;
    }
    return true;
  };

  // One line of lookahead: only the last line may be half-written.
  let held: { line: string | null; index: number } | undefined;
  const lines = new LineSplitter((line, index) => {
    const prev = held;
    held = { line, index };
    return prev === undefined ? true : take(prev.line, prev.index, false, true);
  });
  streamLogText(file, (text) => lines.write(text));
  if (!lines.stopped) {
    const tail = lines.end();
    // A file ending in a line end has no last partial line; the held line is then the last one.
    if (tail.endedWithNewline) {
      if (held) take(held.line, held.index, true, true);
    } else {
      if (held) take(held.line, held.index, false, true);
      take(tail.line, tail.index, true, false);
    }
  }
  if (bad > 5) warnings.push(`${bad} lines in all were skipped as not valid JSON objects`);
  if (long > 0) warnings.push(`${long} line(s) longer than ${MAX_LOG_LINE} characters were skipped`);
  if (noEpoch > 0) warnings.push(`${noEpoch} line(s) have no 'epoch' field: their step (or line index) is used as the epoch`);
  warnings.push(...builder.notes());
  if (parsed === 0 && sawContent) throw new FormatError(file, 'no line of this JSON-lines log is a valid JSON object');
  return { source: file, format: 'jsonl', series: builder.toRecord(), warnings };
}
