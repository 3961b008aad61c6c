/**
 * The network drawing: one Cytoscape instance for the panel's lifetime. Switching epochs with the
 * same node set updates colours, sizes and edges inside one cy.batch(); only a different node set
 * (another run, another thinning) rebuilds the elements. Positions come from layout.ts (`preset`).
 *
 * After every render the container (#graph) carries the attributes the UI tests read:
 * data-nodes, data-edges, data-epoch, data-colors (hash of the node colours), data-render-ms.
 */
import cytoscape from 'cytoscape';
import type { DrawGraph, DrawNode } from '../src/shared/protocol';
import { hashColors } from './colors';
import { h } from './dom';
import { layeredLayout, structureKey, type Layout } from './layout';
import type { Palette } from './theme';
import { edgeVisuals, nodeVisuals, type NodeVisuals } from './visuals';

export interface GraphInput {
  graph: DrawGraph;
  epoch: number;
  palette: Palette;
  centralityMax: number;
  degreeMax: number;
  /** Compare mode: centrality by node id at the other epoch. */
  compare: ReadonlyMap<string, number> | null;
  selectedNode: string | null;
}

export interface GraphCallbacks {
  onNode(id: string): void;
  onLayer(layer: number): void;
  onBackground(): void;
  onHover(node: DrawNode | null, x: number, y: number): void;
}

export interface RenderInfo {
  rebuilt: boolean;
  /** Time spent building/updating the elements (ms), before the canvas is painted. */
  updateMs: number;
  visuals: NodeVisuals;
}

const edgeId = (s: string, t: string): string => `${s}\u2192${t}`;

export class GraphView {
  private readonly cy: cytoscape.Core;
  private key = '';
  private ids: string[] = [];
  private layout: Layout | null = null;
  private nodeEles: cytoscape.NodeSingular[] = [];
  private edgeEles = new Map<string, cytoscape.EdgeSingular>();
  private byId = new Map<string, DrawNode>();
  private graph: DrawGraph | null = null;
  private styledFor = '';
  private selected: string | null = null;
  private headerFrame = 0;
  private renderSeq = 0;

  constructor(private readonly container: HTMLElement, private readonly headers: HTMLElement, private readonly cb: GraphCallbacks) {
    // Cytoscape injects a <style> (container position: relative) unless an element with this id
    // exists; the page's CSP refuses inline styles, and dashboard.css already positions #graph.
    if (!document.getElementById('__________cytoscape_stylesheet')) document.head.append(h('meta', { id: '__________cytoscape_stylesheet', name: 'cytoscape-style', content: 'in dashboard.css' }));
    this.cy = cytoscape({
      container,
      elements: [],
      layout: { name: 'preset' },
      minZoom: 0.02,
      maxZoom: 40,
      boxSelectionEnabled: false,
      autoungrabify: true,
      autounselectify: true,
      hideEdgesOnViewport: false,
      textureOnViewport: false,
      motionBlur: false,
      pixelRatio: 'auto',
    });
    this.cy.on('tap', 'node', (e) => cb.onNode(e.target.id()));
    this.cy.on('tap', (e) => {
      if (e.target === this.cy) cb.onBackground();
    });
    this.cy.on('mouseover', 'node', (e) => {
      const n = this.byId.get(e.target.id());
      const p = e.renderedPosition ?? e.target.renderedPosition();
      cb.onHover(n ?? null, p.x, p.y);
    });
    this.cy.on('mouseout', 'node', () => cb.onHover(null, 0, 0));
    this.cy.on('viewport resize', () => this.scheduleHeaders());
    this.headers.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLElement>('.layer-header');
      if (b && b.dataset.layer !== undefined) cb.onLayer(Number(b.dataset.layer));
    });
  }

  get current(): DrawGraph | null {
    return this.graph;
  }

  /** Draws `input`; resolves once the frame with it has been painted. */
  render(input: GraphInput): Promise<RenderInfo> {
    const t0 = performance.now();
    const g = input.graph;
    const key = structureKey(g.layers, g.nodes);
    const sameNodes = key === this.key && this.layout !== null && g.nodes.length === this.ids.length && g.nodes.every((n, i) => n.id === this.ids[i]);
    if (!sameNodes) {
      const r = this.container.getBoundingClientRect();
      this.layout = layeredLayout(g.layers, g.nodes, { aspect: r.width > 0 && r.height > 0 ? r.width / r.height : undefined });
    }
    const layout = this.layout!;
    const vis = nodeVisuals(g.nodes, layout, {
      sequential: input.palette.sequential,
      diverging: input.palette.diverging,
      centralityMax: input.centralityMax,
      degreeMax: input.degreeMax,
      compare: input.compare,
    });
    // Parallel edges (should the engine ever send them) are merged: Cytoscape ids must be unique.
    const edgeMap = new Map<string, { source: string; target: string; weight: number }>();
    const known = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) {
      if (!known.has(e.source) || !known.has(e.target)) continue;
      const id = edgeId(e.source, e.target);
      const prev = edgeMap.get(id);
      if (prev) prev.weight += e.weight;
      else edgeMap.set(id, { source: e.source, target: e.target, weight: e.weight });
    }
    // Lightest first: the heaviest edges are drawn last, on top.
    const edges = [...edgeMap].sort((a, b) => Math.abs(a[1].weight) - Math.abs(b[1].weight));
    const ev = edgeVisuals(edges.map((e) => e[1]), layout);
    this.applyStyle(input.palette);

    const cy = this.cy;
    cy.batch(() => {
      if (!sameNodes) {
        cy.elements().remove();
        const els: cytoscape.ElementDefinition[] = g.nodes.map((n, i) => ({
          group: 'nodes',
          data: { id: n.id, color: vis.colors[i], size: vis.sizes[i], shape: n.members > 1 ? 'round-rectangle' : 'ellipse' },
          position: { ...layout.positions[i] },
        }));
        edges.forEach(([id, e], i) => els.push({ group: 'edges', data: { id, source: e.source, target: e.target, w: ev.widths[i], o: ev.opacities[i] } }));
        const added = cy.add(els);
        this.ids = g.nodes.map((n) => n.id);
        this.nodeEles = added.nodes().toArray() as cytoscape.NodeSingular[];
        this.edgeEles = new Map(added.edges().map((el) => [el.id(), el as cytoscape.EdgeSingular]));
        this.key = key;
      } else {
        for (let i = 0; i < this.nodeEles.length; i++) {
          const el = this.nodeEles[i];
          const d = el.data();
          if (d.color !== vis.colors[i] || d.size !== vis.sizes[i]) el.data({ color: vis.colors[i], size: vis.sizes[i] });
        }
        const stale: cytoscape.EdgeSingular[] = [];
        for (const [id, el] of this.edgeEles) {
          if (!edgeMap.has(id)) {
            stale.push(el);
            this.edgeEles.delete(id);
          }
        }
        if (stale.length) cy.collection(stale as unknown as cytoscape.CollectionArgument).remove();
        const fresh: cytoscape.ElementDefinition[] = [];
        edges.forEach(([id, e], i) => {
          const el = this.edgeEles.get(id);
          if (el) {
            const d = el.data();
            if (d.w !== ev.widths[i] || d.o !== ev.opacities[i]) el.data({ w: ev.widths[i], o: ev.opacities[i] });
          } else fresh.push({ group: 'edges', data: { id, source: e.source, target: e.target, w: ev.widths[i], o: ev.opacities[i] } });
        });
        if (fresh.length) cy.add(fresh).forEach((el) => void this.edgeEles.set(el.id(), el as cytoscape.EdgeSingular));
      }
    });
    this.byId = new Map(g.nodes.map((n) => [n.id, n]));
    this.graph = g;
    if (!sameNodes) {
      this.fit();
      this.buildHeaders(g);
    }
    this.select(input.selectedNode);
    const updateMs = performance.now() - t0;
    const seq = ++this.renderSeq;
    return new Promise((resolve) => {
      // Two frames: Cytoscape paints in its own animation frame after the batch.
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          if (seq === this.renderSeq) {
            const ds = this.container.dataset;
            ds.nodes = String(cy.nodes().length);
            ds.edges = String(cy.edges().length);
            ds.epoch = String(input.epoch);
            ds.colors = hashColors(vis.colors);
            ds.renderMs = (performance.now() - t0).toFixed(1);
            ds.updateMs = updateMs.toFixed(1);
            ds.rebuilt = sameNodes ? '0' : '1';
          }
          resolve({ rebuilt: !sameNodes, updateMs, visuals: vis });
        }),
      );
    });
  }

  /** Marks the layer header whose statistics are shown (null clears). */
  markLayer(layer: number | null): void {
    for (const b of Array.from(this.headers.children) as HTMLElement[]) {
      const on = layer !== null && b.dataset.layer === String(layer);
      b.classList.toggle('active', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
  }

  /** Highlights a node and its edges (null clears). */
  select(id: string | null): void {
    const cy = this.cy;
    cy.batch(() => {
      cy.elements('.sel, .hl').removeClass('sel hl');
      this.selected = null;
      if (id === null) return;
      const n = cy.getElementById(id);
      if (n.empty()) return;
      n.addClass('sel');
      n.connectedEdges().addClass('hl');
      this.selected = id;
    });
  }

  get selectedId(): string | null {
    return this.selected;
  }

  fit(): void {
    if (this.cy.elements().empty()) return;
    this.cy.resize();
    this.cy.fit(undefined, 18);
    this.scheduleHeaders();
  }

  resize(): void {
    this.cy.resize();
    this.scheduleHeaders();
  }

  /** Theme change: styles are re-read on the next render; force it for the current one. */
  invalidateStyle(): void {
    this.styledFor = '';
  }

  /** Client coordinates of a node's centre (for tests and keyboard focus), or null. */
  clientPosition(id: string): { x: number; y: number } | null {
    const n = this.cy.getElementById(id);
    if (n.empty()) return null;
    const p = (n as cytoscape.NodeSingular).renderedPosition();
    const r = this.container.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }

  nodeIds(): string[] {
    return [...this.ids];
  }

  clear(): void {
    this.cy.elements().remove();
    this.key = '';
    this.ids = [];
    this.nodeEles = [];
    this.edgeEles.clear();
    this.graph = null;
    this.byId.clear();
    this.headers.replaceChildren();
    const ds = this.container.dataset;
    ds.nodes = '0';
    ds.edges = '0';
    delete ds.epoch;
    ds.colors = '';
  }

  private applyStyle(p: Palette): void {
    const sig = `${p.kind}|${p.edge}|${p.focus}|${p.fg}|${p.bg}`;
    if (sig === this.styledFor) return;
    this.styledFor = sig;
    const unit = this.layout?.edgeUnit ?? 1;
    this.cy
      .style()
      .resetToDefault()
      .selector('node')
      .style({
        'background-color': 'data(color)',
        width: 'data(size)',
        height: 'data(size)',
        shape: 'data(shape)' as cytoscape.Css.NodeShape,
        'border-width': 0,
        label: '',
        'overlay-opacity': 0,
      })
      .selector('node[shape = "round-rectangle"]')
      .style({ 'border-width': unit * 0.6, 'border-color': p.fg, 'border-opacity': 0.35 })
      .selector('edge')
      .style({
        'curve-style': 'haystack',
        'haystack-radius': 0,
        width: 'data(w)',
        'line-color': p.edge,
        opacity: 'data(o)' as unknown as number,
        'overlay-opacity': 0,
      })
      .selector('node.sel')
      .style({ 'border-width': unit * 3, 'border-color': p.focus, 'border-opacity': 1, 'z-index': 10 })
      .selector('edge.hl')
      .style({ 'line-color': p.focus, opacity: 0.9, 'z-index': 9 })
      .update();
  }

  private buildHeaders(g: DrawGraph): void {
    const layout = this.layout!;
    const byIndex = new Map(g.layers.map((l) => [l.index, l]));
    this.headers.replaceChildren(
      ...layout.columns.map((c) => {
        const l = byIndex.get(c.layer);
        const sub = l ? (l.drawn < l.nodes ? `${l.drawn} of ${l.nodes}` : `${l.nodes}`) : `${c.count}`;
        const title = l ? `${l.name} (${l.kind}): ${l.nodes} nodes${l.drawn < l.nodes ? `, drawn as ${l.drawn} groups` : ''}. Click for the layer's statistics.` : c.name;
        return h(
          'button',
          { class: 'layer-header', type: 'button', 'data-layer': c.layer, title, 'aria-label': `layer ${c.name}` },
          h('span', { class: 'lh-name' }, c.name),
          h('span', { class: 'lh-index' }, String(c.layer)),
          h('span', { class: 'lh-sub' }, sub),
        );
      }),
    );
    this.scheduleHeaders();
  }

  private scheduleHeaders(): void {
    if (this.headerFrame) return;
    this.headerFrame = requestAnimationFrame(() => {
      this.headerFrame = 0;
      this.placeHeaders();
    });
  }

  /** Keeps the HTML layer headers above their columns as the user pans and zooms. */
  private placeHeaders(): void {
    const layout = this.layout;
    if (!layout) return;
    const zoom = this.cy.zoom();
    const pan = this.cy.pan();
    const offset = this.container.offsetLeft - this.headers.offsetLeft;
    const width = Math.max(18, Math.min(180, layout.gap * zoom - 4));
    const buttons = this.headers.children;
    layout.columns.forEach((c, i) => {
      const b = buttons[i] as HTMLElement | undefined;
      if (!b) return;
      const x = offset + pan.x + c.x * zoom;
      b.style.left = `${Math.round(x - width / 2)}px`;
      b.style.width = `${Math.round(width)}px`;
      b.classList.toggle('narrow', width < 56);
    });
  }
}
