/**
 * CSV training logs.
 *  - PyTorch Lightning's CSVLogger (`lightning_logs/version_N/metrics.csv`): one row per logging
 *    call, sparse: columns `epoch`, `step` and every metric name; empty cells are missing values.
 *  - Keras' CSVLogger: one row per epoch, `epoch` first, then the sorted metric names
 *    (`accuracy`, `loss`, `val_accuracy`, `val_loss`, ...). Keras counts epochs from 0; the
 *    numbers are stored as written and a note says so.
 * A last line cut short (the file is being written) is dropped with a warning. The file is parsed
 * as it is read, a chunk at a time (common.ts: bounded memory per point, a limit on points).
 */
import { FormatError } from '../errors';
import { MAX_LOG_LINE, parseLogNumber, SeriesBuilder, streamLogText, type RunLog } from './common';
import { preview } from '../text/safe-text';

/**
 * RFC 4180 rows (quoted fields with "" escapes, CRLF or LF) from text fed in pieces: `onRow` gets
 * each row as it ends, so a log is never held whole. A row whose fields pass `maxRow` characters
 * is passed on as null (skipped, never held). `end()` gives the last row when the text did not
 * end it (a half-written line), or undefined.
 */
export class CsvParser {
  private row: string[] = [];
  private field = '';
  private quoted = false;
  private rowStarted = false;
  private pendingQuote = false;
  private pendingCR = false;
  private rowChars = 0;
  private tooLong = false;
  stopped = false;

  constructor(
    private readonly onRow: (row: string[] | null) => boolean | void,
    private readonly maxRow = MAX_LOG_LINE,
  ) {}

  private emit(): void {
    this.pushField();
    const row = this.tooLong ? null : this.row;
    this.row = [];
    this.rowStarted = false;
    this.rowChars = 0;
    this.tooLong = false;
    if (this.onRow(row) === false) this.stopped = true;
  }

  private pushField(): void {
    if (!this.tooLong) {
      this.rowChars += this.field.length;
      if (this.rowChars > this.maxRow) {
        this.tooLong = true;
        this.row = [];
      } else this.row.push(this.field);
    }
    this.field = '';
  }

  feed(text: string): void {
    const n = text.length;
    let i = 0;
    while (i < n && !this.stopped) {
      const c = text[i];
      if (this.pendingCR) {
        this.pendingCR = false;
        if (c === '\n') {
          i++;
          continue;
        }
      }
      if (this.pendingQuote) {
        // A quote inside a quoted field: "" is a quote, anything else ends the quoting.
        this.pendingQuote = false;
        if (c === '"') {
          this.field += '"';
          i++;
          continue;
        }
        this.quoted = false;
      }
      if (this.quoted) {
        const q = text.indexOf('"', i);
        const stop = q < 0 ? n : q;
        if (!this.tooLong) this.field += text.slice(i, stop);
        if (this.field.length > this.maxRow) {
          this.tooLong = true;
          this.field = '';
        }
        i = stop;
        if (q >= 0) {
          this.pendingQuote = true;
          i++;
        }
        continue;
      }
      if (c === '"' && this.field === '') {
        this.quoted = true;
        this.rowStarted = true;
        i++;
      } else if (c === ',') {
        this.pushField();
        this.rowStarted = true;
        i++;
      } else if (c === '\n' || c === '\r') {
        this.emit();
        if (c === '\r') this.pendingCR = true;
        i++;
      } else {
        // A run of plain characters at once.
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 0x2c || d === 0x0a || d === 0x0d || d === 0x22) break;
          j++;
        }
        if (!this.tooLong) this.field += text.slice(i, j);
        if (this.field.length + this.rowChars > this.maxRow) {
          this.tooLong = true;
          this.field = '';
          this.row = [];
        }
        this.rowStarted = true;
        i = j;
      }
    }
  }

  /** The unterminated last row, if any (the text did not end with a line end). */
  end(): string[] | null | undefined {
    if (this.pendingQuote) {
      this.pendingQuote = false;
      this.quoted = false;
    }
    if (!this.rowStarted && !this.quoted) return undefined;
    this.pushField();
    return this.tooLong ? null : this.row;
  }
}

/** RFC 4180 rows of a whole text, and whether the text ended a row. */
export function parseCsv(text: string): { rows: string[][]; complete: boolean } {
  const rows: string[][] = [];
  const p = new CsvParser((r) => {
    if (r) rows.push(r);
  }, Infinity);
  p.feed(text);
  const last = p.end();
  if (last) rows.push(last);
  return { rows, complete: last === undefined };
}

export function csvHeader(text: string): string[] {
  const nl = text.search(/\r?\n/);
  return parseCsv(nl >= 0 ? text.slice(0, nl + 1) : text).rows[0]?.map((h) => h.trim()) ?? [];
}

export function readCsvLog(file: string): RunLog {
  const warnings: string[] = [];
  const builder = new SeriesBuilder();
  let header: string[] | undefined;
  let epochCol = -1;
  let stepCol = -1;
  let lightning = false;
  const badColumns = new Set<string>();
  let lastEpoch: number | undefined;
  let missingEpoch = 0;
  let rowNo = 1; // line number of the row in the file (the header is line 1), for messages
  let longRows = 0;
  let badRows = 0;
  const note = (w: string): void => {
    if (++badRows <= 20) warnings.push(w);
  };

  const take = (row: string[] | null, last: boolean): boolean => {
    if (row === null) {
      longRows++;
      rowNo++;
      return true;
    }
    if (row.length === 1 && row[0].trim() === '') return true;
    if (!header) {
      header = row.map((h) => h.trim());
      epochCol = header.indexOf('epoch');
      stepCol = header.indexOf('step');
      if (epochCol < 0 && stepCol < 0) throw new FormatError(file, `CSV log has no 'epoch' column (columns: ${header.slice(0, 12).map((h) => preview(h, 40)).join(', ')})`);
      lightning = stepCol >= 0;
      if (epochCol < 0) warnings.push("no 'epoch' column: the step is used as the epoch");
      if (!lightning) warnings.push('note: epoch numbers are 0-based, as Keras CSVLogger writes them (stored as written)');
      return true;
    }
    rowNo++;
    if (last) {
      // CSV writers end every row with a newline: a last row without one is half-written, and
      // even with all its fields its last number may be cut short.
      warnings.push(`the last line is incomplete (no line end${row.length !== header.length ? `, ${row.length} of ${header.length} fields` : ''}); the file is probably still being written, so it was skipped`);
      return true;
    }
    if (row.length !== header.length) {
      note(`row ${rowNo} has ${row.length} fields, the header ${header.length}; skipped`);
      return true;
    }
    const epochCell = row[epochCol >= 0 ? epochCol : stepCol];
    let epoch = parseLogNumber(epochCell);
    if (epoch === undefined || !Number.isFinite(epoch)) {
      if (epochCell.trim() !== '') {
        note(`row ${rowNo}: epoch '${preview(epochCell, 40)}' is not a number; skipped`);
        return true;
      }
      if (lastEpoch === undefined) {
        missingEpoch++;
        epoch = 0;
      } else epoch = lastEpoch;
    } else lastEpoch = epoch;
    const stepVal = stepCol >= 0 ? parseLogNumber(row[stepCol]) : undefined;
    const step = stepVal !== undefined && Number.isFinite(stepVal) ? stepVal : undefined;
    for (let c = 0; c < header.length; c++) {
      if (c === epochCol || c === stepCol) continue;
      const cell = row[c];
      if (cell.trim() === '') continue;
      const v = parseLogNumber(cell);
      if (v === undefined) {
        if (badColumns.size < 100) badColumns.add(header[c]);
        continue;
      }
      if (!builder.add(header[c], step === undefined ? { epoch, value: v } : { epoch, step, value: v })) return false;
    }
    return true;
  };

  // One row of lookahead: only the last row may be half-written.
  let held: string[] | null | undefined;
  const parser = new CsvParser((row) => {
    const prev = held;
    held = row;
    return prev === undefined ? true : take(prev, false);
  });
  streamLogText(file, (text) => {
    parser.feed(text);
    return !parser.stopped;
  });
  if (!parser.stopped) {
    const tail = parser.end();
    if (held !== undefined) take(held, false);
    if (tail !== undefined) take(tail, true);
  }
  if (!header) throw new FormatError(file, 'empty CSV log');
  if (badRows > 20) warnings.push(`${badRows} rows in all were skipped`);
  if (longRows > 0) warnings.push(`${longRows} row(s) longer than ${MAX_LOG_LINE} characters were skipped`);
  if (missingEpoch > 0) warnings.push(`${missingEpoch} row(s) before the first epoch value were given epoch 0`);
  for (const col of badColumns) warnings.push(`column '${preview(col, 60)}' has values that are not numbers; they were skipped`);
  warnings.push(...builder.notes());
  return { source: file, format: lightning ? 'lightning-csv' : 'keras-csv', series: builder.toRecord(), warnings };
}
