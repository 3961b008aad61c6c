/**
 * Parallel coordinates of a sweep: one vertical axis per hyperparameter that varies (log axes for
 * learning-rate-like values spanning decades, categorical axes for text), the metric last, one
 * line per run coloured by its metric (runs without one: dashed, muted). Runs the filter leaves
 * out fade; the selected run is drawn on top, thicker. Dragging along an axis brushes a range,
 * which is written into the filter line (sweep-filter.ts): the brush and the typed filter are one
 * state. A click on an axis without dragging clears its brush. A click on a line selects the run.
 * The runs table under the chart holds the same values as text.
 */
import type { RunSummary } from '../src/shared/dashboard-protocol';
import { axisScale, categoriesIn, type AxisScale } from './axis-scale';
import { s } from './dom';
import { pct } from './format';
import { hyperText, hyperValue, type HyperColumn, type HyperValue } from './hyper';
import { filterableKey, rangeFor, setFor, type ParsedFilter } from './sweep-filter';
import { METRIC_LABELS, metricOf, type MetricKey } from './sweep-model';
import type { Palette } from './theme';

export interface ParallelOptions {
  runs: readonly RunSummary[];
  columns: readonly HyperColumn[];
  metric: MetricKey;
  filter: ParsedFilter;
  /** Runs the filter keeps. */
  kept: ReadonlySet<string>;
  selected: string | null;
  palette: Palette;
  width: number;
  height: number;
}

export type Brush = { kind: 'range'; lo: number; hi: number } | { kind: 'values'; values: string[] } | null;

export interface ParallelCallbacks {
  select(runId: string): void;
  brush(key: string, b: Brush): void;
}

interface Axis {
  key: string;
  label: string;
  scale: AxisScale;
  value: (r: RunSummary) => HyperValue | undefined;
  x: number;
}

/** Margins; the first axis leaves room at its left for its tick labels. */
const M = { l: 62, r: 44, t: 46, b: 24 };

function axisOf(key: string, label: string, runs: readonly RunSummary[], value: (r: RunSummary) => HyperValue | undefined, linear = false): Omit<Axis, 'x'> {
  return { key, label, scale: axisScale(key, runs.map(value), { linear }), value };
}

/** The brush a filter puts on an axis, as positions 0…1, or null. */
function brushSpan(a: Axis, f: ParsedFilter): [number, number] | null {
  const sc = a.scale;
  if (sc.kind === 'category') {
    const vals = setFor(f, a.key);
    if (!vals) return null;
    const us = vals.map((v) => sc.unit(v)).filter(Number.isFinite);
    return us.length ? [Math.max(0, Math.min(...us) - 0.04), Math.min(1, Math.max(...us) + 0.04)] : null;
  }
  const r = rangeFor(f, a.key);
  if (!r) return null;
  const u0 = Number.isFinite(r.lo) ? sc.unit(Math.max(r.lo, sc.lo)) : 0;
  const u1 = Number.isFinite(r.hi) ? sc.unit(Math.min(r.hi, sc.hi)) : 1;
  return r.lo > sc.hi || r.hi < sc.lo ? [0, 0] : [Math.min(u0, u1), Math.max(u0, u1)];
}

export function parallelCoordinates(o: ParallelOptions, cb: ParallelCallbacks): SVGSVGElement {
  const { runs, palette: p } = o;
  const W = o.width, H = o.height;
  const metricLabel = o.metric === 'score' ? 'final / forecast' : METRIC_LABELS[o.metric];
  const defs: Omit<Axis, 'x'>[] = o.columns.map((c) => axisOf(c.key, c.key, runs, (r) => hyperValue(r, c.key)));
  defs.push(axisOf(o.metric, metricLabel, runs, (r) => metricOf(r, o.metric) ?? undefined, true));
  const step = defs.length > 1 ? (W - M.l - M.r) / (defs.length - 1) : 0;
  const axes: Axis[] = defs.map((d, i) => ({ ...d, x: defs.length > 1 ? M.l + i * step : W / 2 }));
  const top = M.t, bottom = H - M.b;
  const yOf = (u: number): number => bottom - u * (bottom - top);

  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    class: 'chart parallel',
    role: 'img',
    'aria-label': `Parallel coordinates: ${runs.length} runs over ${axes.length - 1} hyperparameters and the ${metricLabel}. The runs table lists the same values.`,
  });
  // Line colours: the metric on the sweep's own range (low runs recede, high ones stand out).
  const ms = runs.map((r) => metricOf(r, o.metric)).filter((v): v is number => v !== null);
  const lo = ms.length ? Math.min(...ms) : 0, hi = ms.length ? Math.max(...ms) : 1;
  const colour = (v: number | null): string => (v === null ? p.muted : p.sequential(hi > lo ? (v - lo) / (hi - lo) : 1));

  const lines = s('g', { class: 'pc-lines' });
  const order = [...runs].sort((a, b) => Number(o.kept.has(a.id)) - Number(o.kept.has(b.id)) || (metricOf(a, o.metric) ?? -1) - (metricOf(b, o.metric) ?? -1));
  const sel = order.findIndex((r) => r.id === o.selected);
  if (sel >= 0) order.push(...order.splice(sel, 1));
  for (const r of order) {
    let d = '';
    let pen = false;
    for (const a of axes) {
      const u = a.scale.unit(a.value(r));
      if (!Number.isFinite(u)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${a.x.toFixed(1)} ${yOf(u).toFixed(1)}`;
      pen = true;
    }
    if (!d) continue;
    const m = metricOf(r, o.metric);
    const isSel = r.id === o.selected;
    const cls = `pc-line${o.kept.has(r.id) ? '' : ' dim'}${isSel ? ' selected' : ''}${m === null ? ' no-metric' : ''}`;
    if (isSel) lines.append(s('path', { d, class: 'pc-halo', fill: 'none', stroke: p.bg, 'stroke-width': 5 }));
    const path = s('path', { d, class: cls, fill: 'none', stroke: isSel ? p.focus : colour(m), 'stroke-width': isSel ? 2.6 : 1.4, 'data-run-id': r.id, 'stroke-dasharray': m === null ? '3 3' : null });
    const vals = axes.map((a) => `${a.label} ${a === axes[axes.length - 1] ? pct(m) : hyperText(a.value(r))}`).join(', ');
    path.append(s('title', {}, `${r.name}: ${vals}`));
    path.addEventListener('click', () => cb.select(r.id));
    lines.append(path);
  }
  svg.append(lines);

  for (const a of axes) {
    const g = s('g', { class: 'pc-axis', 'data-key': a.key });
    const isMetric = a === axes[axes.length - 1];
    g.append(s('line', { class: 'chart-axis', x1: a.x, x2: a.x, y1: top, y2: bottom }));
    for (const t of a.scale.ticks) {
      const y = yOf(t.at);
      g.append(s('line', { class: 'chart-axis', x1: a.x - 3, x2: a.x, y1: y, y2: y }));
      const label = isMetric ? pct(Number(t.label), 0) : t.label.length > 10 ? `${t.label.slice(0, 9)}…` : t.label;
      // The metric's ticks sit right of its axis, clear of the lines arriving from the left.
      const tx = s('text', { class: 'chart-tick', x: isMetric ? a.x + 5 : a.x - 5, y: y + 3, 'text-anchor': isMetric ? 'start' : 'end' }, label);
      tx.append(s('title', {}, t.label));
      g.append(tx);
    }
    const name = a.label.length > 16 ? `…${a.label.slice(-15)}` : a.label;
    // Neighbouring labels alternate between two lines when the axes are close.
    // The metric's label ends at its axis, so it always takes the upper line.
    const raised = isMetric || (step < 7 * Math.max(name.length, 6) + 8 && axes.indexOf(a) % 2 === 1);
    const title = s('text', { class: `pc-label${isMetric ? ' metric' : ''}`, x: isMetric ? a.x + 8 : a.x, y: top - (raised ? 30 : 18), 'text-anchor': isMetric ? 'end' : 'middle' }, name);
    title.append(s('title', {}, `${a.label}${a.scale.kind === 'log' ? ' (log scale)' : a.scale.kind === 'category' ? ' (categories)' : ''}`));
    g.append(title);
    // "log" right of the axis's top, clear of the tick labels at its left.
    if (a.scale.kind === 'log') g.append(s('text', { class: 'chart-tick', x: a.x + 4, y: top - 5, 'text-anchor': 'start' }, 'log'));
    const span = brushSpan(a, o.filter);
    if (span) g.append(s('rect', { class: 'pc-brush', x: a.x - 7, width: 14, y: yOf(span[1]), height: Math.max(2, yOf(span[0]) - yOf(span[1])) }));
    if (filterableKey(a.key)) g.append(brushTarget(a, yOf, top, bottom, cb));
    svg.append(g);
  }
  return svg;
}

/** The invisible strip along an axis that takes the pointer for brushing. */
function brushTarget(a: Axis, yOf: (u: number) => number, top: number, bottom: number, cb: ParallelCallbacks): SVGRectElement {
  const hit = s('rect', { class: 'pc-hit', x: a.x - 12, width: 24, y: top - 4, height: bottom - top + 8, 'data-key': a.key });
  hit.append(s('title', {}, `Drag along ${a.label} to filter the runs to a range; click to clear`));
  let start: number | null = null;
  let live: SVGRectElement | null = null;
  const toU = (e: PointerEvent): number => {
    const svg = hit.ownerSVGElement!;
    const r = svg.getBoundingClientRect();
    const vb = svg.viewBox.baseVal;
    const y = ((e.clientY - r.top) * (vb.height || r.height)) / (r.height || 1);
    return Math.max(0, Math.min(1, (bottom - y) / (bottom - top)));
  };
  hit.addEventListener('pointerdown', (e) => {
    start = toU(e);
    hit.setPointerCapture(e.pointerId);
    live = s('rect', { class: 'pc-brush live', x: a.x - 7, width: 14, y: yOf(start), height: 1 });
    hit.parentNode?.insertBefore(live, hit);
    e.preventDefault();
  });
  hit.addEventListener('pointermove', (e) => {
    if (start === null || !live) return;
    const u = toU(e);
    live.setAttribute('y', String(yOf(Math.max(u, start))));
    live.setAttribute('height', String(Math.max(1, Math.abs(yOf(u) - yOf(start)))));
  });
  hit.addEventListener('pointerup', (e) => {
    if (start === null) return;
    const u = toU(e);
    const u0 = Math.min(u, start), u1 = Math.max(u, start);
    start = null;
    live?.remove();
    live = null;
    if ((u1 - u0) * (bottom - top) < 4) return cb.brush(a.key, null);
    const sc = a.scale;
    if (sc.kind === 'category') cb.brush(a.key, { kind: 'values', values: categoriesIn(sc, u0, u1) });
    else cb.brush(a.key, { kind: 'range', lo: sc.invert(u0), hi: sc.invert(u1) });
  });
  return hit;
}
