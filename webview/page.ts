/**
 * The dashboard page's skeleton: tabs, the error banner and the three panels with their static
 * controls, built once at start-up. Everything that changes later is filled in by the renderers;
 * the element ids here are the DOM contract described in main.ts.
 */
import { h } from './dom';
import { SORT_KEYS, TABS, type SortKey, type Tab } from './model';

const SORT_LABELS: Record<SortKey, string> = { forecast: 'forecast', final: 'final accuracy', name: 'name', status: 'status' };
const TAB_LABELS: Record<Tab, string> = { runs: 'Runs', network: 'Network', features: 'Features' };

export function buildPage(): void {
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Dashboard views' });
  for (const t of TABS) tabs.append(h('button', { id: `tab-${t}`, class: 'tab', type: 'button', role: 'tab', 'aria-controls': `panel-${t}`, 'aria-selected': 'false', tabindex: -1 }, TAB_LABELS[t]));
  const sort = h('select', { id: 'sort', 'aria-label': 'Sort runs by' });
  for (const k of SORT_KEYS) sort.append(h('option', { value: k }, SORT_LABELS[k]));

  const compareEpoch = h('select', { id: 'compare-epoch', 'aria-label': 'Epoch to compare with' });
  const app = h(
    'div',
    { id: 'app' },
    h('header', { class: 'topbar' }, tabs, h('div', { id: 'run-title', class: 'run-title' })),
    h('div', { id: 'error-banner', class: 'banner', role: 'alert', hidden: true }, h('span', { id: 'error-text' }), h('button', { id: 'error-dismiss', class: 'icon-button', type: 'button', 'aria-label': 'Dismiss' }, '✕')),
    h(
      'main',
      { id: 'panels' },
      h(
        'section',
        { id: 'panel-runs', class: 'tab-panel', role: 'tabpanel', 'aria-labelledby': 'tab-runs' },
        h('div', { class: 'toolbar' }, h('label', { for: 'sort' }, 'Sort by '), sort, h('span', { id: 'runs-count', class: 'muted' })),
        h('div', { id: 'sweep-chart' }),
        h('div', { id: 'run-list', class: 'run-list', role: 'listbox', 'aria-label': 'Runs' }),
      ),
      h(
        'section',
        { id: 'panel-network', class: 'tab-panel', role: 'tabpanel', 'aria-labelledby': 'tab-network' },
        h(
          'div',
          { class: 'toolbar' },
          h('button', { id: 'play', class: 'button', type: 'button', 'aria-pressed': 'false', title: 'Step through the run’s epochs (P)' }, '▶ Play'),
          h('button', { id: 'epoch-prev', class: 'icon-button', type: 'button', 'aria-label': 'Previous epoch', title: 'Previous epoch (←)' }, '‹'),
          h('input', { id: 'epoch-slider', type: 'range', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'Epoch (index into the run’s analyzed epochs)' }),
          h('button', { id: 'epoch-next', class: 'icon-button', type: 'button', 'aria-label': 'Next epoch', title: 'Next epoch (→)' }, '›'),
          h('span', { id: 'epoch-label', class: 'epoch-label num' }),
          h('label', { class: 'check' }, h('input', { id: 'loop', type: 'checkbox' }), 'loop'),
          h('span', { class: 'sep' }),
          h('label', { class: 'check', title: 'Colour nodes by the change of centrality between two epochs' }, h('input', { id: 'compare', type: 'checkbox' }), 'compare with'),
          compareEpoch,
          h('span', { class: 'sep' }),
          h('label', { class: 'check', title: 'Jump to each new epoch as soon as it is analyzed' }, h('input', { id: 'follow', type: 'checkbox' }), 'follow new epochs'),
          h('span', { class: 'grow' }),
          h('button', { id: 'fit', class: 'icon-button', type: 'button', title: 'Fit the graph to the view' }, 'Fit'),
        ),
        h('div', { id: 'thinned-bar', class: 'note', hidden: true }, h('span', { class: 'note-label' }, 'Thinned for drawing:'), h('span', { id: 'thinned-note' })),
        h(
          'div',
          { class: 'network-body' },
          h(
            'div',
            { class: 'graph-wrap' },
            h('div', { id: 'layer-headers', class: 'layer-headers' }),
            h('div', { id: 'graph', class: 'graph', 'data-nodes': '0', 'data-edges': '0', 'data-colors': '' }),
            h('div', { id: 'graph-status', class: 'graph-status', hidden: true }),
            h('div', { id: 'graph-tooltip', class: 'tooltip', hidden: true }),
          ),
          h('aside', { id: 'sidebar', class: 'sidebar' }, h('div', { id: 'legend' }), h('div', { id: 'details' }), h('div', { id: 'summary' })),
        ),
      ),
      h('section', { id: 'panel-features', class: 'tab-panel', role: 'tabpanel', 'aria-labelledby': 'tab-features' }, h('div', { id: 'features' })),
    ),
  );
  document.body.append(app);
}
