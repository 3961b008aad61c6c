/**
 * The Runs tab's learning curves: every run's validation accuracy in one chart (the selected run
 * stands out, its forecast at the right) and the sparkline of each row of the runs table.
 */
import type { RunSummary } from '../src/shared/dashboard-protocol';
import { lineChart, type Series } from './charts';
import { h } from './dom';
import { forecastText, pct } from './format';
import type { Palette } from './theme';

export interface RunsViewCallbacks {
  select(runId: string): void;
  open(runId: string): void;
  stop(runId: string): void;
}

function accuracySeries(r: RunSummary, color: string, width: number): Series | null {
  if (!r.accuracy || r.accuracy.length === 0) return null;
  return { name: r.name, color, width, points: r.accuracy.map((p) => ({ x: p.epoch, y: p.value })), dots: r.accuracy.length <= 12 };
}

export function sparkline(r: RunSummary, p: Palette): SVGSVGElement | HTMLElement {
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
    width: Math.max(300, Math.min(width, 900)),
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
