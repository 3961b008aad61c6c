/**
 * The lines `analyze` prints first: per sweep (runs sharing a parent folder), the ranking of its
 * runs and the stopping advice, "Stop these N runs now, saving about M epochs of compute", by the
 * same rule and with the same numbers the editor's dashboard and notifications use (engine
 * run/sweep-advice.ts). Text only; the CLI prints it.
 */
import * as path from 'node:path';
import type { AnalysisReport, RunReport } from '../engine/run/report';
import { adviseSweep, type SweepRun } from '../engine/run/sweep-advice';

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'unknown');
const num = (x: number): string => String(Math.round(x * 100) / 100);

/** Epochs the run completed: its checkpoints', its logs' or where it diverged, whichever is latest. */
function epochsDone(run: RunReport): number | null {
  const seen = [...run.checkpoints.map((c) => c.epoch), ...(run.accuracy?.points.map((p) => p.epoch) ?? []), ...(run.diverged ? [run.diverged.epoch] : [])];
  return seen.length ? Math.max(...seen) : null;
}

function sweepRun(run: RunReport): SweepRun {
  const d = run.diverged;
  return {
    id: run.path,
    name: run.name,
    status: run.status,
    forecast: run.forecast ? { accuracy: run.forecast.accuracy, low: run.forecast.low, high: run.forecast.high } : null,
    finalAccuracy: run.status === 'finished' ? (run.accuracy?.final ?? null) : null,
    epochsDone: epochsDone(run),
    horizon: run.horizon?.epochs ?? null,
    divergence: d ? `at epoch ${num(d.epoch)}: ${d.tensor ? `${d.value} in ${d.tensor}` : `${d.metric} is ${d.value}`}` : null,
  };
}

/** The accuracy a run is ranked by: its final accuracy once finished, else its forecast. */
function rankValue(r: SweepRun): number {
  const v = r.finalAccuracy ?? r.forecast?.accuracy;
  return v !== undefined && Number.isFinite(v) ? v : -1;
}

/** The ranking and advice of each sweep in the report, ready to print. */
export function sweepAdviceLines(report: AnalysisReport, cwd: string): string[] {
  const bySweep = new Map<string, RunReport[]>();
  for (const r of report.runs) bySweep.set(path.dirname(r.path), [...(bySweep.get(path.dirname(r.path)) ?? []), r]);
  const lines: string[] = [];
  for (const [sweep, runs] of bySweep) {
    const members = runs.map(sweepRun);
    const { perRun, summary } = adviseSweep(members);
    lines.push(`Sweep ${path.relative(cwd, sweep) || '.'} (${runs.length} run${runs.length === 1 ? '' : 's'}): ${summary.text}`);
    for (const s of summary.stop) lines.push(`  stop ${s.name}: ${s.reason}`);
    const width = Math.max(4, ...members.map((m) => m.name.length));
    lines.push(`  rank  ${'run'.padEnd(width)}  status    accuracy                        epochs   advice`);
    [...members].sort((a, b) => rankValue(b) - rankValue(a) || a.name.localeCompare(b.name)).forEach((m, i) => {
      const f = m.forecast;
      const acc = m.finalAccuracy !== null ? `${pct(m.finalAccuracy)} final` : f && m.status === 'diverged' ? `${pct(f.accuracy)} (chance: diverged)` : f ? `${pct(f.accuracy)} forecast (${pct(f.low)}–${pct(f.high)})` : '-';
      const done = m.epochsDone === null ? '-' : m.horizon !== null ? `${num(m.epochsDone)}/${num(m.horizon)}` : num(m.epochsDone);
      const advice = perRun.get(m.id)!.stop ? 'stop' : m.status === 'running' ? 'keep' : '-';
      lines.push(`  ${String(i + 1).padEnd(4)}  ${m.name.padEnd(width)}  ${m.status.padEnd(8)}  ${acc.padEnd(30)}  ${done.padEnd(7)}  ${advice}`);
    });
  }
  return lines;
}
