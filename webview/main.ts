/**
 * The Training Dynamics dashboard (webview side), started here once the page is loaded. It
 * receives HostMessage from the extension, posts WebviewMessage back (dashboard-protocol.ts), keeps
 * its view state with vscode.getState/setState, and draws three tabs:
 * Runs (the sweep view: the runs table with a column per hyperparameter, sorting and filtering,
 * parallel coordinates, parameter importance, learning curves, the host's stopping advice),
 * Network (the selected run's graph per epoch, with Cytoscape, what changed and where, a layer
 * table as its text alternative, keyboard access) and Features (per-layer graph statistics over
 * epochs, each chart with a line on what a healthy run looks like).
 *
 * The parts: dashboard.ts coordinates; page.ts, controls.ts, messages.ts, graph-cache.ts,
 * playback.ts, render.ts and graph-view.ts do the rest.
 *
 * Every string from the host (run names, paths, error messages) goes into the page as text
 * (dom.ts), never as markup.
 *
 * DOM contract (the UI tests rely on it):
 *  - #tab-runs, #tab-network, #tab-features: the tab buttons (aria-selected="true" on the open one).
 *  - tr.run-row[data-run-id] (and data-status, data-training): one per run the filter keeps; click
 *    selects, double-click/Enter opens the network; .stop-run[data-run-id] in the row of a run
 *    still training posts stopRun (disabled once requested); td.hp-cell[data-key] its
 *    hyperparameters; .run-rank its rank in the sweep.
 *  - button.sort-header[data-sort] in the table's header cells (aria-sort on the cell): `score`,
 *    `name`, `status`, `epochs`, `forecast`, `final` or `hp:<key>`; a click sorts, again reverses.
 *  - #run-filter (the filter line), #filter-clear, #runs-count ("2 of 6 runs"), #metric.
 *  - #advice-banner (hidden without advice): #advice-text, the sentence; li[data-run-id] per run.
 *  - svg.parallel: path.pc-line[data-run-id] per run (.dim when filtered out), .pc-axis[data-key]
 *    with .pc-hit (drag to brush) and .pc-brush; #importance with #importance-method and
 *    tr[data-key] per parameter.
 *  - #graph: the Cytoscape container; canvas.network-canvas in it holds the painted network
 *    (network-painter.ts). After each render has been painted: data-nodes, data-edges
 *    (elements drawn), data-epoch (the epoch number), data-colors (8-hex-digit hash of the node
 *    colours, in DrawGraph.nodes order), data-render-ms, data-update-ms, data-rebuilt ("1" when the
 *    elements were rebuilt, "0" when updated in place).
 *  - #epoch-slider: input[type=range]; its value is the INDEX into the run's analyzed epochs
 *    (RunSummary.epochs), its data-epoch the epoch number. #epoch-prev, #epoch-next, #play
 *    (aria-pressed while playing), #loop, #compare, #compare-epoch, #follow, #fit.
 *  - #thinned-note: exactly DrawGraph.thinned; hidden (with its bar, #thinned-bar) when null.
 *  - .layer-header[data-layer]: click shows #layer-details[data-layer]; a node click shows
 *    #node-details[data-node-id] (rows tr[data-field]).
 *  - #graph takes the keyboard (network-keys.ts); #graph-live announces what the cursor is on.
 *  - #layer-table: tr[data-layer] per layer (.active when selected), .layer-link buttons select;
 *    #insights: li[data-insight="change" | "units" | "forecast"].
 *  - .feature-card .card-health: the chart's line on a healthy run.
 *  - body[data-ready="1"] after the first graph render.
 *  - window.__dashboard: nodePosition(id) → client {x, y} | null, nodeColor(id) → the node's
 *    fill (#rrggbb) | null, nodeIds(), state() (read-only hooks for tests: a node is clicked with
 *    the mouse at nodePosition, its pixels there are compared with nodeColor).
 */
import { Dashboard } from './dashboard';
import { vscodeApi } from './vscode-api';

// Acquired at once: VS Code allows one call per page.
const api = vscodeApi();

function start(): void {
  new Dashboard(api);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
