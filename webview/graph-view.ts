/**
 * The network drawing. Cytoscape (one instance for the panel's lifetime) holds the nodes at their
 * layout positions (`preset`, from layout.ts) and provides pan, zoom, fit, hit-testing and hover;
 * its nodes are transparent and never change with the epoch. What an epoch changes (node colours
 * and sizes, the edges with their widths and opacities, the selection) is painted by
 * NetworkPainter on a canvas under Cytoscape's, in Cytoscape's viewport. Switching epochs with the
 * same node set therefore touches no Cytoscape element; only a different node set (another run,
 * another thinning) rebuilds them.
 *
 * After every render the container (#graph) carries the attributes the UI tests read, set once the
 * frame with the new picture has been painted: data-nodes, data-edges, data-epoch, data-colors
 * (hash of the node colours), data-render-ms, data-update-ms, data-rebuilt.
 */
import cytoscape from 'cytoscape';
import type { DrawGraph, DrawNode } from '../src/shared/dashboard-protocol';
import { hashColors } from './colors';
import { h } from './dom';
import { layeredLayout, structureKey, type Layout } from './layout';
import { NetworkPainter, type Scene } from './network-painter';
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
  /** Time spent preparing the picture (ms): layout and elements when rebuilt, colours, sizes, edges. */
  updateMs: number;
  visuals: NodeVisuals;
  /** Resolves once the frame with the new picture has been painted (and #graph's data-* are set). */
  painted: Promise<void>;
}

const edgeId = (s: string, t: string): string => `${s}\u2192${t}`;

/** Resolves after the frame that runs the already scheduled animation-frame callbacks has been painted. */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      // A task queued from an animation-frame callback runs after that frame's paint and commit.
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve();
      ch.port2.postMessage(null);
    }),
  );
}

export class GraphView {
  private readonly cy: cytoscape.Core;
  private readonly painter = new NetworkPainter();
  private key = '';
  private ids: string[] = [];
  private index = new Map<string, number>();
  private layout: Layout | null = null;
  /** Layout positions as arrays, and which nodes are channel groups (per node set). */
  private xs = new Float64Array(0);
  private ys = new Float64Array(0);
  private group = new Uint8Array(0);
  private colors: string[] = [];
  private edgeTotal = 0;
  private byId = new Map<string, DrawNode>();
  private graph: DrawGraph | null = null;
  private selected: string | null = null;
  /** Node ids per layout column, top to bottom (for keyboard movement). */
  private cols: { layer: number; name: string; ids: string[] }[] = [];
  private headerFrame = 0;
  private paintFrame = 0;
  private renderSeq = 0;

  constructor(private readonly container: HTMLElement, private readonly headers: HTMLElement, cb: GraphCallbacks) {
    // Cytoscape injects a <style> (container position: relative) unless an element with this id
    // exists; the page's CSP refuses inline styles, and dashboard.css already positions #graph.
    if (!document.getElementById('__________cytoscape_stylesheet')) document.head.append(h('meta', { id: '__________cytoscape_stylesheet', name: 'cytoscape-style', content: 'in dashboard.css' }));
    // Before Cytoscape's canvases, which it appends after: they stay on top and take the pointer.
    container.append(this.painter.canvas);
    this.cy = cytoscape({
      container,
      elements: [],
      layout: { name: 'preset' },
      minZoom: 0.02,
      maxZoom: 40,
      boxSelectionEnabled: false,
      autoungrabify: true,
      autounselectify: true,
      motionBlur: false,
      // Cytoscape's own canvases stay empty (the nodes are transparent): no need for more pixels.
      pixelRatio: 1,
      // Transparent nodes as large as their column allows: Cytoscape hit-tests them, the painter
      // draws them. Nothing here depends on the epoch or the theme.
      style: [
        {
          selector: 'node',
          style: {
            width: 'data(hit)',
            height: 'data(hit)',
            shape: 'data(shape)' as cytoscape.Css.NodeShape,
            opacity: 0,
            'overlay-opacity': 0,
            label: '',
          },
        },
      ],
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
    this.cy.on('viewport resize', () => {
      this.scheduleHeaders();
      this.schedulePaint();
    });
    this.headers.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLElement>('.layer-header');
      if (b && b.dataset.layer !== undefined) cb.onLayer(Number(b.dataset.layer));
    });
    // ←/→ on a layer header: the neighbouring layer, selected.
    this.headers.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      const list = Array.from(this.headers.querySelectorAll<HTMLElement>('.layer-header'));
      const i = list.indexOf(e.target as HTMLElement);
      const next = list[i + (e.key === 'ArrowRight' ? 1 : -1)];
      e.preventDefault();
      if (i < 0 || !next) return;
      next.focus();
      cb.onLayer(Number(next.dataset.layer));
    });
  }

  get current(): DrawGraph | null {
    return this.graph;
  }

  /** Draws `input` in the next frame; `painted` tells when that frame is on screen. */
  render(input: GraphInput): RenderInfo {
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

    if (!sameNodes) {
      const n = g.nodes.length;
      this.ids = g.nodes.map((nd) => nd.id);
      this.index = new Map(this.ids.map((id, i) => [id, i]));
      this.xs = new Float64Array(n);
      this.ys = new Float64Array(n);
      this.group = new Uint8Array(n);
      const els: cytoscape.ElementDefinition[] = g.nodes.map((nd, i) => {
        const pos = layout.positions[i];
        this.xs[i] = pos.x;
        this.ys[i] = pos.y;
        this.group[i] = nd.members > 1 ? 1 : 0;
        return {
          group: 'nodes',
          data: { id: nd.id, hit: layout.columns[layout.column[i]].diameter, shape: nd.members > 1 ? 'round-rectangle' : 'ellipse' },
          position: { ...pos },
        };
      });
      const cy = this.cy;
      cy.batch(() => {
        cy.elements().remove();
        cy.add(els);
      });
      this.key = key;
      const members: number[][] = layout.columns.map(() => []);
      g.nodes.forEach((_, i) => members[layout.column[i]].push(i));
      this.cols = layout.columns.map((c, k) => ({ layer: c.layer, name: c.name, ids: members[k].sort((a, b) => this.ys[a] - this.ys[b]).map((i) => this.ids[i]) }));
    }

    // Parallel edges (should the engine ever send them) are drawn once, their weights summed.
    const edgeMap = new Map<string, { source: number; target: number; weight: number }>();
    for (const e of g.edges) {
      const s = this.index.get(e.source);
      const t = this.index.get(e.target);
      if (s === undefined || t === undefined) continue;
      const id = edgeId(e.source, e.target);
      const prev = edgeMap.get(id);
      if (prev) prev.weight += e.weight;
      else edgeMap.set(id, { source: s, target: t, weight: e.weight });
    }
    // Lightest first: the heaviest edges are drawn last, on top.
    const edges = [...edgeMap.values()].sort((a, b) => Math.abs(a.weight) - Math.abs(b.weight));
    const ev = edgeVisuals(edges, layout);
    const m = edges.length;
    const scene: Scene = {
      x: this.xs,
      y: this.ys,
      size: Float64Array.from(vis.sizes),
      color: vis.colors,
      group: this.group,
      source: new Int32Array(m),
      target: new Int32Array(m),
      width: Float64Array.from(ev.widths),
      opacity: Float64Array.from(ev.opacities),
    };
    for (let i = 0; i < m; i++) {
      scene.source[i] = edges[i].source;
      scene.target[i] = edges[i].target;
    }
    const p = input.palette;
    this.painter.setStyle({ edge: p.edge, fg: p.fg, focus: p.focus, unit: layout.edgeUnit });
    this.painter.setScene(scene);
    this.colors = vis.colors;
    this.edgeTotal = m;
    this.byId = new Map(g.nodes.map((n) => [n.id, n]));
    this.graph = g;
    if (!sameNodes) {
      this.fit();
      this.buildHeaders(g);
    }
    this.select(input.selectedNode);
    const updateMs = performance.now() - t0;
    const seq = ++this.renderSeq;
    this.schedulePaint();
    const painted = afterNextPaint().then(() => {
      if (seq === this.renderSeq) {
        const ds = this.container.dataset;
        ds.nodes = String(this.ids.length);
        ds.edges = String(this.edgeTotal);
        ds.epoch = String(input.epoch);
        ds.colors = hashColors(vis.colors);
        ds.renderMs = (performance.now() - t0).toFixed(1);
        ds.updateMs = updateMs.toFixed(1);
        ds.rebuilt = sameNodes ? '0' : '1';
      }
    });
    return { rebuilt: !sameNodes, updateMs, visuals: vis, painted };
  }

  /** The drawing's columns (layers in network order) with their node ids, top to bottom. */
  columns(): readonly { layer: number; name: string; ids: readonly string[] }[] {
    return this.cols;
  }

  /** The node the keyboard is on: a dashed ring, brought into view (null clears). */
  setFocus(id: string | null): void {
    const i = id === null ? undefined : this.index.get(id);
    this.painter.setFocused(i ?? -1);
    if (id !== null && i !== undefined) {
      const p = this.clientPosition(id);
      const r = this.container.getBoundingClientRect();
      if (p && (p.x < r.left || p.x > r.right || p.y < r.top || p.y > r.bottom)) this.cy.center(this.cy.getElementById(id));
    }
    this.schedulePaint();
  }

  /** Per-layer notes under the layer headers (e.g. the change since the previous epoch); `hot` marks the layers that changed most. */
  annotateLayers(notes: ReadonlyMap<number, { text: string; title: string; hot: boolean }>): void {
    for (const b of Array.from(this.headers.children) as HTMLElement[]) {
      const n = notes.get(Number(b.dataset.layer));
      const el = b.querySelector<HTMLElement>('.lh-change');
      if (el) el.textContent = n ? n.text : '';
      b.classList.toggle('hot', n?.hot ?? false);
      if (n) b.dataset.change = n.title;
      else delete b.dataset.change;
    }
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
    const i = id === null ? undefined : this.index.get(id);
    this.selected = i === undefined ? null : id;
    this.painter.setSelected(i ?? -1);
    this.schedulePaint();
  }

  get selectedId(): string | null {
    return this.selected;
  }

  fit(): void {
    if (this.cy.elements().empty()) return;
    this.cy.resize();
    this.cy.fit(undefined, 18);
    this.scheduleHeaders();
    this.schedulePaint();
  }

  resize(): void {
    this.cy.resize();
    this.scheduleHeaders();
    this.schedulePaint();
  }

  /** Client coordinates of a node's centre (for tests and keyboard focus), or null. */
  clientPosition(id: string): { x: number; y: number } | null {
    const n = this.cy.getElementById(id);
    if (n.empty()) return null;
    const p = (n as cytoscape.NodeSingular).renderedPosition();
    const r = this.container.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }

  /** The fill colour a node is drawn with (tests compare it with the painted pixels), or null. */
  nodeColor(id: string): string | null {
    const i = this.index.get(id);
    return i === undefined ? null : (this.colors[i] ?? null);
  }

  nodeIds(): string[] {
    return [...this.ids];
  }

  clear(): void {
    this.cy.elements().remove();
    this.key = '';
    this.ids = [];
    this.index = new Map();
    this.colors = [];
    this.edgeTotal = 0;
    this.painter.setScene(null);
    this.cols = [];
    this.schedulePaint();
    this.graph = null;
    this.byId.clear();
    this.headers.replaceChildren();
    const ds = this.container.dataset;
    ds.nodes = '0';
    ds.edges = '0';
    delete ds.epoch;
    ds.colors = '';
  }

  /** One paint per frame, however many changes (epoch, selection, pan, zoom) came in. */
  private schedulePaint(): void {
    if (this.paintFrame) return;
    this.paintFrame = requestAnimationFrame(() => {
      this.paintFrame = 0;
      this.painter.paint({ zoom: this.cy.zoom(), pan: this.cy.pan() }, this.cy.width(), this.cy.height());
    });
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
          h('span', { class: 'lh-sub' }, sub, h('span', { class: 'lh-change' })),
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
