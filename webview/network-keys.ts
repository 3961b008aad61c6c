/**
 * Keyboard access to the network drawing (#graph, focusable): ←/→ select the previous/next layer,
 * ↓/↑ walk the layer's nodes (a dashed ring and the tooltip show where), Enter or Space selects
 * the node (its details open in the sidebar), Escape goes back to the layer, [ and ] step the
 * epoch. What the cursor is on is announced in a live region for screen readers.
 */
import type { GraphView } from './graph-view';
import { moveCursor, type Cursor } from './graph-keys';

export interface GraphKeyTarget {
  view: GraphView;
  /** The selected layer (DrawLayer.index), to start from. */
  selectedLayer(): number | null;
  selectLayer(layer: number): void;
  selectNode(id: string): void;
  /** The tooltip of a node (null: hide). */
  hover(id: string | null): void;
  step(delta: number): void;
  describeLayer(layer: number): string;
  describeNode(id: string): string;
}

export const GRAPH_HELP = 'Network drawing. Left and right arrows: previous and next layer. Down and up arrows: the layer’s nodes. Enter: show the node. Escape: back to the layer. [ and ]: previous and next epoch. The layer table below lists the same layers as text.';

export function wireGraphKeys(el: HTMLElement, live: HTMLElement, t: GraphKeyTarget): void {
  let cursor: Cursor | null = null;
  const say = (text: string): void => {
    live.textContent = text;
  };
  const start = (): Cursor => {
    const cols = t.view.columns();
    const layer = t.selectedLayer();
    const col = layer === null ? -1 : cols.findIndex((c) => c.layer === layer);
    return { col: Math.max(0, col), node: null };
  };
  const nodeAt = (c: Cursor): string | null => (c.node === null ? null : (t.view.columns()[c.col]?.ids[c.node] ?? null));

  el.addEventListener('focus', () => {
    if (t.view.columns().length === 0) return;
    cursor ??= start();
    const cols = t.view.columns();
    say(`${cols.length} layers. ${t.describeLayer(cols[cursor.col].layer)}`);
  });
  el.addEventListener('blur', () => {
    t.view.setFocus(null);
    t.hover(null);
  });
  el.addEventListener('keydown', (e) => {
    if (e.target !== el) return;
    const cols = t.view.columns();
    if (cols.length === 0) return;
    if (cursor && (cursor.col >= cols.length || (cursor.node !== null && cursor.node >= cols[cursor.col].ids.length))) cursor = null;
    if (e.key === '[' || e.key === ']') {
      t.step(e.key === ']' ? 1 : -1);
      e.preventDefault();
      return;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      const c = cursor ?? start();
      const id = nodeAt(c);
      if (id !== null) t.selectNode(id);
      else t.selectLayer(cols[c.col].layer);
      e.preventDefault();
      return;
    }
    const next = moveCursor(cursor ?? start(), e.key, cols.map((c) => c.ids.length));
    if (!next) return;
    e.preventDefault();
    const layerChanged = !cursor || next.col !== cursor.col || (cursor.node !== null && next.node === null);
    cursor = next;
    const id = nodeAt(next);
    t.view.setFocus(id);
    t.hover(id);
    if (id !== null) say(t.describeNode(id));
    else {
      if (layerChanged || t.selectedLayer() !== cols[next.col].layer) t.selectLayer(cols[next.col].layer);
      say(t.describeLayer(cols[next.col].layer));
    }
  });
}
