// Bounded by the file (test/fuzz/bounds): the examples and one seeded case of most bounds
// classes, laid out as one sweep folder and run through the real CLI as a child process, once
// with --json and once for the human summary, with peak memory and CPU time measured. Then a
// folder tree deeper than the search, alone. `npm run fuzz` runs every class at full counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BOUNDS_CLASSES, allMessages, rawJsMessage, type BoundsCase, type Report } from '../fuzz/bounds/classes';
import { EXAMPLES, deepTree } from '../fuzz/bounds/examples';
import { CLI, CPU_BASE_S, CPU_PER_MB_S, RSS_FREE_MB, checkCase, hasTimeTool, inputBytes, runCli } from '../fuzz/bounds/run-cli';
import { Rng } from '../fuzz/rng';

const SMOKE_SEED = 20251202;
/** Classes whose seeded case goes in the sweep (the others need a run of their own, or minutes). */
const SWEEP_CLASSES = ['declared-size', 'inflate-budget', 'big-int', 'amplification', 'non-regular', 'terminal-injection'];
const ready = hasTimeTool() && fs.existsSync(CLI);

test('bounds smoke: the issue examples and seeded cases, through the CLI, within memory and time bounds', () => {
  assert.ok(ready, 'needs /usr/bin/time (Debian package time: npm test installs it) and npm run build');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bounds-smoke-'));
  try {
    const cases: { id: string; c: BoundsCase }[] = [];
    EXAMPLES.forEach((ex, i) => {
      const dir = path.join(root, `example${i}`);
      fs.mkdirSync(dir);
      cases.push({ id: ex.id, c: ex.make(dir, 0.1) });
    });
    for (const id of SWEEP_CLASSES) {
      const dir = path.join(root, id);
      fs.mkdirSync(dir);
      const cl = BOUNDS_CLASSES.find((c) => c.id === id)!;
      cases.push({ id, c: cl.make(dir, new Rng(SMOKE_SEED, 'bounds', id, 0), false) });
    }
    const mb = inputBytes(root) / 2 ** 20;
    const json = runCli(root, true, 300, root);
    const human = runCli(root, false, 300, root);
    for (const [what, m] of [['--json', json], ['human', human]] as const) {
      assert.ok(m.status === 0 || m.status === 2, `${what}: exit ${m.status}: ${m.stderr.slice(0, 500)}`);
      assert.ok(m.rssMB <= 2 * mb + RSS_FREE_MB, `${what}: peak RSS ${m.rssMB.toFixed(0)} MB for ${mb.toFixed(1)} MB of input`);
      assert.ok(m.cpuS <= CPU_BASE_S + CPU_PER_MB_S * mb, `${what}: CPU ${m.cpuS.toFixed(1)} s for ${mb.toFixed(1)} MB of input`);
      assert.doesNotMatch(m.stderr, /internal error|\n\s+at /, `${what}: ${m.stderr.slice(0, 300)}`);
    }
    console.log(`sweep of ${cases.length} cases, ${mb.toFixed(1)} MB: --json ${json.rssMB.toFixed(0)} MB ${json.cpuS.toFixed(1)} s CPU; human ${human.rssMB.toFixed(0)} MB ${human.cpuS.toFixed(1)} s CPU`);
    const doc = JSON.parse(json.stdout) as Report;
    for (const m of allMessages(doc)) assert.ok(!rawJsMessage(m), `a bare JavaScript error: ${m}`);
    const errors = doc.runs.flatMap((r) => r.errors);
    for (const { id, c } of cases) {
      const dir = c.target.startsWith(root) ? c.target.split(path.sep).slice(0, root.split(path.sep).length + 1).join(path.sep) : c.target;
      const mine = doc.runs.filter((r) => r.path === dir || r.path.startsWith(dir + path.sep));
      if (c.expect === 'refused') {
        const file = c.errorFile ?? c.target;
        const hit = errors.find((e) => (e.path === file || e.path.startsWith(file)) && (!c.message || c.message.test(e.message)));
        assert.ok(hit, `${id}: expected an error about ${file} matching ${c.message}; got ${JSON.stringify(errors.filter((e) => e.path.startsWith(dir)))}`);
      }
      if (c.expect === 'ok') assert.ok(mine.some((r) => r.checkpoints.length > 0), `${id}: no checkpoint analyzed (${JSON.stringify(mine.map((r) => r.errors))})`);
      const sub: Report = { runs: mine };
      const extra = c.check?.(sub, Buffer.byteLength(JSON.stringify(sub)));
      assert.equal(extra, undefined, `${id}: ${extra}`);
    }
    // The human summary: every file-chosen character shown as an escape, no forged error line.
    assert.doesNotMatch(human.stdout + human.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    const errorLines = human.stdout.split('\n').filter((l) => /^\s*error:/.test(l)).length;
    assert.equal(errorLines, errors.length, 'one error line per error, none forged');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a checkpoint 200 folders deep: nothing found, and the depth limit is named', () => {
  assert.ok(ready, 'needs /usr/bin/time (Debian package time: npm test installs it) and npm run build');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bounds-deep-'));
  try {
    const v = checkCase(deepTree(root, 200), false);
    assert.deepEqual(v.problems, []);
    assert.equal(v.status, 2);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
