/** The Runs tab: a sweep overview chart and the list of runs (grouped by sweep). */
import type { RunSummary } from '../src/shared/dashboard-protocol';
import { lineChart, type Series } from './charts';
import { h, s } from './dom';
import { forecastText, pct } from './format';
import { baseName, bestPerSweep, groupBySweep, sortRuns, type SortKey } from './model';
import type { Palette } from './theme';

export interface RunsViewCallbacks {
  select(runId: string): void;
  open(runId: string): void;
  stop(runId: string): void;
}

const STATUS_TEXT: Record<RunSummary['status'], string> = {
  waiting: 'waiting',
  analyzing: 'analyzing',
  ready: 'ready',
  error: 'error',
};

function accuracySeries(r: RunSummary, color: string, width: number): Series | null {
  if (!r.accuracy || r.accuracy.length === 0) return null;
  return { name: r.name, color, width, points: r.accuracy.map((p) => ({ x: p.epoch, y: p.value })), dots: r.accuracy.length <= 12 };
}

function sparkline(r: RunSummary, p: Palette): SVGSVGElement | HTMLElement {
  const series = accuracySeries(r, p.charts.blue, 1.4);
  if (!series && !r.forecast) return h('span', { class: 'muted small' }, 'no accuracy logged');
  return lineChart({
    width: 132,
    height: 30,
    compact: true,
    label: `Validation accuracy of ${r.name} per epoch${r.forecast ? `, forecast ${forecastText(r.forecast)}` : ''}`,
    series: series ? [series] : [],
    yFormat: (v) => pct(v),
    interval: r.forecast ? { lo: r.forecast.low, hi: r.forecast.high, mid: r.forecast.accuracy, color: p.charts.purple, title: `forecast ${forecastText(r.forecast)}` } : null,
    endPoint: r.finalAccuracy !== null ? { y: r.finalAccuracy, color: p.charts.green, title: `final accuracy ${pct(r.finalAccuracy)}` } : null,
  });
}

/** All runs' learning curves in one chart: the selected run stands out, forecasts at the right. */
export function sweepChart(runs: readonly RunSummary[], selected: string | null, p: Palette, width: number): HTMLElement | null {
  const withCurves = runs.filter((r) => r.accuracy && r.accuracy.length > 0);
  if (withCurves.length === 0) return null;
  const sel = runs.find((r) => r.id === selected);
  const series: Series[] = [];
  for (const r of withCurves) if (r.id !== selected) series.push({ ...accuracySeries(r, p.charts.lines, 1)!, dots: false, title: `${r.name}: validation accuracy` });
  if (sel && sel.accuracy && sel.accuracy.length) series.push({ ...accuracySeries(sel, p.charts.blue, 2.2)!, title: `${sel.name} (selected): validation accuracy` });
  const chart = lineChart({
    width: Math.max(320, Math.min(width, 900)),
    height: 150,
    label: 'Validation accuracy per epoch, all runs',
    series,
    yFormat: (v) => pct(v, 0),
    xLabel: 'epoch',
    interval: sel?.forecast ? { lo: sel.forecast.low, hi: sel.forecast.high, mid: sel.forecast.accuracy, color: p.charts.purple, title: `forecast for ${sel.name}: ${forecastText(sel.forecast)}` } : null,
    endPoint: sel && sel.finalAccuracy !== null ? { y: sel.finalAccuracy, color: p.charts.green, title: `final accuracy of ${sel.name}: ${pct(sel.finalAccuracy)}` } : null,
  });
  return h(
    'div',
    { class: 'card sweep-card' },
    h('div', { class: 'card-title' }, 'Validation accuracy, all runs', h('span', { class: 'muted small' }, sel ? ` — highlighted: ${sel.name}` : '')),
    chart,
  );
}

function errorList(r: RunSummary): HTMLElement | null {
  if (r.errors.length === 0) return null;
  const d = h('details', { class: 'run-errors' }, h('summary', {}, `${r.errors.length} error${r.errors.length > 1 ? 's' : ''}`));
  const ul = h('ul');
  for (const e of r.errors.slice(0, 50)) ul.append(h('li', { title: e.path }, h('span', { class: 'err-file' }, baseName(e.path)), ': ', e.message));
  if (r.errors.length > 50) ul.append(h('li', { class: 'muted' }, `… and ${r.errors.length - 50} more`));
  d.append(ul);
  return d;
}

export function runRow(r: RunSummary, o: { selected: boolean; best: boolean; stopRequested: boolean; palette: Palette }, cb: RunsViewCallbacks): HTMLElement {
  const last = r.epochs.length ? r.epochs[r.epochs.length - 1] : null;
  const stop = h(
    'button',
    {
      class: 'stop-run icon-button',
      type: 'button',
      'data-run-id': r.id,
      title: o.stopRequested ? 'Stop requested' : 'Ask the training script to stop: writes a stop request into the run folder',
      disabled: o.stopRequested,
      'aria-label': `Stop ${r.name}`,
    },
    o.stopRequested ? 'Stopping…' : 'Stop',
  );
  stop.addEventListener('click', (e) => {
    e.stopPropagation();
    cb.stop(r.id);
  });
  const row = h(
    'div',
    {
      class: `run-row${o.selected ? ' selected' : ''}${r.status === 'error' ? ' has-error' : ''}`,
      'data-run-id': r.id,
      'data-status': r.status,
      role: 'option',
      'aria-selected': o.selected ? 'true' : 'false',
      tabindex: o.selected ? 0 : -1,
      title: r.id,
    },
    h(
      'div',
      { class: 'run-name-cell' },
      h('span', { class: `status-dot status-${r.status}`, title: STATUS_TEXT[r.status] }),
      h('span', { class: 'run-name' }, r.name),
      o.best ? h('span', { class: 'badge best', title: 'Best run of this sweep (final accuracy when finished, else forecast)' }, '★ best') : null,
    ),
    h('div', { class: 'run-status' }, h('span', { class: `pill status-${r.status}` }, STATUS_TEXT[r.status])),
    h('div', { class: 'run-epochs num', title: r.epochs.length ? `epochs analyzed: ${r.epochs.join(', ')}` : 'no checkpoint analyzed yet' }, `${r.epochs.length}`, h('span', { class: 'muted small' }, last !== null && r.epochs.length > 1 ? ` (${r.epochs[0]}–${last})` : last !== null ? ` (${last})` : '')),
    h('div', { class: 'run-forecast num', title: r.forecast ? `forecast of the final accuracy from ${r.forecast.epochsUsed} epochs${r.forecast.model ? ` (${r.forecast.model})` : ''}: ${(r.forecast.low * 100).toFixed(1)}–${(r.forecast.high * 100).toFixed(1)}%` : 'no forecast yet' }, forecastText(r.forecast)),
    h('div', { class: 'run-final num' }, r.finalAccuracy !== null ? pct(r.finalAccuracy) : h('span', { class: 'muted' }, '–')),
    h('div', { class: 'run-curve' }, sparkline(r, o.palette)),
    h('div', { class: 'run-actions' }, stop),
  );
  const errs = errorList(r);
  if (errs) row.append(h('div', { class: 'run-error-cell' }, errs));
  row.addEventListener('click', (e) => {
    if ((e.target as HTMLElement).closest('details, button')) return;
    cb.select(r.id);
  });
  row.addEventListener('dblclick', (e) => {
    if ((e.target as HTMLElement).closest('details, button')) return;
    cb.open(r.id);
  });
  row.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') cb.open(r.id);
    else if (e.key === ' ') {
      e.preventDefault();
      cb.select(r.id);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const rows = Array.from(document.querySelectorAll<HTMLElement>('.run-row'));
      const i = rows.indexOf(row);
      const next = rows[e.key === 'ArrowDown' ? Math.min(rows.length - 1, i + 1) : Math.max(0, i - 1)];
      if (next && next !== row) {
        cb.select(next.dataset.runId!);
        document.querySelector<HTMLElement>(`.run-row[data-run-id="${CSS.escape(next.dataset.runId!)}"]`)?.focus();
      }
    }
  });
  return row;
}

export function renderRunList(list: HTMLElement, runs: readonly RunSummary[], o: { selected: string | null; sort: SortKey; stopRequested: ReadonlySet<string>; palette: Palette }, cb: RunsViewCallbacks): void {
  const hadFocus = document.activeElement instanceof HTMLElement && list.contains(document.activeElement) ? document.activeElement.closest<HTMLElement>('.run-row')?.dataset.runId : undefined;
  const best = bestPerSweep(runs);
  const groups = groupBySweep(sortRuns(runs, o.sort));
  const children: HTMLElement[] = [
    h(
      'div',
      { class: 'run-head', 'aria-hidden': 'true' },
      h('div', {}, 'run'),
      h('div', {}, 'status'),
      h('div', { class: 'num' }, 'epochs'),
      h('div', { class: 'num' }, 'forecast'),
      h('div', { class: 'num' }, 'final'),
      h('div', {}, 'val. accuracy'),
      h('div', {}),
    ),
  ];
  for (const g of groups) {
    if (groups.length > 1 || g.runs.length > 1) {
      children.push(h('div', { class: 'sweep-header', title: g.sweep }, h('span', { class: 'sweep-name' }, baseName(g.sweep)), h('span', { class: 'muted small' }, ` ${g.runs.length} run${g.runs.length > 1 ? 's' : ''} · ${g.sweep}`)));
    }
    for (const r of g.runs) children.push(runRow(r, { selected: r.id === o.selected, best: best.get(r.sweep) === r.id, stopRequested: o.stopRequested.has(r.id), palette: o.palette }, cb));
  }
  list.replaceChildren(...children);
  if (hadFocus) list.querySelector<HTMLElement>(`.run-row[data-run-id="${CSS.escape(hadFocus)}"]`)?.focus();
}

/** A tiny inline legend swatch (line) for chart keys. */
export function swatch(color: string): SVGSVGElement {
  const svg = s('svg', { width: 14, height: 8, class: 'swatch', 'aria-hidden': 'true' });
  svg.append(s('line', { x1: 0, x2: 14, y1: 4, y2: 4, stroke: color, 'stroke-width': 2 }));
  return svg;
}
