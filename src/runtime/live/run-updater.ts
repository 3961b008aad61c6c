/**
 * Keeps each run's outcome and forecast up to date: re-reads a run's logs and outcome (status,
 * horizon, hyperparameters, divergence: run-facts.ts, a worker job, since event files can be large
 * and NaN checks read weights) a moment after its logs change, a new result comes or a checkpoint
 * fails, and forecasts the run again whenever its results or its accuracy change. A run found
 * diverged gets the engine's chance-level forecast (diverged.ts) instead of a forecaster's.
 *
 * Forecasting is a worker job too: it loads forecaster files (read and unzipped), which must not
 * block the editor's extension-host thread. One forecast job per run at a time: changes that come
 * while one runs are gathered into one more job, so a folder of 100 cached results costs two jobs
 * and the last forecast always reflects the latest results.
 */
import * as path from 'node:path';
import { errorMessage } from '../../engine/errors';
import type { ForecastInput } from '../../engine/forecast/index';
import type { Forecast } from '../../engine/forecast/types';
import { PoolCancelledError } from '../pool/worker-pool';
import { WorkerJobError } from '../worker-protocol';
import type { LiveContext } from './context';
import { divergedForecast } from './diverged';
import type { RunState } from './run-registry';

/** Forecasts a run from its analyses and logged accuracy. */
type Forecaster = (runDir: string, input: ForecastInput, epochs: number) => Promise<Forecast | null>;

export class RunUpdater {
  private readonly accuracyTimers = new Map<string, unknown>();
  /**
   * Runs with a forecast under way, and whether they changed since it started. Keyed by the run,
   * not its folder: a run dropped and made again meanwhile is a new run that needs its own.
   */
  private readonly forecasting = new Map<RunState, { again: boolean }>();
  private readonly forecaster: Forecaster;

  constructor(private readonly ctx: LiveContext) {
    const local = ctx.o.forecast;
    this.forecaster = local
      ? async (_runDir, input, epochs) => local(input, { epochs })
      : async (runDir, input, epochs) => (await ctx.submit('forecast', runDir, () => ({ body: { runDir, input, epochs } })).promise).forecast;
  }

  /** Log reads waiting for their delay, or forecasts under way. */
  get busy(): boolean {
    return this.accuracyTimers.size > 0 || this.forecasting.size > 0;
  }

  /** A run's results changed (a new result, results restored from the cache). */
  resultsChanged(run: RunState): void {
    this.forecast(run);
    this.scheduleAccuracy(run);
  }

  /** A checkpoint of the run could not be analyzed: its weights may have diverged (the run-facts job checks). */
  failuresChanged(run: RunState): void {
    this.scheduleAccuracy(run);
  }

  /** A training log was written: re-read the logs of the runs it may belong to. */
  logChanged(file: string): void {
    file = path.resolve(file);
    for (const run of this.ctx.runs.values()) {
      // The logs read for a run (worker.ts, as analyze.ts runAccuracy): in its folder down to
      // lightning_logs/version_N/, else right in its parent (Lightning keeps checkpoints a level down).
      const rel = path.relative(run.dir, file);
      const inside = !rel.startsWith('..') && !path.isAbsolute(rel) && rel.split(path.sep).length <= 3;
      if (inside || path.dirname(file) === run.sweep) this.scheduleAccuracy(run);
    }
  }

  /** Forecasts every run again (after a change of forecast settings or of the model). */
  refreshForecasts(): void {
    for (const run of this.ctx.runs.values()) {
      this.forecast(run);
      this.ctx.touch(run.dir);
    }
  }

  /** The run is gone: nothing more to read for it. */
  forget(runDir: string): void {
    const t = this.accuracyTimers.get(runDir);
    if (t !== undefined) this.ctx.deps.clearTimer(t);
    this.accuracyTimers.delete(runDir);
  }

  private scheduleAccuracy(run: RunState): void {
    this.forget(run.dir);
    const t = this.ctx.deps.setTimer(() => {
      this.accuracyTimers.delete(run.dir);
      void this.readAccuracy(run);
    }, this.ctx.o.accuracyDelayMs ?? 1000);
    this.accuracyTimers.set(run.dir, t);
  }

  private async readAccuracy(run: RunState): Promise<void> {
    // What the host knows of the checkpoints: what each analyzed file stores, and which failed.
    const checkpoints = run.results().map((r) => ({ path: r.file, epoch: r.analysis.epoch, metadata: r.analysis.metadata }));
    const failed = run.failed();
    try {
      const reply = await this.ctx.submit('accuracy', run.dir, () => ({ body: { runDir: run.dir, checkpoints, failed } })).promise;
      if (!this.ctx.isCurrent(run)) return;
      run.accuracy = reply.accuracy;
      run.finished = reply.finished;
      run.logErrors = reply.errors;
      run.facts = reply.facts ?? null;
      run.factsRead++;
    } catch (e) {
      if (!(e instanceof WorkerJobError)) {
        if (!(e instanceof PoolCancelledError)) this.ctx.log(`${run.dir}: reading logs failed: ${errorMessage(e)}`);
        return;
      }
      if (!this.ctx.isCurrent(run)) return;
      run.logErrors = [{ path: e.file, message: e.message }];
    }
    this.forecast(run);
    this.ctx.touch(run.dir);
  }

  private forecast(run: RunState): void {
    const under = this.forecasting.get(run);
    if (under) {
      under.again = true;
      return;
    }
    const ordered = run.ordered();
    const facts = run.factsRead;
    const diverged = divergedForecast(run, this.ctx.o.settings().forecastEpochs);
    if (diverged || ordered.length === 0) {
      run.forecast = diverged;
      run.forecastError = null;
      run.forecastAfterFacts = facts;
      return;
    }
    const input: ForecastInput = {
      // Whole epochs only, as `analyze` feeds the forecaster (a mid-epoch checkpoint is shown, not used).
      checkpoints: ordered.filter((c) => Number.isInteger(c.order)).map((c) => ({ epoch: c.order, analysis: c.analysis })),
      valAcc: run.accuracy ? run.accuracy.points.map((p) => ({ epoch: p.epoch, value: p.value })) : null,
    };
    const state = { again: false };
    this.forecasting.set(run, state);
    void this.forecaster(run.dir, input, this.ctx.o.settings().forecastEpochs)
      .then(
        (forecast) => {
          // A run found diverged while this forecast was made keeps its chance-level forecast.
          if (run.facts?.divergence) return;
          run.forecast = forecast;
          run.forecastError = null;
          run.forecastAfterFacts = facts;
        },
        (e) => {
          if (e instanceof PoolCancelledError) return; // the service is going away
          run.forecast = null;
          run.forecastError = errorMessage(e);
        },
      )
      .finally(() => {
        this.forecasting.delete(run);
        if (!this.ctx.isCurrent(run) || this.ctx.disposed) return;
        this.ctx.touch(run.dir);
        if (state.again) this.forecast(run);
      });
  }

  dispose(): void {
    for (const t of this.accuracyTimers.values()) this.ctx.deps.clearTimer(t);
    this.accuracyTimers.clear();
  }
}
