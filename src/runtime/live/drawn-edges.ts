/**
 * The edge budget of a drawn graph, defined once: the `maxDrawnEdges` setting (package.json gives
 * the same bounds to the settings editor), the dashboard that asks for a graph and the service
 * that has it thinned all bring a requested budget into range here. Fewer than `min` edges shows
 * nothing useful; more than `max` makes the webview's layout slow.
 */
export const DRAWN_EDGES = { min: 100, default: 2000, max: 50_000 } as const;

/** A requested edge budget brought into range (a whole number); anything not a number is the default. */
export function clampDrawnEdges(v: unknown): number {
  const n = typeof v === 'number' && Number.isFinite(v) ? v : DRAWN_EDGES.default;
  return Math.round(Math.min(DRAWN_EDGES.max, Math.max(DRAWN_EDGES.min, n)));
}
