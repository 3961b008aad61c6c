// The per-checkpoint result cache (live/result-cache.ts): its key and its storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResultCache, contentHash, sameKey, type CacheKey } from '../../src/runtime/live/result-cache';
import { analyzeCheckpointFull } from '../../src/engine/analyze-checkpoint';

const ROOT = path.join(__dirname, '..', '..');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'td-cache-'));

async function keyOf(file: string, extra: Partial<CacheKey> = {}): Promise<CacheKey> {
  const { hash, stat } = await contentHash(file);
  return { path: file, size: stat.size, mtimeMs: stat.mtimeMs, hash, engine: '1.0.0', inputSize: null, ...extra };
}

test('content hash: same bytes same hash; a change at the start, at the end, or in size changes it', async () => {
  const dir = tmp();
  const a = path.join(dir, 'a.bin');
  const big = Buffer.alloc(300 * 1024, 7);
  fs.writeFileSync(a, big);
  const h0 = (await contentHash(a)).hash;
  fs.writeFileSync(a, big);
  assert.equal((await contentHash(a)).hash, h0, 'rewrite with the same bytes');
  const start = Buffer.from(big);
  start[10] = 8;
  fs.writeFileSync(a, start);
  assert.notEqual((await contentHash(a)).hash, h0, 'first 64 KiB');
  const end = Buffer.from(big);
  end[end.length - 5] = 8;
  fs.writeFileSync(a, end);
  assert.notEqual((await contentHash(a)).hash, h0, 'last 64 KiB (a zip central directory lives there)');
  fs.writeFileSync(a, Buffer.alloc(300 * 1024 + 1, 7));
  assert.notEqual((await contentHash(a)).hash, h0, 'size');
  // Small files (shorter than two 64 KiB windows) are hashed whole.
  const s = path.join(dir, 's.bin');
  fs.writeFileSync(s, 'abc');
  const hs = (await contentHash(s)).hash;
  fs.writeFileSync(s, 'abd');
  assert.notEqual((await contentHash(s)).hash, hs);
});

test('a real PyTorch checkpoint re-saved with other weights but the same size and mtime gets another key', async () => {
  // Two epochs of one run have the same size; forcing the same mtime leaves only the hash to tell them apart.
  const dir = tmp();
  const f = path.join(dir, 'ckpt.pt');
  fs.copyFileSync(path.join(ROOT, 'examples/lenet-fashion/run0000/epoch_1.pt'), f);
  const t = new Date('2024-01-01T00:00:00Z');
  fs.utimesSync(f, t, t);
  const k1 = await keyOf(f);
  fs.copyFileSync(path.join(ROOT, 'examples/lenet-fashion/run0000/epoch_2.pt'), f);
  fs.utimesSync(f, t, t);
  const k2 = await keyOf(f);
  assert.equal(k1.mtimeMs, k2.mtimeMs);
  if (k1.size === k2.size) assert.notEqual(k1.hash, k2.hash);
  assert.ok(!sameKey(k1, k2));
});

test('put then get round-trips the analysis exactly (NaN included) and the centrality vector', async () => {
  const dir = tmp();
  const cache = new ResultCache(dir);
  const file = path.join(ROOT, 'test/fixtures/pytorch/lenet.pt');
  const full = analyzeCheckpointFull(file);
  const key = await keyOf(file);
  const analysis = { ...full.analysis, metadata: { ...full.analysis.metadata, odd: Number.NaN as unknown as number } };
  await cache.put({ key, analysis, centrality: full.nodes.centrality });
  const got = await cache.get(key);
  assert.ok(got);
  assert.deepEqual(got.analysis, analysis);
  assert.ok(got.centrality instanceof Float64Array);
  assert.deepEqual([...got.centrality], [...full.nodes.centrality]);
});

test('a key that differs in any part misses: path, size, mtime, hash, engine version, input size', async () => {
  const dir = tmp();
  const cache = new ResultCache(dir);
  const file = path.join(ROOT, 'test/fixtures/pytorch/mlp.pt');
  const full = analyzeCheckpointFull(file);
  const key = await keyOf(file);
  await cache.put({ key, analysis: full.analysis, centrality: full.nodes.centrality });
  assert.ok(await cache.get({ ...key }));
  for (const change of [{ size: key.size + 1 }, { mtimeMs: key.mtimeMs + 1 }, { hash: 'x' }, { engine: '2.0.0' }, { inputSize: 224 }, { path: file + '2' }] as Partial<CacheKey>[]) {
    assert.equal(await cache.get({ ...key, ...change }), undefined, JSON.stringify(change));
  }
});

test('draw graphs are cached per edge budget; listRun finds a run\'s entries; clear removes everything', async () => {
  const dir = tmp();
  const cache = new ResultCache(dir);
  const run = path.join(ROOT, 'examples/lenet-fashion/run0000');
  for (const ep of [0, 1]) {
    const file = path.join(run, `epoch_${ep}.pt`);
    const full = analyzeCheckpointFull(file);
    await cache.put({ key: await keyOf(file), analysis: full.analysis, centrality: full.nodes.centrality });
  }
  const key = await keyOf(path.join(run, 'epoch_0.pt'));
  const draw = { file: key.path, epoch: 0, layers: [], nodes: [], edges: [], totalNodes: 1, totalEdges: 2, thinned: null };
  await cache.putDraw(key, 2000, draw);
  assert.deepEqual(await cache.getDraw(key, 2000), draw);
  assert.equal(await cache.getDraw(key, 500), undefined);
  const listed = await cache.listRun(run);
  assert.deepEqual(listed.map((e) => path.basename(e.key.path)).sort(), ['epoch_0.pt', 'epoch_1.pt']);
  assert.deepEqual(await cache.listRun(path.join(ROOT, 'examples/lenet-fashion/run0001')), []);
  assert.equal(await cache.clear(), 2);
  assert.equal(await cache.get(key), undefined);
  assert.equal(await cache.clear(), 0);
});

test('a corrupt cache entry is a miss, not an error', async () => {
  const dir = tmp();
  const cache = new ResultCache(dir);
  const file = path.join(ROOT, 'test/fixtures/pytorch/mlp.pt');
  const full = analyzeCheckpointFull(file);
  const key = await keyOf(file);
  await cache.put({ key, analysis: full.analysis, centrality: full.nodes.centrality });
  const entries = fs.readdirSync(path.join(dir, 'v1'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
  assert.equal(entries.length, 1);
  fs.writeFileSync(path.join(entries[0].parentPath ?? (entries[0] as unknown as { path: string }).path, entries[0].name), 'garbage');
  assert.equal(await cache.get(key), undefined);
});
