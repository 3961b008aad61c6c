/**
 * The Training Dynamics dashboard (webview side). Receives HostMessage from the extension, posts
 * WebviewMessage back, keeps its view state with vscode.getState/setState, and draws three tabs:
 * Runs (list, learning curves, forecasts), Network (the selected run's graph per epoch, with
 * Cytoscape) and Features (per-layer graph statistics over epochs).
 *
 * Every string from the host (run names, paths, error messages) goes into the page as text
 * (dom.ts), never as markup.
 *
 * DOM contract (the UI tests rely on it):
 *  - #tab-runs, #tab-network, #tab-features: the tab buttons (aria-selected="true" on the open one).
 *  - .run-row[data-run-id] (and data-status): one per run; click selects, double-click/Enter opens
 *    the network; .stop-run[data-run-id] in each row posts stopRun (disabled once requested).
 *  - #graph: the Cytoscape container; canvas.network-canvas in it holds the painted network
 *    (network-painter.ts). After each render has been painted: data-nodes, data-edges
 *    (elements drawn), data-epoch (the epoch number), data-colors (8-hex-digit hash of the node
 *    colours, in DrawGraph.nodes order), data-render-ms, data-update-ms, data-rebuilt ("1" when the
 *    elements were rebuilt, "0" when updated in place).
 *  - #epoch-slider: input[type=range]; its value is the INDEX into the run's analyzed epochs
 *    (RunSummary.epochs), its data-epoch the epoch number. #epoch-prev, #epoch-next, #play
 *    (aria-pressed while playing), #loop, #compare, #compare-epoch, #follow, #fit.
 *  - #thinned-note: exactly DrawGraph.thinned; hidden (with its bar, #thinned-bar) when null.
 *  - .layer-header[data-layer]: click shows #layer-details[data-layer]; a node click shows
 *    #node-details[data-node-id] (rows tr[data-field]).
 *  - body[data-ready="1"] after the first graph render.
 *  - window.__dashboard: nodePosition(id) → client {x, y} | null, nodeColor(id) → the node's
 *    fill (#rrggbb) | null, nodeIds(), state() (read-only hooks for tests: a node is clicked with
 *    the mouse at nodePosition, its pixels there are compared with nodeColor).
 */
import type { DrawGraph, DrawNode, HostMessage, RunDetail, RunSummary } from '../src/shared/protocol';
import { graphSummary, layerDetails, legend, nodeDetails, type NodeHistoryPoint } from './details';
import { byId, fill, h } from './dom';
import { renderFeatures } from './features-view';
import { forecastText, num, pct } from './format';
import { GraphView } from './graph-view';
import { mergeRuns, nearestEpoch, restoreState, SORT_KEYS, TABS, type SortKey, type Tab, type ViewState } from './model';
import { renderRunList, sweepChart } from './runs-view';
import { readPalette, watchTheme, type Palette } from './theme';
import { centralityById, maxOf } from './visuals';
import { vscodeApi } from './vscode-api';

const api = vscodeApi();

const GRAPH_CACHE = 40;
const PLAY_STEP_MS = 700;
/** Runs with at most this many epochs fetch them all for a selected node's history. */
const HISTORY_EPOCHS = 24;
const SORT_LABELS: Record<SortKey, string> = { forecast: 'forecast', final: 'final accuracy', name: 'name', status: 'status' };
const TAB_LABELS: Record<Tab, string> = { runs: 'Runs', network: 'Network', features: 'Features' };

const graphKey = (runId: string, epoch: number): string => `${epoch}\u0000${runId}`;

function isHostMessage(m: unknown): m is HostMessage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return t === 'runs' || t === 'runDetail' || t === 'graph' || t === 'settings' || t === 'error';
}

function buildPage(): void {
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Dashboard views' });
  for (const t of TABS) tabs.append(h('button', { id: `tab-${t}`, class: 'tab', type: 'button', role: 'tab', 'aria-controls': `panel-${t}`, 'aria-selected': 'false', tabindex: -1 }, TAB_LABELS[t]));
  const sort = h('select', { id: 'sort', 'aria-label': 'Sort runs by' });
  for (const k of SORT_KEYS) sort.append(h('option', { value: k }, SORT_LABELS[k]));

  const compareEpoch = h('select', { id: 'compare-epoch', 'aria-label': 'Epoch to compare with' });
  const app = h(
    'div',
    { id: 'app' },
    h('header', { class: 'topbar' }, tabs, h('div', { id: 'run-title', class: 'run-title' })),
    h('div', { id: 'error-banner', class: 'banner', role: 'alert', hidden: true }, h('span', { id: 'error-text' }), h('button', { id: 'error-dismiss', class: 'icon-button', type: 'button', 'aria-label': 'Dismiss' }, '✕')),
    h(
      'main',
      { id: 'panels' },
      h(
        'section',
        { id: 'panel-runs', class: 'tab-panel', role: 'tabpanel', 'aria-labelledby': 'tab-runs' },
        h('div', { class: 'toolbar' }, h('label', { for: 'sort' }, 'Sort by '), sort, h('span', { id: 'runs-count', class: 'muted' })),
        h('div', { id: 'sweep-chart' }),
        h('div', { id: 'run-list', class: 'run-list', role: 'listbox', 'aria-label': 'Runs' }),
      ),
      h(
        'section',
        { id: 'panel-network', class: 'tab-panel', role: 'tabpanel', 'aria-labelledby': 'tab-network' },
        h(
          'div',
          { class: 'toolbar' },
          h('button', { id: 'play', class: 'button', type: 'button', 'aria-pressed': 'false', title: 'Step through the run’s epochs (P)' }, '▶ Play'),
          h('button', { id: 'epoch-prev', class: 'icon-button', type: 'button', 'aria-label': 'Previous epoch', title: 'Previous epoch (←)' }, '‹'),
          h('input', { id: 'epoch-slider', type: 'range', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'Epoch (index into the run’s analyzed epochs)' }),
          h('button', { id: 'epoch-next', class: 'icon-button', type: 'button', 'aria-label': 'Next epoch', title: 'Next epoch (→)' }, '›'),
          h('span', { id: 'epoch-label', class: 'epoch-label num' }),
          h('label', { class: 'check' }, h('input', { id: 'loop', type: 'checkbox' }), 'loop'),
          h('span', { class: 'sep' }),
          h('label', { class: 'check', title: 'Colour nodes by the change of centrality between two epochs' }, h('input', { id: 'compare', type: 'checkbox' }), 'compare with'),
          compareEpoch,
          h('span', { class: 'sep' }),
          h('label', { class: 'check', title: 'Jump to each new epoch as soon as it is analyzed' }, h('input', { id: 'follow', type: 'checkbox' }), 'follow new epochs'),
          h('span', { class: 'grow' }),
          h('button', { id: 'fit', class: 'icon-button', type: 'button', title: 'Fit the graph to the view' }, 'Fit'),
        ),
        h('div', { id: 'thinned-bar', class: 'note', hidden: true }, h('span', { class: 'note-label' }, 'Thinned for drawing:'), h('span', { id: 'thinned-note' })),
        h(
          'div',
          { class: 'network-body' },
          h(
            'div',
            { class: 'graph-wrap' },
            h('div', { id: 'layer-headers', class: 'layer-headers' }),
            h('div', { id: 'graph', class: 'graph', 'data-nodes': '0', 'data-edges': '0', 'data-colors': '' }),
            h('div', { id: 'graph-status', class: 'graph-status', hidden: true }),
            h('div', { id: 'graph-tooltip', class: 'tooltip', hidden: true }),
          ),
          h('aside', { id: 'sidebar', class: 'sidebar' }, h('div', { id: 'legend' }), h('div', { id: 'details' }), h('div', { id: 'summary' })),
        ),
      ),
      h('section', { id: 'panel-features', class: 'tab-panel', role: 'tabpanel', 'aria-labelledby': 'tab-features' }, h('div', { id: 'features' })),
    ),
  );
  document.body.append(app);
}

class Dashboard {
  private state: ViewState = restoreState(api.getState());
  private runs: RunSummary[] = [];
  private detail: RunDetail | null = null;
  private readonly graphs = new Map<string, DrawGraph>();
  private readonly pending = new Set<string>();
  private readonly graphErrors = new Map<string, string>();
  private readonly stopRequested = new Set<string>();
  private maxEdges = 2000;
  private palette: Palette;
  private readonly view: GraphView;
  private announced: string | null = null;
  private playing = false;
  private playTimer = 0;
  private featuresDirty = true;
  private graphShown: string | null = null;

  constructor() {
    buildPage();
    this.palette = readPalette();
    this.view = new GraphView(byId('graph'), byId('layer-headers'), {
      onNode: (id) => this.selectNode(id),
      onLayer: (layer) => this.selectLayer(layer),
      onBackground: () => {
        if (this.state.node !== null || this.state.layer !== null) {
          this.state.node = null;
          this.state.layer = null;
          this.view.select(null);
          this.persist();
          this.renderSidebar();
        }
      },
      onHover: (n, x, y) => this.hover(n, x, y),
    });
    this.wire();
    this.showTab(this.state.tab, false);
    this.renderAll();
    watchTheme(() => {
      this.palette = readPalette();
      this.renderAll();
      this.graphShown = null;
      void this.renderGraph();
    });
    new ResizeObserver(() => {
      this.view.resize();
      this.view.fit();
    }).observe(byId('graph'));
    let resizeFrame = 0;
    window.addEventListener('resize', () => {
      cancelAnimationFrame(resizeFrame);
      resizeFrame = requestAnimationFrame(() => {
        this.renderRuns();
        this.featuresDirty = true;
        if (this.state.tab === 'features') this.renderFeaturesNow();
      });
    });
    window.addEventListener('message', (e: MessageEvent) => {
      if (isHostMessage(e.data)) this.onMessage(e.data);
    });
    // Hooks for UI tests: where a node is on screen, which nodes are drawn. Read-only.
    (window as unknown as { __dashboard: unknown }).__dashboard = {
      nodePosition: (id: string) => this.view.clientPosition(id),
      nodeColor: (id: string) => this.view.nodeColor(id),
      nodeIds: () => this.view.nodeIds(),
      state: () => ({ ...this.state }),
    };
    api.postMessage({ type: 'ready' });
  }

  // ------------------------------------------------------------------------------------------
  // Messages

  private onMessage(m: HostMessage): void {
    switch (m.type) {
      case 'runs': {
        const prevRuns = this.runs;
        const before = this.state;
        this.runs = Array.isArray(m.runs) ? m.runs : [];
        this.state = mergeRuns(before, this.runs, m.selected ?? null, prevRuns);
        if (this.state.runId !== before.runId) this.onRunChanged();
        this.announce();
        this.persist();
        this.renderAll();
        void this.renderGraph();
        break;
      }
      case 'runDetail': {
        if (!m.detail || m.detail.run.id !== this.state.runId) return;
        this.detail = m.detail;
        const i = this.runs.findIndex((r) => r.id === m.detail.run.id);
        if (i >= 0) this.runs[i] = m.detail.run;
        this.featuresDirty = true;
        this.renderTitle();
        if (this.state.tab === 'features') this.renderFeaturesNow();
        this.graphShown = null; // run-wide colour and size ranges may have changed
        void this.renderGraph();
        break;
      }
      case 'graph': {
        const k = graphKey(m.runId, m.epoch);
        this.pending.delete(k);
        this.graphErrors.delete(k);
        this.cacheGraph(k, m.graph);
        if (m.runId === this.state.runId) {
          if (this.needed().includes(m.epoch)) void this.renderGraph();
        }
        break;
      }
      case 'settings':
        if (Number.isInteger(m.maxEdges) && m.maxEdges > 0 && m.maxEdges !== this.maxEdges) {
          this.maxEdges = m.maxEdges;
          this.graphs.clear();
          this.pending.clear();
          this.graphErrors.clear();
          this.graphShown = null;
          void this.renderGraph();
        }
        break;
      case 'error': {
        const e = m as { message: string; runId?: string; epoch?: number };
        if (typeof e.runId === 'string' && typeof e.epoch === 'number') {
          const k = graphKey(e.runId, e.epoch);
          this.pending.delete(k);
          this.graphErrors.set(k, String(e.message));
          if (e.runId === this.state.runId && this.needed().includes(e.epoch)) void this.renderGraph();
        } else {
          this.showError(String(m.message));
        }
        break;
      }
    }
  }

  private announce(): void {
    if (this.state.runId !== null && this.state.runId !== this.announced) {
      this.announced = this.state.runId;
      api.postMessage({ type: 'selectRun', runId: this.state.runId });
    }
  }

  private onRunChanged(): void {
    this.detail = null;
    this.featuresDirty = true;
    this.stopPlay();
    this.graphShown = null;
  }

  private persist(): void {
    api.setState(this.state);
  }

  // ------------------------------------------------------------------------------------------
  // Controls

  private wire(): void {
    for (const t of TABS) {
      const b = byId(`tab-${t}`);
      b.addEventListener('click', () => this.showTab(t, true));
      b.addEventListener('keydown', (e) => {
        const i = TABS.indexOf(t);
        const j = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : -1;
        if (j >= 0) {
          this.showTab(TABS[j], true);
          byId(`tab-${TABS[j]}`).focus();
        }
      });
    }
    byId<HTMLSelectElement>('sort').addEventListener('change', (e) => {
      this.state.sort = (e.target as HTMLSelectElement).value as SortKey;
      this.persist();
      this.renderRuns();
    });
    const slider = byId<HTMLInputElement>('epoch-slider');
    slider.addEventListener('input', () => {
      const eps = this.epochs();
      const e = eps[Number(slider.value)];
      if (e !== undefined) this.setEpoch(e);
    });
    byId('epoch-prev').addEventListener('click', () => this.step(-1));
    byId('epoch-next').addEventListener('click', () => this.step(1));
    byId('play').addEventListener('click', () => (this.playing ? this.stopPlay() : this.startPlay()));
    byId<HTMLInputElement>('loop').addEventListener('change', (e) => {
      this.state.loop = (e.target as HTMLInputElement).checked;
      this.persist();
    });
    byId<HTMLInputElement>('follow').addEventListener('change', (e) => {
      this.state.follow = (e.target as HTMLInputElement).checked;
      this.persist();
    });
    byId<HTMLInputElement>('compare').addEventListener('change', (e) => {
      this.state.compare = (e.target as HTMLInputElement).checked;
      this.persist();
      this.renderNetworkControls();
      void this.renderGraph();
    });
    byId<HTMLSelectElement>('compare-epoch').addEventListener('change', (e) => {
      const v = Number((e.target as HTMLSelectElement).value);
      this.state.compareEpoch = Number.isInteger(v) ? v : null;
      this.persist();
      void this.renderGraph();
    });
    byId('fit').addEventListener('click', () => this.view.fit());
    byId('error-dismiss').addEventListener('click', () => (byId('error-banner').hidden = true));
    byId('panel-network').addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement;
      if (t.closest('input, select, textarea')) return;
      if (e.key === 'ArrowLeft') this.step(-1);
      else if (e.key === 'ArrowRight') this.step(1);
      else if (e.key === 'p' || e.key === 'P') this.playing ? this.stopPlay() : this.startPlay();
      else return;
      e.preventDefault();
    });
  }

  private showTab(t: Tab, user: boolean): void {
    this.state.tab = t;
    for (const x of TABS) {
      const on = x === t;
      const b = byId(`tab-${x}`);
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
      byId(`panel-${x}`).classList.toggle('active', on);
    }
    if (user) this.persist();
    if (t === 'network') this.view.resize();
    if (t === 'features' && this.featuresDirty) this.renderFeaturesNow();
  }

  private selectRun(runId: string, open = false): void {
    if (runId !== this.state.runId) {
      const before = this.state;
      this.state = { ...this.state, runId, epoch: null, compareEpoch: null, node: null, layer: null };
      const run = this.run();
      if (run && run.epochs.length) this.state.epoch = run.epochs[run.epochs.length - 1];
      if (before.runId !== runId) this.onRunChanged();
      this.announce();
      this.persist();
      this.renderAll();
      void this.renderGraph();
    }
    if (open) this.showTab('network', true);
  }

  private selectNode(id: string): void {
    this.state.node = id;
    this.state.layer = null;
    this.view.select(id);
    this.persist();
    this.ensureGraphs();
    this.renderSidebar();
  }

  private selectLayer(layer: number): void {
    this.state.layer = layer;
    this.state.node = null;
    this.view.select(null);
    this.persist();
    this.renderSidebar();
  }

  private run(): RunSummary | undefined {
    return this.runs.find((r) => r.id === this.state.runId);
  }

  private epochs(): number[] {
    return this.run()?.epochs ?? [];
  }

  private setEpoch(e: number): void {
    if (e === this.state.epoch) return;
    this.state.epoch = e;
    this.persist();
    this.renderNetworkControls();
    this.featuresDirty = true;
    if (this.state.tab === 'features') this.renderFeaturesNow();
    void this.renderGraph();
  }

  private step(d: number): void {
    const eps = this.epochs();
    if (eps.length === 0) return;
    const i = Math.max(0, eps.indexOf(this.state.epoch ?? eps[eps.length - 1]));
    const j = Math.min(eps.length - 1, Math.max(0, i + d));
    this.setEpoch(eps[j]);
  }

  private startPlay(): void {
    const eps = this.epochs();
    if (eps.length < 2) return;
    this.playing = true;
    if (this.state.epoch === eps[eps.length - 1]) this.setEpoch(eps[0]);
    this.renderPlayButton();
    this.ensureGraphs();
    this.playTimer = window.setTimeout(() => this.playStep(), PLAY_STEP_MS);
  }

  private stopPlay(): void {
    this.playing = false;
    clearTimeout(this.playTimer);
    this.renderPlayButton();
  }

  private playStep(): void {
    if (!this.playing) return;
    const run = this.run();
    const eps = this.epochs();
    if (!run || eps.length < 2) return this.stopPlay();
    const i = eps.indexOf(this.state.epoch ?? eps[0]);
    let j = i + 1;
    if (j >= eps.length) {
      if (!this.state.loop) return this.stopPlay();
      j = 0;
    }
    const k = graphKey(run.id, eps[j]);
    if (this.graphs.has(k)) this.setEpoch(eps[j]);
    else if (this.graphErrors.has(k)) this.setEpoch(eps[j]); // shows the error, moves on next step
    else this.request(run.id, eps[j]);
    if (j === eps.length - 1 && !this.state.loop && this.graphs.has(k)) {
      this.stopPlay();
      return;
    }
    this.ensureGraphs();
    this.playTimer = window.setTimeout(() => this.playStep(), PLAY_STEP_MS);
  }

  // ------------------------------------------------------------------------------------------
  // Graph data

  private compareEpoch(): number | null {
    const eps = this.epochs();
    if (!this.state.compare || eps.length === 0) return null;
    return this.state.compareEpoch ?? eps[0];
  }

  private previousEpoch(): number | null {
    const eps = this.epochs();
    const i = this.state.epoch === null ? -1 : eps.indexOf(this.state.epoch);
    return i > 0 ? eps[i - 1] : null;
  }

  /** Epochs whose graphs the view needs now (current, compare, previous) and soon (next). */
  private needed(): number[] {
    const e = this.state.epoch;
    if (e === null) return [];
    const out = [e];
    const c = this.compareEpoch();
    if (c !== null) out.push(c);
    const p = this.previousEpoch();
    if (p !== null && this.state.node !== null) out.push(p);
    // A selected node's history over the run: every epoch of a short run.
    if (this.state.node !== null && this.epochs().length <= HISTORY_EPOCHS) for (const x of this.epochs()) if (!out.includes(x)) out.push(x);
    if (this.playing) {
      const eps = this.epochs();
      const i = eps.indexOf(e);
      for (const d of [1, 2]) {
        const n = eps[(i + d) % eps.length];
        if (n !== undefined) out.push(n);
      }
    }
    return out;
  }

  private request(runId: string, epoch: number): void {
    const k = graphKey(runId, epoch);
    if (this.graphs.has(k) || this.pending.has(k) || this.graphErrors.has(k)) return;
    this.pending.add(k);
    api.postMessage({ type: 'requestGraph', runId, epoch });
  }

  private ensureGraphs(): void {
    const id = this.state.runId;
    if (id === null) return;
    for (const e of this.needed()) this.request(id, e);
  }

  private cacheGraph(k: string, g: DrawGraph): void {
    this.graphs.delete(k);
    this.graphs.set(k, g);
    if (this.graphs.size <= GRAPH_CACHE) return;
    const keep = new Set(this.state.runId ? this.needed().map((e) => graphKey(this.state.runId!, e)) : []);
    for (const key of this.graphs.keys()) {
      if (this.graphs.size <= GRAPH_CACHE) break;
      if (!keep.has(key)) this.graphs.delete(key);
    }
  }

  /** A cached graph of the selected run, without touching its cache position. */
  private peekGraph(epoch: number): DrawGraph | undefined {
    return this.state.runId === null ? undefined : this.graphs.get(graphKey(this.state.runId, epoch));
  }

  private graphAt(epoch: number | null): DrawGraph | undefined {
    if (epoch === null || this.state.runId === null) return undefined;
    const k = graphKey(this.state.runId, epoch);
    const g = this.graphs.get(k);
    if (g) {
      // Recently used graphs stay in the cache longest.
      this.graphs.delete(k);
      this.graphs.set(k, g);
    }
    return g;
  }

  /** The run's largest centrality and weighted degree (from every analyzed epoch), for stable scales. */
  private runRanges(g: DrawGraph): { c: number; d: number } {
    let c = 0, d = 0;
    for (const cp of this.detail?.checkpoints ?? []) {
      for (const l of cp.analysis.layers) {
        if (Number.isFinite(l.eigenvectorCentrality.max)) c = Math.max(c, l.eigenvectorCentrality.max);
        if (Number.isFinite(l.weightedDegree.max)) d = Math.max(d, l.weightedDegree.max);
      }
    }
    return { c: c || maxOf(g.nodes.map((n) => n.centrality)) || 1, d: d || maxOf(g.nodes.map((n) => n.degree)) || 1 };
  }

  private status(text: string | null, kind: 'info' | 'error' = 'info'): void {
    const el = byId('graph-status');
    el.hidden = text === null;
    el.classList.toggle('error', kind === 'error');
    el.textContent = text ?? '';
  }

  private clearGraph(): void {
    this.view.clear();
    this.graphShown = null;
    byId('thinned-bar').hidden = true;
    byId('thinned-note').textContent = '';
    fill(byId('legend'));
    fill(byId('summary'));
  }

  private async renderGraph(): Promise<void> {
    const run = this.run();
    this.renderNetworkControls();
    if (!run) {
      this.clearGraph();
      this.status(this.runs.length ? 'Select a run.' : 'No runs yet.');
      this.renderSidebar();
      return;
    }
    const epoch = this.state.epoch;
    if (epoch === null) {
      this.clearGraph();
      this.status(`Waiting for the first checkpoint of ${run.name} to be analyzed…`);
      this.renderSidebar();
      return;
    }
    this.ensureGraphs();
    const g = this.graphAt(epoch);
    const k = graphKey(run.id, epoch);
    if (!g) {
      const err = this.graphErrors.get(k);
      this.status(err ? `Epoch ${epoch}: ${err}` : `Loading epoch ${epoch}…`, err ? 'error' : 'info');
      return;
    }
    const ce = this.compareEpoch();
    const cg = ce !== null ? this.graphAt(ce) : undefined;
    if (ce !== null && !cg) {
      const err = this.graphErrors.get(graphKey(run.id, ce));
      this.status(err ? `Epoch ${ce}: ${err}` : `Loading epoch ${ce} for the comparison…`, err ? 'error' : 'info');
      return;
    }
    const shown = `${k}|${ce}|${this.maxEdges}`;
    if (shown === this.graphShown) {
      this.status(null);
      this.renderSidebar();
      return;
    }
    this.graphShown = shown;
    this.status(null);
    const ranges = this.runRanges(g);
    const info = this.view.render({
      graph: g,
      epoch,
      palette: this.palette,
      centralityMax: ranges.c,
      degreeMax: ranges.d,
      compare: cg ? centralityById(cg) : null,
      selectedNode: this.state.node,
    });
    // The side panel changes in the same frame as the picture.
    // #thinned-note holds exactly the engine's sentence; its bar is hidden when nothing was thinned.
    byId('thinned-bar').hidden = g.thinned === null;
    byId('thinned-note').textContent = g.thinned ?? '';
    fill(byId('legend'), legend(this.palette, { compare: cg && ce !== null ? { epoch, against: ce, max: info.visuals.deltaMax } : null, centralityMax: ranges.c, degreeMax: ranges.d }));
    fill(byId('summary'), graphSummary(g, this.detail, epoch));
    this.renderSidebar();
    await info.painted;
    if (this.view.current !== g) return; // a newer render took over
    document.body.dataset.ready = '1';
  }

  // ------------------------------------------------------------------------------------------
  // Rendering

  private renderAll(): void {
    this.renderTitle();
    this.renderRuns();
    this.renderNetworkControls();
    this.featuresDirty = true;
    if (this.state.tab === 'features') this.renderFeaturesNow();
  }

  private renderTitle(): void {
    const el = byId('run-title');
    const r = this.run();
    if (!r) {
      el.replaceChildren(h('span', { class: 'muted' }, this.runs.length ? 'no run selected' : 'no runs yet'));
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

  private renderRuns(): void {
    const list = byId('run-list');
    byId<HTMLSelectElement>('sort').value = this.state.sort;
    const n = this.runs.length;
    byId('runs-count').textContent = n ? ` ${n} run${n === 1 ? '' : 's'}` : '';
    if (n === 0) {
      fill(byId('sweep-chart'));
      list.replaceChildren(h('div', { class: 'empty' }, 'No runs yet. Runs appear here as soon as a folder in the workspace holds checkpoints.'));
      return;
    }
    const width = byId('panel-runs').clientWidth || 800;
    fill(byId('sweep-chart'), n > 1 ? sweepChart(this.runs, this.state.runId, this.palette, width - 40) : null);
    renderRunList(list, this.runs, { selected: this.state.runId, sort: this.state.sort, stopRequested: this.stopRequested, palette: this.palette }, {
      select: (id) => this.selectRun(id),
      open: (id) => this.selectRun(id, true),
      stop: (id) => {
        this.stopRequested.add(id);
        api.postMessage({ type: 'stopRun', runId: id });
        this.renderRuns();
      },
    });
  }

  private renderPlayButton(): void {
    const b = byId('play');
    b.textContent = this.playing ? '❚❚ Pause' : '▶ Play';
    b.setAttribute('aria-pressed', this.playing ? 'true' : 'false');
  }

  private renderNetworkControls(): void {
    const eps = this.epochs();
    const slider = byId<HTMLInputElement>('epoch-slider');
    const i = this.state.epoch === null ? -1 : eps.indexOf(this.state.epoch);
    slider.max = String(Math.max(0, eps.length - 1));
    slider.value = String(Math.max(0, i));
    slider.disabled = eps.length < 2;
    slider.dataset.epoch = this.state.epoch === null ? '' : String(this.state.epoch);
    slider.setAttribute('aria-valuetext', this.state.epoch === null ? 'no epoch' : `epoch ${this.state.epoch}`);
    byId('epoch-label').textContent = this.state.epoch === null ? 'no epoch yet' : `epoch ${this.state.epoch}  (${i + 1}/${eps.length})`;
    (byId('play') as HTMLButtonElement).disabled = eps.length < 2;
    (byId('epoch-prev') as HTMLButtonElement).disabled = i <= 0;
    (byId('epoch-next') as HTMLButtonElement).disabled = i < 0 || i >= eps.length - 1;
    byId<HTMLInputElement>('loop').checked = this.state.loop;
    byId<HTMLInputElement>('follow').checked = this.state.follow;
    byId<HTMLInputElement>('compare').checked = this.state.compare;
    const sel = byId<HTMLSelectElement>('compare-epoch');
    const ce = this.state.compareEpoch ?? eps[0];
    const want = eps.map(String).join(',');
    if (sel.dataset.epochs !== want) {
      sel.replaceChildren(...eps.map((e) => h('option', { value: e }, `epoch ${e}`)));
      sel.dataset.epochs = want;
    }
    if (ce !== undefined) sel.value = String(ce);
    sel.disabled = !this.state.compare || eps.length === 0;
    this.renderPlayButton();
  }

  private renderSidebar(): void {
    this.view.markLayer(this.state.node === null ? this.state.layer : null);
    byId('graph-tooltip').hidden = true;
    const d = byId('details');
    const g = this.view.current;
    const epoch = this.state.epoch;
    if (this.state.node !== null && g && epoch !== null) {
      const pe = this.previousEpoch();
      const pg = this.graphAt(pe);
      const ce = this.compareEpoch();
      const cg = this.graphAt(ce);
      const prevPending = pe !== null && !pg && this.state.runId !== null && this.pending.has(graphKey(this.state.runId, pe));
      const history: NodeHistoryPoint[] = [];
      for (const e of this.epochs()) {
        const hg = e === epoch ? g : this.peekGraph(e);
        const hn = hg?.nodes.find((x) => x.id === this.state.node);
        if (hn) history.push({ epoch: e, degree: hn.degree, centrality: hn.centrality });
      }
      fill(
        d,
        nodeDetails(g, this.state.node, {
          epoch,
          prev: pe !== null && pg ? { epoch: pe, graph: pg } : null,
          compare: ce !== null && cg && ce !== epoch ? { epoch: ce, graph: cg } : null,
          prevPending: prevPending || (pe !== null && !pg),
          history,
          historyTotal: this.epochs().length,
          palette: this.palette,
        }),
      );
    } else if (this.state.layer !== null && epoch !== null) {
      fill(d, layerDetails(this.detail, this.state.layer, g, { epoch, palette: this.palette }));
    } else {
      fill(d, h('div', { class: 'hint muted' }, g ? 'Click a node for its numbers, a layer name above the graph for the layer’s statistics. Scroll to zoom, drag to pan, ←/→ to step epochs.' : ''));
    }
  }

  private renderFeaturesNow(): void {
    this.featuresDirty = false;
    const root = byId('features');
    renderFeatures(root, this.detail, { palette: this.palette, epoch: this.state.epoch, width: byId('panel-features').clientWidth || 900 });
  }

  private hover(n: DrawNode | null, x: number, y: number): void {
    const tip = byId('graph-tooltip');
    if (!n) {
      tip.hidden = true;
      return;
    }
    const g = this.view.current;
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

  private showError(message: string): void {
    byId('error-text').textContent = message;
    byId('error-banner').hidden = false;
  }

  /** For tests and restoring: the epoch nearest to the one asked for. */
  nearest(e: number): number | null {
    return nearestEpoch(this.epochs(), e);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => new Dashboard());
else new Dashboard();
