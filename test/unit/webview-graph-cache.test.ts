// The webview's graph cache (webview/graph-cache.ts) over the real host channel (webview/messages.ts),
// with the host played by hand: requests, hits, epochs fetched ahead, the eviction bound, failures,
// and replies matched to requests by id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DrawGraph, GraphRequest, HostMessage, WebviewMessage } from '../../src/shared/dashboard-protocol';
import { GraphCache, HISTORY_EPOCHS, neededEpochs, type NeededInput } from '../../webview/graph-cache';
import { HostChannel, type HostNotificationHandlers } from '../../webview/messages';

const RUN = '/runs/a';
const graph = (epoch: number, tag = ''): DrawGraph => ({ file: `/runs/a/epoch_${epoch}${tag}.pt`, epoch, layers: [], nodes: [], edges: [], totalNodes: 0, totalEdges: 0, thinned: null });
/** Replies resolve promises: let them run. */
const settle = () => new Promise((r) => setImmediate(r));
const noHandlers: HostNotificationHandlers = { runs: () => undefined, runDetail: () => undefined, settings: () => undefined, error: () => undefined };

function setup(o: { capacity?: number; keep?: number[] } = {}) {
  const posted: WebviewMessage[] = [];
  const settled: string[] = [];
  const channel = new HostChannel((m) => posted.push(m));
  const cache = new GraphCache(channel, {
    capacity: o.capacity,
    onSettled: (runId, epoch) => settled.push(`${runId}@${epoch}`),
    keep: () => (o.keep ? { runId: RUN, epochs: o.keep } : null),
  });
  const requests = () => posted.filter((m): m is GraphRequest => m.type === 'requestGraph');
  const idOf = (epoch: number): number => {
    const r = requests().filter((m) => m.epoch === epoch).pop();
    assert.ok(r, `epoch ${epoch} was requested`);
    return r.requestId;
  };
  const host = (m: HostMessage) => channel.receive(m, noHandlers);
  /** The host answers the latest request for `epoch` with its graph. */
  const answer = async (epoch: number, g = graph(epoch)) => {
    host({ type: 'graph', inReplyTo: idOf(epoch), runId: RUN, epoch, graph: g });
    await settle();
    return g;
  };
  return { posted, settled, cache, requests, idOf, host, answer };
}

test('a graph is requested once; once answered it is served from the cache without asking again', async () => {
  const { cache, requests, settled, answer } = setup();
  cache.request(RUN, 3);
  cache.request(RUN, 3); // on its way: not asked twice
  assert.deepEqual(requests().map((r) => [r.runId, r.epoch]), [[RUN, 3]]);
  assert.equal(cache.get(RUN, 3), undefined);
  const g = await answer(3);
  assert.equal(cache.get(RUN, 3), g);
  assert.equal(cache.has(RUN, 3), true);
  assert.equal(cache.has('/runs/b', 3), false, 'graphs are per run');
  assert.deepEqual(settled, [`${RUN}@3`]);
  cache.request(RUN, 3);
  cache.ensure(RUN, [3]);
  assert.equal(requests().length, 1, 'a cached graph is not requested again');
});

test('request ids are distinct and counted up; each request carries one', () => {
  const { cache, requests } = setup();
  cache.ensure(RUN, [0, 1, 2]);
  const ids = requests().map((r) => r.requestId);
  assert.deepEqual(ids, [1, 2, 3]);
});

test('neighbouring epochs are fetched ahead: the next two while playing, the previous one and a short run\'s history for a selected node', () => {
  const epochs = [0, 1, 2, 3, 4, 5];
  const base: NeededInput = { epochs, epoch: 2, compare: null, previous: 1, nodeSelected: false, playing: false };
  assert.deepEqual(neededEpochs({ ...base, epoch: null }), [], 'nothing shown, nothing needed');
  assert.deepEqual(neededEpochs(base), [2]);
  assert.deepEqual(neededEpochs({ ...base, playing: true }), [2, 3, 4]);
  assert.deepEqual(neededEpochs({ ...base, epoch: 5, previous: 4, playing: true }), [5, 0, 1], 'playback wraps around');
  assert.deepEqual(neededEpochs({ ...base, compare: 0 }), [2, 0]);
  assert.deepEqual(neededEpochs({ ...base, nodeSelected: true }), [2, 1, 0, 3, 4, 5], 'the previous epoch first, then the rest of a short run');
  const long = Array.from({ length: HISTORY_EPOCHS + 1 }, (_, i) => i);
  assert.deepEqual(neededEpochs({ ...base, epochs: long, nodeSelected: true }), [2, 1], 'a long run: only the previous epoch');

  // What is needed and not cached yet is requested.
  const { cache, requests } = setup();
  cache.ensure(RUN, neededEpochs({ ...base, playing: true }));
  assert.deepEqual(requests().map((r) => r.epoch), [2, 3, 4]);
});

test('eviction: at most `capacity` graphs, the least recently used go first, the needed ones stay', async () => {
  const { cache, answer } = setup({ capacity: 3, keep: [1] });
  for (const e of [0, 1, 2]) {
    cache.request(RUN, e);
    await answer(e);
  }
  assert.equal(cache.size, 3);
  assert.ok(cache.get(RUN, 0), 'epoch 0 used: now the most recent');
  cache.request(RUN, 3);
  await answer(3);
  assert.equal(cache.size, 3);
  // Order of use: 1 (oldest, but needed), 2, 0, 3: epoch 2 goes.
  assert.equal(cache.has(RUN, 2), false);
  for (const e of [0, 1, 3]) assert.equal(cache.has(RUN, e), true, `epoch ${e} kept`);
  // peek does not count as a use: epoch 0 stays the oldest unneeded one and goes next (a use would keep it over 3).
  assert.ok(cache.peek(RUN, 0));
  cache.request(RUN, 4);
  await answer(4);
  assert.equal(cache.size, 3);
  assert.deepEqual([0, 1, 3, 4].map((e) => cache.has(RUN, e)), [false, true, true, true]);
  for (let e = 5; e < 30; e++) {
    cache.request(RUN, e);
    await answer(e);
    assert.ok(cache.size <= 3, `size ${cache.size} after epoch ${e}`);
  }
  assert.equal(cache.has(RUN, 1), true, 'the needed epoch survived every eviction');
});

test('a failed request is not cached: no graph, its error is kept and it is not asked again until cleared', async () => {
  const { cache, requests, settled, host, idOf, answer } = setup();
  cache.request(RUN, 9);
  host({ type: 'error', inReplyTo: idOf(9), message: 'Drawing epoch 9: no analyzed checkpoint', runId: RUN, epoch: 9 });
  await settle();
  assert.equal(cache.has(RUN, 9), false);
  assert.equal(cache.get(RUN, 9), undefined);
  assert.equal(cache.size, 0);
  assert.equal(cache.error(RUN, 9), 'Drawing epoch 9: no analyzed checkpoint');
  assert.deepEqual(settled, [`${RUN}@9`], 'the view hears of the failure');
  cache.request(RUN, 9);
  assert.equal(requests().length, 1, 'a failure is not retried on every render');
  cache.clear();
  assert.equal(cache.error(RUN, 9), undefined);
  cache.request(RUN, 9);
  assert.equal(requests().length, 2, 'after clear (another edge budget) it is asked again');
  const g = await answer(9);
  assert.equal(cache.get(RUN, 9), g);
  assert.equal(cache.error(RUN, 9), undefined);
});

test('replies are matched to requests by id: out of order, unknown ids dropped, stale answers after clear ignored', async () => {
  const { cache, host, idOf, requests, settled } = setup();
  cache.ensure(RUN, [1, 2]);
  const [id1, id2] = [idOf(1), idOf(2)];
  assert.notEqual(id1, id2);
  const g1 = graph(1), g2 = graph(2);
  host({ type: 'graph', inReplyTo: id2, runId: RUN, epoch: 2, graph: g2 });
  host({ type: 'graph', inReplyTo: id1, runId: RUN, epoch: 1, graph: g1 });
  await settle();
  assert.equal(cache.get(RUN, 1), g1);
  assert.equal(cache.get(RUN, 2), g2);
  assert.deepEqual(settled, [`${RUN}@2`, `${RUN}@1`]);

  // The id decides, not what the reply says about itself.
  cache.request(RUN, 3);
  const g3 = graph(3);
  host({ type: 'graph', inReplyTo: idOf(3), runId: RUN, epoch: 4, graph: g3 });
  await settle();
  assert.equal(cache.get(RUN, 3), g3);
  assert.equal(cache.has(RUN, 4), false);

  // An id nobody asked for, or one already answered: dropped.
  host({ type: 'graph', inReplyTo: 999, runId: RUN, epoch: 5, graph: graph(5) });
  host({ type: 'graph', inReplyTo: id1, runId: RUN, epoch: 1, graph: graph(1, '-again') });
  await settle();
  assert.equal(cache.has(RUN, 5), false);
  assert.equal(cache.get(RUN, 1), g1);

  // Asked, then cleared (another edge budget), then asked again: only the new request's answer counts.
  cache.request(RUN, 6);
  const stale = idOf(6);
  cache.clear();
  cache.request(RUN, 6);
  const fresh = idOf(6);
  assert.notEqual(stale, fresh);
  assert.equal(requests().filter((r) => r.epoch === 6).length, 2);
  host({ type: 'graph', inReplyTo: stale, runId: RUN, epoch: 6, graph: graph(6, '-old-budget') });
  await settle();
  assert.equal(cache.has(RUN, 6), false, 'the answer drawn with the old budget is ignored');
  const g6 = graph(6, '-new-budget');
  host({ type: 'graph', inReplyTo: fresh, runId: RUN, epoch: 6, graph: g6 });
  await settle();
  assert.equal(cache.get(RUN, 6), g6);
});
