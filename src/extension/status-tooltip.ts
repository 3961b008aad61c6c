/**
 * The status bar item's tooltip (Markdown with theme icons): the run, where its training stands,
 * its horizon, its forecast labelled as what it is (the accuracy at which epoch, the 80% interval,
 * the predictor that made it), the sweep's advice for it, and its problems. Every string that
 * comes from a file name, a config or an error message is escaped.
 */
import * as path from 'node:path';
import type { RunSummary } from '../shared/dashboard-protocol';

/** A checkpoint of the run being written or analyzed. */
export interface PendingFile {
  file: string;
  phase: string;
  epoch: number | undefined;
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'unknown');
const num = (x: number): string => String(Math.round(x * 100) / 100);

/** Escapes Markdown (and theme-icon syntax) in text that comes from file names or error messages. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>$~]/g, (c) => `\\${c}`);
}

const HORIZON_SOURCE: Record<string, string> = { flag: 'given with --horizon', config: "from the run's config", log: 'where it logged its test result' };

function horizonLine(run: RunSummary): string {
  const h = run.horizon;
  if (!h) {
    const f = run.forecast?.horizon;
    return f != null
      ? `Horizon: not in the run's config (no max_epochs, epochs or max_steps); the forecast's epoch ${num(f)} is assumed to be its end.`
      : "Horizon: not in the run's config (no max_epochs, epochs or max_steps).";
  }
  const size = [h.epochs !== null ? `${num(h.epochs)} epochs` : '', h.steps !== null ? `${h.steps} steps` : ''].filter(Boolean).join(', ');
  return `Horizon: ${size} (${escapeMarkdown(HORIZON_SOURCE[h.source] ?? h.source)}).`;
}

function forecastLines(run: RunSummary, forecastEpochs: number): string[] {
  const f = run.forecast;
  const trained = run.epochs.filter((e) => e > 0).length;
  if (!f) {
    if (run.finalAccuracy !== null || !run.epochs.length) return [];
    return [
      trained < forecastEpochs
        ? `Forecast: not enough epochs yet (${trained} of ${forecastEpochs} after initialisation).`
        : 'Forecast: none, no predictor fits this architecture (train one with *Training Dynamics: Train Forecaster from Finished Runs*).',
    ];
  }
  if (f.reason) return [`Forecast: **${pct(f.accuracy)}**: ${escapeMarkdown(f.reason)}`];
  const at = f.horizon != null ? `at epoch ${num(f.horizon)}` : 'at the end of training';
  const lines = [`Forecast accuracy ${at}: **${pct(f.accuracy)}**, 80% interval ${pct(f.low)}–${pct(f.high)}, from the first ${f.epochsUsed} epoch${f.epochsUsed === 1 ? '' : 's'}.`];
  if (f.model) lines.push(`Predictor: ${escapeMarkdown(f.model)}.`);
  if (f.horizonNote) lines.push(`The forecast is for ${escapeMarkdown(f.horizonNote)}.`);
  return lines;
}

export function statusTooltip(run: RunSummary, pending: PendingFile[], forecastEpochs: number): string {
  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l.flatMap((x) => [x, '']));
  add(`**Training Dynamics** · run **${escapeMarkdown(run.name)}**`, `Folder: \`${run.id.replace(/`/g, "'")}\``);
  const t = run.training;
  add(t.status === 'unknown' ? 'Training: not known yet (its logs are being read).' : `Training: **${t.status}**, ${escapeMarkdown(t.reason)}.`);
  add(horizonLine(run));
  if (run.epochs.length) {
    const e = run.epochs;
    add(`Epochs analyzed: ${e.length === 1 ? num(e[0]) : `${num(e[0])}–${num(e[e.length - 1])}`} (${e.length} checkpoint${e.length === 1 ? '' : 's'})`);
  } else add('No checkpoint analyzed yet.');
  if (run.finalAccuracy !== null) add(`Final accuracy (logged): **${pct(run.finalAccuracy)}**`);
  add(...forecastLines(run, forecastEpochs));
  if (run.advice) add(`${run.advice.stop ? '$(debug-stop) **Advice: stop this run**' : 'Advice: keep it running'}: ${escapeMarkdown(run.advice.reason)}.`);
  if (run.accuracy?.length) {
    const a = run.accuracy[run.accuracy.length - 1];
    add(`Last validation accuracy: ${pct(a.value)} (ep ${num(a.epoch)})`);
  }
  const hp = Object.entries(run.hyperparameters.values);
  if (hp.length) add(`Hyperparameters: ${hp.slice(0, 6).map(([k, v]) => `${escapeMarkdown(k)}=${escapeMarkdown(String(v))}`).join(', ')}${hp.length > 6 ? ` (+${hp.length - 6} more in the dashboard)` : ''}`);
  for (const p of pending) lines.push(`${p.phase === 'settling' ? '$(watch) being written' : '$(sync~spin) analyzing'}: ${escapeMarkdown(path.basename(p.file))}`, '');
  if (run.errors.length) {
    lines.push(`$(warning) ${run.errors.length} problem${run.errors.length === 1 ? '' : 's'}:`, '');
    for (const e of run.errors.slice(0, 8)) lines.push(`- ${escapeMarkdown(path.basename(e.path))}: ${escapeMarkdown(e.message)}`);
    if (run.errors.length > 8) lines.push(`- … ${run.errors.length - 8} more (see the dashboard)`);
    lines.push('');
  }
  lines.push('Click to open the dashboard.');
  return lines.join('\n');
}
