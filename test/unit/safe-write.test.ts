// writeFileNoFollow (src/runtime/safe-write.ts): a planted link at any predictable name is never
// followed, and its target is never changed; names and folders that lead out are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileNoFollow, UnsafeWriteError } from '../../src/runtime/safe-write';

function setup(): { run: string; outside: string; victim: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'td-safe-write-'));
  const run = path.join(root, 'run');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(run);
  fs.mkdirSync(outside);
  const victim = path.join(outside, 'victim.txt');
  fs.writeFileSync(victim, 'precious');
  return { run, outside, victim };
}

test('writes the file, atomically, leaving no temporary file behind', () => {
  const { run } = setup();
  const p = writeFileNoFollow(run, 'STOP', 'stop requested\n');
  assert.equal(p, path.join(run, 'STOP'));
  assert.equal(fs.readFileSync(p, 'utf8'), 'stop requested\n');
  writeFileNoFollow(run, 'STOP', 'again\n');
  assert.equal(fs.readFileSync(p, 'utf8'), 'again\n');
  assert.deepEqual(fs.readdirSync(run), ['STOP']);
});

test('a symlink planted at the name is replaced, its target untouched', () => {
  const { run, victim } = setup();
  fs.symlinkSync(victim, path.join(run, 'STOP'));
  writeFileNoFollow(run, 'STOP', 'stop\n');
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
  assert.equal(fs.lstatSync(path.join(run, 'STOP')).isSymbolicLink(), false);
  assert.equal(fs.readFileSync(path.join(run, 'STOP'), 'utf8'), 'stop\n');
});

test('symlinks planted at every predictable temporary name are never followed', () => {
  const { run, victim } = setup();
  // The names a naive writer would use: name.tmp, .name.tmp, name~, name.partial, and a hidden file.
  for (const n of ['STOP.tmp', '.STOP.tmp', 'STOP~', 'STOP.partial', '.STOP', '.STOP.swp']) fs.symlinkSync(victim, path.join(run, n));
  for (let i = 0; i < 20; i++) writeFileNoFollow(run, 'STOP', `stop ${i}\n`);
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
  for (const n of ['STOP.tmp', '.STOP.tmp', 'STOP~', 'STOP.partial', '.STOP', '.STOP.swp']) assert.ok(fs.lstatSync(path.join(run, n)).isSymbolicLink());
  assert.equal(fs.readFileSync(path.join(run, 'STOP'), 'utf8'), 'stop 19\n');
});

test('names that leave the folder are refused', () => {
  const { run, outside } = setup();
  for (const n of ['../escape', '..', '.', '', 'a/b', 'a\\b', path.join(outside, 'abs'), 'x\0y']) {
    assert.throws(() => writeFileNoFollow(run, n, 'x'), UnsafeWriteError, JSON.stringify(n));
  }
  assert.deepEqual(fs.readdirSync(outside), ['victim.txt']);
});

test('a run folder that is a symlink out of its parent is refused; one inside is accepted', () => {
  const { run, outside, victim } = setup();
  const link = path.join(path.dirname(run), 'linked-run');
  fs.symlinkSync(outside, path.join(run, 'escape'));
  assert.throws(() => writeFileNoFollow(path.join(run, 'escape'), 'victim.txt', 'x'), /outside its parent folder/);
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
  fs.symlinkSync(run, link);
  writeFileNoFollow(link, 'STOP', 'ok\n');
  assert.equal(fs.readFileSync(path.join(run, 'STOP'), 'utf8'), 'ok\n');
});
