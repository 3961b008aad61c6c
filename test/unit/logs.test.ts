/**
 * Training logs: the parsed series against the values scripts/fixtures/make_logs.py wrote (TensorBoard
 * event files framed and encoded by hand, Lightning and Keras CSVs, JSON lines), the half-written
 * cases, and the choice of accuracy curve and final accuracy.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { accuracyCurve, finalAccuracy, findLogs, readLog, readRunLogs, type MetricPoint, type RunLog } from '../../src/engine/logs/index';
import { crc32c, maskedCrc32c } from '../../src/engine/logs/tfevents';
import { parseCsv } from '../../src/engine/logs/csv';
import { parsePythonJson } from '../../src/engine/logs/jsonl';
import { checkLogFile, parseLogNumber } from '../../src/engine/logs/common';
import { FormatError, InputError } from '../../src/engine/errors';

const DIR = path.join(__dirname, '..', 'fixtures', 'logs');
type Num = number | 'NaN' | 'Infinity' | '-Infinity';
interface Expected {
  files: Record<string, { format: string; series: Record<string, [number, number | null, Num][]>; warnings: string[]; records?: number }>;
  runs: Record<string, { curve_metric: string; curve: [number, number | null, number][]; final: number }>;
}
const EXPECTED: Expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8'));

const num = (v: Num): number => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

function sameNumber(a: number, b: number, tol = 1e-9): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (!Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

function assertPoints(actual: MetricPoint[] | undefined, want: [number, number | null, Num][], what: string): void {
  assert.ok(actual, `${what}: series missing`);
  assert.equal(actual.length, want.length, `${what}: ${actual.length} points, want ${want.length}`);
  want.forEach(([epoch, step, value], i) => {
    const p = actual[i];
    assert.equal(p.epoch, epoch, `${what}[${i}].epoch`);
    assert.equal(p.step, step ?? undefined, `${what}[${i}].step`);
    assert.ok(sameNumber(p.value, num(value)), `${what}[${i}].value = ${p.value}, want ${value}`);
  });
}

function read(rel: string): RunLog {
  return readLog(path.join(DIR, rel));
}

test('every fixture file parses to the series python wrote', () => {
  for (const [rel, want] of Object.entries(EXPECTED.files)) {
    const log = read(rel);
    assert.equal(log.source, path.join(DIR, rel));
    assert.equal(log.format, want.format, rel);
    assert.deepEqual(Object.keys(log.series).sort(), Object.keys(want.series).sort(), `${rel}: series names`);
    for (const [name, pts] of Object.entries(want.series)) assertPoints(log.series[name], pts, `${rel} ${name}`);
    if (want.warnings.length === 0) assert.deepEqual(log.warnings, [], rel);
    for (const w of want.warnings) assert.ok(log.warnings.some((x) => x.includes(w)), `${rel}: a warning mentions '${w}': ${JSON.stringify(log.warnings)}`);
  }
});

test('CRC32C and masking match TFRecord (every event file starts 18 00.. a3 7f 4b 22)', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  const len24 = new Uint8Array([24, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(maskedCrc32c(len24), 0x224b7fa3);
  const head = fs.readFileSync(path.join(DIR, 'tb_lightning', 'events.out.tfevents.1700000000.host.1111.0')).subarray(0, 12);
  assert.deepEqual([...head.subarray(8, 12)], [0xa3, 0x7f, 0x4b, 0x22]);
});

test('TensorBoard: epoch comes from the epoch series when there is one, else the step', () => {
  const lt = read('tb_lightning/events.out.tfevents.1700000000.host.1111.0');
  const va = lt.series.val_acc;
  assert.deepEqual(va.map((p) => [p.epoch, p.step]), [[0, 3], [1, 7], [2, 11]]);
  assert.ok(Number.isNaN(lt.series.train_loss[2].value)); // NaN kept in the raw series
  const keras = read('tb_keras/validation/events.out.tfevents.1700000100.host.2222.1.v2');
  assert.deepEqual(keras.series['validation/epoch_accuracy'].map((p) => p.epoch), [0, 1, 2, 3]);
  // The histogram tensor and graph_def event give no series.
  const train = read('tb_keras/train/events.out.tfevents.1700000100.host.2222.0.v2');
  assert.ok(!Object.keys(train.series).some((k) => k.includes('kernel')));
});

test('TensorBoard: a half-written last record stops the reading with a warning, not an error', () => {
  const full = fs.readFileSync(path.join(DIR, 'tb_lightning', 'events.out.tfevents.1700000000.host.1111.0'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-'));
  try {
    const f = path.join(tmp, 'events.out.tfevents.1.host');
    const want = EXPECTED.files['tb_lightning/events.out.tfevents.1700000000.host.1111.0'];
    const total = Object.values(want.series).reduce((n, s) => n + s.length, 0);
    // Cut at every length: never an error; the points read only grow with the length.
    let prev = 0;
    let cutsWarned = 0;
    for (let cut = 12; cut <= full.length; cut += 3) {
      fs.writeFileSync(f, full.subarray(0, cut));
      const log = readLog(f);
      const n = Object.values(log.series).reduce((k, s) => k + s.length, 0);
      assert.ok(n >= prev && n <= total);
      prev = n;
      assert.ok(log.warnings.length <= 1 && log.warnings.every((w) => /incomplete/.test(w)), `cut ${cut}: ${log.warnings}`);
      if (log.warnings.length) cutsWarned++;
    }
    assert.ok(cutsWarned > (full.length - 12) / 3 / 2, 'most cuts fall inside a record');
    fs.writeFileSync(f, full.subarray(0, full.length - 1));
    assert.match(readLog(f).warnings[0], /last record \(at offset \d+, \d+ bytes\) is incomplete/);
    // An empty file is an event file that has not been written yet.
    fs.writeFileSync(f, '');
    assert.deepEqual(readLog(f).series, {});
    // Garbage from the start is not an event file.
    fs.writeFileSync(f, 'this is not a tfrecord file at all');
    assert.throws(() => readLog(f), (e: unknown) => e instanceof FormatError && e.message.includes(f) && /not a TensorBoard event file/.test(e.message));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('TensorBoard: a record with a bad checksum is skipped with a warning', () => {
  const log = read('tb_badcrc/events.out.tfevents.1700000000.host.1111.0');
  assert.ok(log.warnings.some((w) => /bad data checksum; skipped/.test(w)));
  assert.equal(log.series.val_acc.length, 2);
  assert.equal(log.series.test_acc.length, 1);
});

test('Lightning metrics.csv: sparse rows; Keras CSV: 0-based epochs noted', () => {
  const l = read('lightning/lightning_logs/version_0/metrics.csv');
  assert.equal(l.format, 'lightning-csv');
  assert.equal(l.series.val_acc.length, 3);
  assert.equal(l.series.test_acc[0].epoch, 3);
  const k = read('keras/history.csv');
  assert.equal(k.format, 'keras-csv');
  assert.equal(k.series.val_accuracy[0].epoch, 0);
  assert.ok(k.warnings.some((w) => w.includes('0-based')));
  assert.throws(() => read('keras/notes.csv'), (e: unknown) => e instanceof FormatError && /no 'epoch' column/.test(e.message));
});

test('CSV: a half-written last line is dropped with a warning', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-'));
  try {
    const src = fs.readFileSync(path.join(DIR, 'keras', 'history.csv'), 'utf8');
    const f = path.join(tmp, 'log.csv');
    fs.writeFileSync(f, src + '5,0.76,0.16');
    const log = readLog(f);
    assert.equal(log.series.val_accuracy.length, 5);
    assert.ok(log.warnings.some((w) => /incomplete/.test(w)));
    // Whole fields but no line end: the last number may be cut, so the row is dropped too.
    fs.writeFileSync(f, src + '5,0.76,0.16,0.71,0.2');
    assert.equal(readLog(f).series.val_accuracy.length, 5);
    // A Lightning file without an epoch column: the step stands in, with a warning.
    const g = path.join(tmp, 'metrics.csv');
    fs.writeFileSync(g, 'step,val_acc\n10,0.5\n20,\n30,0.7\n');
    const lg = readLog(g);
    assert.equal(lg.format, 'lightning-csv');
    assert.deepEqual(lg.series.val_acc, [{ epoch: 10, step: 10, value: 0.5 }, { epoch: 30, step: 30, value: 0.7 }]);
    assert.ok(lg.warnings.some((w) => /step is used as the epoch/.test(w)));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  assert.deepEqual(parseCsv('a,"b,""c"""\r\n1,2\n').rows, [['a', 'b,"c"'], ['1', '2']]);
});

test('JSON lines: bare NaN/Infinity, nested keys, a truncated last line', () => {
  const log = read('jsonl/metrics.jsonl');
  assert.ok(Number.isNaN(log.series['val/loss'][0].value));
  assert.equal(log.series.train_loss[1].value, Infinity);
  assert.equal(log.series.lr[0].value, -Infinity);
  assert.ok(!('note' in log.series));
  assert.ok(log.warnings.some((w) => /last line \(9\) is incomplete/.test(w)), JSON.stringify(log.warnings));
  assert.deepEqual(parsePythonJson('{"a": NaN, "b": "NaN Infinity", "c": [-Infinity, 1e3]}'), { a: NaN, b: 'NaN Infinity', c: [-Infinity, 1000] });
  assert.deepEqual(parsePythonJson('{"s": "quote \\" NaN"}'), { s: 'quote " NaN' });
});

test('parseLogNumber reads what Python writes', () => {
  assert.equal(parseLogNumber('0.5'), 0.5);
  assert.equal(parseLogNumber('1e-3'), 1e-3);
  assert.ok(Number.isNaN(parseLogNumber('nan')!));
  assert.equal(parseLogNumber('-inf'), -Infinity);
  assert.equal(parseLogNumber("tensor(0.9312, device='cuda:0')"), 0.9312);
  assert.equal(parseLogNumber(''), undefined);
  assert.equal(parseLogNumber('abc'), undefined);
});

test('findLogs: the folder, its subfolders, and lightning_logs/version_N', () => {
  const rel = (files: string[]): string[] => files.map((f) => path.relative(DIR, f));
  assert.deepEqual(rel(findLogs(path.join(DIR, 'tb_keras'))), [
    'tb_keras/train/events.out.tfevents.1700000100.host.2222.0.v2',
    'tb_keras/validation/events.out.tfevents.1700000100.host.2222.1.v2',
  ]);
  assert.deepEqual(rel(findLogs(path.join(DIR, 'lightning'))), ['lightning/lightning_logs/version_0/metrics.csv']);
  assert.deepEqual(rel(findLogs(path.join(DIR, 'lightning', 'lightning_logs'))), ['lightning/lightning_logs/version_0/metrics.csv']);
  assert.deepEqual(rel(findLogs(path.join(DIR, 'keras'))), ['keras/history.csv']); // notes.csv has no epoch column
  assert.deepEqual(rel(findLogs(path.join(DIR, 'jsonl'))), ['jsonl/metrics.jsonl']);
  assert.deepEqual(findLogs(path.join(DIR, 'no-such-folder')), []);
});

test('accuracyCurve and finalAccuracy of each run folder', () => {
  for (const [run, want] of Object.entries(EXPECTED.runs)) {
    const { logs, errors } = readRunLogs(path.join(DIR, run));
    assert.deepEqual(errors, [], run);
    const curve = accuracyCurve(logs);
    assert.ok(curve, run);
    assert.equal(curve.metric, want.curve_metric, run);
    assertPoints(curve.points, want.curve, `${run} curve`);
    const fin = finalAccuracy(logs);
    assert.ok(fin !== null && sameNumber(fin, want.final), `${run}: final ${fin}, want ${want.final}`);
  }
});

test('accuracy naming: validation over test over train, epoch-level over step-level, percent scaled', () => {
  const log = (series: Record<string, number[]>): RunLog => ({
    source: 'x',
    format: 'jsonl',
    warnings: [],
    series: Object.fromEntries(Object.entries(series).map(([k, v]) => [k, v.map((value, epoch) => ({ epoch, value }))])),
  });
  const pick = (s: Record<string, number[]>): string | undefined => accuracyCurve([log(s)])?.metric;
  assert.equal(pick({ train_acc: [0.5], test_acc: [0.4], val_acc: [0.3] }), 'val_acc');
  assert.equal(pick({ train_acc: [0.5], test_acc: [0.4] }), 'test_acc');
  assert.equal(pick({ accuracy: [0.5], loss: [1] }), 'accuracy');
  assert.equal(pick({ 'Accuracy/val': [0.5], 'Loss/val': [1] }), 'Accuracy/val');
  assert.equal(pick({ 'valid/acc': [0.5] }), 'valid/acc');
  assert.equal(pick({ valAccuracy: [0.5] }), 'valAccuracy');
  assert.equal(pick({ val_acc_step: [0.5, 0.6, 0.7], val_acc_epoch: [0.6] }), 'val_acc_epoch');
  assert.equal(pick({ val_loss: [0.5], val_top5: [0.9] }), undefined);
  assert.equal(accuracyCurve([]), null);
  // Percent: the whole series is scaled; NaN and out-of-range values are dropped.
  const c = accuracyCurve([log({ val_acc: [0.9, 45, NaN, 80] })])!;
  assert.deepEqual(c.points.map((p) => p.epoch), [0, 1, 3]);
  [0.009, 0.45, 0.8].forEach((v, i) => assert.ok(sameNumber(c.points[i].value, v)));
  // One value per epoch, last wins; resumed runs join in the order given.
  const a: RunLog = { source: 'a', format: 'jsonl', warnings: [], series: { val_acc: [{ epoch: 0, value: 0.1 }, { epoch: 1, value: 0.2 }] } };
  const b: RunLog = { source: 'b', format: 'jsonl', warnings: [], series: { val_acc: [{ epoch: 1, value: 0.25 }, { epoch: 2, value: 0.3 }] } };
  assert.deepEqual(accuracyCurve([a, b])!.points.map((p) => p.value), [0.1, 0.25, 0.3]);
  // finalAccuracy: a test accuracy wins; a train accuracy alone is not a final accuracy.
  assert.equal(finalAccuracy([log({ val_acc: [0.5, 0.6], test_acc: [0.55] })]), 0.55);
  assert.equal(finalAccuracy([log({ val_acc: [0.5, 0.6] })]), 0.6);
  assert.equal(finalAccuracy([log({ 'test/accuracy': [0.1, 0.2], final_test_acc: [0.3] })]), 0.3);
  assert.equal(finalAccuracy([log({ train_acc: [0.9] })]), null);
});

test('size cap and unreadable files give InputErrors naming the file', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cap-'));
  try {
    const f = path.join(tmp, 'metrics.jsonl');
    fs.writeFileSync(f, '{"epoch": 0, "val_acc": 0.5}\n'.repeat(100));
    assert.throws(() => checkLogFile(f, 1000), (e: unknown) => e instanceof InputError && e.message.includes(f) && /limit/.test(e.message));
    assert.throws(() => readLog(path.join(tmp, 'missing.jsonl')), (e: unknown) => e instanceof InputError && e.message.includes('missing.jsonl'));
    assert.throws(() => readLog(path.join(tmp, 'readme.txt')), InputError);
    fs.writeFileSync(f, 'not json\nat all\n');
    assert.throws(() => readLog(f), (e: unknown) => e instanceof FormatError && e.message.includes(f));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('hostile series names stay ordinary keys', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'proto-'));
  try {
    const f = path.join(tmp, 'metrics.jsonl');
    fs.writeFileSync(f, '{"epoch": 0, "__proto__": 1, "constructor": 2}\n');
    const log = readLog(f);
    assert.deepEqual(Object.keys(log.series).sort(), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(log.series), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
