/**
 * Types and helpers shared by the training-log readers (TensorBoard, CSV, JSON lines): logs are
 * regular files only (a FIFO would block forever), read a chunk at a time, and their points are
 * bounded (MAX_LOG_POINTS), so a log costs memory in proportion to what it can contribute, never
 * 35-45× its size, and a log too long to read whole still leaves the run's checkpoints analyzed.
 */
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../errors';
import { openRegularFile, readRegularFile } from '../io/regular-file';

export interface MetricPoint {
  epoch: number;
  step?: number;
  value: number;
}

export type LogFormat = 'tensorboard' | 'lightning-csv' | 'keras-csv' | 'jsonl' | 'hf-trainer-state';

export interface RunLog {
  /** The log file. */
  source: string;
  format: LogFormat;
  /** Points in the order they were logged; values may be NaN/±Infinity where the log says so. */
  series: Record<string, MetricPoint[]>;
  warnings: string[];
}

/** Largest log file read; a bigger one is refused with an InputError. */
export const MAX_LOG_BYTES = 256 * 1024 * 1024;

/**
 * Most values one log keeps. Logs are read a chunk at a time and a point costs ~70 bytes, so this
 * bounds a log's memory (about 35 MB) whatever its length. When a log reaches it, every series is
 * first thinned to what the accuracy reading uses (see SeriesBuilder); only a log whose epochs
 * alone are more than half of it stops being read there, with a warning.
 */
export const MAX_LOG_POINTS = 500_000;

/** Longest line (JSON lines) or CSV row read; a longer one is skipped with a warning. */
export const MAX_LOG_LINE = 16 * 1024 * 1024;

/** The file's size, after checking that it is a regular file within the size limit. */
export function checkLogFile(file: string, limit = MAX_LOG_BYTES): number {
  const { fd, size } = openRegularFile(file, 'log file');
  fs.closeSync(fd);
  if (size > limit) {
    throw new InputError(file, `log file is ${(size / 2 ** 20).toFixed(1)} MiB, larger than the ${Math.round(limit / 2 ** 20)} MiB limit for training logs`);
  }
  return size;
}

/** The whole file as UTF-8 text (size-checked; a leading BOM removed), for formats read whole (a JSON document). */
export function readLogText(file: string, limit = MAX_LOG_BYTES): string {
  const size = checkLogFile(file, limit);
  const text = readRegularFile(file, Math.max(size, limit), 'log file').toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The file as UTF-8 text, handed over in pieces of about 1 MiB (a leading BOM removed): logs are
 * never held whole, nor split into an array of all their lines. `onText` returns false to stop.
 */
export function streamLogText(file: string, onText: (text: string) => boolean | void, limit = MAX_LOG_BYTES): void {
  const { fd, size } = openRegularFile(file, 'log file');
  try {
    if (size > limit) {
      throw new InputError(file, `log file is ${(size / 2 ** 20).toFixed(1)} MiB, larger than the ${Math.round(limit / 2 ** 20)} MiB limit for training logs`);
    }
    const decoder = new StringDecoder('utf8');
    const buf = Buffer.allocUnsafe(1 << 20);
    let first = true;
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      let text = decoder.write(buf.subarray(0, n));
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      if (onText(text) === false) return;
    }
    const rest = decoder.end();
    if (rest) onText(rest);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Splits streamed text into lines ('\n'; a '\r' before it is kept, as split('\n') would).
 * `onLine(line, index)` returns false to stop; `end()` gives the last line, which had no line
 * end (or '' when the text ended with one) and whether the text ended with a line end.
 * A line longer than `maxLine` is passed on as null (skipped whole, never held).
 */
export class LineSplitter {
  private pending: string[] = [];
  private pendingLength = 0;
  private tooLong = false;
  private index = 0;
  stopped = false;
  constructor(
    private readonly onLine: (line: string | null, index: number) => boolean | void,
    private readonly maxLine = MAX_LOG_LINE,
  ) {}

  write(text: string): boolean {
    let start = 0;
    while (!this.stopped) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        this.keep(text.slice(start));
        return true;
      }
      this.keep(text.slice(start, nl));
      start = nl + 1;
      const line = this.tooLong ? null : this.pending.join('');
      this.pending = [];
      this.pendingLength = 0;
      this.tooLong = false;
      if (this.onLine(line, this.index++) === false) this.stopped = true;
    }
    return false;
  }

  private keep(piece: string): void {
    if (this.tooLong || piece === '') return;
    this.pendingLength += piece.length;
    if (this.pendingLength > this.maxLine) {
      this.tooLong = true;
      this.pending = [];
    } else this.pending.push(piece);
  }

  /** The text after the last line end: the last line when it has no end ('' when there is none). */
  end(): { line: string | null; index: number; endedWithNewline: boolean } {
    const line = this.tooLong ? null : this.pending.join('');
    return { line, index: this.index, endedWithNewline: !this.tooLong && line === '' };
  }
}

/**
 * Collects points per series name, then hands them out as a plain record. Bounded: when the log
 * reaches `maxPoints` values, every series is thinned to the points the accuracy reading can use
 * (logs/index.ts: per epoch, the last finite value in [0, 1] and the last in (1, 100], plus one
 * value above 100 per series, which marks it as percent), in their logged order, so the curve and
 * the final accuracy come out exactly as from the whole series. If the thinned points still fill
 * half of the limit (a log of that many epochs), `add` refuses further points: the reader stops
 * and says so.
 */
export class SeriesBuilder {
  private readonly map = new Map<string, MetricPoint[]>();
  private total = 0;
  private thinned = 0;
  /** True once the builder takes no more points. */
  full = false;

  constructor(private readonly maxPoints = MAX_LOG_POINTS) {}

  /** Adds a point; false when the builder is full (the point is dropped). */
  add(name: string, point: MetricPoint): boolean {
    if (this.full) return false;
    if (this.total >= this.maxPoints) {
      this.thin();
      if (this.total >= this.maxPoints / 2) {
        this.full = true;
        return false;
      }
    }
    let list = this.map.get(name);
    if (!list) this.map.set(name, (list = []));
    list.push(point);
    this.total++;
    return true;
  }

  /** Warnings about what the bounds did, for the log's warnings. */
  notes(what = 'values'): string[] {
    const out: string[] = [];
    if (this.thinned > 0) out.push(`the log holds more than ${this.maxPoints} ${what}: ${this.thinned} of them were dropped, keeping per epoch the last value each series can contribute to the accuracy`);
    if (this.full) out.push(`the log holds more than ${this.maxPoints} ${what} even when thinned to one per epoch: reading stopped there, and later values are not used`);
    return out;
  }

  private thin(): void {
    let total = 0;
    for (const [name, points] of this.map) {
      const kept = thinSeries(points);
      this.thinned += points.length - kept.length;
      total += kept.length;
      this.map.set(name, kept);
    }
    this.total = total;
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  get(name: string): MetricPoint[] | undefined {
    return this.map.get(name);
  }

  names(): string[] {
    return [...this.map.keys()];
  }

  toRecord(): Record<string, MetricPoint[]> {
    const out: Record<string, MetricPoint[]> = {};
    // defineProperty: a series named '__proto__' (from a file) stays an ordinary key.
    for (const [k, v] of this.map) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  }
}

/** The points of a series that the accuracy reading can use (see SeriesBuilder), in logged order. */
export function thinSeries(points: readonly MetricPoint[]): MetricPoint[] {
  const low = new Map<number, number>();
  const high = new Map<number, number>();
  let above = -1;
  for (let i = 0; i < points.length; i++) {
    const v = points[i].value;
    if (!Number.isFinite(v)) continue;
    if (v >= 0 && v <= 1) low.set(points[i].epoch, i);
    else if (v > 1 && v <= 100) high.set(points[i].epoch, i);
    else if (v > 100) above = i;
  }
  const keep = [...low.values(), ...high.values()];
  if (above >= 0) keep.push(above);
  keep.sort((a, b) => a - b);
  return keep.map((i) => points[i]);
}

/**
 * A number as Python writes it into text logs: decimal or exponent notation, `nan`, `inf`,
 * `-inf` (str/repr), `NaN`, `Infinity`, `-Infinity` (json). Undefined for anything else.
 */
export function parseLogNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  switch (t.toLowerCase()) {
    case 'nan': case '+nan': case '-nan': return NaN;
    case 'inf': case '+inf': case 'infinity': case '+infinity': return Infinity;
    case '-inf': case '-infinity': return -Infinity;
  }
  // torch tensors written by str(): tensor(0.9312) or tensor(0.93, device='cuda:0')
  const m = /^tensor\(\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf|-inf)\s*(?:,.*)?\)$/.exec(t);
  if (m) return parseLogNumber(m[1]);
  return undefined;
}
