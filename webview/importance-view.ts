/**
 * The sweep view's parameter importance card: a table (parameter, a bar, the number, which way is
 * better, the permutation p-value) from importance.ts, saying what it was computed on: the
 * metric, the method and how many runs. The computation is cached per set of inputs, since the
 * card is redrawn on every filter keystroke while its inputs rarely change.
 */
import type { RunSummary } from '../src/shared/dashboard-protocol';
import { h, s } from './dom';
import { hyperValue, type HyperColumn } from './hyper';
import { parameterImportance, type ImportanceResult, type ImportanceRow } from './importance';
import { METRIC_LABELS, metricOf, type MetricKey } from './sweep-model';
import type { Palette } from './theme';

let cache: { key: string; result: ImportanceResult } | null = null;

/** Importance of the columns over the runs (cached on the runs' values and metric). */
export function importanceOf(runs: readonly RunSummary[], columns: readonly HyperColumn[], metric: MetricKey): ImportanceResult {
  const keys = columns.map((c) => c.key);
  const rows: ImportanceRow[] = runs.map((r) => {
    const values: ImportanceRow['values'] = {};
    for (const k of keys) {
      const v = hyperValue(r, k);
      if (v !== undefined) values[k] = v;
    }
    return { values, y: metricOf(r, metric) ?? NaN };
  });
  const key = JSON.stringify([keys, rows]);
  if (cache?.key === key) return cache.result;
  const result = parameterImportance(rows, keys);
  cache = { key, result };
  return result;
}

/** Fewer scored runs than this: the card says the numbers are a hint at best. */
export const FEW_RUNS = 8;

function bar(v: number, p: Palette): SVGSVGElement {
  const W = 70;
  const svg = s('svg', { width: W, height: 10, class: 'imp-bar', 'aria-hidden': 'true' });
  svg.append(s('rect', { x: 0, y: 1, width: W, height: 8, rx: 1, class: 'imp-track' }));
  svg.append(s('rect', { x: 0, y: 1, width: Math.max(1, Math.round(v * W)), height: 8, rx: 1, fill: p.charts.blue }));
  return svg;
}

export function importanceCard(runs: readonly RunSummary[], columns: readonly HyperColumn[], metric: MetricKey, p: Palette): HTMLElement {
  const res = importanceOf(runs, columns, metric);
  const what = METRIC_LABELS[metric];
  const card = h('div', { class: 'card importance-card', id: 'importance', role: 'region', 'aria-label': 'Parameter importance' });
  card.append(
    h('div', { class: 'card-title' }, 'Parameter importance'),
    h('div', { class: 'muted small', id: 'importance-method' }, `Rank correlation with the ${what} on ${res.n} run${res.n === 1 ? '' : 's'}: Spearman |ρ| for numbers, correlation ratio η for categories; p from a permutation test.`),
  );
  if (res.n < 3 || res.items.length === 0) {
    card.append(h('div', { class: 'empty small' }, res.n < 3 ? `Needs at least 3 runs with a ${what}; ${res.n} so far.` : 'No hyperparameter varies between these runs.'));
    return card;
  }
  const body = h('tbody');
  for (const it of res.items) {
    const dir = it.rho === null ? (it.best ?? '–') : it.rho > 0 ? 'higher' : it.rho < 0 ? 'lower' : '–';
    const chance = it.p >= 0.1;
    body.append(
      h(
        'tr',
        { 'data-key': it.key, class: chance ? 'chance' : null },
        h('th', { scope: 'row', class: 'imp-key', title: it.key }, it.key),
        h('td', {}, bar(it.importance, p)),
        h('td', { class: 'num', title: it.method === 'spearman' ? `Spearman ρ = ${it.rho!.toFixed(3)} on ${it.n} runs` : `correlation ratio η on ${it.n} runs` }, it.importance.toFixed(2)),
        h('td', { class: 'small imp-dir', title: it.rho === null ? (it.best !== null ? `runs with ${it.key} = ${it.best} rank best on average` : '') : `runs with a ${dir} ${it.key} tend to do better` }, dir),
        h('td', { class: 'num small', title: chance ? 'p ≥ 0.1: could well be chance' : 'p < 0.1: unlikely to be chance alone' }, it.p < 0.001 ? '< 0.001' : it.p.toFixed(it.p < 0.1 ? 3 : 2)),
      ),
    );
  }
  card.append(
    h(
      'table',
      { class: 'importance', 'aria-describedby': 'importance-method' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'parameter'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'bar')), h('th', { scope: 'col', class: 'num' }, '|ρ| / η'), h('th', { scope: 'col', title: 'Which values go with better runs' }, 'better'), h('th', { scope: 'col', class: 'num' }, 'p'))),
      body,
    ),
  );
  if (res.n < FEW_RUNS) card.append(h('div', { class: 'muted small caveat' }, `Only ${res.n} runs: a hint at best; with so few, any parameter can look important by chance.`));
  return card;
}
