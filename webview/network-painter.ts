/**
 * Paints the network's epoch-dependent picture (node fills and sizes, edges with width and
 * opacity, the selection) on one canvas under Cytoscape's, in Cytoscape's model coordinates and
 * viewport. Cytoscape keeps the nodes for hit-testing, hover, pan and zoom; it never draws them.
 *
 * Why not let Cytoscape draw: its canvas renderer spends 10-20 µs per element per frame (style,
 * bounding boxes, texture caches) whenever elements change, about half a second for 5,000 nodes
 * and 6,000 edges in software rendering, and an epoch switch changes most of them. Here a frame
 * is one pass over typed arrays: a few milliseconds of script, one stroke per edge (overlapping
 * light edges add up, which one path per width would lose) and one fill per node colour.
 */

export interface Scene {
  /** Model coordinates of the node centres. */
  x: Float64Array;
  y: Float64Array;
  /** Node diameters (model units). */
  size: Float64Array;
  /** Node fill colours (`#rrggbb`). */
  color: readonly string[];
  /** 1 where the node stands for a group of channels (drawn as a rounded square with a border). */
  group: Uint8Array;
  /** Edges by node index, drawn in this order (lightest first, so the heaviest end on top). */
  source: Int32Array;
  target: Int32Array;
  width: Float64Array;
  opacity: Float64Array;
}

export interface PaintStyle {
  edge: string;
  /** Border of group nodes (at 35 % opacity). */
  fg: string;
  /** Selected node's border and its edges. */
  focus: string;
  /** Layout.edgeUnit: border widths scale with it. */
  unit: number;
}

export interface Viewport {
  zoom: number;
  pan: { x: number; y: number };
}

const GROUP_BORDER_OPACITY = 0.35;
const HIGHLIGHT_OPACITY = 0.9;

/** Cytoscape's `round-rectangle` corner radius (math.getRoundRectangleRadius). */
const cornerRadius = (d: number): number => Math.min(d / 4, 8);

function roundSquare(ctx: CanvasRenderingContext2D, x: number, y: number, d: number): void {
  const h = d / 2;
  const r = cornerRadius(d);
  ctx.moveTo(x, y - h);
  ctx.arcTo(x + h, y - h, x + h, y, r);
  ctx.arcTo(x + h, y + h, x, y + h, r);
  ctx.arcTo(x - h, y + h, x - h, y, r);
  ctx.arcTo(x - h, y - h, x, y - h, r);
  ctx.closePath();
}

export class NetworkPainter {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private scene: Scene | null = null;
  private style: PaintStyle = { edge: '#888888', fg: '#cccccc', focus: '#007fd4', unit: 1 };
  /** Ellipse nodes by fill colour (one path and one fill per colour). */
  private byColor = new Map<string, number[]>();
  private groups: number[] = [];
  private selected = -1;
  private focused = -1;
  private selectedEdges: number[] = [];

  constructor() {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'network-canvas';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.ctx = this.canvas.getContext('2d', { alpha: true })!;
  }

  get edgeCount(): number {
    return this.scene?.source.length ?? 0;
  }

  setScene(scene: Scene | null): void {
    this.scene = scene;
    this.byColor = new Map();
    this.groups = [];
    if (scene) {
      for (let i = 0; i < scene.x.length; i++) {
        if (scene.group[i]) {
          this.groups.push(i);
          continue;
        }
        const c = scene.color[i];
        const list = this.byColor.get(c);
        if (list) list.push(i);
        else this.byColor.set(c, [i]);
      }
    }
    this.setSelected(this.selected);
    this.setFocused(this.focused);
  }

  setStyle(style: PaintStyle): void {
    this.style = style;
  }

  /** Highlights node `index` and its edges (-1: none). */
  setSelected(index: number): void {
    const s = this.scene;
    this.selected = s && index >= 0 && index < s.x.length ? index : -1;
    this.selectedEdges = [];
    if (!s || this.selected < 0) return;
    for (let e = 0; e < s.source.length; e++) if (s.source[e] === this.selected || s.target[e] === this.selected) this.selectedEdges.push(e);
  }

  /** Rings node `index` with a dashed line: the keyboard's position (-1: none). */
  setFocused(index: number): void {
    const s = this.scene;
    this.focused = s && index >= 0 && index < s.x.length ? index : -1;
  }

  /** Draws the scene for Cytoscape's viewport on a canvas of `width` × `height` CSS pixels. */
  paint(view: Viewport, width: number, height: number): void {
    const dpr = window.devicePixelRatio || 1;
    const bw = Math.max(1, Math.round(width * dpr));
    const bh = Math.max(1, Math.round(height * dpr));
    const ctx = this.ctx;
    if (this.canvas.width !== bw || this.canvas.height !== bh) {
      this.canvas.width = bw;
      this.canvas.height = bh;
    } else {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, bw, bh);
    }
    const s = this.scene;
    if (!s || width <= 0 || height <= 0) return;
    const { zoom, pan } = view;
    ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * pan.x, dpr * pan.y);
    // The visible part of the model, for skipping what lies outside.
    const x0 = -pan.x / zoom, y0 = -pan.y / zoom;
    const x1 = (width - pan.x) / zoom, y1 = (height - pan.y) / zoom;
    const { x, y, size, source, target } = s;

    ctx.lineCap = 'butt';
    ctx.strokeStyle = this.style.edge;
    let alpha = -1, lw = -1;
    const hl = this.selectedEdges;
    let h = 0;
    for (let e = 0; e < source.length; e++) {
      if (h < hl.length && hl[h] === e) {
        h++;
        continue; // drawn above the others
      }
      const a = source[e], b = target[e];
      const ax = x[a], ay = y[a], bx = x[b], by = y[b];
      if ((ax < x0 && bx < x0) || (ax > x1 && bx > x1) || (ay < y0 && by < y0) || (ay > y1 && by > y1)) continue;
      if (s.opacity[e] !== alpha) ctx.globalAlpha = alpha = s.opacity[e];
      if (s.width[e] !== lw) ctx.lineWidth = lw = s.width[e];
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
      ctx.stroke();
    }
    if (hl.length) {
      ctx.strokeStyle = this.style.focus;
      ctx.globalAlpha = HIGHLIGHT_OPACITY;
      for (const e of hl) {
        ctx.lineWidth = s.width[e];
        ctx.beginPath();
        ctx.moveTo(x[source[e]], y[source[e]]);
        ctx.lineTo(x[target[e]], y[target[e]]);
        ctx.stroke();
      }
    }

    ctx.globalAlpha = 1;
    const inView = (i: number): boolean => {
      const r = size[i] / 2;
      return x[i] + r >= x0 && x[i] - r <= x1 && y[i] + r >= y0 && y[i] - r <= y1;
    };
    for (const [color, list] of this.byColor) {
      ctx.fillStyle = color;
      ctx.beginPath();
      for (const i of list) {
        if (!inView(i)) continue;
        const r = size[i] / 2;
        ctx.moveTo(x[i] + r, y[i]);
        ctx.arc(x[i], y[i], r, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
    if (this.groups.length) {
      ctx.lineWidth = this.style.unit * 0.6;
      ctx.strokeStyle = this.style.fg;
      for (const i of this.groups) {
        if (!inView(i)) continue;
        ctx.beginPath();
        roundSquare(ctx, x[i], y[i], size[i]);
        ctx.fillStyle = s.color[i];
        ctx.globalAlpha = 1;
        ctx.fill();
        ctx.globalAlpha = GROUP_BORDER_OPACITY;
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
    }
    const i = this.selected;
    if (i >= 0) {
      ctx.beginPath();
      if (s.group[i]) roundSquare(ctx, x[i], y[i], size[i]);
      else ctx.arc(x[i], y[i], size[i] / 2, 0, 2 * Math.PI);
      ctx.fillStyle = s.color[i];
      ctx.fill();
      ctx.lineWidth = this.style.unit * 3;
      ctx.strokeStyle = this.style.focus;
      ctx.stroke();
    }
    const f = this.focused;
    if (f >= 0) {
      // Outside the node, so its fill (what the pixel tests read) stays as painted; sized in
      // screen pixels, so it shows on the smallest node.
      const r = Math.max(size[f] / 2 + 4 / zoom, 9 / zoom);
      ctx.beginPath();
      ctx.arc(x[f], y[f], r, 0, 2 * Math.PI);
      ctx.setLineDash([4 / zoom, 3 / zoom]);
      ctx.lineWidth = 2 / zoom;
      ctx.strokeStyle = this.style.focus;
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }
}
