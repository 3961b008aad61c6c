/**
 * The Runs tab as a sweep view: the filter line and its count, the stopping advice, the sweep's
 * charts (parallel coordinates, parameter importance, learning curves) and the runs table with
 * a column per hyperparameter. Which sweep the charts describe: the selected run's (sweep-model.ts
 * focusSweep). Everything here is drawn from the run list and the view state; the user's changes
 * go back through SweepCallbacks.
 */
import type { RunSummary } from '../src/shared/dashboard-protocol';
import { renderAdvice } from './advice-view';
import { byId, fill, h } from './dom';
import { hyperColumns, shownColumns, type HyperColumn } from './hyper';
import { importanceCard } from './importance-view';
import { baseName } from './model';
import { parallelCoordinates, type Brush } from './parallel-coords';
import { sweepChart } from './runs-view';
import { runsTable, type RunsTableCallbacks } from './runs-table';
import { matchesFilter, parseFilter, withoutKey, withRange, withValues } from './sweep-filter';
import { focusSweep, type ColumnId, type MetricKey, type SortDir } from './sweep-model';
import type { Palette } from './theme';

export interface SweepViewOptions {
  selected: string | null;
  sort: ColumnId;
  sortDir: SortDir;
  filter: string;
  metric: MetricKey;
  columns: string[] | null;
  stopRequested: ReadonlySet<string>;
  palette: Palette;
}

export interface SweepCallbacks extends RunsTableCallbacks {
  setFilter(text: string): void;
  setColumns(columns: string[] | null): void;
}

/** Height of the parallel coordinates: about that of the importance and curve cards beside it. */
const PC_HEIGHT = 430;

/** Hyperparameters weighed for importance at most (by priority): bounds the permutation tests. */
const IMPORTANCE_KEYS = 16;

export function brushFilter(text: string, key: string, b: Brush): string {
  if (b === null) return withoutKey(text, key);
  return b.kind === 'range' ? withRange(text, key, b.lo, b.hi) : withValues(text, key, b.values);
}

function columnsMenu(all: readonly HyperColumn[], shown: readonly HyperColumn[], chosen: string[] | null, cb: SweepCallbacks): void {
  const list = byId('columns-list');
  const focused = list.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.key : undefined;
  const on = new Set(shown.map((c) => c.key));
  const items = all.map((c) => {
    const box = h('input', { type: 'checkbox', 'data-key': c.key, checked: on.has(c.key) });
    box.addEventListener('change', () => {
      const next = all.filter((x) => (x.key === c.key ? (box as HTMLInputElement).checked : on.has(x.key))).map((x) => x.key);
      cb.setColumns(next);
    });
    return h('label', { class: 'check', title: `${c.key}: ${c.distinct.length} values` }, box, c.key);
  });
  const auto = h('button', { class: 'link-button', type: 'button', disabled: chosen === null }, 'first few (auto)');
  auto.addEventListener('click', () => cb.setColumns(null));
  fill(list, ...(items.length ? items : [h('span', { class: 'muted small' }, 'No hyperparameter varies between the runs.')]), items.length ? auto : null);
  byId('columns-count').textContent = all.length ? ` ${shown.length}/${all.length}` : '';
  if (focused !== undefined) list.querySelector<HTMLElement>(`input[data-key="${CSS.escape(focused)}"]`)?.focus();
}

export function renderSweepView(runs: readonly RunSummary[], o: SweepViewOptions, cb: SweepCallbacks): void {
  const input = byId<HTMLInputElement>('run-filter');
  // Never under the user's fingers: while the field has focus, what is typed wins.
  if (input.value !== o.filter && document.activeElement !== input) input.value = o.filter;
  byId<HTMLSelectElement>('metric').value = o.metric;
  const list = byId('run-list');
  const n = runs.length;
  const parsed = parseFilter(o.filter);
  const errs = byId('filter-errors');
  errs.hidden = parsed.errors.length === 0;
  errs.textContent = parsed.errors.length ? `Not understood, ignored: ${parsed.errors.join(' ')} (numbers are compared with <, <=, >, >=)` : '';
  byId('filter-clear').toggleAttribute('disabled', o.filter.trim() === '');
  renderAdvice(byId('advice-banner'), runs, o.stopRequested, cb);
  const all = hyperColumns(runs);
  const shown = shownColumns(all.varying, o.columns);
  columnsMenu(all.varying, shown, o.columns, cb);
  if (n === 0) {
    byId('runs-count').textContent = '';
    fill(byId('sweep-cards'));
    fill(byId('sweep-constants'));
    list.replaceChildren(h('div', { class: 'empty' }, 'No runs yet. Runs appear here as soon as a folder in the workspace holds checkpoints.'));
    return;
  }
  const kept = runs.filter((r) => matchesFilter(r, parsed));
  const keptIds = new Set(kept.map((r) => r.id));
  byId('runs-count').textContent = kept.length === n ? `${n} run${n === 1 ? '' : 's'}` : `${kept.length} of ${n} runs`;

  // The sweep's charts.
  const sweep = focusSweep(runs, o.selected);
  const sweepRuns = runs.filter((r) => r.sweep === sweep);
  const sweepCols = hyperColumns(sweepRuns).varying;
  const axes = sweepCols.filter((c) => shown.some((x) => x.key === c.key));
  // Parallel coordinates at the left; importance and the learning curves in a column at the right.
  const width = (byId('panel-runs').clientWidth || 1000) - 24;
  const side = 340, gap = 10;
  const twoColumns = width >= 560 + side + gap;
  const pcW = Math.max(360, (twoColumns ? width - side - gap : width) - 22);
  const cards: HTMLElement[] = [];
  if (sweepRuns.length > 1) {
    const pcCard = h(
      'div',
      { class: 'card parallel-card', id: 'parallel', role: 'region', 'aria-label': 'Parallel coordinates' },
      h('div', { class: 'card-title' }, 'Hyperparameters → ', o.metric === 'score' ? 'final accuracy (else forecast)' : o.metric === 'final' ? 'final accuracy' : 'forecast', h('span', { class: 'muted small' }, ` · sweep ${baseName(sweep ?? '')}, ${sweepRuns.length} runs · drag along an axis to filter`)),
    );
    if (axes.length === 0) pcCard.append(h('div', { class: 'empty small' }, sweepCols.length ? 'Pick columns to draw them here.' : 'No hyperparameter varies between the runs of this sweep (none read from their config files yet).'));
    else pcCard.append(parallelCoordinates({ runs: sweepRuns, columns: axes, metric: o.metric, filter: parsed, kept: keptIds, selected: o.selected, palette: o.palette, width: pcW, height: PC_HEIGHT }, { select: cb.select, brush: (key, b) => cb.setFilter(brushFilter(o.filter, key, b)) }));
    cards.push(pcCard, importanceCard(sweepRuns, sweepCols.slice(0, IMPORTANCE_KEYS), o.metric, o.palette));
  }
  const curves = n > 1 ? sweepChart(runs, o.selected, o.palette, cards.length && twoColumns ? side - 24 : Math.min(width - 22, 900)) : null;
  if (curves) cards.push(curves);
  byId('sweep-cards').classList.toggle('two-columns', cards.length > 1 && twoColumns);
  fill(byId('sweep-cards'), ...cards);

  const constant = all.constant.filter(([k]) => !shown.some((c) => c.key === k));
  fill(
    byId('sweep-constants'),
    constant.length ? h('span', { class: 'muted' }, 'Same in every run: ') : null,
    ...constant.slice(0, 14).map(([k, v]) => h('span', { class: 'const-item', title: `${k} = ${v}` }, `${k}=${v}`)),
    constant.length > 14 ? h('span', { class: 'muted' }, ` … and ${constant.length - 14} more`) : null,
  );

  const hadFocus = document.activeElement instanceof HTMLElement && list.contains(document.activeElement) ? document.activeElement.closest<HTMLElement>('tr.run-row')?.dataset.runId : undefined;
  list.replaceChildren(
    kept.length
      ? h('div', { class: 'table-scroll' }, runsTable(kept, runs, { selected: o.selected, sort: o.sort, sortDir: o.sortDir, columns: shown, stopRequested: o.stopRequested, palette: o.palette }, cb))
      : h('div', { class: 'empty' }, 'No run matches the filter.'),
  );
  if (hadFocus) list.querySelector<HTMLElement>(`tr.run-row[data-run-id="${CSS.escape(hadFocus)}"]`)?.focus();
}
