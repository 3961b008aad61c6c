// Training logs are read as streams with bounded memory per point (src/engine/logs/common.ts):
// parsing is the same whatever the chunk boundaries, thinning a long series keeps the accuracy
// curve and final accuracy exactly, a full builder says so, long series no longer overflow the
// stack, and a log that is not a regular file is refused by name without blocking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CsvParser, parseCsv } from '../../src/engine/logs/csv';
import { LineSplitter, SeriesBuilder, thinSeries, type MetricPoint } from '../../src/engine/logs/common';
import { accuracyCurve, finalAccuracy, readLog, readRunLogs, type RunLog } from '../../src/engine/logs/index';
import { InputError } from '../../src/engine/errors';
import { Rng } from '../fuzz/rng';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'td-logs-bounds-'));

test('CSV rows and lines come out the same whatever the chunk boundaries', () => {
  const text = 'epoch,"a,b",c\r\n1,"x\n""y""",3\n2,,4\r\n"3",5,"6"\n7,8';
  const whole = parseCsv(text);
  const rng = new Rng(3);
  for (let trial = 0; trial < 200; trial++) {
    const rows: (string[] | null)[] = [];
    const p = new CsvParser((r) => {
      rows.push(r);
    });
    for (let i = 0; i < text.length; ) {
      const n = rng.range(1, 5);
      p.feed(text.slice(i, i + n));
      i += n;
    }
    const last = p.end();
    if (last) rows.push(last);
    assert.deepEqual(rows, whole.rows, `trial ${trial}`);
    assert.equal(last === undefined, whole.complete);
  }
  const lines: (string | null)[] = [];
  const s = new LineSplitter((l) => {
    lines.push(l);
  }, 10);
  for (const piece of ['ab', 'c\nde', 'f\n0123456789', '0123\nx', 'y']) s.write(piece);
  assert.deepEqual(lines, ['abc', 'def', null]);
  assert.deepEqual(s.end(), { line: 'xy', index: 3, endedWithNewline: false });
});

test('thinning a series keeps its accuracy curve and final accuracy exactly', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 300; trial++) {
    const percent = rng.chance(0.3);
    const n = rng.range(1, 400);
    const points: MetricPoint[] = [];
    for (let i = 0; i < n; i++) {
      const r = rng.next();
      const value = r < 0.05 ? NaN : r < 0.08 ? -0.5 : r < 0.1 ? 150 : percent ? rng.next() * 100 : rng.next();
      points.push({ epoch: rng.int(20), step: i, value });
    }
    const log = (pts: MetricPoint[]): RunLog => ({ source: 'x', format: 'jsonl', series: { val_acc: pts, test_acc: pts }, warnings: [] });
    const thin = thinSeries(points);
    assert.ok(thin.length <= points.length);
    assert.deepEqual(accuracyCurve([log(thin)]), accuracyCurve([log(points)]), `trial ${trial}`);
    assert.equal(finalAccuracy([log(thin)]), finalAccuracy([log(points)]), `trial ${trial}`);
  }
});

test('a builder at its limit thins every series, then stops and says so', () => {
  const b = new SeriesBuilder(1000);
  let added = 0;
  for (let i = 0; i < 5000; i++) if (b.add('val_acc', { epoch: i % 10, value: 0.5 })) added++;
  assert.equal(added, 5000, 'ten epochs thin to ten points: never full');
  assert.match(b.notes().join('\n'), /dropped, keeping per epoch/);
  const c = new SeriesBuilder(1000);
  let stopped = -1;
  for (let i = 0; i < 5000 && stopped < 0; i++) if (!c.add('val_acc', { epoch: i, value: 0.5 })) stopped = i;
  assert.ok(stopped >= 500 && stopped <= 1000, `stopped at ${stopped}`);
  assert.match(c.notes().join('\n'), /reading stopped there/);
});

test('150,000 logged points read and picked without overflowing the stack', () => {
  const dir = tmp();
  const rows = ['epoch,step,val_acc'];
  for (let i = 0; i < 150_000; i++) rows.push(`${Math.floor(i / 1000)},${i},${(0.5 + i / 1e6).toFixed(6)}`);
  fs.writeFileSync(path.join(dir, 'metrics.csv'), rows.join('\n') + '\n');
  const { logs, errors } = readRunLogs(dir);
  assert.deepEqual(errors, []);
  const curve = accuracyCurve(logs);
  assert.equal(curve?.points.length, 150);
  assert.equal(finalAccuracy(logs), 0.649999);
});

test('a log that is a FIFO is refused by name, without blocking', () => {
  const dir = tmp();
  const fifo = path.join(dir, 'metrics.csv');
  try {
    execFileSync('mkfifo', [fifo]);
  } catch {
    return; // no mkfifo here
  }
  assert.throws(() => readLog(fifo), (e: unknown) => e instanceof InputError && /FIFO/.test((e as Error).message) && (e as Error).message.includes(fifo));
  const { errors } = readRunLogs(dir);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /not a regular file/);
});
