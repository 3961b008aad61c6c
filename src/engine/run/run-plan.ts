/**
 * The plan of one run's analysis, shared by every driver (the CLI in one thread, the CLI and the
 * editor on worker threads, `train`, the zoo extraction): which checkpoints, in which order, which
 * warm start each takes, and how results and failures are collected.
 *
 * Warm start: each checkpoint's eigen-solve starts from the centrality of the run's analyzed
 * checkpoint nearest in epoch, the earlier one on a tie (consecutive epochs differ little, so the
 * solver converges in a few steps). Chosen when the job starts, so a driver that runs checkpoints
 * side by side takes whatever is done by then; one that runs them in order takes the previous one.
 *
 * Reuse: a checkpoint whose analysis is stored next to its run (`analyze --write`,
 * result-store.ts) is not analyzed again; its stored result joins the plan's results (without a
 * centrality vector, so it is no warm start) and `items` lists only the checkpoints left to do.
 */
import * as path from 'node:path';
import { problemOf, type Problem } from '../errors';
import { orderCheckpoints } from './discover';
import type { ProgressOptions } from './progress';
import { readStored, storesFor } from './result-store';

export interface PlannedCheckpoint {
  file: string;
  /** The checkpoint's epoch in the run before it is read (progress.ts: its name, its folder's trainer state, else mtime). */
  order: number;
  /** Position in the plan. */
  index: number;
}

/** The warm-start rule: centrality of the analyzed checkpoint nearest to `order`, earlier first on a tie. */
export function warmStartFor(order: number | undefined, done: Iterable<{ order: number | undefined; centrality: Float64Array }>): Float64Array | undefined {
  let best: Float64Array | undefined;
  let bestDist = Infinity;
  for (const d of done) {
    if (d.centrality.length === 0) continue; // a stored result: no vector to start from
    // Without epochs to compare, the latest analyzed (callers list them oldest first) is nearest.
    const dist = order === undefined || d.order === undefined ? 1e15 : Math.abs(d.order - order) + (d.order > order ? 0.5 : 0);
    // On a tie the first listed stays, except without epochs to compare: then the later (more recent) wins.
    const laterWinsTie = order === undefined || d.order === undefined;
    if (dist < bestDist || (dist === bestDist && laterWinsTie)) {
      best = d.centrality;
      bestDist = dist;
    }
  }
  return best;
}

export interface RunPlanOptions {
  /** Only checkpoints of epochs up to this (the forecaster reads the first epochs only). */
  maxOrder?: number;
  /** Stop at the first failure (a diverged run has no graph from there on). */
  stopOnError?: boolean;
  /** How the run numbers its epochs (progress.ts). */
  progress?: ProgressOptions;
  /**
   * Reuse analyses stored next to the run (default true). Stored results are `{ analysis,
   * centrality }` with an empty centrality: a driver whose results carry more turns this off.
   */
  reuse?: boolean;
  /** The input size the analyses use, part of a stored result's key. */
  inputSize?: number;
}

export class RunPlan<R extends { centrality: Float64Array }> {
  /** The checkpoints to analyze, in epoch order (stored results left out). */
  readonly items: PlannedCheckpoint[];
  /** Every checkpoint of the plan, in epoch order. */
  private readonly all: PlannedCheckpoint[];
  private readonly failures: { index: number; problem: Problem }[] = [];
  private readonly results: (R | undefined)[];
  private failedAt = Infinity;

  constructor(
    files: string[],
    private readonly opts: RunPlanOptions = {},
  ) {
    // Files in epoch order first, so the warm starts follow training.
    this.all = orderCheckpoints(files.map((p) => ({ path: p, epoch: null })), opts.progress)
      .filter((c) => opts.maxOrder === undefined || c.order <= opts.maxOrder)
      .map((c, index) => ({ file: c.path, order: c.order, index }));
    this.results = this.all.map(() => undefined);
    if (opts.reuse !== false) {
      const stores = new Map<string, string[]>();
      for (const item of this.all) {
        const key = path.dirname(item.file);
        if (!stores.has(key)) stores.set(key, storesFor(item.file));
        const hit = readStored(item.file, opts.inputSize ?? null, stores.get(key));
        if (hit) this.results[item.index] = { analysis: hit, centrality: new Float64Array(0) } as unknown as R;
      }
    }
    this.items = this.all.filter((it) => this.results[it.index] === undefined);
  }

  /** How many checkpoints came from stored results. */
  get reusedCount(): number {
    return this.all.length - this.items.length;
  }

  /** Whether a checkpoint should still be analyzed (not after a failure when stopping on errors). */
  wanted(item: PlannedCheckpoint): boolean {
    return item.index < this.failedAt;
  }

  warmStart(item: PlannedCheckpoint): Float64Array | undefined {
    const done: { order: number; centrality: Float64Array }[] = [];
    this.results.forEach((r, i) => r && done.push({ order: this.all[i].order, centrality: r.centrality }));
    return warmStartFor(item.order, done);
  }

  complete(item: PlannedCheckpoint, result: R): void {
    this.results[item.index] = result;
  }

  fail(item: PlannedCheckpoint, e: unknown): void {
    this.failures.push({ index: item.index, problem: problemOf(e, item.file) });
    if (this.opts.stopOnError) this.failedAt = Math.min(this.failedAt, item.index);
  }

  /** Failures in plan order, whatever order the checkpoints finished in. */
  get errors(): Problem[] {
    return [...this.failures].sort((a, b) => a.index - b.index).map((f) => f.problem);
  }

  /** Results in plan order (up to the first failure when stopping on errors). */
  done(): { item: PlannedCheckpoint; result: R }[] {
    const out: { item: PlannedCheckpoint; result: R }[] = [];
    this.results.forEach((r, i) => r && i < this.failedAt && out.push({ item: this.all[i], result: r }));
    return out;
  }
}

/** Runs a plan in this thread, one checkpoint after another. */
export function runPlanInThread<R extends { centrality: Float64Array }>(
  plan: RunPlan<R>,
  analyzeOne: (item: PlannedCheckpoint, warmStart: Float64Array | undefined) => R,
  onProgress?: (done: number, total: number, file: string) => void,
): RunPlan<R> {
  plan.items.forEach((item, i) => {
    if (!plan.wanted(item)) return;
    try {
      plan.complete(item, analyzeOne(item, plan.warmStart(item)));
    } catch (e) {
      plan.fail(item, e);
    }
    onProgress?.(i + 1, plan.items.length, item.file);
  });
  return plan;
}
