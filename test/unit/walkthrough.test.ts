// The editor's guide (contributes.walkthroughs): every step has its page, every command link and
// completion event names a command that exists, and the steps follow a user's first hour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../src/extension/contract';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const ours = new Set<string>(Object.values(COMMANDS));
/** Built-in commands a step may link to. */
const BUILT_IN = new Set(['workbench.action.files.openFolder']);

test('walkthrough: open runs → read the forecast → stop a run → learn from finished runs', () => {
  const [w] = pkg.contributes.walkthroughs;
  assert.ok(w && w.id && w.title && w.description);
  assert.deepEqual(
    w.steps.map((s: { id: string }) => s.id),
    ['openRuns', 'readForecast', 'stopRun', 'learnFromRuns'],
  );
  for (const s of w.steps) {
    const page = path.join(ROOT, s.media.markdown);
    assert.ok(fs.existsSync(page), `${s.id}: ${s.media.markdown} is missing`);
    assert.match(fs.readFileSync(page, 'utf8'), /^# /, `${s.id}: the page starts with its title`);
    const linked = [...String(s.description).matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
    const events = (s.completionEvents ?? []).map((e: string) => e.replace(/^onCommand:/, ''));
    for (const c of [...linked, ...events]) assert.ok(ours.has(c) || BUILT_IN.has(c), `${s.id}: unknown command ${c}`);
  }
});

test('the packaged extension carries the walkthrough pages', () => {
  const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
  assert.match(ignore, /^!media\/\*\*$/m);
});
