/**
 * The runs table of the sweep view: one row per run (grouped by sweep when there are several),
 * with its rank in the sweep, training status, epochs against the horizon, forecast, final
 * accuracy, one column per hyperparameter that varies, its validation curve and a Stop button
 * for runs still training. Every column header sorts (again: the other direction); `aria-sort`
 * says which. Rows: click selects, double-click or Enter opens the Network tab, ↑/↓ move.
 */
import type { RunSummary } from '../src/shared/dashboard-protocol';
import { h } from './dom';
import { forecastText, pct } from './format';
import { hyperText, hyperValue, type HyperColumn } from './hyper';
import { baseName, bestPerSweep, groupBySweep } from './model';
import { sparkline, type RunsViewCallbacks } from './runs-view';
import { sortRuns, sweepRanks, trainingStatus, type ColumnId, type SortDir } from './sweep-model';
import type { Palette } from './theme';

export interface RunsTableOptions {
  selected: string | null;
  sort: ColumnId;
  sortDir: SortDir;
  columns: readonly HyperColumn[];
  stopRequested: ReadonlySet<string>;
  palette: Palette;
}

export interface RunsTableCallbacks extends RunsViewCallbacks {
  sortBy(column: ColumnId): void;
}

const FIXED_HEADS: { id: ColumnId | null; label: string; title: string; num?: boolean }[] = [
  { id: 'score', label: 'rank', title: 'Rank in its sweep by final accuracy, else forecast', num: true },
  { id: 'name', label: 'run', title: 'Run folder' },
  { id: 'status', label: 'training', title: 'Where the training stands (from its logs and files)' },
  { id: 'epochs', label: 'epochs', title: 'Checkpoints analyzed, and the horizon the run is set to end at', num: true },
  { id: 'forecast', label: 'forecast', title: 'Forecast of the final accuracy with its 80% interval', num: true },
  { id: 'final', label: 'final', title: 'Final accuracy, when the run has logged it', num: true },
];

/** Runs whose training can still be stopped (a finished or stopped run has nothing left to stop). */
export function stoppable(r: RunSummary): boolean {
  const s = trainingStatus(r);
  return s !== 'finished' && s !== 'stopped';
}

function header(id: ColumnId | null, label: string, title: string, o: RunsTableOptions, cb: RunsTableCallbacks, num = false): HTMLElement {
  if (id === null) return h('th', { scope: 'col', class: num ? 'num' : null, title }, label);
  const on = o.sort === id;
  const sort = on ? (o.sortDir === 'asc' ? 'ascending' : 'descending') : 'none';
  const b = h('button', { class: 'sort-header', type: 'button', 'data-sort': id, title: `${title}. Sort by this column.` }, label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, on ? (o.sortDir === 'asc' ? ' ▲' : ' ▼') : ''));
  b.addEventListener('click', () => cb.sortBy(id));
  return h('th', { scope: 'col', class: num ? 'num' : null, 'aria-sort': sort }, b);
}

function statusCell(r: RunSummary): HTMLElement {
  const s = trainingStatus(r);
  const d = r.diverged;
  const text = s === 'diverged' && d ? `diverged ep ${d.epoch}` : s === 'unknown' ? r.status : s;
  const why = [r.training?.reason, d ? `diverged at epoch ${d.epoch}${d.tensor ? `: non-finite ${d.tensor}` : ''}${d.metric ? `: non-finite ${d.metric}` : ''}` : ''].filter(Boolean).join(' · ');
  return h('td', { class: 'run-status' }, h('span', { class: `pill training-${s}${s === 'unknown' ? ` status-${r.status}` : ''}`, title: why || text }, text));
}

function epochsCell(r: RunSummary): HTMLElement {
  const last = r.epochs.length ? r.epochs[r.epochs.length - 1] : null;
  const hz = r.horizon?.epochs ?? null;
  const done = r.training?.lastEpoch ?? last;
  const title = [
    r.epochs.length ? `epochs analyzed: ${r.epochs.join(', ')}` : 'no checkpoint analyzed yet',
    hz !== null ? `set to end at epoch ${hz} (${r.horizon!.source})` : 'horizon unknown',
  ].join(' · ');
  return h(
    'td',
    { class: 'run-epochs num', title },
    `${r.epochs.length}`,
    h('span', { class: 'muted small' }, last !== null && r.epochs.length > 1 ? ` (${r.epochs[0]}–${last})` : last !== null ? ` (${last})` : ''),
    hz !== null ? h('span', { class: 'muted small horizon' }, ` ${done ?? 0}/${hz}`) : null,
  );
}

function errorList(r: RunSummary): HTMLElement | null {
  if (r.errors.length === 0) return null;
  const d = h('details', { class: 'run-errors' }, h('summary', {}, `${r.errors.length} error${r.errors.length > 1 ? 's' : ''}`));
  const ul = h('ul');
  for (const e of r.errors.slice(0, 50)) ul.append(h('li', { title: e.path }, h('span', { class: 'err-file' }, baseName(e.path)), ': ', e.message));
  if (r.errors.length > 50) ul.append(h('li', { class: 'muted' }, `… and ${r.errors.length - 50} more`));
  d.append(ul);
  return d;
}

function hyperCell(r: RunSummary, c: HyperColumn): HTMLElement {
  const v = hyperValue(r, c.key);
  const src = r.hyperparameters?.sources?.[c.key];
  const title = v === undefined ? `${c.key}: not set` : `${c.key} = ${hyperText(v)}${src ? ` (from ${src})` : ''}`;
  return h('td', { class: `hp-cell${c.kind === 'number' ? ' num' : ''}`, 'data-key': c.key, title }, v === undefined ? h('span', { class: 'muted' }, '–') : hyperText(v));
}

function moveFocus(row: HTMLElement, down: boolean, cb: RunsTableCallbacks): void {
  const rows = Array.from(row.closest('table')?.querySelectorAll<HTMLElement>('tr.run-row') ?? []);
  const i = rows.indexOf(row);
  const next = rows[down ? Math.min(rows.length - 1, i + 1) : Math.max(0, i - 1)];
  if (next && next !== row) {
    cb.select(next.dataset.runId!);
    document.querySelector<HTMLElement>(`tr.run-row[data-run-id="${CSS.escape(next.dataset.runId!)}"]`)?.focus();
  }
}

function runRow(r: RunSummary, o: RunsTableOptions & { best: boolean; rank: { rank: number; of: number } | undefined }, cb: RunsTableCallbacks): HTMLElement {
  const selected = r.id === o.selected;
  const requested = o.stopRequested.has(r.id);
  let stop: HTMLElement | null = null;
  if (stoppable(r)) {
    stop = h('button', { class: 'stop-run icon-button', type: 'button', 'data-run-id': r.id, title: requested ? 'Stop requested' : 'Ask the training script to stop: writes a stop request into the run folder', disabled: requested, 'aria-label': `Stop ${r.name}` }, requested ? 'Stopping…' : 'Stop');
    stop.addEventListener('click', (e) => {
      e.stopPropagation();
      cb.stop(r.id);
    });
  }
  const advised = r.advice?.stop === true;
  const row = h(
    'tr',
    { class: `run-row${selected ? ' selected' : ''}${r.status === 'error' ? ' has-error' : ''}${advised ? ' advised' : ''}`, 'data-run-id': r.id, 'data-status': r.status, 'data-training': trainingStatus(r), 'aria-selected': selected ? 'true' : 'false', tabindex: selected ? 0 : -1, title: r.id },
    h('td', { class: 'run-rank num', title: o.rank ? `#${o.rank.rank} of ${o.rank.of} scored runs in its sweep` : 'no forecast or final accuracy yet' }, o.rank ? `#${o.rank.rank}` : h('span', { class: 'muted' }, '–')),
    h(
      'td',
      { class: 'run-name-cell' },
      h(
        'div',
        { class: 'run-name-line' },
        h('span', { class: `status-dot status-${r.status}`, title: `analysis: ${r.status}` }),
        h('span', { class: 'run-name' }, r.name),
        o.best ? h('span', { class: 'badge best', title: 'Best run of this sweep (final accuracy when finished, else forecast)' }, '★ best') : null,
        advised ? h('span', { class: 'badge advised', title: r.advice!.reason }, 'stop advised') : null,
      ),
      errorList(r),
    ),
    statusCell(r),
    epochsCell(r),
    h('td', { class: 'run-forecast num', title: r.forecast ? `forecast of the final accuracy from ${r.forecast.epochsUsed} epochs${r.forecast.model ? ` (${r.forecast.model})` : ''}: 80% interval ${(r.forecast.low * 100).toFixed(1)}–${(r.forecast.high * 100).toFixed(1)}%${r.forecast.reason ? ` · ${r.forecast.reason}` : ''}` : 'no forecast yet' }, forecastText(r.forecast)),
    h('td', { class: 'run-final num' }, r.finalAccuracy !== null ? pct(r.finalAccuracy) : h('span', { class: 'muted' }, '–')),
    ...o.columns.map((c) => hyperCell(r, c)),
    h('td', { class: 'run-curve' }, sparkline(r, o.palette)),
    h('td', { class: 'run-actions' }, stop),
  );
  row.addEventListener('click', (e) => {
    if ((e.target as HTMLElement).closest('details, button')) return;
    cb.select(r.id);
  });
  row.addEventListener('dblclick', (e) => {
    if ((e.target as HTMLElement).closest('details, button')) return;
    cb.open(r.id);
  });
  row.addEventListener('keydown', (e) => {
    if (e.target !== row) return;
    if (e.key === 'Enter') cb.open(r.id);
    else if (e.key === ' ') {
      e.preventDefault();
      cb.select(r.id);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      moveFocus(row, e.key === 'ArrowDown', cb);
    }
  });
  return row;
}

/** The table of `runs` (already filtered); `total` is the count before filtering. */
export function runsTable(runs: readonly RunSummary[], all: readonly RunSummary[], o: RunsTableOptions, cb: RunsTableCallbacks): HTMLElement {
  const best = bestPerSweep(all);
  const ranks = sweepRanks(all);
  const heads = [
    ...FIXED_HEADS.map((c) => header(c.id, c.label, c.title, o, cb, c.num)),
    ...o.columns.map((c) => header(`hp:${c.key}`, c.key, `Hyperparameter ${c.key}`, o, cb, c.kind === 'number')),
    header(null, 'val. accuracy', 'Validation accuracy per epoch; purple: the forecast and its interval; green: the final accuracy', o, cb),
    header(null, '', 'Stop', o, cb),
  ];
  const span = heads.length;
  const body = h('tbody');
  const groups = groupBySweep(sortRuns(runs, o.sort, o.sortDir));
  for (const g of groups) {
    if (groups.length > 1) {
      const n = all.filter((r) => r.sweep === g.sweep).length;
      body.append(h('tr', { class: 'sweep-header' }, h('th', { colspan: span, scope: 'colgroup', title: g.sweep }, h('span', { class: 'sweep-name' }, baseName(g.sweep)), h('span', { class: 'muted small' }, ` ${n} run${n > 1 ? 's' : ''} · ${g.sweep}`))));
    }
    for (const r of g.runs) body.append(runRow(r, { ...o, best: best.get(r.sweep) === r.id, rank: ranks.get(r.id) }, cb));
  }
  return h('table', { class: 'runs-table', role: 'grid', 'aria-label': 'Runs' }, h('thead', {}, h('tr', {}, ...heads)), body);
}
