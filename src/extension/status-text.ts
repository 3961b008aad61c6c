/**
 * What the status bar item says about the active run: its text, its accessible label and its
 * Markdown tooltip (status-tooltip.ts). Pure (no editor API) so every state is unit-tested.
 *
 * The text names the run and says what its numbers are about, e.g.
 * `run0003 · 81% ±9 at ep 15 · 3/15`: the forecast accuracy, half its 80% interval, the epoch the
 * forecast is for, and the epochs completed of the run's horizon (its last epoch from logs or
 * checkpoints, whichever is later). When the run's own horizon is unknown, the forecast's epoch is
 * marked as assumed. The accessible label says the same in plain words: a screen reader reads it
 * as is, so it holds no Markdown, escapes or icon syntax.
 */
import * as path from 'node:path';
import type { RunSummary } from '../shared/dashboard-protocol';
import { statusTooltip, type PendingFile } from './status-tooltip';

export { escapeMarkdown, type PendingFile } from './status-tooltip';

export interface StatusView {
  visible: boolean;
  text: string;
  /** Markdown, with theme icons; every user-controlled string is escaped. */
  tooltip: string;
  /** The same in plain words, for screen readers. */
  label?: string;
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

const whole = (x: number): string => `${Math.round(x * 100)}%`;
const num = (x: number): string => String(Math.round(x * 100) / 100);
const epochLabel = (e: number | undefined): string => (e === undefined ? 'checkpoint' : `ep ${e}`);

/** A file name in the status bar text: icon syntax (`$(zap)`) shown as written, not as an icon. */
function iconSafe(s: string): string {
  return s.replace(/\$\(/g, '\\$(');
}

/** A name in plain words: nothing a reader would speak as markup. */
export function plainWords(s: string): string {
  return s.replace(/\$\(/g, '(').replace(/[\\*`_~#|<>[\]]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function earliest(files: PendingFile[]): PendingFile {
  return files.reduce((a, b) => ((b.epoch ?? Infinity) < (a.epoch ?? Infinity) ? b : a));
}

/** Epochs done, of the horizon when known: `3/15`, else `ep 3`. */
function progress(run: RunSummary, done: number | null): string {
  if (done === null) return '';
  const h = run.horizon?.epochs;
  return h != null ? `${num(done)}/${num(h)}` : `ep ${num(done)}`;
}

/** The epochs the run has completed: from its logs or checkpoints, whichever is later. */
export function epochsDone(run: RunSummary): number | null {
  const last = run.epochs.length ? run.epochs[run.epochs.length - 1] : null;
  const t = run.training.lastEpoch;
  return t === null ? last : last === null ? t : Math.max(t, last);
}

/** The epoch a forecast is for and whether the run's horizon is assumed to be it. */
export function forecastEpoch(run: RunSummary): { epoch: number | null; assumed: boolean } {
  const own = run.horizon?.epochs ?? null;
  const f = run.forecast?.horizon ?? null;
  if (f === null) return { epoch: own, assumed: false };
  return { epoch: f, assumed: own === null };
}

function mainText(run: RunSummary, pending: PendingFile[], forecastEpochs: number): string {
  const done = epochsDone(run);
  const trained = run.epochs.filter((e) => e > 0).length;
  const warn = run.errors.length > 0;
  const working = pending.filter((p) => p.phase !== 'settling');
  const writing = pending.filter((p) => p.phase === 'settling');
  const icon = (normal: string): string => `$(${warn ? 'warning' : normal})`;
  const at = progress(run, done);
  let text: string;
  if (working.length) {
    const running = working.filter((p) => p.phase === 'running');
    return `$(sync~spin) Analyzing ${epochLabel(earliest(running.length ? running : working).epoch)}…`;
  } else if (run.training.status === 'diverged' && run.diverged) {
    const chance = run.forecast && Number.isFinite(run.forecast.accuracy) ? ` · chance ${whole(run.forecast.accuracy)}` : '';
    text = `$(error) diverged at ep ${num(run.diverged.epoch)}${chance}${at ? ` · ${at}` : ''}`;
  } else if (run.finalAccuracy !== null) {
    text = `${icon('pass')} ${(run.finalAccuracy * 100).toFixed(1)}% final${at ? ` · ${at}` : ''}`;
  } else if (run.forecast && Number.isFinite(run.forecast.accuracy)) {
    const f = run.forecast;
    const half = Math.round(((f.high - f.low) / 2) * 100);
    const fe = forecastEpoch(run);
    const target = fe.epoch !== null ? ` at ep ${num(fe.epoch)}${fe.assumed ? ' (horizon assumed)' : ''}` : ' final';
    const stopped = run.training.status === 'stopped' ? ' · stopped' : '';
    text = `${icon('graph')} ${whole(f.accuracy)} ±${half}${target}${at ? ` · ${at}` : ''}${stopped}`;
  } else if (run.epochs.length === 0) {
    text = warn ? `$(warning) ${run.errors.length} unreadable checkpoint${run.errors.length === 1 ? '' : 's'}` : writing.length ? `$(watch) Waiting for ${epochLabel(earliest(writing).epoch)}…` : `$(graph) ${at || 'no epoch yet'}`;
  } else if (trained === 0) {
    // Only the initial checkpoint: a forecast needs at least one trained epoch.
    text = `${icon('graph')} ${at} · forecast after ep 1`;
  } else if (trained < forecastEpochs) {
    text = `${icon('graph')} ${at} · forecast after ep ${forecastEpochs}`;
  } else {
    text = `${icon('graph')} ${at} · no forecast`;
  }
  if (writing.length && run.epochs.length) text += ` · $(watch) ${epochLabel(earliest(writing).epoch)}`;
  return text;
}

/** The status bar's text: an icon, the run's name, then what is known of it. */
function withName(run: RunSummary, text: string): string {
  const m = /^(\$\([^)]*\)) (.*)$/.exec(text);
  const name = iconSafe(run.name);
  return m ? `${m[1]} ${name} · ${m[2]}` : `${name} · ${text}`;
}

const pctWords = (x: number): string => `${(x * 100).toFixed(1)} percent`;

/** The accessible label: the run and its numbers in plain words. */
export function accessibleLabel(run: RunSummary, pending: PendingFile[]): string {
  const parts: string[] = [`Training Dynamics, run ${plainWords(run.name)}`];
  const done = epochsDone(run);
  const h = run.horizon?.epochs;
  if (pending.some((p) => p.phase !== 'settling')) parts.push('analyzing a checkpoint');
  if (run.training.status === 'diverged' && run.diverged) {
    const where = run.diverged.tensor ? `, ${run.diverged.value ?? 'a non-finite value'} in tensor ${plainWords(run.diverged.tensor)}` : run.diverged.metric ? `, ${plainWords(run.diverged.metric)} is ${run.diverged.value ?? 'not finite'}` : '';
    parts.push(`diverged at epoch ${num(run.diverged.epoch)}${where}`);
    if (run.forecast && Number.isFinite(run.forecast.accuracy)) parts.push(`forecast chance level, ${pctWords(run.forecast.accuracy)}`);
  } else if (run.finalAccuracy !== null) {
    parts.push(`finished, final accuracy ${pctWords(run.finalAccuracy)}`);
  } else if (run.forecast && Number.isFinite(run.forecast.accuracy)) {
    const f = run.forecast;
    const fe = forecastEpoch(run);
    const at = fe.epoch !== null ? ` at epoch ${num(fe.epoch)}${fe.assumed ? ', assuming the run ends there' : ''}` : '';
    parts.push(`forecast accuracy ${pctWords(f.accuracy)}${at}, 80 percent interval ${pctWords(f.low)} to ${pctWords(f.high)}`);
  } else parts.push('no forecast yet');
  if (done !== null) parts.push(h != null ? `${num(done)} of ${num(h)} epochs done` : `${num(done)} epochs done, horizon unknown`);
  if (run.training.status === 'stopped') parts.push('stopped');
  if (run.advice?.stop) parts.push('advice: stop this run');
  if (run.errors.length) parts.push(`${run.errors.length} problem${run.errors.length === 1 ? '' : 's'}`);
  return `${parts.join('; ')}. Click to open the dashboard.`;
}

export function statusView(run: RunSummary | undefined, pending: PendingFile[], forecastEpochs: number): StatusView {
  if (!run) return { visible: false, text: '', tooltip: '' };
  const text = withName(run, mainText(run, pending, forecastEpochs));
  return { visible: true, text, tooltip: statusTooltip(run, pending, forecastEpochs), label: accessibleLabel(run, pending), runId: run.id };
}
