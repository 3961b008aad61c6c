/**
 * Types and helpers shared by the training-log readers (TensorBoard, CSV, JSON lines).
 */
import * as fs from 'node:fs';
import { InputError } from '../errors';

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

/** The file's size, after checking that it is a regular file within the size limit. */
export function checkLogFile(file: string, limit = MAX_LOG_BYTES): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new InputError(file, `cannot read log file: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new InputError(file, 'not a regular file');
  if (st.size > limit) {
    throw new InputError(file, `log file is ${(st.size / 2 ** 20).toFixed(1)} MiB, larger than the ${Math.round(limit / 2 ** 20)} MiB limit for training logs`);
  }
  return st.size;
}

/** The whole file as UTF-8 text (size-checked; a leading BOM removed). */
export function readLogText(file: string, limit = MAX_LOG_BYTES): string {
  checkLogFile(file, limit);
  const text = fs.readFileSync(file, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Collects points per series name, then hands them out as a plain record. */
export class SeriesBuilder {
  private readonly map = new Map<string, MetricPoint[]>();

  add(name: string, point: MetricPoint): void {
    let list = this.map.get(name);
    if (!list) this.map.set(name, (list = []));
    list.push(point);
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
