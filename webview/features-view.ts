/**
 * The Features tab: how the graph of the selected run evolves, per layer, over epochs — the
 * quantities the forecaster reads (features/definitions.ts) — plus the top eigenvalue and the
 * validation accuracy. One small chart per quantity, one line per layer, coloured by depth, each
 * with one line on what it looks like for a healthy run.
 */
import type { LayerView, RunDetail } from '../src/shared/dashboard-protocol';
import { lineChart, type Series } from './charts';
import { h } from './dom';
import { forecastText, num, pct } from './format';
import type { Palette } from './theme';

interface Feature {
  id: string;
  title: string;
  help: string;
  /** One line: what this chart looks like for a healthy run. */
  healthy: string;
  value: (l: LayerView, sqrtN: number) => number;
  logY?: boolean;
}

export const LAYER_FEATURES: Feature[] = [
  {
    id: 'deg-mean',
    title: 'Weighted degree — mean',
    help: 'Mean over the layer’s nodes of the sum of edge weights in and out.',
    healthy: 'Moves most in the first epochs, then levels off; steady growth in every layer suggests weights blowing up, a slide towards 0 too much weight decay.',
    value: (l) => l.weightedDegree.mean,
  },
  {
    id: 'deg-std',
    title: 'Weighted degree — std',
    help: 'Spread of the weighted degree within the layer.',
    healthy: 'Grows a little as units specialise, then holds; a spread collapsing to 0 means the units became alike, or died together.',
    value: (l) => l.weightedDegree.std,
  },
  {
    id: 'evc-mean',
    title: 'Eigenvector centrality × √N — mean',
    help: 'Mean centrality scaled by √N (N = all nodes): 1 = average node.',
    healthy: 'Layers stay within a small factor of 1 and settle; a layer sliding towards 0 is being bypassed by the rest of the network.',
    value: (l, r) => l.eigenvectorCentrality.mean * r,
  },
  {
    id: 'evc-max',
    title: 'Eigenvector centrality × √N — max',
    help: 'The most central node of the layer (hubs).',
    healthy: 'A few hubs a few times the mean are normal; one node climbing far above its layer means a single unit carries it.',
    value: (l, r) => l.eigenvectorCentrality.max * r,
  },
  {
    id: 'in-mean',
    title: 'In-degree — mean',
    help: 'Sum of weights of edges from earlier layers.',
    healthy: 'Settles after the first epochs, in step with the out-degree; one layer’s in-degree racing ahead points at its inputs’ weights growing unchecked.',
    value: (l) => l.inDegree.mean,
  },
  {
    id: 'out-mean',
    title: 'Out-degree — mean',
    help: 'Sum of weights of edges to later layers.',
    healthy: 'Settles after the first epochs; a layer whose out-degree shrinks towards 0 stops feeding the layers after it.',
    value: (l) => l.outDegree.mean,
  },
];

export interface FeatureSeriesSet {
  epochs: number[];
  layers: { name: string; kind: string }[];
  /** values[feature][layer][epochIndex] */
  values: Map<string, number[][]>;
  eigenvalue: number[];
}

/** The per-layer feature values of a run, by epoch (checkpoints without an epoch use their order). */
export function featureSeries(detail: RunDetail): FeatureSeriesSet {
  const cps = detail.checkpoints
    .map((c, i) => ({ epoch: c.epoch ?? i, a: c.analysis }))
    .sort((a, b) => a.epoch - b.epoch);
  // Layers by name, in the order of the latest checkpoint (an architecture does not change in a run,
  // but a partially written file may have fewer layers).
  const names: { name: string; kind: string }[] = [];
  const seen = new Set<string>();
  for (const c of [...cps].reverse()) for (const l of c.a.layers) if (!seen.has(l.name)) { seen.add(l.name); names.push({ name: l.name, kind: l.kind }); }
  const latest = cps.length ? cps[cps.length - 1].a.layers.map((l) => l.name) : [];
  names.sort((a, b) => (latest.indexOf(a.name) + 1 || 1e9) - (latest.indexOf(b.name) + 1 || 1e9));
  const values = new Map<string, number[][]>();
  for (const f of LAYER_FEATURES) {
    values.set(
      f.id,
      names.map((ln) =>
        cps.map((c) => {
          const l = c.a.layers.find((x) => x.name === ln.name);
          return l ? f.value(l, Math.sqrt(c.a.graph.nodes)) : NaN;
        }),
      ),
    );
  }
  return { epochs: cps.map((c) => c.epoch), layers: names, values, eigenvalue: cps.map((c) => c.a.eigenvalue) };
}

function card(title: string, help: string, healthy: string, body: Node, extra?: Node): HTMLElement {
  return h('div', { class: 'card feature-card' }, h('div', { class: 'card-title', title: help }, title), h('div', { class: 'card-health small' }, h('span', { class: 'health-label' }, 'Healthy: '), healthy), body, extra ?? null);
}

const HEALTHY_ACCURACY = 'Rises fast in the first epochs, then flattens; the forecast’s interval (purple) is narrow and near the sweep’s best.';
const HEALTHY_EIGENVALUE = 'Grows for a few epochs, then levels off; a jump by orders of magnitude, or to ∞, is the weights diverging (learning rate too high).';

export function renderFeatures(root: HTMLElement, detail: RunDetail | null, o: { palette: Palette; epoch: number | null; width: number }): void {
  if (!detail) {
    root.replaceChildren(h('div', { class: 'empty' }, 'Select a run to see how its graph evolves.'));
    return;
  }
  if (detail.checkpoints.length === 0) {
    root.replaceChildren(h('div', { class: 'empty' }, `No checkpoint of ${detail.run.name} analyzed yet.`));
    return;
  }
  const p = o.palette;
  const fs = featureSeries(detail);
  const layers = fs.layers.filter((l) => l.kind !== 'input');
  const cw = Math.max(260, Math.min(420, Math.floor((o.width - 24) / Math.max(1, Math.floor(o.width / 340))) - 14));
  const chartH = 150;
  const lineW = layers.length > 12 ? 1.1 : 1.6;
  const cards: HTMLElement[] = [];

  // Accuracy first: what the graph features are meant to predict.
  const r = detail.run;
  if ((r.accuracy && r.accuracy.length) || r.forecast) {
    cards.push(
      card(
        'Validation accuracy',
        'From the run’s logs; the purple bar is the forecast of the final accuracy and its interval.',
        HEALTHY_ACCURACY,
        lineChart({
          width: cw,
          height: chartH,
          label: 'validation accuracy per epoch',
          series: r.accuracy ? [{ name: 'val. accuracy', color: p.charts.blue, points: r.accuracy.map((q) => ({ x: q.epoch, y: q.value })), dots: true, width: 1.8 }] : [],
          xDomain: domainOf(fs.epochs, r.accuracy?.map((q) => q.epoch)),
          marker: o.epoch,
          yFormat: (v) => pct(v, 0),
          xLabel: 'epoch',
          interval: r.forecast ? { lo: r.forecast.low, hi: r.forecast.high, mid: r.forecast.accuracy, color: p.charts.purple, title: `forecast ${forecastText(r.forecast)}` } : null,
          endPoint: r.finalAccuracy !== null ? { y: r.finalAccuracy, color: p.charts.green, title: `final accuracy ${pct(r.finalAccuracy)}` } : null,
        }),
        h('div', { class: 'card-foot muted small' }, r.forecast ? `forecast ${forecastText(r.forecast)} from ${r.forecast.epochsUsed} epochs` : 'no forecast yet', r.finalAccuracy !== null ? ` · final ${pct(r.finalAccuracy)}` : ''),
      ),
    );
  }
  cards.push(
    card(
      'Top eigenvalue (spectral radius)',
      'Largest eigenvalue of the symmetric weighted adjacency matrix (log scale when it spans more than a factor 20).',
      HEALTHY_EIGENVALUE,
      lineChart({
        width: cw,
        height: chartH,
        label: 'top eigenvalue per epoch',
        series: [{ name: 'eigenvalue', color: p.charts.orange, points: fs.epochs.map((e, i) => ({ x: e, y: fs.eigenvalue[i] })), dots: true, width: 1.8 }],
        marker: o.epoch,
        logY: wideRange(fs.eigenvalue),
        xLabel: 'epoch',
      }),
    ),
  );
  for (const f of LAYER_FEATURES) {
    const vals = fs.values.get(f.id)!;
    const series: Series[] = [];
    fs.layers.forEach((l, li) => {
      if (l.kind === 'input') return;
      const k = layers.indexOf(l);
      series.push({ name: l.name, color: p.depth(k, layers.length), width: lineW, points: fs.epochs.map((e, i) => ({ x: e, y: vals[li][i] })), dots: fs.epochs.length <= 12 && layers.length <= 12 });
    });
    cards.push(card(f.title, f.help, f.healthy, lineChart({ width: cw, height: chartH, label: `${f.title} per layer and epoch`, series, marker: o.epoch, xLabel: 'epoch', logY: f.logY })));
  }
  // Layer key: depth colours, input → output.
  const key = h('div', { class: 'layer-key' }, h('span', { class: 'muted small' }, 'Layers (colour = depth): '));
  layers.forEach((l, k) => {
    key.append(h('span', { class: 'layer-key-item', title: `${l.name} (${l.kind})` }, keyLine(p.depth(k, layers.length)), l.name));
  });
  const head = h(
    'div',
    { class: 'features-head' },
    h('div', {}, h('strong', {}, r.name), h('span', { class: 'muted' }, ` · ${fs.epochs.length} checkpoint${fs.epochs.length === 1 ? '' : 's'} · ${layers.length} layers · N = ${num(detail.checkpoints[detail.checkpoints.length - 1].analysis.graph.nodes)} nodes`)),
    key,
  );
  root.replaceChildren(head, h('div', { class: 'feature-grid' }, ...cards));
}

function keyLine(color: string): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '8');
  svg.setAttribute('class', 'swatch');
  const l = document.createElementNS('http://www.w3.org/2000/svg', 'line');
  for (const [k, v] of Object.entries({ x1: '0', x2: '14', y1: '4', y2: '4', stroke: color, 'stroke-width': '2.5' })) l.setAttribute(k, v);
  svg.append(l);
  return svg;
}

function domainOf(a: number[], b?: number[]): [number, number] | undefined {
  const all = [...a, ...(b ?? [])].filter(Number.isFinite);
  if (all.length === 0) return undefined;
  const lo = Math.min(...all), hi = Math.max(...all);
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** More than a factor 20 between the smallest and largest positive value: worth a log axis. */
function wideRange(v: number[]): boolean {
  const pos = v.filter((x) => Number.isFinite(x) && x > 0);
  return pos.length > 1 && Math.max(...pos) / Math.min(...pos) > 20;
}
