/**
 * The `analyze` job: a path (checkpoint, run folder, or sweep folder) in, one report out.
 * A bad file is reported in its run's `errors` and the other files are still analyzed; a
 * checkpoint whose weights are NaN/Inf is no bad file but the sign of a diverged run
 * (divergence.ts). Checkpoints go through a RunPlan (run-plan.ts); this file runs it in this thread
 * and turns the results into the run's report, which every driver (worker threads included) shares:
 * the run's layout (layout.ts), progress axis (progress.ts), logs, hyperparameters, horizon and
 * status (outcome.ts), features and forecast; with `write`, the results are stored next to the
 * run (result-store.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCheckpointFull, type AnalyzeOptions, type CheckpointAnalysis } from '../analyze-checkpoint';
import { InputError, errorMessage, problemMessage, type Problem } from '../errors';
import { runFeatures } from '../features/definitions';
import { FORECAST_EPOCHS } from '../forecast/limits';
import { forecastRun } from '../forecast/index';
import type { Forecast } from '../forecast/types';
import { findUserModel } from '../forecast/user-model';
import { chanceLevel, type Divergence } from './divergence';
import { MAX_DEPTH, discoverRuns, type DiscoveryInfo, type RunFiles } from './discover';
import type { Horizon } from './horizon';
import { runOutcome, type OutcomeOptions } from './outcome';
import { placeRun } from './placed-run';
import type { AnalysisReport, ReportCheckpoint, RunReport } from './report';
import { writeRunReport, writeStored } from './result-store';
import { RunPlan, runPlanInThread } from './run-plan';

export interface AnalyzePathOptions extends AnalyzeOptions, OutcomeOptions {
  /** Epochs used for the forecast. */
  epochs?: number;
  /** A forecaster file to use before the shipped one; by default the nearest `.training-dynamics/forecaster.json` above the run. */
  modelFile?: string;
  /** Store each checkpoint's result and the run's report in `<run>/.training-dynamics/` (result-store.ts). */
  write?: boolean;
  onProgress?: (done: number, total: number, file: string) => void;
}

/** A checkpoint analyzed in this thread, warm-started as the plan says. */
export function analyzeInThread(file: string, warmStart: Float64Array | undefined, opts: AnalyzeOptions = {}): { analysis: CheckpointAnalysis; centrality: Float64Array } {
  const r = analyzeCheckpointFull(file, { ...opts, eigen: { ...opts.eigen, start: warmStart } });
  return { analysis: r.analysis, centrality: r.nodes.centrality };
}

/** The run plan every driver of `analyze` builds for a run (the CLI's workers build the same by default). */
export function planFor(files: string[], opts: AnalyzePathOptions = {}): RunPlan<ReturnType<typeof analyzeInThread>> {
  return new RunPlan(files, { progress: opts, inputSize: opts.inputSize });
}

export function analyzeRun(dir: string, files: string[], opts: AnalyzePathOptions = {}): RunReport {
  const plan = runPlanInThread(planFor(files, opts), (item, warm) => analyzeInThread(item.file, warm, opts), opts.onProgress);
  return finishRun(
    dir,
    plan.done().map((d) => d.result.analysis),
    plan.errors,
    opts,
  );
}

type Reused = CheckpointAnalysis & { reused?: { inputSize: number | null } };

/** Results reused with another input size than asked (a plan built without it): analyzed again here. */
function refresh(done: Reused[], opts: AnalyzePathOptions, errors: Problem[]): CheckpointAnalysis[] {
  const want = opts.inputSize ?? null;
  return done.flatMap((a) => {
    if (!a.reused || a.reused.inputSize === want) return [a];
    try {
      return [analyzeCheckpointFull(a.path, { inputSize: opts.inputSize }).analysis];
    } catch (e) {
      errors.push({ path: a.path, message: problemMessage(e, a.path) });
      return [];
    }
  });
}

/** A diverged run's forecast: chance level, with the reason (the editor's live service gives the same). */
export function divergedForecast(d: Divergence, epochsUsed: number, chance: ReturnType<typeof chanceLevel>, horizon: Horizon | null): Forecast {
  const acc = chance.accuracy ?? NaN;
  const where = d.tensor ? `tensor '${d.tensor}' holds ${d.value} in ${path.basename(d.file)}` : `${d.metric} is ${d.value} in ${path.basename(d.file)}`;
  return {
    accuracy: acc,
    low: acc,
    high: acc,
    epochsUsed,
    model: 'none: the run diverged',
    reason: `diverged at epoch ${d.epoch} (${where}): a network with NaN/Inf weights predicts no better than chance, ${chance.accuracy === null ? 'which is unknown: ' : `1/${chance.classes} from `}${chance.from}`,
    horizon: horizon?.epochs ?? null,
    horizonNote: 'chance level at any horizon',
  };
}

/** A run's report from its analyzed checkpoints and the failures of the others: logs, status, features and forecast. */
export function finishRun(dir: string, analyzed: CheckpointAnalysis[], failures: Problem[], opts: AnalyzePathOptions = {}): RunReport {
  const errors: Problem[] = [];
  const done = refresh(analyzed, opts, errors);
  // A checkpoint that failed because its weights are not finite marks divergence, not a bad file.
  const run = placeRun(dir, done, failures, opts);
  const { layout, placement: placed, nonFinite, weightsDivergence } = run;
  errors.push(...run.errors);
  const warnings = [...layout.notes];
  warnings.push(...placed.warnings);
  const firstBad = weightsDivergence ? placed.placed.find((c) => c.path === weightsDivergence.file) : undefined;
  // Lightning's last.ckpt repeats the last epoch's checkpoint: one checkpoint per epoch and step.
  const seen = new Map<string, string>();
  let checkpoints: ReportCheckpoint[] = [];
  for (const c of placed.placed) {
    if (!c.item) continue;
    const key = `${c.epoch}/${c.step}`;
    if (seen.has(key)) {
      warnings.push(`${path.basename(c.path)} is at the same epoch and step as ${seen.get(key)}: left out`);
      continue;
    }
    seen.set(key, path.basename(c.path));
    checkpoints.push({ ...c.item, epoch: c.epoch, step: c.step, epochSource: c.epochSource, order: c.epoch });
  }
  const outcome = runOutcome(layout, checkpoints, weightsDivergence, errors, opts, { zeroBased: placed.zeroBased });
  warnings.push(...outcome.warnings);
  const diverged = outcome.divergence;
  if (diverged) {
    const after = checkpoints.filter((c) => c.epoch >= diverged.epoch);
    if (after.length) warnings.push(`${after.length} checkpoint${after.length === 1 ? '' : 's'} from epoch ${diverged.epoch} on (the run had diverged) left out of the analysis`);
    checkpoints = checkpoints.filter((c) => c.epoch < diverged.epoch);
  }
  // The forecaster reads whole epochs; checkpoints written mid-epoch are shown but not fed to it.
  const whole = checkpoints.filter((c) => Number.isInteger(c.epoch)).map((c) => ({ epoch: c.epoch, analysis: c }));
  const partial = checkpoints.length - whole.length;
  if (partial) warnings.push(`${partial} checkpoint${partial === 1 ? ' was' : 's were'} written mid-epoch (${checkpoints.filter((c) => !Number.isInteger(c.epoch)).slice(0, 3).map((c) => c.epoch).join(', ')}${partial > 3 ? ', …' : ''}): the forecaster reads checkpoints at whole epochs only (save once per epoch, e.g. save_strategy="epoch")`);
  const epochs = opts.epochs ?? FORECAST_EPOCHS.default;
  const features = runFeatures(whole, epochs);
  let forecast: Forecast | null = null;
  if (diverged) {
    const chance = chanceLevel(checkpoints, firstBad ? nonFinite.get(firstBad.path)! : null, outcome.hyperparameters);
    forecast = divergedForecast(diverged, features.epochsUsed.length, chance, outcome.horizon);
  } else {
    const modelFile = opts.modelFile ?? findUserModel(dir);
    try {
      forecast = forecastRun({ checkpoints: whole, valAcc: outcome.accuracy?.points ?? null }, { epochs, modelFile });
    } catch (e) {
      const file = modelFile ?? 'forecaster';
      errors.push({ path: file, message: `no forecast: ${problemMessage(e, file)}` });
    }
    const run = outcome.horizon?.epochs;
    if (forecast && run != null && forecast.horizon != null && run !== forecast.horizon) {
      forecast = { ...forecast, horizonNote: `${forecast.horizonNote}; this run is set to ${run} epochs (${outcome.horizon!.key ?? outcome.horizon!.source}), so the forecast is not for its own end` };
    }
  }
  const { values, sources } = outcome.hyperparameters;
  const report: RunReport = {
    path: dir,
    name: layout.name,
    layout: layout.kind,
    status: outcome.status.status,
    statusReason: outcome.status.reason,
    horizon: outcome.horizon,
    hyperparameters: { values, sources },
    diverged,
    checkpoints,
    accuracy: outcome.accuracy,
    features,
    forecast,
    warnings: [...new Set(warnings)],
    errors,
  };
  if (opts.write) storeResults(report, done, opts);
  return report;
}

/** `--write`: each analyzed checkpoint's result and the run's report into `<run>/.training-dynamics/`. */
function storeResults(report: RunReport, done: CheckpointAnalysis[], opts: AnalyzePathOptions): void {
  for (const a of done) {
    if ((a as Reused).reused) continue;
    try {
      writeStored(report.path, a, opts.inputSize ?? null);
    } catch (e) {
      report.errors.push({ path: report.path, message: `could not store the result of ${path.basename(a.path)}: ${errorMessage(e)}` });
    }
  }
  try {
    writeRunReport(report.path, report);
  } catch (e) {
    report.errors.push({ path: report.path, message: `could not store the run's report: ${errorMessage(e)}` });
  }
}

export function analyzePath(target: string, opts: AnalyzePathOptions = {}): AnalysisReport {
  return { runs: findRuns(target).map((r) => analyzeRun(r.dir, r.checkpoints, opts)) };
}

/** The runs under a file or folder, or an InputError saying why there are none. */
export function findRuns(target: string): RunFiles[] {
  const abs = path.resolve(target);
  if (!fs.existsSync(abs)) throw new InputError(target, 'no such file or folder');
  const info: DiscoveryInfo = {};
  const runs = discoverRuns(abs, MAX_DEPTH, info);
  if (runs.length === 0) {
    if (fs.statSync(abs).isFile()) throw new InputError(target, 'not a checkpoint this tool can read');
    // Say where the search did not look: folders below the depth limit, folders it could not list.
    const cut = info.cutAtDepth ?? [];
    const unlisted = info.unlisted ?? [];
    const also = [
      cut.length ? `; folders more than ${MAX_DEPTH} levels below it were not searched (${cut.length} cut there, e.g. '${path.relative(abs, cut[0]) || '.'}')` : '',
      unlisted.length ? `; ${unlisted.length} folder(s) could not be listed (e.g. '${path.relative(abs, unlisted[0].dir) || '.'}': ${unlisted[0].reason})` : '',
    ].join('');
    throw new InputError(target, `no checkpoint files found (looked for .pt/.pth/.ckpt/.safetensors/.h5/.keras/.onnx/.npz/model.json and Hugging Face checkpoint-<step>/ folders)${also}`);
  }
  return runs;
}
