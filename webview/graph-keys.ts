/**
 * Keyboard movement in the network drawing, as a pure function of a cursor and the drawing's
 * columns: ←/→ move between layers (the cursor is on the layer itself), ↓/↑ step through the
 * layer's nodes from top to bottom, Home/End jump to the first/last node (or layer), PageDown/
 * PageUp move ten nodes, Escape leaves the nodes for their layer. Enter (selecting the node or
 * layer under the cursor) is the caller's.
 */

export interface Cursor {
  /** Column of the layered layout (layers in network order). */
  col: number;
  /** Node position in the column, top to bottom; null: the layer itself. */
  node: number | null;
}

/** The cursor after `key`, or null when the key does not move it. `counts`: nodes per column. */
export function moveCursor(c: Cursor | null, key: string, counts: readonly number[]): Cursor | null {
  const cols = counts.length;
  if (cols === 0) return null;
  const cur: Cursor = c && c.col >= 0 && c.col < cols ? c : { col: 0, node: null };
  const n = counts[cur.col];
  const clampNode = (i: number): number => Math.max(0, Math.min(n - 1, i));
  switch (key) {
    case 'ArrowRight':
    case 'ArrowLeft': {
      const col = Math.max(0, Math.min(cols - 1, cur.col + (key === 'ArrowRight' ? 1 : -1)));
      return { col, node: null };
    }
    case 'ArrowDown':
      if (n === 0) return null;
      return { col: cur.col, node: cur.node === null ? 0 : clampNode(cur.node + 1) };
    case 'ArrowUp':
      if (n === 0) return null;
      return { col: cur.col, node: cur.node === null ? n - 1 : clampNode(cur.node - 1) };
    case 'PageDown':
    case 'PageUp':
      if (n === 0 || cur.node === null) return null;
      return { col: cur.col, node: clampNode(cur.node + (key === 'PageDown' ? 10 : -10)) };
    case 'Home':
      return cur.node !== null ? { col: cur.col, node: 0 } : { col: 0, node: null };
    case 'End':
      return cur.node !== null ? { col: cur.col, node: Math.max(0, n - 1) } : { col: cols - 1, node: null };
    case 'Escape':
      return cur.node !== null ? { col: cur.col, node: null } : null;
    default:
      return null;
  }
}
