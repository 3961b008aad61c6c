/**
 * The dashboard's view state and the pure logic around it: restoring persisted state, merging
 * live updates from the host without losing the user's selection, marking the best
 * run of each sweep. No DOM here.
 */
import type { RunSummary } from '../src/shared/dashboard-protocol';
import { isColumnId, METRICS, type ColumnId, type MetricKey, type SortDir } from './sweep-model';

export type Tab = 'runs' | 'network' | 'features';

export const TABS: readonly Tab[] = ['runs', 'network', 'features'];

/** What the webview persists with vscode.setState (and restores after a reload). */
export interface ViewState {
  v: 1;
  runId: string | null;
  tab: Tab;
  /** The epoch shown (the epoch number, not its index), or null for "the latest". */
  epoch: number | null;
  compare: boolean;
  /** Epoch compared against in compare mode (null: the run's first epoch). */
  compareEpoch: number | null;
  /** The runs table's sort column and direction. */
  sort: ColumnId;
  sortDir: SortDir;
  /** The runs table's filter line (sweep-filter.ts); brushes on the parallel coordinates write it. */
  filter: string;
  /** What runs are ranked and coloured by in the sweep charts. */
  metric: MetricKey;
  /** Hyperparameter columns the user picked, in order; null: the first few that vary. */
  columns: string[] | null;
  loop: boolean;
  /** Jump to each new epoch as it is analyzed. */
  follow: boolean;
  /** Selected node id / layer index in the network view. */
  node: string | null;
  layer: number | null;
}

export const DEFAULT_STATE: ViewState = {
  v: 1,
  runId: null,
  tab: 'runs',
  epoch: null,
  compare: false,
  compareEpoch: null,
  sort: 'score',
  sortDir: 'desc',
  filter: '',
  metric: 'score',
  columns: null,
  loop: true,
  follow: false,
  node: null,
  layer: null,
};

const isEpoch = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Persisted state is data from an earlier session: accept only well-formed fields. */
export function restoreState(raw: unknown): ViewState {
  const s: ViewState = { ...DEFAULT_STATE };
  if (typeof raw !== 'object' || raw === null) return s;
  const o = raw as Record<string, unknown>;
  if (typeof o.runId === 'string' && o.runId.length <= 4096) s.runId = o.runId;
  if (TABS.includes(o.tab as Tab)) s.tab = o.tab as Tab;
  if (isEpoch(o.epoch)) s.epoch = o.epoch;
  if (typeof o.compare === 'boolean') s.compare = o.compare;
  if (isEpoch(o.compareEpoch)) s.compareEpoch = o.compareEpoch;
  if (isColumnId(o.sort)) s.sort = o.sort;
  if (o.sortDir === 'asc' || o.sortDir === 'desc') s.sortDir = o.sortDir;
  if (typeof o.filter === 'string' && o.filter.length <= 2000) s.filter = o.filter;
  if (METRICS.includes(o.metric as MetricKey)) s.metric = o.metric as MetricKey;
  if (Array.isArray(o.columns) && o.columns.length <= 200 && o.columns.every((c) => typeof c === 'string' && c.length <= 512)) s.columns = [...new Set(o.columns as string[])];
  if (typeof o.loop === 'boolean') s.loop = o.loop;
  if (typeof o.follow === 'boolean') s.follow = o.follow;
  if (typeof o.node === 'string' && o.node.length <= 4096) s.node = o.node;
  if (isEpoch(o.layer)) s.layer = o.layer;
  return s;
}

/** The available epoch nearest to `want` (ties: the earlier), the latest when `want` is null. */
export function nearestEpoch(epochs: readonly number[], want: number | null): number | null {
  if (epochs.length === 0) return null;
  if (want === null) return epochs[epochs.length - 1];
  let best = epochs[0];
  for (const e of epochs) if (Math.abs(e - want) < Math.abs(best - want)) best = e;
  return best;
}

/**
 * A new run list from the host, merged into the view state:
 * - `hostSelected` (an explicit request, e.g. "show this run") wins when it names a known run;
 * - else the user's run stays selected while it exists; else the first run with an analyzed
 *   epoch (something to draw), else the first run;
 * - the epoch stays where the user put it (snapped to an available one), or follows the newest
 *   epoch when `follow` is on or the run had no epoch yet;
 * - switching runs resets the node selection (ids belong to one run's graphs).
 */
export function mergeRuns(state: ViewState, runs: readonly RunSummary[], hostSelected: string | null, previous?: readonly RunSummary[]): ViewState {
  const ids = new Set(runs.map((r) => r.id));
  let runId = state.runId;
  if (hostSelected !== null && ids.has(hostSelected)) runId = hostSelected;
  else if (runId === null || !ids.has(runId)) runId = (runs.find((r) => r.epochs.length > 0) ?? runs[0])?.id ?? null;
  const run = runs.find((r) => r.id === runId);
  const next: ViewState = { ...state, runId };
  if (runId !== state.runId) {
    next.epoch = null;
    next.compareEpoch = null;
    next.node = null;
    next.layer = null;
  }
  const epochs = run?.epochs ?? [];
  if (epochs.length === 0) {
    next.epoch = runId !== state.runId ? null : state.epoch;
    return next;
  }
  const before = previous?.find((r) => r.id === runId)?.epochs ?? [];
  const wasAtLatest = before.length > 0 && next.epoch === before[before.length - 1];
  if (next.epoch === null || (next.follow && (wasAtLatest || before.length === 0))) next.epoch = epochs[epochs.length - 1];
  else next.epoch = nearestEpoch(epochs, next.epoch);
  if (next.compareEpoch !== null) next.compareEpoch = nearestEpoch(epochs, next.compareEpoch);
  return next;
}

/** The score a run is ranked by: its final accuracy when finished, else its forecast. */
export function runScore(r: RunSummary): number | null {
  if (r.finalAccuracy !== null && Number.isFinite(r.finalAccuracy)) return r.finalAccuracy;
  if (r.forecast && Number.isFinite(r.forecast.accuracy)) return r.forecast.accuracy;
  return null;
}

/** Best run of each sweep with at least two scored runs: sweep → run id. */
export function bestPerSweep(runs: readonly RunSummary[]): Map<string, string> {
  const groups = new Map<string, RunSummary[]>();
  for (const r of runs) {
    const g = groups.get(r.sweep);
    if (g) g.push(r);
    else groups.set(r.sweep, [r]);
  }
  const best = new Map<string, string>();
  for (const [sweep, g] of groups) {
    const scored = g.filter((r) => runScore(r) !== null);
    if (scored.length < 2) continue;
    let top = scored[0];
    for (const r of scored) if (runScore(r)! > runScore(top)!) top = r;
    best.set(sweep, top.id);
  }
  return best;
}

/** Runs grouped by sweep (groups in order of first appearance in `runs`). */
export function groupBySweep(runs: readonly RunSummary[]): { sweep: string; runs: RunSummary[] }[] {
  const groups = new Map<string, RunSummary[]>();
  for (const r of runs) {
    const g = groups.get(r.sweep);
    if (g) g.push(r);
    else groups.set(r.sweep, [r]);
  }
  return [...groups].map(([sweep, rs]) => ({ sweep, runs: rs }));
}

/** Last path component of a folder (for sweep headers); works for / and \ separators. */
export function baseName(p: string): string {
  const parts = p.split(/[\\/]+/).filter(Boolean);
  return parts.length ? parts[parts.length - 1] : p;
}
