/**
 * The Training Dynamics dashboard (webview side), started here once the page is loaded. It
 * receives HostMessage from the extension, posts WebviewMessage back (dashboard-protocol.ts), keeps
 * its view state with vscode.getState/setState, and draws three tabs:
 * Runs (list, learning curves, forecasts), Network (the selected run's graph per epoch, with
 * Cytoscape) and Features (per-layer graph statistics over epochs).
 *
 * The parts: dashboard.ts coordinates; page.ts, controls.ts, messages.ts, graph-cache.ts,
 * playback.ts, render.ts and graph-view.ts do the rest.
 *
 * Every string from the host (run names, paths, error messages) goes into the page as text
 * (dom.ts), never as markup.
 *
 * DOM contract (the UI tests rely on it):
 *  - #tab-runs, #tab-network, #tab-features: the tab buttons (aria-selected="true" on the open one).
 *  - .run-row[data-run-id] (and data-status): one per run; click selects, double-click/Enter opens
 *    the network; .stop-run[data-run-id] in each row posts stopRun (disabled once requested).
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
