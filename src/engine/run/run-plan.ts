/**
 * The plan of one run's analysis, shared by every driver (the CLI in one thread, the CLI and the
 * editor on worker threads, `train`, the zoo extraction): which checkpoints, in which order, which
 * warm start each takes, and how results and failures are collected.
 *
 * Warm start: each checkpoint's eigen-solve starts from the centrality of the run's analyzed
 * checkpoint nearest in epoch, the earlier one on a tie (consecutive epochs differ little, so the
 * solver converges in a few steps). Chosen when the job starts, so a driver that runs checkpoints
 * side by side takes whatever is done by then; one that runs them in order takes the previous one.
 */
import { problemOf, type Problem } from '../errors';
import { orderCheckpoints } from './discover';

export interface PlannedCheckpoint {
  file: string;
  /** The checkpoint's epoch in the run (orderCheckpoints: stored epoch, else name, else mtime). */
  order: number;
  /** Position in the plan. */
  index: number;
}

/** The warm-start rule: centrality of the analyzed checkpoint nearest to `order`, earlier first on a tie. */
export function warmStartFor(order: number | undefined, done: Iterable<{ order: number | undefined; centrality: Float64Array }>): Float64Array | undefined {
  let best: Float64Array | undefined;
  let bestDist = Infinity;
  for (const d of done) {
    // Without epochs to compare, the latest analyzed (callers list them oldest first) is nearest.
    const dist = order === undefined || d.order === undefined ? 1e15 : Math.abs(d.order - order) + (d.order > order ? 0.5 : 0);
    if (dist <= bestDist && !(dist === bestDist && order !== undefined && d.order !== undefined)) {
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
}

export class RunPlan<R extends { centrality: Float64Array }> {
  readonly items: PlannedCheckpoint[];
  private readonly failures: { index: number; problem: Problem }[] = [];
  private readonly results: (R | undefined)[];
  private failedAt = Infinity;

  constructor(
    files: string[],
    private readonly opts: RunPlanOptions = {},
  ) {
    // Files in epoch order first, so the warm starts follow training.
    this.items = orderCheckpoints(files.map((p) => ({ path: p, epoch: null })))
      .filter((c) => opts.maxOrder === undefined || c.order <= opts.maxOrder)
      .map((c, index) => ({ file: c.path, order: c.order, index }));
    this.results = this.items.map(() => undefined);
  }

  /** Whether a checkpoint should still be analyzed (not after a failure when stopping on errors). */
  wanted(item: PlannedCheckpoint): boolean {
    return item.index < this.failedAt;
  }

  warmStart(item: PlannedCheckpoint): Float64Array | undefined {
    const done: { order: number; centrality: Float64Array }[] = [];
    this.results.forEach((r, i) => r && done.push({ order: this.items[i].order, centrality: r.centrality }));
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
    this.results.forEach((r, i) => r && i < this.failedAt && out.push({ item: this.items[i], result: r }));
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
