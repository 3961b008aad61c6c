// When is a checkpoint being written complete enough to try? (live/settle.ts, fake clock and fs)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileSettler, sameStat, type FileStat, type SettleDeps } from '../../src/runtime/live/settle';

/** A fake file system and clock: `advance(ms)` runs the timers that fall due. */
function fakes() {
  const files = new Map<string, FileStat>();
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const statCalls: string[] = [];
  const deps: SettleDeps = {
    stat: (f) => {
      statCalls.push(f);
      const s = files.get(f);
      return s ? { ...s } : null;
    },
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (h) => {
      timers = timers.filter((t) => t.id !== h);
    },
  };
  const advance = (ms: number): void => {
    const end = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const t = timers[0];
      if (!t || t.at > end) break;
      timers.shift();
      now = t.at;
      t.fn();
    }
    now = end;
  };
  const write = (f: string, size: number): void => {
    files.set(f, { size, mtimeMs: now });
  };
  return { files, deps, advance, write, statCalls, pendingTimers: () => timers.length };
}

function recorder() {
  const events: string[] = [];
  return {
    events,
    cb: (name: string) => ({ stable: (s: FileStat) => events.push(`${name} stable ${s.size}`), gone: () => events.push(`${name} gone`) }),
  };
}

test('a complete file is stable after two polls one interval apart, not before', () => {
  const f = fakes();
  const r = recorder();
  const s = new FileSettler(f.deps, 500);
  f.write('/a.pt', 1000);
  s.settle('/a.pt', r.cb('a'));
  f.advance(499);
  assert.deepEqual(r.events, []);
  f.advance(1);
  assert.deepEqual(r.events, ['a stable 1000']);
  assert.equal(s.count, 0);
  assert.equal(f.pendingTimers(), 0);
});

test('a file still growing is never reported stable until its size and mtime stop moving', () => {
  const f = fakes();
  const r = recorder();
  const s = new FileSettler(f.deps, 500);
  f.write('/big.pt', 100);
  s.settle('/big.pt', r.cb('big'));
  // The writer appends every 300 ms for 3 s.
  for (let t = 300; t <= 3000; t += 300) {
    f.advance(300);
    f.write('/big.pt', 100 + t);
    assert.deepEqual(r.events, [], `still writing at ${t} ms`);
  }
  assert.ok(s.isSettling('/big.pt'));
  f.advance(1000);
  assert.deepEqual(r.events, ['big stable 3100']);
});

test('a rewrite of the same size is caught by the mtime', () => {
  const f = fakes();
  const r = recorder();
  const s = new FileSettler(f.deps, 500);
  f.write('/a.pt', 10);
  s.settle('/a.pt', r.cb('a'));
  f.advance(250);
  f.write('/a.pt', 10); // same size, new mtime
  f.advance(250);
  assert.deepEqual(r.events, []);
  f.advance(500);
  assert.deepEqual(r.events, ['a stable 10']);
});

test('an empty file is not complete (torch.save creates it before writing)', () => {
  const f = fakes();
  const r = recorder();
  const s = new FileSettler(f.deps, 500);
  f.write('/e.pt', 0);
  s.settle('/e.pt', r.cb('e'));
  f.advance(5000);
  assert.deepEqual(r.events, []);
  f.write('/e.pt', 42);
  f.advance(1000);
  assert.deepEqual(r.events, ['e stable 42']);
});

test('repeated events for one write start one poll chain: one stable report', () => {
  const f = fakes();
  const r = recorder();
  const s = new FileSettler(f.deps, 500);
  f.write('/a.pt', 7);
  s.settle('/a.pt', r.cb('create'));
  s.settle('/a.pt', r.cb('change'));
  s.settle('/a.pt', r.cb('change2'));
  f.advance(2000);
  assert.deepEqual(r.events, ['create stable 7']);
});

test('a file deleted while settling is reported gone; cancel stops polling', () => {
  const f = fakes();
  const r = recorder();
  const s = new FileSettler(f.deps, 500);
  f.write('/a.pt', 7);
  f.write('/b.pt', 7);
  s.settle('/a.pt', r.cb('a'));
  s.settle('/b.pt', r.cb('b'));
  f.files.delete('/a.pt');
  s.cancel('/b.pt');
  f.advance(2000);
  assert.deepEqual(r.events, ['a gone']);
  assert.equal(s.count, 0);
  s.settle('/missing.pt', r.cb('m'));
  assert.deepEqual(r.events, ['a gone', 'm gone']);
});

test('several files settle independently', () => {
  const f = fakes();
  const r = recorder();
  const s = new FileSettler(f.deps, 500);
  f.write('/run1/ep1.pt', 5);
  f.write('/run2/ep1.pt', 5);
  s.settle('/run1/ep1.pt', r.cb('r1'));
  s.settle('/run2/ep1.pt', r.cb('r2'));
  f.advance(100);
  f.write('/run2/ep1.pt', 50);
  f.advance(400);
  assert.deepEqual(r.events, ['r1 stable 5']);
  f.advance(500);
  assert.deepEqual(r.events, ['r1 stable 5', 'r2 stable 50']);
});

test('sameStat compares size and mtime, and nothing equals a missing file', () => {
  assert.ok(sameStat({ size: 1, mtimeMs: 2 }, { size: 1, mtimeMs: 2 }));
  assert.ok(!sameStat({ size: 1, mtimeMs: 2 }, { size: 1, mtimeMs: 3 }));
  assert.ok(!sameStat({ size: 1, mtimeMs: 2 }, { size: 2, mtimeMs: 2 }));
  assert.ok(!sameStat(null, null));
  assert.ok(!sameStat(undefined, { size: 1, mtimeMs: 2 }));
});
