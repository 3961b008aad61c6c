/**
 * The drawable (thinned) graph of one analyzed epoch, for the dashboard's network view: from a
 * small memo, else the disk cache, else an urgent worker job that analyzes the checkpoint again
 * warm-started from its own centrality (so the solver converges at once) and thins it. Drawing is
 * not an analysis: it changes no result and is not recorded.
 */
import { errorMessage } from '../../engine/errors';
import type { ThinGraph } from '../../engine/graph/thin';
import { WorkerJobError, analyzeRequest, type AnalyzeReply } from '../worker-protocol';
import type { LiveContext } from './context';
import { sameStat } from './deps';
import { clampMaxDrawnEdges } from '../../shared/dashboard-protocol';
import type { CheckpointResult } from './run-registry';

/** Graphs kept in memory: they come back quickly from the disk cache or a warm-started worker. */
const MEMO_SIZE = 24;

export class DrawingService {
  private readonly draws = new Map<string, Promise<ThinGraph>>();

  constructor(private readonly ctx: LiveContext) {}

  graph(runId: string, epoch: number, maxEdges: number): Promise<ThinGraph> {
    const run = this.ctx.runs.get(runId);
    if (!run) return Promise.reject(new Error(`no run ${runId}`));
    const c = run.ordered().find((x) => x.order === epoch);
    if (!c) return Promise.reject(new Error(`run ${run.name} has no analyzed checkpoint for epoch ${epoch}`));
    const budget = clampMaxDrawnEdges(maxEdges);
    const memoKey = `${c.file}|${c.key.size}|${c.key.mtimeMs}|${c.key.hash}|${budget}`;
    const hit = this.draws.get(memoKey);
    if (hit) return hit;
    const p = this.computeDraw(c, budget);
    this.draws.set(memoKey, p);
    p.catch(() => this.draws.delete(memoKey));
    if (this.draws.size > MEMO_SIZE) this.draws.delete(this.draws.keys().next().value as string);
    return p;
  }

  /** Forgets drawn graphs held in memory (the disk cache was cleared). */
  clearMemo(): void {
    this.draws.clear();
  }

  private async computeDraw(c: CheckpointResult, budget: number): Promise<ThinGraph> {
    const cached = await this.ctx.o.cache?.getDraw(c.key, budget).catch(() => undefined);
    if (cached) return cached;
    if (c.deleted || !sameStat(this.ctx.deps.stat(c.file), c.key)) {
      throw new Error(`${c.file}: the checkpoint was ${c.deleted ? 'deleted' : 'rewritten'} since it was analyzed, so its graph can no longer be drawn`);
    }
    let reply: AnalyzeReply;
    try {
      // Its own centrality as the warm start: the solver converges at once (a result stored by
      // `analyze --write` has none: a cold start).
      const warmStart = c.centrality.length > 0 ? c.centrality : undefined;
      const make = () => analyzeRequest(c.file, { inputSize: c.key.inputSize, warmStart, drawMaxEdges: budget });
      reply = await this.ctx.submit('analyze', c.file, make, true).promise;
    } catch (e) {
      // The panel shows the message alone: it names the file.
      throw e instanceof WorkerJobError ? new Error(`${e.file}: ${e.message}`) : e;
    }
    if (!reply.draw) throw new Error(`${c.file}: the worker returned no graph`);
    void this.ctx.o.cache?.putDraw(c.key, budget, reply.draw).catch((e) => this.ctx.log(`cache: ${errorMessage(e)}`));
    return reply.draw;
  }
}
