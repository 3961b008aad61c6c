/**
 * Which runs the service knows: a run comes with the first file seen in its folder, brings back
 * the cached results of its checkpoints deleted while the editor was closed (Lightning's
 * `save_top_k` deletes early checkpoints, which are exactly the forecaster's input), and goes once
 * it has neither files nor results.
 */
import { errorMessage } from '../../engine/errors';
import type { LiveContext } from './context';
import { RunState } from './run-registry';
import type { RunUpdater } from './run-updater';

export class RunSet {
  constructor(
    private readonly ctx: LiveContext,
    private readonly updater: RunUpdater,
  ) {}

  /** The run of a folder, made on first use; `holder` is the folder holding the checkpoint that brings it. */
  runFor(dir: string, holder = dir): RunState {
    let run = this.ctx.runs.get(dir);
    if (!run) {
      run = new RunState(dir);
      this.ctx.runs.set(dir, run);
    }
    if (!run.holders.has(holder)) {
      run.holders.add(holder);
      void this.restoreDeleted(run, holder);
    }
    return run;
  }

  dropIfEmpty(run: RunState): void {
    if (run.files.size === 0 && run.kept.size === 0) {
      this.ctx.runs.delete(run.dir);
      this.updater.forget(run.dir);
    }
  }

  /** Results cached for checkpoints of this run (in one of its folders) that no longer exist (deleted by the training script). */
  private async restoreDeleted(run: RunState, holder: string): Promise<void> {
    const { cache, engineVersion } = this.ctx.o;
    if (!cache) return;
    this.ctx.begin();
    try {
      for (const c of await cache.listRun(holder)) {
        if (c.key.engine !== engineVersion || run.files.has(c.key.path) || this.ctx.deps.exists(c.key.path)) continue;
        run.kept.set(c.key.path, { file: c.key.path, key: c.key, analysis: c.analysis, centrality: c.centrality, deleted: true });
      }
      if (run.kept.size) {
        this.updater.resultsChanged(run);
        this.ctx.touch(run.dir);
      }
    } catch (e) {
      this.ctx.log(`cache: ${errorMessage(e)}`);
    } finally {
      this.ctx.end();
    }
  }
}
