/** Small SVG line charts (learning curves, per-layer features), built with the DOM API. */
import { extent, linear, linePath, niceTicks } from './chart-math';
import { s } from './dom';
import { num } from './format';

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
  width?: number;
  /** Draws dots at the points (with a tooltip each). */
  dots?: boolean;
  dashed?: boolean;
  /** Tooltip text for the line (defaults to the name). */
  title?: string;
}

export interface Interval {
  /** Where to draw it; defaults to just right of the data. */
  x?: number;
  lo: number;
  hi: number;
  mid: number;
  color: string;
  title: string;
}

export interface ChartOptions {
  width: number;
  height: number;
  series: Series[];
  /** A sparkline: no axes, no labels. */
  compact?: boolean;
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Vertical marker, e.g. the epoch shown in the network. */
  marker?: number | null;
  interval?: Interval | null;
  /** Horizontal dot at the right edge, e.g. the final accuracy. */
  endPoint?: { y: number; color: string; title: string } | null;
  yFormat?: (v: number) => string;
  xLabel?: string;
  label: string;
  /** Log scale on y (values ≤ 0 are dropped). */
  logY?: boolean;
}

export function lineChart(o: ChartOptions): SVGSVGElement {
  const W = o.width, H = o.height;
  const m = o.compact ? { l: 2, r: o.interval || o.endPoint ? 12 : 3, t: 3, b: 3 } : { l: 44, r: o.interval || o.endPoint ? 22 : 10, t: 8, b: 22 };
  const tx = (v: number): number => (o.logY ? (v > 0 ? Math.log10(v) : NaN) : v);
  const xs = o.series.flatMap((sr) => sr.points.map((p) => p.x));
  const ys = o.series.flatMap((sr) => sr.points.map((p) => tx(p.y)));
  if (o.interval) ys.push(tx(o.interval.lo), tx(o.interval.hi));
  if (o.endPoint) ys.push(tx(o.endPoint.y));
  const xd = o.xDomain ?? extent(xs, 0) ?? [0, 1];
  if (xd[0] === xd[1]) xd[1] = xd[0] + 1;
  const yd = o.yDomain ? ([tx(o.yDomain[0]), tx(o.yDomain[1])] as [number, number]) : extent(ys, 0.08) ?? [0, 1];
  const sx = linear(xd, [m.l, W - m.r]);
  const sy = linear(yd, [H - m.b, m.t]);
  const fmt = o.yFormat ?? ((v: number) => num(v, 3));

  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: o.compact ? 'chart spark' : 'chart', role: 'img', 'aria-label': o.label });
  svg.append(s('title', {}, o.label));
  if (!o.compact) {
    const yt = niceTicks(yd[0], yd[1], 3);
    for (const v of yt) {
      const y = sy(v);
      svg.append(s('line', { class: 'chart-grid', x1: m.l, x2: W - m.r, y1: y, y2: y }));
      svg.append(s('text', { class: 'chart-tick', x: m.l - 4, y: y + 3, 'text-anchor': 'end' }, o.logY ? fmt(Math.pow(10, v)) : fmt(v)));
    }
    const xt = niceTicks(xd[0], xd[1], Math.max(2, Math.min(6, Math.floor((W - m.l - m.r) / 50)))).filter((v) => Number.isInteger(v));
    for (const v of xt) {
      const x = sx(v);
      svg.append(s('line', { class: 'chart-axis', x1: x, x2: x, y1: H - m.b, y2: H - m.b + 3 }));
      svg.append(s('text', { class: 'chart-tick', x, y: H - m.b + 13, 'text-anchor': 'middle' }, v));
    }
    svg.append(s('line', { class: 'chart-axis', x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b }));
    if (o.xLabel) svg.append(s('text', { class: 'chart-tick', x: W - m.r, y: H - 2, 'text-anchor': 'end' }, o.xLabel));
  }
  if (o.marker !== null && o.marker !== undefined && Number.isFinite(o.marker)) {
    const x = sx(o.marker);
    svg.append(s('line', { class: 'chart-marker', x1: x, x2: x, y1: m.t, y2: H - m.b }));
  }
  for (const sr of o.series) {
    const pts = sr.points.map((p) => ({ x: p.x, y: tx(p.y) }));
    const d = linePath(pts, sx, sy);
    if (!d) continue;
    const path = s('path', { d, fill: 'none', stroke: sr.color, 'stroke-width': sr.width ?? 1.5, 'stroke-linejoin': 'round', 'stroke-linecap': 'round', class: 'chart-line', 'stroke-dasharray': sr.dashed ? '3 3' : null });
    path.append(s('title', {}, sr.title ?? sr.name));
    svg.append(path);
    if (sr.dots || pts.length === 1) {
      sr.points.forEach((p, i) => {
        const q = pts[i];
        if (!Number.isFinite(q.x) || !Number.isFinite(q.y)) return;
        const c = s('circle', { cx: sx(q.x), cy: sy(q.y), r: o.compact ? 1.6 : 2.2, fill: sr.color, class: 'chart-dot' });
        c.append(s('title', {}, `${sr.name} · epoch ${p.x}: ${fmt(p.y)}`));
        svg.append(c);
      });
    }
  }
  const xRight = W - m.r + (o.compact ? 6 : 11);
  if (o.interval) {
    const iv = o.interval;
    const x = iv.x !== undefined ? sx(iv.x) : xRight;
    const g = s('g', { class: 'chart-interval' });
    g.append(s('title', {}, iv.title));
    g.append(s('line', { x1: x, x2: x, y1: sy(tx(iv.lo)), y2: sy(tx(iv.hi)), stroke: iv.color, 'stroke-width': 2, 'stroke-linecap': 'round' }));
    for (const v of [iv.lo, iv.hi]) g.append(s('line', { x1: x - 2.5, x2: x + 2.5, y1: sy(tx(v)), y2: sy(tx(v)), stroke: iv.color, 'stroke-width': 1.2 }));
    g.append(s('circle', { cx: x, cy: sy(tx(iv.mid)), r: o.compact ? 2.2 : 3, fill: iv.color }));
    svg.append(g);
  }
  if (o.endPoint) {
    const ep = o.endPoint;
    const c = s('rect', { x: xRight - 3, y: sy(tx(ep.y)) - 3, width: 6, height: 6, fill: ep.color, class: 'chart-end' });
    c.append(s('title', {}, ep.title));
    svg.append(c);
  }
  return svg;
}

/** A horizontal colour legend: gradient bar with labels at both ends and the middle. */
export function gradientLegend(id: string, stops: string[], labels: [string, string, string], title: string): SVGSVGElement {
  const W = 220, H = 34;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'legend', role: 'img', 'aria-label': title });
  const defs = s('defs');
  const grad = s('linearGradient', { id, x1: 0, x2: 1, y1: 0, y2: 0 });
  stops.forEach((c, i) => grad.append(s('stop', { offset: stops.length > 1 ? i / (stops.length - 1) : 0, 'stop-color': c })));
  defs.append(grad);
  svg.append(defs);
  svg.append(s('rect', { x: 4, y: 2, width: W - 8, height: 10, rx: 2, fill: `url(#${id})`, class: 'legend-bar' }));
  svg.append(s('text', { class: 'chart-tick', x: 4, y: 26, 'text-anchor': 'start' }, labels[0]));
  svg.append(s('text', { class: 'chart-tick', x: W / 2, y: 26, 'text-anchor': 'middle' }, labels[1]));
  svg.append(s('text', { class: 'chart-tick', x: W - 4, y: 26, 'text-anchor': 'end' }, labels[2]));
  return svg;
}
