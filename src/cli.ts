/**
 * Command-line interface: the same analysis as the extension, outside VS Code.
 *
 *   training-dynamics analyze PATH [--json] [--epochs K] [--input-size S]
 *
 * Exit codes: 0 everything was read; 2 bad input (a file could not be read, or nothing found);
 * 1 usage error or internal failure.
 */
import * as path from 'node:path';
import { analyzePath, type AnalysisReport, type RunReport } from './engine/analyze';
import { InputError, errorMessage } from './engine/errors';

const USAGE = `Usage:
  training-dynamics analyze PATH [--json] [--epochs K] [--input-size S]

  PATH          a checkpoint file, a run folder, or a folder of run folders
  --json        print one JSON document instead of the summary
  --epochs K    epochs used for the forecast (default 3, at most 5)
  --input-size  input height/width, for the unrolled-graph size estimate`;

interface Args {
  command: string;
  target?: string;
  json: boolean;
  epochs: number;
  inputSize?: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { command: argv[0] ?? '', json: false, epochs: 3 };
  for (let i = 1; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--json') a.json = true;
    else if (v === '--epochs' || v === '--input-size') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`${v} needs a positive integer, got '${argv[i] ?? ''}'`);
      if (v === '--epochs') {
        if (n > 5) throw new UsageError('--epochs is at most 5 (the forecaster uses the first epochs only)');
        a.epochs = n;
      } else a.inputSize = n;
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
  console.log(`\nRun ${rel}  (${run.checkpoints.length} checkpoint${run.checkpoints.length === 1 ? '' : 's'}${run.errors.length ? `, ${run.errors.length} unreadable` : ''})`);
  if (run.checkpoints.length) {
    const c0 = run.checkpoints[0];
    console.log(`  format ${c0.format}; rolled graph ${big(c0.graph.nodes)} nodes, ${big(c0.graph.edges)} edges; unrolled${c0.graph.unrolledEstimated ? ' (est., ' + c0.graph.inputSize + 'px input)' : ''} ${big(c0.graph.unrolledNodes)} nodes, ${big(c0.graph.unrolledEdges)} edges (${fmt(c0.graph.unrolledEdges / Math.max(1, c0.graph.edges), 0)}× more)`);
    const layers = c0.layers.filter((l) => l.kind !== 'input');
    const show = layers.length <= 6 ? layers : [layers[0], layers[1], layers[Math.floor(layers.length / 2)], layers[layers.length - 2], layers[layers.length - 1]];
    const acc = new Map((run.accuracy?.points ?? []).map((p) => [p.epoch, p.value]));
    console.log('  epoch  ' + (acc.size ? 'val acc  ' : '') + 'λ₁        ' + show.map((l) => `deg:${l.name}`.slice(0, 16).padEnd(17)).join(''));
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
    for (const w of [...warn].slice(0, 5)) console.log(`  note: ${w}`);
    if (warn.size > 5) console.log(`  note: … ${warn.size - 5} more`);
  }
  if (run.accuracy?.final != null) console.log(`  logged final accuracy: ${fmt(run.accuracy.final * 100, 1)}% (from ${run.accuracy.sources.map((f) => path.basename(f)).join(', ')})`);
  if (run.forecast) {
    const f = run.forecast;
    console.log(`  forecast: final accuracy ${fmt(f.accuracy * 100, 1)}% (80% interval ${fmt(f.low * 100, 1)}–${fmt(f.high * 100, 1)}%) from ${f.epochsUsed} epoch${f.epochsUsed === 1 ? '' : 's'}`);
  } else console.log('  forecast: none (needs a trained predictor for this architecture)');
  for (const e of run.errors) console.log(`  error: ${path.relative(cwd, e.path)}: ${e.message}`);
}

export function main(argv: string[]): number {
  let args: Args;
  try {
    args = parseArgs(argv);
    if (args.command !== 'analyze') throw new UsageError(args.command ? `unknown command '${args.command}'` : 'missing command');
    if (!args.target) throw new UsageError('analyze needs a PATH');
  } catch (e) {
    console.error(`${errorMessage(e)}\n\n${USAGE}`);
    return 1;
  }
  let report: AnalysisReport;
  try {
    report = analyzePath(args.target, { epochs: args.epochs, inputSize: args.inputSize });
  } catch (e) {
    if (e instanceof InputError) {
      if (args.json) console.log(JSON.stringify({ runs: [], errors: [{ path: e.file, message: e.problem }] }));
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (args.json) console.log(JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
  else {
    const cwd = process.cwd();
    for (const run of report.runs) printRun(run, cwd);
  }
  return report.runs.some((r) => r.errors.length > 0) ? 2 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`internal error: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  }
}
