/**
 * The webview's cache of drawable graphs, one per run and epoch, filled by requestGraph requests
 * to the host. Which epochs the view needs (`neededEpochs`): the one shown, the one compared with,
 * and ahead of time the neighbours it will need next (the previous epoch for a selected node's
 * change, the next two while playing, every epoch of a short run for a node's history).
 *
 * A graph is requested once: while its request is on its way, or after it failed, it is not asked
 * for again (a failure is remembered as an error, never cached as a graph, until `clear`). Only the
 * reply to the request still on record is taken, so an answer that arrives after `clear` (the edge
 * budget changed) cannot bring back a graph drawn with the old budget. At most `capacity` graphs
 * are kept, least recently used out first, except those the view needs now.
 */
import type { DrawGraph } from '../src/shared/dashboard-protocol';
import type { HostChannel } from './messages';

const GRAPH_CACHE_SIZE = 40;
/** Runs with at most this many epochs fetch them all for a selected node's history. */
export const HISTORY_EPOCHS = 24;

export const graphKey = (runId: string, epoch: number): string => `${epoch}\u0000${runId}`;

export interface NeededInput {
  /** The run's analyzed epochs, ascending. */
  epochs: readonly number[];
  /** The epoch shown (null: nothing to show yet). */
  epoch: number | null;
  /** The epoch compared with, in compare mode. */
  compare: number | null;
  /** The epoch before the shown one. */
  previous: number | null;
  nodeSelected: boolean;
  playing: boolean;
}

/** Epochs whose graphs the view needs now (shown, compared, previous) and soon (history, next). */
export function neededEpochs(o: NeededInput): number[] {
  const e = o.epoch;
  if (e === null) return [];
  const out = [e];
  if (o.compare !== null) out.push(o.compare);
  if (o.previous !== null && o.nodeSelected) out.push(o.previous);
  // A selected node's history over the run: every epoch of a short run.
  if (o.nodeSelected && o.epochs.length <= HISTORY_EPOCHS) for (const x of o.epochs) if (!out.includes(x)) out.push(x);
  if (o.playing) {
    const i = o.epochs.indexOf(e);
    for (const d of [1, 2]) {
      const n = o.epochs[(i + d) % o.epochs.length];
      if (n !== undefined) out.push(n);
    }
  }
  return out;
}

export interface GraphCacheOptions {
  /** A request settled (graph or error): the view may want to redraw. */
  onSettled(runId: string, epoch: number): void;
  /** The graphs eviction must keep: the shown run's needed epochs. */
  keep(): { runId: string; epochs: readonly number[] } | null;
  capacity?: number;
}

export class GraphCache {
  private readonly graphs = new Map<string, DrawGraph>();
  /** Requests on their way: key → the id of the request whose reply is awaited. */
  private readonly pending = new Map<string, number>();
  private readonly errors = new Map<string, string>();
  private readonly capacity: number;

  constructor(private readonly channel: Pick<HostChannel, 'request'>, private readonly o: GraphCacheOptions) {
    this.capacity = o.capacity ?? GRAPH_CACHE_SIZE;
  }

  /** Asks the host for a graph unless it is cached, on its way, or failed. */
  request(runId: string, epoch: number): void {
    const k = graphKey(runId, epoch);
    if (this.graphs.has(k) || this.pending.has(k) || this.errors.has(k)) return;
    const { requestId, reply } = this.channel.request('requestGraph', { runId, epoch });
    this.pending.set(k, requestId);
    void reply.then((m) => {
      if (this.pending.get(k) !== requestId) return; // cleared since, or superseded
      this.pending.delete(k);
      if (m.type === 'graph') {
        this.errors.delete(k);
        this.put(k, m.graph);
      } else {
        this.errors.set(k, String(m.message));
      }
      this.o.onSettled(runId, epoch);
    });
  }

  ensure(runId: string, epochs: readonly number[]): void {
    for (const e of epochs) this.request(runId, e);
  }

  /** A cached graph, marked as recently used. */
  get(runId: string, epoch: number): DrawGraph | undefined {
    const k = graphKey(runId, epoch);
    const g = this.graphs.get(k);
    if (g) {
      this.graphs.delete(k);
      this.graphs.set(k, g);
    }
    return g;
  }

  /** A cached graph, without touching its place in the eviction order. */
  peek(runId: string, epoch: number): DrawGraph | undefined {
    return this.graphs.get(graphKey(runId, epoch));
  }

  has(runId: string, epoch: number): boolean {
    return this.graphs.has(graphKey(runId, epoch));
  }

  isPending(runId: string, epoch: number): boolean {
    return this.pending.has(graphKey(runId, epoch));
  }

  /** Why the graph could not be drawn, when its request failed. */
  error(runId: string, epoch: number): string | undefined {
    return this.errors.get(graphKey(runId, epoch));
  }

  get size(): number {
    return this.graphs.size;
  }

  /** Forgets graphs, errors and requests on their way (their replies will be ignored). */
  clear(): void {
    this.graphs.clear();
    this.pending.clear();
    this.errors.clear();
  }

  private put(k: string, g: DrawGraph): void {
    this.graphs.delete(k);
    this.graphs.set(k, g);
    if (this.graphs.size <= this.capacity) return;
    const kept = this.o.keep();
    const keep = new Set(kept ? kept.epochs.map((e) => graphKey(kept.runId, e)) : []);
    for (const key of this.graphs.keys()) {
      if (this.graphs.size <= this.capacity) break;
      if (!keep.has(key)) this.graphs.delete(key);
    }
  }
}
