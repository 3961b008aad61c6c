// Hostile checkpoints (test/fixtures/hostile, hand-assembled, never unpickled by Python): nothing
// they ask for may run, and each is refused or read as inert data, in bounded time and memory.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckpoint } from '../../src/engine/readers/index';
import { InputError, NumericError } from '../../src/engine/errors';
import { analyzeCheckpointFull } from '../../src/engine/analyze-checkpoint';
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

// ---- Hand-built inputs the fixture files do not cover (bytes assembled here, never unpickled).

const tmpDirs: string[] = [];
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmpFile(name: string, bytes: Uint8Array | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-hostile-'));
  tmpDirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

test('pickle lengths and codes past the data are refused before anything is allocated, naming the file', () => {
  const cases: [string, number[], RegExp][] = [
    ['BINBYTES 2^32-1', [0x80, 2, 0x42, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 0x2e], /BINBYTES declares 4294967295 bytes/],
    ['LONG4 2^31-1', [0x80, 2, 0x8b, 0xff, 0xff, 0xff, 0x7f, 1, 0x2e], /LONG4 declares 2147483647 bytes/],
    ['BINSTRING -1', [0x80, 2, 0x54, 0xff, 0xff, 0xff, 0xff, 0x2e], /BINSTRING declares -1 bytes/],
    ['BYTEARRAY8 2^40', [0x80, 5, 0x96, 0, 0, 0, 0, 0, 1, 0, 0, 0x2e], /BYTEARRAY8 declares 1099511627776 bytes/],
    ['SHORT_BINBYTES 255 of 2', [0x80, 2, 0x43, 0xff, 1, 2], /SHORT_BINBYTES declares 255 bytes/],
    ['EXT2', [0x80, 2, 0x83, 0x34, 0x12, 0x2e], /EXT opcodes/],
    ['NEXT_BUFFER', [0x80, 5, 0x97, 0x2e], /out-of-band buffers/],
  ];
  for (const [what, bytes, re] of cases) {
    const file = tmpFile('legacy.pt', Uint8Array.from(bytes));
    const t0 = Date.now();
    assert.throws(() => openCheckpoint(file), (e: unknown) => e instanceof InputError && re.test((e as Error).message) && (e as Error).message.startsWith(file + ': '), what);
    assert.ok(Date.now() - t0 < 1000, what);
  }
});

/** A safetensors file of float32 tensors, in the given (state-dict) order. */
function safetensors(tensors: [string, number[], number[]][]): Buffer {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [name, shape, values] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [off, off + values.length * 4] };
    off += values.length * 4;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.from(new Float32Array(tensors.flatMap(([, , v]) => v)).buffer)]);
}

const fill = (n: number, v: number | ((i: number) => number)): number[] => Array.from({ length: n }, (_, i) => (typeof v === 'number' ? v : v(i)));

test('Inf weights, overflowing edges and norm scales fail with a NumericError naming the file', () => {
  const cases: [string, [string, number[], number[]][], RegExp][] = [
    ['Inf weight', [['fc1.weight', [4, 3], fill(12, (i) => (i === 5 ? Infinity : 0.1))], ['fc2.weight', [2, 4], fill(8, 0.2)]], /'fc1.weight' holds Infinity at flat index 5/],
    ['-Inf weight', [['fc1.weight', [4, 3], fill(12, 0.1)], ['fc2.weight', [2, 4], fill(8, (i) => (i === 0 ? -Infinity : 0.2))]], /holds -Infinity/],
    // Finite weights whose kernel norm passes float32's 3.4e38: the edge weight itself overflows.
    ['edge overflow', [['conv.weight', [2, 1, 3, 3], fill(18, 3e38)], ['fc.weight', [2, 2], fill(4, 1)]], /layer 'conv' gives an edge weight of Infinity/],
    ['norm scale overflow', [['fc1.weight', [4, 3], fill(12, 0.1)], ['bn.weight', [4], fill(4, 3e38)], ['bn.running_var', [4], fill(4, 0)], ['fc2.weight', [2, 4], fill(8, 0.2)]], /norm 'bn' scales channel 0 by Infinity/],
    ['negative running_var', [['fc1.weight', [4, 3], fill(12, 0.1)], ['bn.weight', [4], fill(4, 1)], ['bn.running_var', [4], fill(4, -1)], ['fc2.weight', [2, 4], fill(8, 0.2)]], /running_var -1 for channel 0/],
  ];
  for (const [what, tensors, re] of cases) {
    const file = tmpFile('net.safetensors', safetensors(tensors));
    assert.throws(() => analyzeCheckpointFull(file), (e: unknown) => e instanceof NumericError && re.test((e as Error).message) && (e as Error).message.startsWith(file + ': '), what);
  }
});

test('all-zero and disconnected networks get defined metrics', () => {
  const cases: [string, [string, number[], number[]][]][] = [
    ['all zero', [['fc1.weight', [4, 3], fill(12, 0)], ['fc2.weight', [2, 4], fill(8, 0)]]],
    // A zero middle layer cuts the graph in two components; the larger eigenvalue's one wins.
    ['disconnected', [['fc1.weight', [4, 3], fill(12, 0.5)], ['fc2.weight', [5, 4], fill(20, 0)], ['fc3.weight', [2, 5], fill(10, 0.1)]]],
  ];
  for (const [what, tensors] of cases) {
    const file = tmpFile('net.safetensors', safetensors(tensors));
    const { analysis, nodes } = analyzeCheckpointFull(file);
    assert.ok(Number.isFinite(analysis.eigenvalue) && analysis.eigenvalue >= 0, `${what}: eigenvalue ${analysis.eigenvalue}`);
    assert.ok(nodes.centrality.every((v) => Number.isFinite(v) && v >= 0), `${what}: centrality`);
    assert.ok(nodes.degree.every((v) => Number.isFinite(v)), `${what}: degree`);
    for (const l of analysis.layers) for (const v of Object.values(l.eigenvectorCentrality)) assert.ok(Number.isFinite(v), `${what}: ${l.name}`);
  }
});

test('a zero-size weight is an architecture error, not a giant allocation', () => {
  // Found by fuzzing (tfjs shape [0, 2^40]): the other dimension sized the edge block unchecked.
  // After a conv, a dense layer's fan-in need only be a multiple of the channels: 0 is.
  const file = tmpFile('net.safetensors', safetensors([['conv.weight', [4, 1, 3, 3], fill(36, 0.1)], ['fc.weight', [1099511627776, 0], []]]));
  assert.throws(() => analyzeCheckpointFull(file), (e: unknown) => e instanceof InputError && /empty weight 'fc.weight'/.test((e as Error).message));
});

test('a compressed .npz whose header hides a gigabyte of zeros is opened in bounded memory and refused on read', async () => {
  // Found while fuzzing the readers: the header of a deflated member was read by inflating
  // prefixes with a 1100x output allowance, so a long incompressible header followed by zeros
  // (1.6 MB on disk) made opening the file allocate over 2 GB.
  const zlib = await import('node:zlib');
  const crypto = await import('node:crypto');
  const { writeZip } = await import('../fuzz/mutators/zip');
  const letters = Array.from(crypto.randomBytes(900_000), (b) => String.fromCharCode(0x41 + (b % 26))).join('');
  let text = `{'descr': '<f4', 'fortran_order': False, 'shape': (251658240,), 'x': '${letters}', }`;
  text += ' '.repeat(64 - ((text.length + 13) % 64)) + '\n';
  const pre = Buffer.alloc(12);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre);
  pre[6] = 2;
  pre.writeUInt32LE(text.length, 8);
  const sync = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const zeros = zlib.deflateRawSync(Buffer.alloc(64 << 20), sync);
  const data = Buffer.concat([zlib.deflateRawSync(Buffer.concat([pre, Buffer.from(text, 'latin1')]), sync), ...new Array(15).fill(zeros), zlib.deflateRawSync(Buffer.alloc(0))]);
  const size = 12 + text.length + 15 * (64 << 20); // under the 1 GiB inflation limit
  const file = tmpFile('bomb.npz', writeZip([{ name: 'w.npy', method: 8, data: new Uint8Array(data), size, crc: 0 }], 1));
  const rss0 = process.resourceUsage().maxRSS;
  const t0 = Date.now();
  const c = openCheckpoint(file);
  assert.deepEqual(c.tensors[0].shape, [251658240]);
  assert.throws(() => c.tensors[0].read(), (e: unknown) => e instanceof InputError && /likely (zip|decompression) bomb|are not materialised/.test((e as Error).message));
  c.close();
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  const grewMB = (process.resourceUsage().maxRSS - rss0) / 1024;
  assert.ok(grewMB < 300, `peak RSS grew by ${grewMB.toFixed(0)} MB`);
});

test('a Keras conv with a non-integer groups is not wired by it (it hung the eigen solver)', async () => {
  // Minimized from fuzzing: lenet.keras with config.json's conv groups set to 5e-324 gave a
  // fractional input layer and a group of Infinity rows; 1.5 gave NaN edges.
  const { parseZip, writeZip, entryBytes, withBytes } = await import('../fuzz/mutators/zip');
  const zip = parseZip(new Uint8Array(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'formats', 'lenet.keras'))))!;
  for (const groups of [5e-324, 1.5, -1, 0]) {
    const entries = zip.entries.map((e) => {
      if (e.name !== 'config.json') return e;
      const cfg = JSON.parse(Buffer.from(entryBytes(e)).toString('utf8'));
      const conv = cfg.config.layers.find((l: { class_name: string }) => l.class_name === 'Conv2D');
      conv.config.groups = groups;
      return withBytes(e, new Uint8Array(Buffer.from(JSON.stringify(cfg))));
    });
    const file = tmpFile('lenet.keras', writeZip(entries));
    const t0 = Date.now();
    const { analysis } = analyzeCheckpointFull(file);
    assert.ok(Date.now() - t0 < 3000, `groups ${groups}: ${Date.now() - t0} ms`);
    assert.match(analysis.warnings.join('\n'), /has groups .*not a positive integer/, `groups ${groups}`);
    assert.ok(Number.isFinite(analysis.eigenvalue), `groups ${groups}`);
  }
});

test('a norm narrower than its layer is an architecture error, not NaN edges', async () => {
  const { tensor } = await import('../helpers/tensors');
  const { buildRolledGraph } = await import('../../src/engine/graph/rolled');
  const w = tensor('fc.weight', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  const norm = { name: 'bn', weight: tensor('bn.weight', [2], [1, 1]), runningVar: tensor('bn.running_var', [4], [1, 1, 1, 1]), eps: 1e-5 };
  assert.throws(() => buildRolledGraph([{ op: 'dense', name: 'fc', weight: w, input: 'input', norm }], { file: 'x.keras' }), (e: unknown) => e instanceof InputError && /x\.keras: norm 'bn' has a weight of 2 values for a layer of 4 channels/.test((e as Error).message));
});

test('1-byte tensors become 4-byte floats: their reads are bounded to keep memory within twice the file', () => {
  // A safetensors file holding one int8 tensor of 20M values (20 MB): read once it costs 80 MB of
  // floats, within the budget (a quarter value per byte plus 16M); a second read would pass it.
  const n = 20_000_000;
  const header = Buffer.from(JSON.stringify({ 'fc.weight': { dtype: 'I8', shape: [4000, 5000], data_offsets: [0, n] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  const file = tmpFile('int8.safetensors', new Uint8Array(Buffer.concat([len, header, Buffer.alloc(n, 3)])));
  const c = openCheckpoint(file);
  try {
    const t = c.tensors.find((x) => x.name === 'fc.weight')!;
    assert.equal(t.read()[12345], 3);
    assert.throws(
      () => t.read(),
      (e: unknown) => e instanceof InputError && (e as Error).message.includes(file) && /int8 tensor 'fc\.weight'.*4-byte float.*not materialised/.test((e as Error).message),
    );
  } finally {
    c.close();
  }
});
