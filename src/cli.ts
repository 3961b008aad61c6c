/**
 * Command-line interface: the same analysis as the extension, outside VS Code.
 *
 *   training-dynamics analyze PATH [--json] [--epochs K] [--input-size S] [--model FILE] [--workers N]
 *   training-dynamics train PATH [--out FILE] [--input-size S] [--json]
 *
 * Exit codes: 0 everything was read; 2 bad input (a file could not be read, or nothing found),
 * and any other failure, always named with its cause; 1 usage error only.
 * Text that comes from files (paths, tensor names, messages) is printed through safeText: control
 * characters shown as escapes, lengths capped, so a file cannot forge or rewrite terminal output.
 */
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { AnalysisReport, RunReport } from './engine/run/report';
import { FORECAST_EPOCHS } from './engine/forecast/limits';
import { analyzePathParallel } from './runtime/analyze-parallel';
import { machineCores, poolSize } from './runtime/pool/worker-pool';
import { InputError, errorMessage, explainError } from './engine/errors';
import { safeText as t } from './engine/text/safe-text';
import { trainForecaster, type TrainReport } from './engine/forecast/train';

const USAGE = `Usage:
  training-dynamics analyze PATH [--json] [--epochs K] [--input-size S] [--model FILE] [--workers N]
  training-dynamics train PATH [--out FILE] [--input-size S] [--json]

  analyze       graph, properties and forecast of every run under PATH
  train         fit a forecaster on the finished runs under PATH (final accuracy from their logs);
                later analyses of runs under PATH use it before the shipped one
  PATH          a checkpoint file, a run folder, or a folder of run folders
  --json        print one JSON document instead of the summary
  --epochs K    epochs used for the forecast (default 3, at most 5)
  --input-size  input height/width, for the unrolled-graph size estimate
  --model FILE  forecaster file to use (default: PATH's .training-dynamics/forecaster.json, else the shipped one)
  --workers N   checkpoints analyzed side by side, one worker thread each (default: one per core,
                at most 8, and one per 32 MiB of checkpoints)
  --out FILE    where train writes the forecaster (default PATH/.training-dynamics/forecaster.json)`;

interface Args {
  command: string;
  target?: string;
  json: boolean;
  epochs: number;
  inputSize?: number;
  model?: string;
  out?: string;
  workers?: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { command: argv[0] ?? '', json: false, epochs: FORECAST_EPOCHS.default };
  for (let i = 1; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--json') a.json = true;
    else if (v === '--epochs' || v === '--input-size' || v === '--workers') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`${v} needs a positive integer, got '${argv[i] ?? ''}'`);
      if (v === '--epochs') {
        if (n > FORECAST_EPOCHS.max) throw new UsageError(`--epochs is at most ${FORECAST_EPOCHS.max} (the forecaster uses the first epochs only)`);
        a.epochs = n;
      } else if (v === '--workers') a.workers = Math.min(n, 64);
      else a.inputSize = n;
    } else if (v === '--model' || v === '--out') {
      const f = argv[++i];
      if (!f) throw new UsageError(`${v} needs a file`);
      if (v === '--model') a.model = f;
      else a.out = f;
    } else if (v.startsWith('--')) throw new UsageError(`unknown option ${v}`);
    else if (a.target === undefined) a.target = v;
    else throw new UsageError(`unexpected argument '${v}'`);
  }
  return a;
}

class UsageError extends Error {}

const fmt = (n: number, d = 3): string => (Number.isFinite(n) ? n.toFixed(d) : String(n));
const big = (n: number): string => (n >= 1e9 ? `${fmt(n / 1e9, 1)}G` : n >= 1e6 ? `${fmt(n / 1e6, 1)}M` : n >= 1e4 ? `${fmt(n / 1e3, 1)}k` : String(n));

function printRun(run: RunReport, cwd: string): void {
  const rel = path.relative(cwd, run.path) || '.';
  console.log(`\nRun ${t(rel)}  (${run.checkpoints.length} checkpoint${run.checkpoints.length === 1 ? '' : 's'}${run.errors.length ? `, ${run.errors.length} unreadable` : ''})`);
  if (run.checkpoints.length) {
    const c0 = run.checkpoints[0];
    console.log(`  format ${t(c0.format)}; rolled graph ${big(c0.graph.nodes)} nodes, ${big(c0.graph.edges)} edges; unrolled${c0.graph.unrolledEstimated ? ' (est., ' + c0.graph.inputSize + 'px input)' : ''} ${big(c0.graph.unrolledNodes)} nodes, ${big(c0.graph.unrolledEdges)} edges (${fmt(c0.graph.unrolledEdges / Math.max(1, c0.graph.edges), 0)}× more)`);
    const layers = c0.layers.filter((l) => l.kind !== 'input');
    const show = layers.length <= 6 ? layers : [layers[0], layers[1], layers[Math.floor(layers.length / 2)], layers[layers.length - 2], layers[layers.length - 1]];
    const acc = new Map((run.accuracy?.points ?? []).map((p) => [p.epoch, p.value]));
    console.log('  epoch  ' + (acc.size ? 'val acc  ' : '') + 'λ₁        ' + show.map((l) => t(`deg:${l.name}`.slice(0, 16)).padEnd(17)).join(''));
    for (const c of run.checkpoints) {
      const cells = show.map((l) => {
        const x = c.layers.find((y) => y.name === l.name);
        return (x ? fmt(x.weightedDegree.mean) : '-').padEnd(17);
      });
      const a = acc.get(c.order);
      const accCell = acc.size ? (a === undefined ? '-' : `${fmt(a * 100, 1)}%`).padEnd(9) : '';
      console.log(`  ${String(c.order).padStart(5)}  ${accCell}${fmt(c.eigenvalue).padEnd(9)} ${cells.join('')}`);
    }
    if (run.checkpoints.length >= 2) {
      const first = run.checkpoints[0];
      const last = run.checkpoints[run.checkpoints.length - 1];
      const lam = (last.eigenvalue / first.eigenvalue - 1) * 100;
      console.log(`  trend: spectral radius ${lam >= 0 ? '+' : ''}${fmt(lam, 1)}% from epoch ${first.order} to ${last.order}`);
    }
    const warn = new Set(run.checkpoints.flatMap((c) => c.warnings));
    for (const w of [...warn].slice(0, 5)) console.log(`  note: ${t(w)}`);
    if (warn.size > 5) console.log(`  note: … ${warn.size - 5} more`);
  }
  if (run.accuracy?.final != null) console.log(`  logged final accuracy: ${fmt(run.accuracy.final * 100, 1)}% (from ${run.accuracy.sources.map((f) => t(path.basename(f))).join(', ')})`);
  if (run.forecast) {
    const f = run.forecast;
    console.log(`  forecast: final accuracy ${fmt(f.accuracy * 100, 1)}% (80% interval ${fmt(f.low * 100, 1)}–${fmt(f.high * 100, 1)}%) from ${f.epochsUsed} epoch${f.epochsUsed === 1 ? '' : 's'}`);
    if (f.model) console.log(`            by ${t(f.model)}`);
  } else console.log('  forecast: none (needs a trained predictor for this architecture)');
  for (const e of run.errors) console.log(`  error: ${t(path.relative(cwd, e.path))}: ${t(e.message, 2000)}`);
}


export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
    if (args.command !== 'analyze' && args.command !== 'train') throw new UsageError(args.command ? `unknown command '${args.command}'` : 'missing command');
    if (!args.target) throw new UsageError(`${args.command} needs a PATH`);
  } catch (e) {
    console.error(`${t(errorMessage(e))}\n\n${USAGE}`);
    return 1;
  }
  if (args.command === 'train') return train(args, args.target);
  let report: AnalysisReport;
  try {
    report = await analyzePathParallel(args.target, {
      epochs: args.epochs,
      inputSize: args.inputSize,
      modelFile: args.model,
      workers: args.workers ?? poolSize(machineCores(), false),
      auto: args.workers === undefined,
      workerScript: path.join(__dirname, 'worker.js'),
    });
  } catch (e) {
    // Bad input, or any other failure: named with its cause in words, exit 2 (never a stack trace).
    const file = e instanceof InputError ? e.file : args.target;
    const problem = e instanceof InputError ? e.problem : explainError(e);
    if (args.json) console.log(JSON.stringify({ runs: [], errors: [{ path: file, message: problem }] }));
    console.error(`error: ${t(file)}: ${t(problem, 2000)}`);
    return 2;
  }
  if (args.json) {
    let doc: string;
    try {
      doc = JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
    } catch (e) {
      doc = JSON.stringify({ runs: [], errors: [{ path: args.target, message: `the report could not be written as JSON: ${explainError(e)}` }] });
      console.log(doc);
      return 2;
    }
    console.log(doc);
  } else {
    const cwd = process.cwd();
    for (const run of report.runs) printRun(run, cwd);
  }
  return report.runs.some((r) => r.errors.length > 0) ? 2 : 0;
}

function train(args: Args, target: string): number {
  let r: TrainReport;
  try {
    r = trainForecaster(target, { outFile: args.out, inputSize: args.inputSize, onProgress: args.json ? undefined : (i, n) => process.stderr.write(`\ranalyzing run ${i}/${n}`) });
    if (!args.json) process.stderr.write('\n');
  } catch (e) {
    console.error(`error: ${t(explainError(e), 2000)}`);
    return 2;
  }
  if (args.json) {
    console.log(JSON.stringify(r));
    return 0;
  }
  console.log(`${r.finished} finished runs of ${r.runsFound} found; forecaster written to ${t(r.outFile)}`);
  for (const s of r.skipped) console.log(`  skipped ${t(path.relative(process.cwd(), s.path) || '.')}: ${t(s.reason, 2000)}`);
  console.log('  layers                       k  inputs        runs  out-of-bag R²  τ');
  for (const p of r.predictors) {
    console.log(`  ${t(p.signature.slice(0, 28)).padEnd(28)} ${p.k}  ${(p.groups.includes('val') ? 'graph + val' : 'graph').padEnd(12)} ${String(p.runs).padStart(5)}  ${fmt(p.oobR2, 2).padStart(13)}  ${fmt(p.oobTau, 2)}`);
  }
  return 0;
}

if (require.main === module) {
  // Grow the JS heap by 20% at a time rather than V8's default doubling: garbage from parsing a
  // file of many small entries would otherwise hold memory far beyond 2 × the input's size.
  setFlagsFromString('--heap-growing-percent=20');
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      // A failure no check foresaw: still named with its cause in words, still exit 2.
      console.error(`error: ${t(explainError(e), 2000)}`);
      process.exitCode = 2;
    },
  );
}
