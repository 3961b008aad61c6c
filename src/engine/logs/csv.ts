/**
 * CSV training logs.
 *  - PyTorch Lightning's CSVLogger (`lightning_logs/version_N/metrics.csv`): one row per logging
 *    call, sparse: columns `epoch`, `step` and every metric name; empty cells are missing values.
 *  - Keras' CSVLogger: one row per epoch, `epoch` first, then the sorted metric names
 *    (`accuracy`, `loss`, `val_accuracy`, `val_loss`, ...). Keras counts epochs from 0; the
 *    numbers are stored as written and a note says so.
 * A last line cut short (the file is being written) is dropped with a warning.
 */
import { FormatError } from '../errors';
import { parseLogNumber, readLogText, SeriesBuilder, type RunLog } from './common';

/** RFC 4180 rows (quoted fields with "" escapes, CRLF or LF), and whether the text ended a row. */
export function parseCsv(text: string): { rows: string[][]; complete: boolean } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  let rowStarted = false;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      rowStarted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      rowStarted = true;
      i++;
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      rowStarted = false;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      rowStarted = true;
      i++;
    }
  }
  const complete = !rowStarted && !quoted;
  if (rowStarted || quoted) {
    row.push(field);
    rows.push(row);
  }
  return { rows, complete };
}

export function csvHeader(text: string): string[] {
  const nl = text.search(/\r?\n/);
  return parseCsv(nl >= 0 ? text.slice(0, nl + 1) : text).rows[0]?.map((h) => h.trim()) ?? [];
}

export function readCsvLog(file: string): RunLog {
  const text = readLogText(file);
  const { rows, complete } = parseCsv(text);
  const warnings: string[] = [];
  const nonEmpty = rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
  if (nonEmpty.length === 0) throw new FormatError(file, 'empty CSV log');
  const header = nonEmpty[0].map((h) => h.trim());
  const epochCol = header.indexOf('epoch');
  const stepCol = header.indexOf('step');
  if (epochCol < 0 && stepCol < 0) throw new FormatError(file, `CSV log has no 'epoch' column (columns: ${header.slice(0, 12).join(', ')})`);
  const lightning = stepCol >= 0;
  if (epochCol < 0) warnings.push("no 'epoch' column: the step is used as the epoch");
  const format = lightning ? 'lightning-csv' : 'keras-csv';
  if (!lightning) warnings.push('note: epoch numbers are 0-based, as Keras CSVLogger writes them (stored as written)');

  const builder = new SeriesBuilder();
  const body = nonEmpty.slice(1);
  const badColumns = new Set<string>();
  let lastEpoch: number | undefined;
  let missingEpoch = 0;
  for (let r = 0; r < body.length; r++) {
    const row = body[r];
    const isLast = r === body.length - 1;
    if (isLast && !complete) {
      // CSV writers end every row with a newline: a last row without one is half-written, and
      // even with all its fields its last number may be cut short.
      warnings.push(`the last line is incomplete (no line end${row.length !== header.length ? `, ${row.length} of ${header.length} fields` : ''}); the file is probably still being written, so it was skipped`);
      continue;
    }
    if (row.length !== header.length) {
      warnings.push(`row ${r + 2} has ${row.length} fields, the header ${header.length}; skipped`);
      continue;
    }
    const epochCell = row[epochCol >= 0 ? epochCol : stepCol];
    let epoch = parseLogNumber(epochCell);
    if (epoch === undefined || !Number.isFinite(epoch)) {
      if (epochCell.trim() !== '') {
        warnings.push(`row ${r + 2}: epoch '${epochCell}' is not a number; skipped`);
        continue;
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
        badColumns.add(header[c]);
        continue;
      }
      builder.add(header[c], step === undefined ? { epoch, value: v } : { epoch, step, value: v });
    }
  }
  if (missingEpoch > 0) warnings.push(`${missingEpoch} row(s) before the first epoch value were given epoch 0`);
  for (const col of badColumns) warnings.push(`column '${col}' has values that are not numbers; they were skipped`);
  return { source: file, format, series: builder.toRecord(), warnings };
}
