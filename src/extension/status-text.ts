/**
 * What the status bar item says about the active run: its text and its Markdown tooltip. Pure
 * (no editor API) so every state is unit-tested: waiting for a checkpoint to be written,
 * analyzing, forecast, finished, not enough epochs yet, no predictor, errors.
 */
import * as path from 'node:path';
import type { RunSummary } from '../shared/dashboard-protocol';

export interface PendingFile {
  file: string;
  phase: string;
  epoch: number | undefined;
}

export interface StatusView {
  visible: boolean;
  text: string;
  /** Markdown, with theme icons; every user-controlled string is escaped. */
  tooltip: string;
  runId?: string;
}

/** The run whose folder holds the active editor's file (the deepest such), else the most recently updated. */
export function pickActiveRun(runs: RunSummary[], activeFile: string | undefined, updatedAt: (runId: string) => number): RunSummary | undefined {
  if (runs.length === 0) return undefined;
  if (activeFile) {
    const inside = runs.filter((r) => {
      const rel = path.relative(r.id, activeFile);
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    });
    if (inside.length) return inside.reduce((a, b) => (b.id.length > a.id.length ? b : a));
  }
  return runs.reduce((a, b) => (updatedAt(b.id) > updatedAt(a.id) ? b : a));
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const epochLabel = (e: number | undefined): string => (e === undefined ? 'checkpoint' : `ep ${e}`);

/** Escapes Markdown (and theme-icon syntax) in text that comes from file names or error messages. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>$~]/g, (c) => `\\${c}`);
}

function earliest(files: PendingFile[]): PendingFile {
  return files.reduce((a, b) => ((b.epoch ?? Infinity) < (a.epoch ?? Infinity) ? b : a));
}

export function statusView(run: RunSummary | undefined, pending: PendingFile[], forecastEpochs: number): StatusView {
  if (!run) return { visible: false, text: '', tooltip: '' };
  const last = run.epochs.length ? run.epochs[run.epochs.length - 1] : undefined;
  const trained = run.epochs.filter((e) => e > 0).length;
  const hasErrors = run.errors.length > 0;
  const working = pending.filter((p) => p.phase !== 'settling');
  const writing = pending.filter((p) => p.phase === 'settling');

  let text: string;
  if (working.length) {
    const running = working.filter((p) => p.phase === 'running');
    text = `$(sync~spin) Analyzing ${epochLabel(earliest(running.length ? running : working).epoch)}…`;
  } else if (run.finalAccuracy !== null) {
    text = `$(${hasErrors ? 'warning' : 'pass'}) ${pct(run.finalAccuracy)} final · ep ${last ?? '?'}`;
  } else if (run.forecast) {
    const half = ((run.forecast.high - run.forecast.low) / 2) * 100;
    text = `$(${hasErrors ? 'warning' : 'graph'}) ${pct(run.forecast.accuracy)} ±${half.toFixed(1)} · ep ${last ?? '?'}`;
  } else if (run.epochs.length === 0) {
    text = hasErrors ? `$(warning) ${run.errors.length} unreadable checkpoint${run.errors.length === 1 ? '' : 's'}` : writing.length ? `$(watch) Waiting for ${epochLabel(earliest(writing).epoch)}…` : `$(graph) ${run.name}`;
  } else if (trained === 0) {
    // Only the initial checkpoint: a forecast needs at least one trained epoch.
    text = `$(${hasErrors ? 'warning' : 'graph'}) ep ${last} · forecast after ep 1`;
  } else if (trained < forecastEpochs) {
    text = `$(${hasErrors ? 'warning' : 'graph'}) ep ${last} · forecast after ep ${forecastEpochs}`;
  } else {
    text = `$(${hasErrors ? 'warning' : 'graph'}) ep ${last} · no forecast`;
  }
  if (!working.length && writing.length && run.epochs.length) text += ` · $(watch) ${epochLabel(earliest(writing).epoch)}`;

  return { visible: true, text, tooltip: tooltip(run, pending, forecastEpochs, trained), runId: run.id };
}

function tooltip(run: RunSummary, pending: PendingFile[], forecastEpochs: number, trained: number): string {
  const lines: string[] = [];
  lines.push(`**Training Dynamics** · run **${escapeMarkdown(run.name)}**`, '');
  lines.push(`Folder: \`${run.id.replace(/`/g, "'")}\``, '');
  if (run.epochs.length) {
    const e = run.epochs;
    lines.push(`Epochs analyzed: ${e.length === 1 ? e[0] : `${e[0]}–${e[e.length - 1]}`} (${e.length} checkpoint${e.length === 1 ? '' : 's'})`, '');
  } else lines.push('No checkpoint analyzed yet.', '');
  if (run.finalAccuracy !== null) lines.push(`Final accuracy (logged): **${pct(run.finalAccuracy)}**`, '');
  if (run.forecast) {
    const f = run.forecast;
    lines.push(`Forecast of the final accuracy: **${pct(f.accuracy)}** (interval ${pct(f.low)}–${pct(f.high)}) from ${f.epochsUsed} epoch${f.epochsUsed === 1 ? '' : 's'}${f.model ? ` · model ${escapeMarkdown(f.model)}` : ''}`, '');
  } else if (run.finalAccuracy === null && run.epochs.length) {
    lines.push(
      trained < forecastEpochs
        ? `Forecast: not enough epochs yet (${trained} of ${forecastEpochs} after initialisation).`
        : 'Forecast: none, no predictor fits this architecture (train one with *Training Dynamics: Train Forecaster from Finished Runs*).',
      '',
    );
  }
  if (run.accuracy?.length) {
    const a = run.accuracy[run.accuracy.length - 1];
    lines.push(`Last validation accuracy: ${pct(a.value)} (ep ${a.epoch})`, '');
  }
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
