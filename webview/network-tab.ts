/**
 * The Network tab: decides what the drawing shows for the view state (which epoch, which
 * comparison, which node or layer is selected), gets the graphs through the graph cache, drives
 * playback, and renders the drawing (graph-view.ts) with its status line, side panel and toolbar,
 * the layers' report (what changed, dead and outsized units, what drives the forecast: a card,
 * notes under the headers and the layer table) and the keyboard access (network-keys.ts).
 */
import type { DrawGraph, RunDetail, RunSummary } from '../src/shared/dashboard-protocol';
import { renderNetworkControls, renderPlayButton } from './controls';
import type { NodeHistoryPoint } from './details';
import { byId, fill } from './dom';
import { count, num } from './format';
import { GraphCache, graphKey, neededEpochs } from './graph-cache';
import { GraphView } from './graph-view';
import { layerReport, type LayerReport } from './layer-change';
import { layerInsights, layerNotes, layerTable, signedPct } from './layer-table';
import type { HostChannel } from './messages';
import { wireGraphKeys } from './network-keys';
import type { ViewState } from './model';
import { Playback } from './playback';
import { clearGraphSide, graphStatus, renderGraphSide, renderSidebar, renderTooltip, runRanges } from './render';
import type { Palette } from './theme';
import { centralityById } from './visuals';

/** The dashboard's data as the tab reads it; the dashboard replaces fields, so read them on each use. */
export interface DashboardData {
  state: ViewState;
  runs: RunSummary[];
  detail: RunDetail | null;
  palette: Palette;
  /** The edge budget the host draws graphs with. */
  maxEdges: number;
}

export interface NetworkHost {
  setEpoch(epoch: number): void;
  step(delta: number): void;
  persist(): void;
}

export class NetworkTab {
  readonly view: GraphView;
  readonly playback: Playback;
  private readonly graphs: GraphCache;
  /** What the drawing shows (run, epoch, compare epoch, edge budget): nothing to redo when unchanged. */
  private shown: string | null = null;

  constructor(private readonly d: DashboardData, channel: Pick<HostChannel, 'request'>, private readonly host: NetworkHost) {
    this.graphs = new GraphCache(channel, {
      onSettled: (runId, epoch) => {
        if (runId === this.d.state.runId && this.needed().includes(epoch)) void this.render();
      },
      keep: () => (this.d.state.runId === null ? null : { runId: this.d.state.runId, epochs: this.needed() }),
    });
    this.playback = new Playback(
      {
        run: () => this.run(),
        epoch: () => this.d.state.epoch,
        loop: () => this.d.state.loop,
        setEpoch: (e) => host.setEpoch(e),
        ensureGraphs: () => this.ensureGraphs(),
        changed: () => renderPlayButton(this.playback.playing),
      },
      this.graphs,
    );
    this.view = new GraphView(byId('graph'), byId('layer-headers'), {
      onNode: (id) => this.selectNode(id),
      onLayer: (layer) => this.selectLayer(layer),
      onBackground: () => this.selectNothing(),
      onHover: (n, x, y) => renderTooltip(this.view.current, n, x, y),
    });
    wireGraphKeys(byId('graph'), byId('graph-live'), {
      view: this.view,
      selectedLayer: () => this.d.state.layer,
      selectLayer: (l) => this.selectLayer(l),
      selectNode: (id) => this.selectNode(id),
      hover: (id) => {
        const g = this.view.current;
        const n = id === null ? null : (g?.nodes.find((x) => x.id === id) ?? null);
        const at = id === null ? null : this.view.clientPosition(id);
        const r = byId('graph').getBoundingClientRect();
        renderTooltip(g, n, at ? at.x - r.left : 0, at ? at.y - r.top : 0);
      },
      step: (delta) => host.step(delta),
      describeLayer: (l) => this.describeLayer(l),
      describeNode: (id) => this.describeNode(id),
    });
  }

  /** The report on the shown epoch's layers (against the compared or the previous epoch). */
  private report(): LayerReport | null {
    const { detail, state } = this.d;
    if (!detail || state.epoch === null) return null;
    return layerReport(detail, state.epoch, this.compareEpoch() ?? this.previousEpoch(), this.view.current);
  }

  private describeLayer(layer: number): string {
    const r = this.report()?.rows.find((x) => x.index === layer);
    const name = r?.name ?? this.view.columns().find((c) => c.layer === layer)?.name ?? `layer ${layer}`;
    if (!r) return `Layer ${name}.`;
    const parts = [`Layer ${name}, ${r.kind}, ${count(r.nodes)} nodes`, `mean weighted degree ${num(r.degMean, 3)}${r.degChange !== null ? `, ${signedPct(r.degChange)}` : ''}`];
    if (r.health && (r.health.dead || r.health.outsized)) parts.push(`${r.health.dead} dead, ${r.health.outsized} outsized units`);
    if (r.drive !== null) parts.push(`${Math.round(r.drive * 100)}% of the forecast`);
    return `${parts.join('; ')}. Down arrow for its nodes.`;
  }

  private describeNode(id: string): string {
    const g = this.view.current;
    const n = g?.nodes.find((x) => x.id === id);
    if (!g || !n) return '';
    const col = this.view.columns().find((c) => c.layer === n.layer);
    const pos = col ? col.ids.indexOf(id) + 1 : 0;
    return `${col?.name ?? n.layer} node ${pos} of ${col?.ids.length ?? 0}${n.members > 1 ? `, a group of ${n.members}` : ''}: centrality ${num(n.centrality, 3)}, weighted degree ${num(n.degree, 3)}. Enter shows its details.`;
  }

  /** The layers' report: the sidebar card, the header notes and the table (keeping the keyboard's place in them). */
  private renderLayers(): void {
    const rep = this.report();
    const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('.layer-link');
    const where = focused ? { box: focused.closest('#insights') ? 'insights-box' : 'layer-table-wrap', layer: focused.dataset.layer } : null;
    const cb = { selectLayer: (l: number) => this.selectLayer(l) };
    fill(byId('insights-box'), this.view.current ? layerInsights(rep, cb) : null);
    fill(byId('layer-table-wrap'), this.view.current ? layerTable(rep, this.d.state.layer, cb) : null);
    this.view.annotateLayers(layerNotes(rep));
    if (where) byId(where.box).querySelector<HTMLElement>(`.layer-link[data-layer="${where.layer}"]`)?.focus();
  }

  /** The drawing must be redone (another run, new run-wide ranges, another palette). */
  invalidate(): void {
    this.shown = null;
  }

  /** The host draws with another edge budget: every graph is requested again. */
  budgetChanged(): void {
    this.graphs.clear();
    this.shown = null;
    void this.render();
  }

  runChanged(): void {
    this.playback.stop();
    this.shown = null;
  }

  private selectNode(id: string): void {
    this.d.state.node = id;
    this.d.state.layer = null;
    this.view.select(id);
    this.host.persist();
    this.ensureGraphs();
    this.renderSidebar();
  }

  private selectLayer(layer: number): void {
    this.d.state.layer = layer;
    this.d.state.node = null;
    this.view.select(null);
    this.host.persist();
    this.renderSidebar();
  }

  private selectNothing(): void {
    if (this.d.state.node === null && this.d.state.layer === null) return;
    this.d.state.node = null;
    this.d.state.layer = null;
    this.view.select(null);
    this.host.persist();
    this.renderSidebar();
  }

  // ------------------------------------------------------------------------------------------
  // Which graphs

  private run(): RunSummary | undefined {
    return this.d.runs.find((r) => r.id === this.d.state.runId);
  }

  private epochs(): number[] {
    return this.run()?.epochs ?? [];
  }

  private compareEpoch(): number | null {
    const eps = this.epochs();
    if (!this.d.state.compare || eps.length === 0) return null;
    return this.d.state.compareEpoch ?? eps[0];
  }

  private previousEpoch(): number | null {
    const eps = this.epochs();
    const i = this.d.state.epoch === null ? -1 : eps.indexOf(this.d.state.epoch);
    return i > 0 ? eps[i - 1] : null;
  }

  private needed(): number[] {
    const s = this.d.state;
    return neededEpochs({ epochs: this.epochs(), epoch: s.epoch, compare: this.compareEpoch(), previous: this.previousEpoch(), nodeSelected: s.node !== null, playing: this.playback.playing });
  }

  private ensureGraphs(): void {
    if (this.d.state.runId !== null) this.graphs.ensure(this.d.state.runId, this.needed());
  }

  /** A cached graph of the shown run (counts as a use of it). */
  private graphAt(epoch: number | null): DrawGraph | undefined {
    return epoch === null || this.d.state.runId === null ? undefined : this.graphs.get(this.d.state.runId, epoch);
  }

  // ------------------------------------------------------------------------------------------
  // Rendering

  renderControls(): void {
    renderNetworkControls(this.epochs(), this.d.state, this.playback.playing);
  }

  async render(): Promise<void> {
    const run = this.run();
    this.renderControls();
    if (!run) {
      this.clear();
      graphStatus(this.d.runs.length ? 'Select a run.' : 'No runs yet.');
      this.renderSidebar();
      return;
    }
    const epoch = this.d.state.epoch;
    if (epoch === null) {
      this.clear();
      graphStatus(`Waiting for the first checkpoint of ${run.name} to be analyzed…`);
      this.renderSidebar();
      return;
    }
    this.ensureGraphs();
    const g = this.graphAt(epoch);
    if (!g) {
      const err = this.graphs.error(run.id, epoch);
      graphStatus(err ? `Epoch ${epoch}: ${err}` : `Loading epoch ${epoch}…`, err ? 'error' : 'info');
      return;
    }
    const ce = this.compareEpoch();
    const cg = ce !== null ? this.graphAt(ce) : undefined;
    if (ce !== null && !cg) {
      const err = this.graphs.error(run.id, ce);
      graphStatus(err ? `Epoch ${ce}: ${err}` : `Loading epoch ${ce} for the comparison…`, err ? 'error' : 'info');
      return;
    }
    const shown = `${graphKey(run.id, epoch)}|${ce}|${this.d.maxEdges}`;
    if (shown === this.shown) {
      graphStatus(null);
      this.renderSidebar();
      return;
    }
    this.shown = shown;
    graphStatus(null);
    const { detail, palette } = this.d;
    const ranges = runRanges(detail, g);
    const info = this.view.render({ graph: g, epoch, palette, centralityMax: ranges.c, degreeMax: ranges.d, compare: cg ? centralityById(cg) : null, selectedNode: this.d.state.node });
    // The side panel changes in the same frame as the picture.
    renderGraphSide(g, { detail, epoch, palette, ranges, compare: cg && ce !== null ? { epoch, against: ce, max: info.visuals.deltaMax } : null });
    this.renderSidebar(false);
    await info.painted;
    if (this.view.current !== g) return; // a newer render took over
    // The layers' report right after the picture, so that it never holds the picture back.
    this.renderLayers();
    document.body.dataset.ready = '1';
  }

  private clear(): void {
    this.view.clear();
    this.shown = null;
    clearGraphSide();
    fill(byId('insights-box'));
    fill(byId('layer-table-wrap'));
  }

  /** The sidebar for the selection; with `layers`, the layers' report too (else the caller renders it). */
  private renderSidebar(layers = true): void {
    const { node, layer, epoch } = this.d.state;
    this.view.markLayer(node === null ? layer : null);
    if (layers) this.renderLayers();
    const g = this.view.current;
    const palette = this.d.palette;
    if (node !== null && g && epoch !== null) {
      const pe = this.previousEpoch();
      const pg = this.graphAt(pe);
      const ce = this.compareEpoch();
      const cg = this.graphAt(ce);
      const runId = this.d.state.runId;
      const history: NodeHistoryPoint[] = [];
      for (const e of this.epochs()) {
        const hg = e === epoch ? g : runId === null ? undefined : this.graphs.peek(runId, e);
        const hn = hg?.nodes.find((x) => x.id === node);
        if (hn) history.push({ epoch: e, degree: hn.degree, centrality: hn.centrality });
      }
      const prev = pe !== null && pg ? { epoch: pe, graph: pg } : null;
      const compare = ce !== null && cg && ce !== epoch ? { epoch: ce, graph: cg } : null;
      // The previous epoch's graph not cached yet: on its way, the change shows as loading.
      const prevPending = pe !== null && !pg;
      renderSidebar({ kind: 'node', node: { graph: g, node, epoch, prev, compare, prevPending, history, historyTotal: this.epochs().length } }, palette);
    } else if (layer !== null && epoch !== null) {
      renderSidebar({ kind: 'layer', detail: this.d.detail, layer, graph: g, epoch }, palette);
    } else {
      renderSidebar({ kind: 'hint', drawn: g !== null }, palette);
    }
  }
}
