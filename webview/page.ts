/**
 * The dashboard page's skeleton: tabs, the error banner and the three panels with their static
 * controls, built once at start-up. Everything that changes later is filled in by the renderers;
 * the element ids here are the DOM contract described in main.ts.
 */
import { h } from './dom';
import { TABS, type Tab } from './model';
import { GRAPH_HELP } from './network-keys';
import { METRIC_LABELS, METRICS } from './sweep-model';

const FILTER_HELP = 'Words that must all hold: part of a run name; key=value or key=a,b; key!=value; key<x, key<=x, key>x, key>=x. Keys: any hyperparameter, and name, status, forecast, final, score (final, else forecast; 0.7 or 70%).';
const TAB_LABELS: Record<Tab, string> = { runs: 'Runs', network: 'Network', features: 'Features' };

export function buildPage(): void {
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Dashboard views' });
  for (const t of TABS) tabs.append(h('button', { id: `tab-${t}`, class: 'tab', type: 'button', role: 'tab', 'aria-controls': `panel-${t}`, 'aria-selected': 'false', tabindex: -1 }, TAB_LABELS[t]));
  const metric = h('select', { id: 'metric', 'aria-label': 'Rank and colour runs by' });
  for (const k of METRICS) metric.append(h('option', { value: k }, METRIC_LABELS[k]));

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
        h(
          'div',
          { class: 'toolbar' },
          h('label', { for: 'run-filter' }, 'Filter'),
          h('input', { id: 'run-filter', class: 'filter-input', type: 'search', spellcheck: 'false', autocomplete: 'off', placeholder: 'lr<1e-3 optimizer=adam status=running', title: FILTER_HELP, 'aria-describedby': 'filter-help' }),
          h('button', { id: 'filter-clear', class: 'icon-button', type: 'button', title: 'Clear the filter and every brush' }, 'Clear'),
          h('span', { id: 'runs-count', class: 'muted', role: 'status' }),
          h('span', { class: 'sep' }),
          h('label', { for: 'metric' }, 'Rank and colour by'),
          metric,
          h('span', { class: 'sep' }),
          h('details', { id: 'columns-menu', class: 'columns-menu' }, h('summary', {}, 'Columns', h('span', { id: 'columns-count', class: 'muted' })), h('div', { id: 'columns-list', class: 'columns-list' })),
          h('span', { id: 'filter-help', class: 'sr-only' }, FILTER_HELP),
        ),
        h('div', { id: 'filter-errors', class: 'filter-errors small', role: 'alert', hidden: true }),
        h('div', { id: 'advice-banner', class: 'advice-banner', role: 'region', 'aria-label': 'Stopping advice', hidden: true }),
        h('div', { id: 'sweep-cards', class: 'sweep-cards' }),
        h('div', { id: 'sweep-constants', class: 'sweep-constants small' }),
        h('div', { id: 'run-list', class: 'run-list' }),
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
            h('div', { id: 'graph', class: 'graph', 'data-nodes': '0', 'data-edges': '0', 'data-colors': '', tabindex: 0, role: 'application', 'aria-label': 'Network drawing', 'aria-describedby': 'graph-help' }),
            h('details', { id: 'layer-table-box', class: 'layer-table-box', open: true }, h('summary', {}, 'Layers as a table', h('span', { class: 'muted small' }, ' — the drawing in words and numbers')), h('div', { id: 'layer-table-wrap', class: 'layer-table-wrap' })),
            h('div', { id: 'graph-status', class: 'graph-status', hidden: true }),
            h('div', { id: 'graph-tooltip', class: 'tooltip', hidden: true }),
            h('div', { id: 'graph-help', class: 'sr-only' }, GRAPH_HELP),
            h('div', { id: 'graph-live', class: 'sr-only', 'aria-live': 'polite' }),
          ),
          h('aside', { id: 'sidebar', class: 'sidebar' }, h('div', { id: 'insights-box' }), h('div', { id: 'legend' }), h('div', { id: 'details' }), h('div', { id: 'summary' })),
        ),
      ),
      h('section', { id: 'panel-features', class: 'tab-panel', role: 'tabpanel', 'aria-labelledby': 'tab-features' }, h('div', { id: 'features' })),
    ),
  );
  document.body.append(app);
}
