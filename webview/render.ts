/**
 * Rendering of the dashboard's parts from plain inputs: the run title, the Features tab, and
 * around the network drawing its status line, thinning note, legend, summary, details sidebar
 * and tooltip. No state here: the dashboard decides what to show and calls these.
 */
import type { DrawGraph, DrawNode, RunDetail, RunSummary } from '../src/shared/dashboard-protocol';
import { graphSummary, layerDetails, legend, nodeDetails, type NodeHistoryPoint } from './details';
import { byId, fill, h } from './dom';
import { renderFeatures } from './features-view';
import { forecastText, num, pct } from './format';
import type { Palette } from './theme';
import { maxOf } from './visuals';

export function renderTitle(r: RunSummary | undefined, runCount: number): void {
  const el = byId('run-title');
  if (!r) {
    el.replaceChildren(h('span', { class: 'muted' }, runCount ? 'no run selected' : 'no runs yet'));
    return;
  }
  fill(
    el,
    h('span', { class: `status-dot status-${r.status}`, title: r.status }),
    h('span', { class: 'run-title-name', title: r.id }, r.name),
    h('span', { class: 'muted' }, ` · ${r.epochs.length} epoch${r.epochs.length === 1 ? '' : 's'}`),
    r.forecast ? h('span', { class: 'title-forecast', title: 'forecast of the final accuracy' }, ` · forecast ${forecastText(r.forecast)}`) : null,
    r.finalAccuracy !== null ? h('span', {}, ` · final ${pct(r.finalAccuracy)}`) : null,
  );
}

export function renderFeaturesTab(detail: RunDetail | null, palette: Palette, epoch: number | null): void {
  renderFeatures(byId('features'), detail, { palette, epoch, width: byId('panel-features').clientWidth || 900 });
}

/** The line over the drawing: loading, waiting, an error, or nothing (null). */
export function graphStatus(text: string | null, kind: 'info' | 'error' = 'info'): void {
  const el = byId('graph-status');
  el.hidden = text === null;
  el.classList.toggle('error', kind === 'error');
  el.textContent = text ?? '';
}

/** The parts around the drawing that describe it, emptied. */
export function clearGraphSide(): void {
  byId('thinned-bar').hidden = true;
  byId('thinned-note').textContent = '';
  fill(byId('legend'));
  fill(byId('summary'));
}

/** The run's largest centrality and weighted degree (from every analyzed epoch), for stable scales. */
export function runRanges(detail: RunDetail | null, g: DrawGraph): { c: number; d: number } {
  let c = 0, d = 0;
  for (const cp of detail?.checkpoints ?? []) {
    for (const l of cp.analysis.layers) {
      if (Number.isFinite(l.eigenvectorCentrality.max)) c = Math.max(c, l.eigenvectorCentrality.max);
      if (Number.isFinite(l.weightedDegree.max)) d = Math.max(d, l.weightedDegree.max);
    }
  }
  return { c: c || maxOf(g.nodes.map((n) => n.centrality)) || 1, d: d || maxOf(g.nodes.map((n) => n.degree)) || 1 };
}

/** Thinning note, legend and summary of the graph just drawn. */
export function renderGraphSide(g: DrawGraph, o: { detail: RunDetail | null; epoch: number; palette: Palette; ranges: { c: number; d: number }; compare: { epoch: number; against: number; max: number } | null }): void {
  // #thinned-note holds exactly the engine's sentence; its bar is hidden when nothing was thinned.
  byId('thinned-bar').hidden = g.thinned === null;
  byId('thinned-note').textContent = g.thinned ?? '';
  fill(byId('legend'), legend(o.palette, { compare: o.compare, centralityMax: o.ranges.c, degreeMax: o.ranges.d }));
  fill(byId('summary'), graphSummary(g, o.detail, o.epoch));
}

export interface NodeSidebar {
  graph: DrawGraph;
  node: string;
  epoch: number;
  prev: { epoch: number; graph: DrawGraph } | null;
  compare: { epoch: number; graph: DrawGraph } | null;
  prevPending: boolean;
  history: NodeHistoryPoint[];
  historyTotal: number;
}

export type Sidebar = { kind: 'node'; node: NodeSidebar } | { kind: 'layer'; detail: RunDetail | null; layer: number; graph: DrawGraph | null; epoch: number } | { kind: 'hint'; drawn: boolean };

/** The details sidebar: a node's numbers, a layer's statistics, or a hint. */
export function renderSidebar(s: Sidebar, palette: Palette): void {
  byId('graph-tooltip').hidden = true;
  const d = byId('details');
  if (s.kind === 'node') {
    const n = s.node;
    fill(d, nodeDetails(n.graph, n.node, { epoch: n.epoch, prev: n.prev, compare: n.compare, prevPending: n.prevPending, history: n.history, historyTotal: n.historyTotal, palette }));
  } else if (s.kind === 'layer') {
    fill(d, layerDetails(s.detail, s.layer, s.graph, { epoch: s.epoch, palette }));
  } else {
    fill(d, h('div', { class: 'hint muted' }, s.drawn ? 'Click a node for its numbers, a layer name above the graph for the layer’s statistics. Scroll to zoom, drag to pan. From the keyboard: Tab to the drawing, ←/→ for layers, ↓/↑ for nodes, Enter to select, [ and ] for epochs (←/→ on the toolbar).' : ''));
  }
}

/** The tooltip of the node under the pointer (null: hide it); x, y relative to #graph. */
export function renderTooltip(g: DrawGraph | null, n: DrawNode | null, x: number, y: number): void {
  const tip = byId('graph-tooltip');
  if (!n) {
    tip.hidden = true;
    return;
  }
  const layer = g?.layers.find((l) => l.index === n.layer);
  tip.replaceChildren(
    h('div', { class: 'tip-title' }, `${layer ? layer.name : n.layer} #${n.index}${n.members > 1 ? ` (${n.members} nodes)` : ''}`),
    h('div', {}, `centrality ${num(n.centrality, 3)} · degree ${num(n.degree, 3)}`),
  );
  tip.hidden = false;
  const graph = byId('graph');
  tip.style.left = `${Math.round(graph.offsetLeft + x + 12)}px`;
  tip.style.top = `${Math.round(graph.offsetTop + y + 12)}px`;
}

export function showError(message: string): void {
  byId('error-text').textContent = message;
  byId('error-banner').hidden = false;
}
