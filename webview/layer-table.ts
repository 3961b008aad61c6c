/**
 * The Network tab's words and table about the layers (from layer-change.ts): a short "what
 * changed" card in the sidebar (the layers that changed most since the other epoch, dead and
 * outsized units, the layers that drive the forecast), the notes under the layer headers, and a
 * table of every layer, the text alternative of the drawing. Layer names are buttons: they select
 * the layer, as a click on its header does.
 */
import { h } from './dom';
import { count, num } from './format';
import { mostChanged, topDrivers, type LayerReport, type LayerRow } from './layer-change';

export interface LayerTableCallbacks {
  selectLayer(index: number): void;
}

/** A relative change as "+12%", "−8.1%" ("–" when unknown). */
export function signedPct(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v * 100);
  const t = a >= 10 ? a.toFixed(0) : a >= 0.05 ? a.toFixed(1) : '0';
  return t === '0' ? '0%' : `${v > 0 ? '+' : '−'}${t}%`;
}

const signedNum = (v: number | null): string => (v === null || !Number.isFinite(v) ? '–' : v === 0 ? '0' : `${v > 0 ? '+' : '−'}${num(Math.abs(v), 2)}`);

function layerButton(r: LayerRow, cb: LayerTableCallbacks, extra = ''): HTMLElement {
  const b = h('button', { class: 'link-button layer-link', type: 'button', 'data-layer': r.index, title: `Show the statistics of ${r.name}` }, r.name, extra);
  b.addEventListener('click', () => cb.selectLayer(r.index));
  return b;
}

function joinLayers(rows: LayerRow[], label: (r: LayerRow) => string, cb: LayerTableCallbacks): (HTMLElement | string)[] {
  const out: (HTMLElement | string)[] = [];
  rows.forEach((r, i) => {
    if (i) out.push(i === rows.length - 1 ? ' and ' : ', ');
    out.push(layerButton(r, cb), ` (${label(r)})`);
  });
  return out;
}

/** The "what changed" card. */
export function layerInsights(rep: LayerReport | null, cb: LayerTableCallbacks): HTMLElement {
  const box = h('div', { class: 'insights', id: 'insights', role: 'region', 'aria-label': 'What changed' });
  if (!rep) {
    box.append(h('div', { class: 'muted small' }, 'Loading the run’s statistics…'));
    return box;
  }
  box.append(h('div', { class: 'legend-title' }, rep.against !== null ? `What changed, epoch ${rep.against} → ${rep.epoch}` : `Epoch ${rep.epoch}`));
  const ul = h('ul', { class: 'insight-list small' });
  const changed = mostChanged(rep.rows, 2);
  if (rep.against === null) ul.append(h('li', { 'data-insight': 'change' }, 'The run’s first analyzed epoch: nothing to compare with yet.'));
  else if (changed.length) ul.append(h('li', { 'data-insight': 'change' }, 'Most change in the weights (mean weighted degree): ', ...joinLayers(changed, (r) => signedPct(r.degChange), cb), '. Tick “compare with” to colour every node by its change.'));
  const dead = rep.rows.filter((r) => r.health && r.health.dead > 0);
  const big = rep.rows.filter((r) => r.health && r.health.outsized > 0);
  const healthLi = h('li', { 'data-insight': 'units' });
  if (dead.length === 0 && big.length === 0) healthLi.append(rep.rows.some((r) => r.health) ? 'No dead or outsized units in the drawing.' : 'Dead and outsized units show once the drawing is loaded.');
  if (dead.length) healthLi.append('Dead units (weights ≈ 0): ', ...joinLayers(dead, (r) => `${r.health!.dead} of ${count(r.health!.units)}`, cb), '. ');
  if (big.length) healthLi.append('Outsized units (weights > 4× the layer’s median, prone to saturate): ', ...joinLayers(big, (r) => `${r.health!.outsized} of ${count(r.health!.units)}`, cb), '.');
  ul.append(healthLi);
  const drivers = topDrivers(rep.rows, 2);
  if (drivers.length) {
    const share = (r: LayerRow): string => `${Math.round(r.drive! * 100)}%`;
    if (rep.driveSource === 'forecaster') ul.append(h('li', { 'data-insight': 'forecast' }, 'The forecast leans most on ', ...joinLayers(drivers, share, cb), ' (the forecaster’s own account).'));
    else ul.append(h('li', { 'data-insight': 'forecast' }, 'The forecast’s inputs moved most in ', ...joinLayers(drivers, share, cb), rep.driveEpochs ? ` over epochs ${rep.driveEpochs[0]}→${rep.driveEpochs[1]}, the ones it read.` : '.'));
  } else {
    const why = rep.forecast ? 'The forecaster does not say which layers it leans on, and the layers’ inputs to it did not move over the epochs it read.' : 'No forecast yet to relate the layers to.';
    ul.append(h('li', { 'data-insight': 'forecast', class: 'muted' }, why));
  }
  box.append(ul);
  return box;
}

/** Notes under the layer headers: the change since the other epoch; the layers that changed most are marked. */
export function layerNotes(rep: LayerReport | null): Map<number, { text: string; title: string; hot: boolean }> {
  const out = new Map<number, { text: string; title: string; hot: boolean }>();
  if (!rep || rep.against === null) return out;
  const hot = new Set(mostChanged(rep.rows, 2).filter((r) => Math.abs(r.degChange!) >= 0.01).map((r) => r.index));
  for (const r of rep.rows) if (r.degChange !== null && r.kind !== 'input') out.set(r.index, { text: ` ${signedPct(r.degChange)}`, title: `mean weighted degree ${signedPct(r.degChange)} since epoch ${rep.against}`, hot: hot.has(r.index) });
  return out;
}

function unitsCell(r: LayerRow, which: 'dead' | 'outsized'): HTMLElement {
  const hl = r.health;
  if (!hl) return h('td', { class: 'num muted', 'data-field': which }, '–');
  const v = hl[which];
  return h('td', { class: `num${v > 0 ? ' warn' : ''}`, 'data-field': which, title: hl.grouped ? 'counted on the drawn groups (group means): a single unit may hide in a group' : null }, `${v}`, hl.grouped ? '*' : '');
}

/** Every layer as a table row: the text alternative of the drawing. */
export function layerTable(rep: LayerReport | null, selected: number | null, cb: LayerTableCallbacks): HTMLElement {
  if (!rep) return h('div', { class: 'muted small' }, 'Loading the run’s statistics…');
  const vs = rep.against !== null ? `Δ since ${rep.against}` : 'Δ';
  const heads: [string, string][] = [
    ['layer', 'Layer (select it for its statistics)'],
    ['kind', 'input, conv or dense'],
    ['nodes', 'Nodes (neurons or channels) of the layer'],
    ['weighted degree', 'Mean weighted degree: the size of the weights around a node'],
    [vs, 'Relative change of the mean weighted degree'],
    ['centrality ×√N', 'Mean eigenvector centrality × √N: 1 = an average node'],
    [vs, 'Change of the mean centrality × √N'],
    ['dead', 'Units whose weights are under 2% of the layer’s median'],
    ['outsized', 'Units whose weights are over 4× the layer’s median'],
    ['forecast', rep.driveSource === 'forecaster' ? 'Share of the forecast that leans on the layer (the forecaster’s account)' : 'Share of the movement of the forecast’s inputs'],
  ];
  const body = h('tbody');
  for (const r of rep.rows) {
    const on = r.index === selected;
    body.append(
      h(
        'tr',
        { 'data-layer': r.index, class: on ? 'active' : null, 'aria-current': on ? 'true' : null },
        h('th', { scope: 'row' }, layerButton(r, cb)),
        h('td', {}, r.kind),
        h('td', { class: 'num' }, count(r.nodes)),
        h('td', { class: 'num', 'data-field': 'degree' }, num(r.degMean, 3)),
        h('td', { class: 'num', 'data-field': 'degree-change' }, signedPct(r.degChange)),
        h('td', { class: 'num', 'data-field': 'centrality' }, num(r.evcMean, 3)),
        h('td', { class: 'num', 'data-field': 'centrality-change' }, signedNum(r.evcChange)),
        unitsCell(r, 'dead'),
        unitsCell(r, 'outsized'),
        h('td', { class: 'num', 'data-field': 'forecast' }, r.drive === null ? '–' : `${Math.round(r.drive * 100)}%`),
      ),
    );
  }
  const caption = `Layers at epoch ${rep.epoch}${rep.against !== null ? `, changes since epoch ${rep.against}` : ''}`;
  const table = h(
    'table',
    { class: 'stats layer-table', id: 'layer-table' },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, ...heads.map(([t, title], i) => h('th', { scope: 'col', class: i >= 2 ? 'num' : null, title }, t)))),
    body,
  );
  const grouped = rep.rows.some((r) => r.health?.grouped);
  return h('div', {}, table, grouped ? h('div', { class: 'muted small' }, '* counted on the drawing’s groups of neighbouring nodes (group means): a single dead unit can hide in a group.') : null);
}
