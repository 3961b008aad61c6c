// Hostile checkpoints (test/fixtures/hostile, hand-assembled, never unpickled by Python): nothing
// they ask for may run, and each is refused or read as inert data, in bounded time and memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCheckpoint } from '../../src/engine/readers/index';
import { InputError } from '../../src/engine/errors';
import { unpickle, PyCall, PyGlobal } from '../../src/engine/io/pickle';
import { FileSource } from '../../src/engine/io/source';

const H = path.join(__dirname, '..', 'fixtures', 'hostile');
const MARKER = '/tmp/td-hostile-marker';

test('no hostile file runs anything, and each gives a named error or inert data', () => {
  fs.rmSync(MARKER, { force: true });
  const files = fs.readdirSync(H).filter((f) => !f.endsWith('.md'));
  assert.ok(files.length >= 20, `${files.length} hostile fixtures`);
  for (const f of files) {
    const file = path.join(H, f);
    const t0 = Date.now();
    const rss0 = process.memoryUsage().rss;
    try {
      const c = openCheckpoint(file);
      // Accepted as data: every value must be an inert record or a real tensor.
      for (const t of c.tensors) t.read();
      c.close();
    } catch (e) {
      assert.ok(e instanceof InputError, `${f}: ${(e as Error).stack}`);
      assert.ok((e as Error).message.startsWith(file + ': '), `${f}: message names the file: ${(e as Error).message}`);
    }
    assert.ok(Date.now() - t0 < 5000, `${f} took ${Date.now() - t0} ms`);
    assert.ok(process.memoryUsage().rss - rss0 < 512 * 2 ** 20, `${f} grew memory by ${(process.memoryUsage().rss - rss0) / 2 ** 20} MB`);
  }
  assert.equal(fs.existsSync(MARKER), false, 'a hostile payload ran');
});

test('os.system / subprocess / eval become inert records', () => {
  for (const [f, qual] of [['os_system.pkl', 'posix.system'], ['eval.pkl', 'builtins.eval']] as const) {
    const { value } = unpickle(new FileSource(path.join(H, f)));
    assert.ok(value instanceof PyCall, f);
    assert.ok((value as PyCall).callable instanceof PyGlobal);
    assert.equal(((value as PyCall).callable as PyGlobal).qualified, qual);
  }
  const { value } = unpickle(new FileSource(path.join(H, 'subprocess.pkl')));
  const popen = (value as Map<string, PyCall>).get('model')!;
  assert.equal((popen.callable as PyGlobal).qualified, 'subprocess.Popen');
});

test('specific refusals say what is wrong', () => {
  const expect: Record<string, RegExp> = {
    'ext_opcodes.pkl': /EXT opcodes/,
    'memo_tricks.pkl': /memo index 7 was never stored/,
    'memo_huge_index.pkl': /memo index 4294967295 was never stored/,
    'huge_binbytes.pkl': /BINBYTES8 declares 1099511627776 bytes/,
    'zip_escape.pt': /points outside the archive folder/,
    'zip_bomb.pt': /does not inflate to its declared 1234 bytes/,
    'zip_bomb_declared.pt': /above the 1073741824-byte limit|does not inflate/,
  };
  for (const [f, re] of Object.entries(expect)) {
    assert.throws(() => openCheckpoint(path.join(H, f)), (e: unknown) => e instanceof InputError && re.test((e as Error).message), f);
  }
});

test('a state dict entry that calls os.system is kept inert and reported', () => {
  const c = openCheckpoint(path.join(H, 'os_system.pt'));
  assert.deepEqual(c.tensors.map((t) => t.name), ['conv1.bias']);
  assert.match(c.warnings.join('\n'), /'conv1\.weight' is a call of (os|posix)\.system, which was not run/);
  c.close();
});

test('deep nesting and self-referencing memo are read without recursion', () => {
  const deep = unpickle(new FileSource(path.join(H, 'deep_nesting.pkl'))).value;
  let depth = 0;
  for (let v: unknown = deep; Array.isArray(v) && v.length; v = v[0]) depth++;
  assert.equal(depth, 99999);
  const cyc = unpickle(new FileSource(path.join(H, 'memo_cycle.pkl'))).value as Map<string, unknown>;
  assert.equal(cyc.get('self'), cyc);
});
