/** The network sidebar: colour legend, node details, layer statistics. */
import type { DrawGraph, LayerView, RunDetail } from '../src/shared/dashboard-protocol';
import { gradientLegend, lineChart } from './charts';
import { h } from './dom';
import { count, delta, num, relChange } from './format';
import type { Palette } from './theme';
import { percentileInLayer, VALUE_POWER } from './visuals';

export function legend(p: Palette, o: { compare: { epoch: number; against: number; max: number } | null; centralityMax: number; degreeMax: number }): HTMLElement {
  const samples = (f: (t: number) => string, lo: number, hi: number): string[] => Array.from({ length: 17 }, (_, i) => f(lo + ((hi - lo) * i) / 16));
  const box = h('div', { class: 'legend-box', id: 'legend-box' });
  if (o.compare) {
    const m = o.compare.max;
    box.append(
      h('div', { class: 'legend-title' }, `Centrality change, epoch ${o.compare.epoch} − epoch ${o.compare.against}`),
      gradientLegend('lg-div', samples(p.diverging, -1, 1), [`−${num(m, 2)}`, '0', `+${num(m, 2)}`], 'diverging colour scale'),
      h('div', { class: 'muted small' }, 'blue: lost centrality · red: gained (√ scale)'),
    );
  } else {
    const c = o.centralityMax;
    box.append(
      h('div', { class: 'legend-title' }, 'Eigenvector centrality'),
      gradientLegend('lg-seq', samples(p.sequential, 0, 1), ['0', num(c * Math.pow(0.5, 1 / VALUE_POWER), 2), num(c, 2)], 'sequential colour scale'),
      h('div', { class: 'muted small' }, '√ scale, same range for every epoch of the run'),
    );
  }
  box.append(
    h('div', { class: 'legend-row small' }, h('span', { class: 'legend-dot' }), ` size: weighted degree (√, max ${num(o.degreeMax, 3)})`),
    h('div', { class: 'legend-row small' }, h('span', { class: 'legend-square' }), ' group of neighbouring channels (mean)'),
    h('div', { class: 'legend-row small' }, h('span', { class: 'legend-line' }), ' edge: width and opacity by weight'),
  );
  return box;
}

function row(label: string, value: string | Node, extra?: string | Node, field?: string): HTMLElement {
  return h('tr', { 'data-field': field ?? null }, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, value, extra ? h('span', { class: 'extra muted' }, extra) : null));
}

export interface NodeHistoryPoint {
  epoch: number;
  degree: number;
  centrality: number;
}

export function nodeDetails(
  g: DrawGraph,
  id: string,
  o: { epoch: number; prev: { epoch: number; graph: DrawGraph } | null; compare: { epoch: number; graph: DrawGraph } | null; prevPending: boolean; history: NodeHistoryPoint[]; historyTotal: number; palette: Palette },
): HTMLElement {
  const n = g.nodes.find((x) => x.id === id);
  if (!n) return h('div', { class: 'muted' }, 'The selected node is not drawn at this epoch.');
  const layer = g.layers.find((l) => l.index === n.layer);
  const sqrtN = Math.sqrt(Math.max(1, g.totalNodes));
  const prevNode = o.prev?.graph.nodes.find((x) => x.id === id);
  const cmpNode = o.compare?.graph.nodes.find((x) => x.id === id);
  const pctl = percentileInLayer(g, id);
  const idx = n.members > 1 ? `${n.index} (group of ${n.members})` : String(n.index);
  const t = h(
    'table',
    { class: 'stats' },
    h('tbody', {},
      row('layer', layer ? layer.name : String(n.layer), layer ? layer.kind : '', 'layer'),
      row('index', idx, '', 'index'),
      row('members', String(n.members), n.members > 1 ? 'values are means' : '', 'members'),
      row('weighted degree', num(n.degree), '', 'degree'),
      row('centrality', num(n.centrality), `×√N = ${num(n.centrality * sqrtN, 3)}`, 'centrality'),
      pctl !== null ? row('rank in layer', `${pctl}th pct`, 'by centrality', 'percentile') : null,
    ),
  );
  const change = h('table', { class: 'stats' });
  const body = h('tbody');
  if (o.prev && prevNode) {
    body.append(
      row(`Δ degree since ${o.prev.epoch}`, delta(n.degree - prevNode.degree), relChange(n.degree, prevNode.degree), 'delta-degree'),
      row(`Δ centrality since ${o.prev.epoch}`, delta(n.centrality - prevNode.centrality), relChange(n.centrality, prevNode.centrality), 'delta-centrality'),
    );
  } else if (o.prev === null && !o.prevPending) {
    body.append(row('change', 'first epoch', '', 'delta-centrality'));
  } else if (o.prevPending) {
    body.append(row('change', 'loading previous epoch…', '', 'delta-centrality'));
  } else {
    body.append(row('change', 'not drawn at the previous epoch', '', 'delta-centrality'));
  }
  if (o.compare && cmpNode) {
    body.append(row(`Δ centrality vs ${o.compare.epoch}`, delta(n.centrality - cmpNode.centrality), relChange(n.centrality, cmpNode.centrality), 'compare-centrality'));
  }
  change.append(body);
  const root = h(
    'div',
    { class: 'details node-details', id: 'node-details', 'data-node-id': id },
    h('div', { class: 'details-title' }, `Node ${layer ? layer.name : n.layer} #${n.index}`, h('span', { class: 'muted small' }, ` · epoch ${o.epoch}`)),
    t,
    change,
  );
  // The node over the run, from the epochs drawn so far.
  if (o.history.length > 1) {
    const p = o.palette;
    const partial = o.history.length < o.historyTotal ? ` (${o.history.length} of ${o.historyTotal} epochs loaded)` : '';
    root.append(
      h('div', { class: 'mini-title small' }, `centrality over the run${partial}`),
      lineChart({ width: 280, height: 70, label: 'centrality of this node per epoch', series: [{ name: 'centrality', color: p.charts.orange, points: o.history.map((q) => ({ x: q.epoch, y: q.centrality })), dots: true }], marker: o.epoch }),
      h('div', { class: 'mini-title small' }, 'weighted degree over the run'),
      lineChart({ width: 280, height: 70, label: 'weighted degree of this node per epoch', series: [{ name: 'weighted degree', color: p.charts.blue, points: o.history.map((q) => ({ x: q.epoch, y: q.degree })), dots: true }], marker: o.epoch }),
    );
  }
  return root;
}

const STAT_COLS: (keyof LayerView['weightedDegree'])[] = ['mean', 'std', 'min', 'q25', 'median', 'q75', 'max'];

export function layerDetails(detail: RunDetail | null, layerIndex: number, g: DrawGraph | null, o: { epoch: number; palette: Palette }): HTMLElement {
  const dl = g?.layers.find((l) => l.index === layerIndex);
  const cps = detail ? [...detail.checkpoints].map((c, i) => ({ epoch: c.epoch ?? i, a: c.analysis })).sort((a, b) => a.epoch - b.epoch) : [];
  const cp = cps.find((c) => c.epoch === o.epoch);
  // DrawLayer.index is the layer's position in the analysis; the name confirms it.
  const pick = (a: (typeof cps)[number]['a']): LayerView | undefined => {
    const byIndex = a.layers[layerIndex];
    if (byIndex && (!dl || byIndex.name === dl.name)) return byIndex;
    return dl ? a.layers.find((l) => l.name === dl.name) : undefined;
  };
  const ls = cp ? pick(cp.a) : undefined;
  const name = ls?.name ?? dl?.name ?? `layer ${layerIndex}`;
  const root = h('div', { class: 'details layer-details', id: 'layer-details', 'data-layer': layerIndex });
  root.append(h('div', { class: 'details-title' }, `Layer ${name}`, h('span', { class: 'muted small' }, ` · ${ls?.kind ?? dl?.kind ?? ''} · epoch ${o.epoch}`)));
  if (dl || ls) {
    const nodes = ls?.nodes ?? dl?.nodes ?? 0;
    root.append(h('div', { class: 'muted small' }, `${count(nodes)} nodes`, dl && dl.drawn < dl.nodes ? `, drawn as ${count(dl.drawn)} groups` : ''));
  }
  if (!ls) {
    root.append(h('div', { class: 'muted' }, detail ? 'No statistics for this layer at this epoch.' : 'Loading the run’s statistics…'));
    return root;
  }
  const sqrtN = Math.sqrt(Math.max(1, cp!.a.graph.nodes));
  // Statistics down, quantities across: fits the sidebar.
  const cols: { label: string; title: string; stats: LayerView['weightedDegree']; scale: number; field: string }[] = [
    { label: 'degree', title: 'weighted degree (in + out)', stats: ls.weightedDegree, scale: 1, field: 'weightedDegree' },
    { label: 'in', title: 'in-degree: weights from earlier layers', stats: ls.inDegree, scale: 1, field: 'inDegree' },
    { label: 'out', title: 'out-degree: weights to later layers', stats: ls.outDegree, scale: 1, field: 'outDegree' },
    { label: 'centr.', title: 'eigenvector centrality', stats: ls.eigenvectorCentrality, scale: 1, field: 'eigenvectorCentrality' },
    { label: '×√N', title: 'eigenvector centrality × √N (1 = an average node)', stats: ls.eigenvectorCentrality, scale: sqrtN, field: 'eigenvectorCentralityScaled' },
  ];
  const table = h('table', { class: 'stats wide' });
  table.append(h('thead', {}, h('tr', {}, h('th', {}), ...cols.map((c) => h('th', { class: 'num', title: c.title, 'data-field': c.field }, c.label)))));
  const tb = h('tbody');
  for (const st of STAT_COLS) tb.append(h('tr', { 'data-stat': st }, h('th', { scope: 'row' }, st), ...cols.map((c) => h('td', { class: 'num', 'data-field': c.field }, num(c.stats[st] * c.scale, 3)))));
  table.append(tb);
  root.append(h('div', { class: 'table-scroll' }, table));
  // The layer over the run: mean degree and mean centrality per epoch.
  if (cps.length > 1) {
    const p = o.palette;
    const pts = (f: (l: LayerView, a: (typeof cps)[number]['a']) => number) =>
      cps.map((c) => {
        const l = pick(c.a);
        return { x: c.epoch, y: l ? f(l, c.a) : NaN };
      });
    root.append(
      h('div', { class: 'mini-title small' }, 'mean weighted degree over the run'),
      lineChart({ width: 280, height: 84, label: `${name}: mean weighted degree per epoch`, series: [{ name: 'mean weighted degree', color: p.charts.blue, points: pts((l) => l.weightedDegree.mean), dots: true }], marker: o.epoch }),
      h('div', { class: 'mini-title small' }, 'mean centrality ×√N over the run'),
      lineChart({ width: 280, height: 84, label: `${name}: mean centrality ×√N per epoch`, series: [{ name: 'mean centrality ×√N', color: p.charts.orange, points: pts((l, a) => l.eigenvectorCentrality.mean * Math.sqrt(a.graph.nodes)), dots: true }], marker: o.epoch }),
    );
  }
  return root;
}

export function graphSummary(g: DrawGraph, detail: RunDetail | null, epoch: number): HTMLElement {
  const cp = detail?.checkpoints.find((c) => c.epoch === epoch);
  const a = cp?.analysis;
  return h(
    'div',
    { class: 'graph-summary small', id: 'graph-summary' },
    h('div', {}, `Drawn: ${count(g.nodes.length)} of ${count(g.totalNodes)} nodes, ${count(g.edges.length)} of ${count(g.totalEdges)} edges`),
    a ? h('div', { class: 'muted' }, `Unrolled: ${count(a.graph.unrolledNodes)} nodes, ${count(a.graph.unrolledEdges)} edges${a.graph.unrolledEstimated ? ' (estimated)' : ''} · top eigenvalue ${num(a.eigenvalue)}`) : null,
    h('div', { class: 'muted', title: g.file }, `${g.file.split(/[\\/]/).pop() ?? g.file}`),
  );
}
