/**
 * The dashboard's coordinator: owns the view state (persisted with vscode.setState), the run list
 * and the shown run's detail; handles the host's messages (one handler per message type) and the
 * user's actions, and has the tabs re-rendered when what they show changes. The Network tab's
 * drawing, graphs and playback are in network-tab.ts.
 */
import { MAX_DRAWN_EDGES, type RunDetail } from '../src/shared/dashboard-protocol';
import { renderTabs, wireControls, type ControlActions } from './controls';
import { byId } from './dom';
import { HostChannel, type HostNotificationHandlers } from './messages';
import { mergeRuns, restoreState, type Tab } from './model';
import { NetworkTab, type DashboardData } from './network-tab';
import { buildPage } from './page';
import { renderFeaturesTab, renderTitle, showError } from './render';
import { naturalDir } from './sweep-model';
import { renderSweepView, type SweepCallbacks } from './sweep-view';
import { readPalette, watchTheme } from './theme';
import type { VsCodeApi } from './vscode-api';

export class Dashboard {
  private readonly d: DashboardData;
  private readonly channel: HostChannel;
  private readonly network: NetworkTab;
  private readonly stopRequested = new Set<string>();
  /** The run the host was last told about with selectRun. */
  private announced: string | null = null;
  private featuresDirty = true;

  constructor(private readonly api: VsCodeApi) {
    const state = restoreState(api.getState());
    this.channel = new HostChannel((m) => api.postMessage(m));
    buildPage();
    this.d = { state, runs: [], detail: null, palette: readPalette(), maxEdges: MAX_DRAWN_EDGES.default };
    this.network = new NetworkTab(this.d, this.channel, { setEpoch: (e) => this.setEpoch(e), step: (d) => this.step(d), persist: () => this.persist() });
    wireControls(this.actions);
    this.showTab(this.d.state.tab, false);
    this.renderAll();
    watchTheme(() => {
      this.d.palette = readPalette();
      this.renderAll();
      this.network.invalidate();
      void this.network.render();
    });
    const view = this.network.view;
    new ResizeObserver(() => {
      view.resize();
      view.fit();
    }).observe(byId('graph'));
    let resizeFrame = 0;
    window.addEventListener('resize', () => {
      cancelAnimationFrame(resizeFrame);
      resizeFrame = requestAnimationFrame(() => {
        this.renderRuns();
        this.featuresDirty = true;
        if (this.d.state.tab === 'features') this.renderFeaturesNow();
      });
    });
    window.addEventListener('message', (e: MessageEvent) => this.channel.receive(e.data, this.handlers));
    // Hooks for UI tests: where a node is on screen, which nodes are drawn. Read-only.
    (window as unknown as { __dashboard: unknown }).__dashboard = {
      nodePosition: (id: string) => view.clientPosition(id),
      nodeColor: (id: string) => view.nodeColor(id),
      nodeIds: () => view.nodeIds(),
      state: () => ({ ...this.d.state }),
    };
    this.channel.notify({ type: 'ready' });
  }

  // ------------------------------------------------------------------------------------------
  // Messages from the host (replies are taken where the requests are made)

  private readonly handlers: HostNotificationHandlers = {
    runs: (m) => {
      const prevRuns = this.d.runs;
      const before = this.d.state;
      this.d.runs = Array.isArray(m.runs) ? m.runs : [];
      this.d.state = mergeRuns(before, this.d.runs, m.selected ?? null, prevRuns);
      if (this.d.state.runId !== before.runId) this.runChanged();
      this.announce();
      this.persist();
      this.renderAll();
      void this.network.render();
    },
    runDetail: (m) => this.onDetail(m.detail),
    settings: (m) => {
      if (Number.isInteger(m.maxEdges) && m.maxEdges > 0 && m.maxEdges !== this.d.maxEdges) {
        this.d.maxEdges = m.maxEdges;
        this.network.budgetChanged();
      }
    },
    error: (m) => showError(String(m.message)),
  };

  private onDetail(detail: RunDetail | undefined): void {
    if (!detail || detail.run.id !== this.d.state.runId) return;
    this.d.detail = detail;
    const i = this.d.runs.findIndex((r) => r.id === detail.run.id);
    if (i >= 0) this.d.runs[i] = detail.run;
    this.featuresDirty = true;
    this.renderTitle();
    if (this.d.state.tab === 'features') this.renderFeaturesNow();
    this.network.invalidate(); // run-wide colour and size ranges may have changed
    void this.network.render();
  }

  /** Tells the host which run is shown; the reply is the run's detail. */
  private announce(): void {
    const runId = this.d.state.runId;
    if (runId !== null && runId !== this.announced) {
      this.announced = runId;
      const { reply } = this.channel.request('selectRun', { runId });
      void reply.then((m) => (m.type === 'runDetail' ? this.onDetail(m.detail) : showError(String(m.message))));
    }
  }

  private runChanged(): void {
    this.d.detail = null;
    this.featuresDirty = true;
    this.network.runChanged();
  }

  private persist(): void {
    this.api.setState(this.d.state);
  }

  // ------------------------------------------------------------------------------------------
  // The user's actions

  private readonly actions: ControlActions = {
    showTab: (t) => this.showTab(t, true),
    setFilter: (text) => {
      if (text === this.d.state.filter) return;
      this.d.state.filter = text;
      this.persist();
      this.renderRuns();
    },
    setMetric: (m) => {
      this.d.state.metric = m;
      this.persist();
      this.renderRuns();
    },
    epochAt: (i) => {
      const e = this.epochs()[i];
      if (e !== undefined) this.setEpoch(e);
    },
    step: (delta) => this.step(delta),
    togglePlay: () => this.network.playback.toggle(),
    setLoop: (on) => {
      this.d.state.loop = on;
      this.persist();
    },
    setFollow: (on) => {
      this.d.state.follow = on;
      this.persist();
    },
    setCompare: (on) => {
      this.d.state.compare = on;
      this.persist();
      this.network.renderControls();
      void this.network.render();
    },
    compareWith: (e) => {
      this.d.state.compareEpoch = e;
      this.persist();
      void this.network.render();
    },
    fit: () => this.network.view.fit(),
  };

  private showTab(t: Tab, user: boolean): void {
    this.d.state.tab = t;
    renderTabs(t);
    if (user) this.persist();
    if (t === 'network') this.network.view.resize();
    if (t === 'features' && this.featuresDirty) this.renderFeaturesNow();
  }

  private selectRun(runId: string, open = false): void {
    if (runId !== this.d.state.runId) {
      this.d.state = { ...this.d.state, runId, epoch: null, compareEpoch: null, node: null, layer: null };
      const eps = this.epochs();
      if (eps.length) this.d.state.epoch = eps[eps.length - 1];
      this.runChanged();
      this.announce();
      this.persist();
      this.renderAll();
      void this.network.render();
    }
    if (open) this.showTab('network', true);
  }

  private epochs(): number[] {
    return this.d.runs.find((r) => r.id === this.d.state.runId)?.epochs ?? [];
  }

  private setEpoch(e: number): void {
    if (e === this.d.state.epoch) return;
    this.d.state.epoch = e;
    this.persist();
    this.network.renderControls();
    this.featuresDirty = true;
    if (this.d.state.tab === 'features') this.renderFeaturesNow();
    void this.network.render();
  }

  private step(delta: number): void {
    const eps = this.epochs();
    if (eps.length === 0) return;
    const i = Math.max(0, eps.indexOf(this.d.state.epoch ?? eps[eps.length - 1]));
    const j = Math.min(eps.length - 1, Math.max(0, i + delta));
    this.setEpoch(eps[j]);
  }

  // ------------------------------------------------------------------------------------------
  // Rendering

  private renderAll(): void {
    this.renderTitle();
    this.renderRuns();
    this.network.renderControls();
    this.featuresDirty = true;
    if (this.d.state.tab === 'features') this.renderFeaturesNow();
  }

  private renderTitle(): void {
    renderTitle(this.d.runs.find((r) => r.id === this.d.state.runId), this.d.runs.length);
  }

  private renderRuns(): void {
    const { runs, state: s, palette } = this.d;
    renderSweepView(runs, { selected: s.runId, sort: s.sort, sortDir: s.sortDir, filter: s.filter, metric: s.metric, columns: s.columns, stopRequested: this.stopRequested, palette }, this.sweepCallbacks);
  }

  private readonly sweepCallbacks: SweepCallbacks = {
    select: (id) => this.selectRun(id),
    open: (id) => this.selectRun(id, true),
    stop: (id) => {
      this.stopRequested.add(id);
      this.channel.notify({ type: 'stopRun', runId: id });
      this.renderRuns();
    },
    sortBy: (c) => {
      const s = this.d.state;
      s.sortDir = s.sort === c ? (s.sortDir === 'asc' ? 'desc' : 'asc') : naturalDir(c);
      s.sort = c;
      this.persist();
      this.renderRuns();
      document.querySelector<HTMLElement>(`button.sort-header[data-sort="${CSS.escape(c)}"]`)?.focus();
    },
    setFilter: (text) => this.actions.setFilter(text),
    setColumns: (cols) => {
      this.d.state.columns = cols;
      this.persist();
      this.renderRuns();
    },
  };

  private renderFeaturesNow(): void {
    this.featuresDirty = false;
    renderFeaturesTab(this.d.detail, this.d.palette, this.d.state.epoch);
  }
}
