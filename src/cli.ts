/**
 * Command-line interface: the same analysis as the extension, outside VS Code.
 *
 *   training-dynamics analyze PATH [--json] [--write] [--epochs K] [--horizon T] [--epoch-numbers completed|index]
 *                                  [--input-size S] [--model FILE] [--workers N]
 *   training-dynamics train PATH [--out FILE] [--horizon T] [--epoch-numbers completed|index] [--input-size S] [--json]
 *
 * Exit codes: 0 everything was read (a diverged run is a result, not an error); 2 bad input (a file could not be read, or nothing found),
 * and any other failure, always named with its cause; 1 usage error only.
 * Text that comes from files (paths, tensor names, messages) is printed through safeText: control
 * characters shown as escapes, lengths capped, so a file cannot forge or rewrite terminal output.
 */
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { AnalysisReport, RunReport } from './engine/run/report';
import type { EpochNumbers } from './engine/run/progress';
import { FORECAST_EPOCHS } from './engine/forecast/limits';
import { analyzePathParallel } from './runtime/analyze-parallel';
import { sweepAdviceLines } from './runtime/advice-text';
import { machineCores, poolSize } from './runtime/pool/worker-pool';
import { InputError, errorMessage, explainError } from './engine/errors';
import { neutralize, safeText as t } from './engine/text/safe-text';
import { trainForecaster, type TrainReport } from './engine/forecast/train';

const USAGE = `Usage:
  training-dynamics analyze PATH [--json] [--write] [--epochs K] [--horizon T] [--epoch-numbers completed|index]
                                 [--input-size S] [--model FILE] [--workers N]
  training-dynamics train PATH [--out FILE] [--horizon T] [--epoch-numbers completed|index] [--input-size S] [--json]

  analyze       graph, properties, status and forecast of every run under PATH
  train         fit a forecaster on the finished runs under PATH (final accuracy from their logs);
                later analyses of runs under PATH use it before the shipped one
  PATH          a checkpoint file or folder, a run folder, or a folder of run folders
  --json        print one JSON document instead of the summary
  --write       store each checkpoint's result and the run's report in <run>/.training-dynamics/;
                later analyses (CLI or editor) reuse them instead of reading the checkpoints again
  --epochs K    epochs used for the forecast (default 3, at most 5)
  --horizon T   the epoch the runs are set to end at (default: from each run's config)
  --epoch-numbers completed|index
                how a plain loop numbers epochs in file names, stored 'epoch' keys and logs:
                epochs completed (default: epoch_0 = before training, epoch_3 = after 3 epochs), or
                the 0-based index of the epoch just trained (epoch_0 = after the first epoch)
  --input-size  input height/width, for the unrolled-graph size estimate
  --model FILE  forecaster file to use (default: PATH's .training-dynamics/forecaster.json, else the shipped one)
  --workers N   checkpoints analyzed side by side, one worker thread each (default: one per core,
                at most 8, and one per 32 MiB of checkpoints)
  --out FILE    where train writes the forecaster (default PATH/.training-dynamics/forecaster.json)`;

interface Args {
  command: string;
  target?: string;
  json: boolean;
  write: boolean;
  horizon?: number;
  epochNumbers?: EpochNumbers;
  epochs: number;
  inputSize?: number;
  model?: string;
  out?: string;
  workers?: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { command: argv[0] ?? '', json: false, write: false, epochs: FORECAST_EPOCHS.default };
  for (let i = 1; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--json') a.json = true;
    else if (v === '--write') a.write = true;
    else if (v === '--horizon') {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--horizon needs a positive number of epochs, got '${argv[i] ?? ''}'`);
      a.horizon = n;
    } else if (v === '--epoch-numbers') {
      const m = argv[++i];
      if (m !== 'completed' && m !== 'index') throw new UsageError(`--epoch-numbers is 'completed' or 'index', got '${m ?? ''}'`);
      a.epochNumbers = m;
    } else if (v === '--epochs' || v === '--input-size' || v === '--workers') {
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

const WIRING_WORDS: Record<string, string> = {
  names: 'wiring recovered from tensor names and shapes',
  config: 'wiring from the model config',
  onnx: 'wiring from an ONNX graph',
  'layer-local': 'wiring: layer-local — no wiring could be recovered, each weight tensor is analyzed on its own (per-layer properties only)',
};

function wiringWords(wiring: string | undefined, components: number | undefined): string {
  const w = WIRING_WORDS[wiring ?? ''] ?? `wiring: ${wiring}`;
  return wiring === 'layer-local' || components === undefined ? w : `${w}; ${components} connected component${components === 1 ? '' : 's'}`;
}

const pct = (x: number): string => (Number.isFinite(x) ? `${fmt(x * 100, 1)}%` : 'unknown');
const epochText = (e: number): string => (Number.isInteger(e) ? String(e) : fmt(e, 2));

const HP_FIRST = [/(^|\.)(lr|learning_rate)$/, /batch_size$/, /(^|\.)(max_epochs|num_train_epochs|epochs)$/, /(^|\.)optim(izer)?$/, /weight_decay$/, /momentum$/, /dropout$/, /(^|\.)seed$/];

/**
 * One line of the human output. Every line of a run's summary carries text chosen by whoever wrote
 * the files (paths, tensor names, messages, hyperparameters), so the whole line is neutralized:
 * a control character cannot recolour the terminal or forge a line of its own.
 */
const say = (line: string): void => console.log(neutralize(line));

function printRun(run: RunReport, cwd: string): void {
  const rel = path.relative(cwd, run.path) || '.';
  const named = run.name !== path.basename(run.path) ? `${run.name}; ` : '';
  console.log();
  say(`Run ${rel}  (${named}${run.checkpoints.length} checkpoint${run.checkpoints.length === 1 ? '' : 's'}${run.errors.length ? `, ${run.errors.length} unreadable` : ''})`);
  const h = run.horizon;
  const horizon = h ? `horizon ${h.epochs !== null ? `${epochText(h.epochs)} epochs` : ''}${h.epochs !== null && h.steps !== null ? ', ' : ''}${h.steps !== null ? `${h.steps} steps` : ''} (${h.source === 'config' ? `${h.key} in ${h.file ?? 'the config'}` : h.source === 'flag' ? '--horizon' : 'where it logged its test result'})` : 'horizon unknown (no max_epochs, epochs or max_steps in its config; --horizon T sets it)';
  say(`  ${run.layout} layout; status ${run.status}: ${run.statusReason}; ${horizon}`);
  // The usual suspects first: learning rate, batch size, epochs, optimizer, regularisation, seed.
  const key = (k: string): number => { const i = HP_FIRST.findIndex((re) => re.test(k)); return i < 0 ? HP_FIRST.length : i; };
  const hp = Object.entries(run.hyperparameters.values).map((e, i) => ({ e, i })).sort((a, b) => key(a.e[0]) - key(b.e[0]) || a.i - b.i).map((x) => x.e);
  if (hp.length) say(`  hyperparameters: ${hp.slice(0, 8).map(([k, v]) => `${k}=${v}`).join(', ')}${hp.length > 8 ? ` (+${hp.length - 8} more in --json)` : ''}`);
  if (run.checkpoints.length) {
    const c0 = run.checkpoints[0];
    say(`  format ${c0.format}; rolled graph ${big(c0.graph.nodes)} nodes, ${big(c0.graph.edges)} edges; unrolled${c0.graph.unrolledEstimated ? ' (est., ' + c0.graph.inputSize + 'px input)' : ''} ${big(c0.graph.unrolledNodes)} nodes, ${big(c0.graph.unrolledEdges)} edges (${fmt(c0.graph.unrolledEdges / Math.max(1, c0.graph.edges), 0)}× more)`);
    say(`  ${wiringWords(c0.graph.wiring, c0.graph.components)}`);
    const layers = c0.layers.filter((l) => l.kind !== 'input');
    const show = layers.length <= 6 ? layers : [layers[0], layers[1], layers[Math.floor(layers.length / 2)], layers[layers.length - 2], layers[layers.length - 1]];
    const acc = new Map((run.accuracy?.points ?? []).map((p) => [p.epoch, p.value]));
    const steps = run.checkpoints.some((c) => c.step !== null);
    say('  epoch  ' + (steps ? 'step     ' : '') + (acc.size ? 'val acc  ' : '') + 'λ₁        ' + show.map((l) => `deg:${l.name}`.slice(0, 16).padEnd(17)).join(''));
    for (const c of run.checkpoints) {
      const cells = show.map((l) => {
        const x = c.layers.find((y) => y.name === l.name);
        return (x ? fmt(x.weightedDegree.mean) : '-').padEnd(17);
      });
      const a = acc.get(c.epoch);
      const accCell = acc.size ? (a === undefined ? '-' : pct(a)).padEnd(9) : '';
      const guess = c.epochSource === 'stored' || c.epochSource === 'log' ? ' ' : '*';
      const stepCell = steps ? String(c.step ?? '-').padEnd(9) : '';
      say(`  ${epochText(c.epoch).padStart(5)}${guess} ${stepCell}${accCell}${fmt(c.eigenvalue).padEnd(9)} ${cells.join('')}${c.reused ? '  (stored result)' : ''}`);
    }
    const sources = new Set(run.checkpoints.map((c) => c.epochSource));
    if (sources.has('name') || sources.has('order')) say(`  * epoch ${sources.has('order') ? 'from the order of the files' : 'from the file name'}: a guess (see the notes)`);
    if (run.checkpoints.length >= 2) {
      const first = run.checkpoints[0];
      const last = run.checkpoints[run.checkpoints.length - 1];
      const lam = (last.eigenvalue / first.eigenvalue - 1) * 100;
      say(`  trend: spectral radius ${lam >= 0 ? '+' : ''}${fmt(lam, 1)}% from epoch ${epochText(first.epoch)} to ${epochText(last.epoch)}`);
    }
    const reused = run.checkpoints.filter((c) => c.reused).length;
    if (reused) say(`  ${reused} of ${run.checkpoints.length} results read from ${path.join('.training-dynamics', 'results')} (stored by analyze --write)`);
  }
  const notes = [...run.warnings, ...new Set(run.checkpoints.flatMap((c) => c.warnings))];
  for (const w of notes.slice(0, 8)) say(`  note: ${t(w, 2000)}`);
  if (notes.length > 8) say(`  note: … ${notes.length - 8} more (--json lists them)`);
  const d = run.diverged;
  if (d) say(`  diverged at epoch ${epochText(d.epoch)}${d.step !== null ? ` (step ${d.step})` : ''}: ${d.tensor ? `tensor '${d.tensor}' of ${path.basename(d.file)} holds ${d.value}` : `${d.metric} is ${d.value} in ${path.basename(d.file)}`}`);
  const accLog = run.accuracy;
  if (accLog?.final != null) say(`  logged final accuracy: ${pct(accLog.final)} (from ${accLog.sources.map((f) => path.basename(f)).join(', ')})`);
  else if (accLog?.points.length) {
    const lastPt = accLog.points[accLog.points.length - 1];
    say(`  last logged ${accLog.metric}: ${pct(lastPt.value)} at epoch ${epochText(lastPt.epoch)}${h?.epochs != null ? ` of ${epochText(h.epochs)}` : ''} (the run ${run.status === 'diverged' ? 'diverged' : run.status === 'stopped' ? 'was stopped' : 'has not finished'}: no final accuracy)`);
  }
  if (run.forecast) {
    const f = run.forecast;
    if (f.reason) say(`  forecast: ${pct(f.accuracy)} (${f.reason})`);
    else {
      say(`  forecast: final accuracy ${pct(f.accuracy)} (80% interval ${fmt(f.low * 100, 1)}–${fmt(f.high * 100, 1)}%) from ${f.epochsUsed} epoch${f.epochsUsed === 1 ? '' : 's'}`);
      if (f.model) say(`            by ${f.model}`);
      if (f.horizonNote) say(`            for ${f.horizonNote}`);
    }
  } else say('  forecast: none (needs a trained predictor for this architecture and a checkpoint after epoch 1)');
  for (const e of run.errors) say(`  error: ${t(path.relative(cwd, e.path))}: ${t(e.message, 2000)}`);
}


export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    console.error(USAGE);
    return 1;
  }
  if (['--help', '-h', 'help'].includes(argv[0]) || argv.includes('--help')) {
    // Asked for: the usage on stdout and success (a wrong call gets it on stderr with exit 1).
    console.log(USAGE);
    return 0;
  }
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
      write: args.write,
      horizon: args.horizon,
      epochNumbers: args.epochNumbers,
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
    // Which runs to stop first (the dashboard's rule and numbers), then each run in detail.
    for (const line of sweepAdviceLines(report, cwd)) say(line);
    for (const run of report.runs) printRun(run, cwd);
  }
  return report.runs.some((r) => r.errors.length > 0) ? 2 : 0;
}

function train(args: Args, target: string): number {
  let r: TrainReport;
  try {
    r = trainForecaster(target, { outFile: args.out, inputSize: args.inputSize, horizon: args.horizon, epochNumbers: args.epochNumbers, onProgress: args.json ? undefined : (i, n) => process.stderr.write(`\ranalyzing run ${i}/${n}`) });
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
