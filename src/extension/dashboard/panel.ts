/**
 * The dashboard panel (host side): one webview panel, restored after a reload by a serializer.
 * It renders nothing itself: it sends the webview what the DashboardSource knows (HostMessage) and
 * forwards the user's requests back (WebviewMessage, each validated with isWebviewMessage; anything
 * else is dropped). Answers to requests, errors included, carry the request's id (`inReplyTo`).
 */
import * as vscode from 'vscode';
import { dispatch, isWebviewMessage, type HostMessage, type WebviewMessageHandlers } from '../../shared/dashboard-protocol';
import { SECTION, SETTING_KEYS } from '../contract';
import { dashboardHtml, makeNonce } from './html';
import type { DashboardSource } from './source';
import { maxDrawnEdges } from '../settings';

const VIEW_TYPE = 'trainingDynamics.dashboard';
const TITLE = 'Training Dynamics';
/** Coalesces bursts of source changes (a sweep analyzing several runs at once). */
const UPDATE_DELAY_MS = 150;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export class DashboardPanel {
  static readonly viewType = VIEW_TYPE;
  private static current: DashboardPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  /** The run the webview shows (it tells us with selectRun). */
  private selected: string | null = null;
  /** An explicit "show this run" from a command, sent with the next run list, then forgotten. */
  private pendingSelect: string | null;
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  private changedRuns = new Set<string | undefined>();
  private disposed = false;

  /** Opens the dashboard (or brings it to the front), optionally showing one run. */
  static createOrShow(context: vscode.ExtensionContext, source: DashboardSource, runId?: string): void {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
    if (DashboardPanel.current) {
      const p = DashboardPanel.current;
      p.panel.reveal(undefined, false);
      if (runId !== undefined) {
        p.pendingSelect = runId;
        // A hidden panel's webview is being recreated: it gets the selection with its 'ready'.
        if (p.panel.visible) p.postRuns();
      }
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, TITLE, column, webviewOptions(context.extensionUri));
    DashboardPanel.current = new DashboardPanel(panel, context, source, runId ?? null);
  }

  /** Restores the panel after a window reload (the webview restores its own view state). */
  static registerSerializer(context: vscode.ExtensionContext, source: DashboardSource): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, _state: unknown): Promise<void> {
        panel.webview.options = webviewOptions(context.extensionUri);
        DashboardPanel.current?.dispose();
        DashboardPanel.current = new DashboardPanel(panel, context, source, null);
      },
    });
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly source: DashboardSource,
    runId: string | null,
  ) {
    this.pendingSelect = runId;
    panel.title = TITLE;
    panel.iconPath = { light: vscode.Uri.joinPath(context.extensionUri, 'media', 'dashboard-light.svg'), dark: vscode.Uri.joinPath(context.extensionUri, 'media', 'dashboard-dark.svg') };
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => {
        // Everything from the webview is untrusted input.
        if (isWebviewMessage(m)) dispatch(this.handlers, m);
      }),
      source.onDidChange((e) => this.scheduleUpdate(e?.runId)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.${SETTING_KEYS.maxDrawnEdges}`)) this.post({ type: 'settings', maxEdges: maxDrawnEdges() });
      }),
    );
  }

  private html(): string {
    const w = this.panel.webview;
    const ext = this.context.extensionUri;
    return dashboardHtml({
      cspSource: w.cspSource,
      nonce: makeNonce(),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(ext, 'dist', 'webview.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(ext, 'media', 'dashboard.css')).toString(),
    });
  }

  private post(m: HostMessage): void {
    if (this.disposed) return;
    // A hidden panel has no webview (retainContextWhenHidden is off): it asks again with 'ready'.
    void this.panel.webview.postMessage(m).then(undefined, () => undefined);
  }

  private postRuns(): void {
    const runs = this.safe(() => this.source.runs(), []);
    const selected = this.pendingSelect;
    this.pendingSelect = null;
    this.post({ type: 'runs', runs, selected });
  }

  /** The run's detail, as the reply to a selectRun (`inReplyTo`) or as an update. */
  private postDetail(runId: string, inReplyTo?: number): void {
    const detail = this.safe(() => this.source.detail(runId), undefined, inReplyTo);
    if (detail) this.post(inReplyTo === undefined ? { type: 'runDetail', detail } : { type: 'runDetail', detail, inReplyTo });
  }

  private safe<T>(f: () => T, fallback: T, inReplyTo?: number): T {
    try {
      return f();
    } catch (e) {
      this.post(inReplyTo === undefined ? { type: 'error', message: errorText(e) } : { type: 'error', message: errorText(e), inReplyTo });
      return fallback;
    }
  }

  private readonly handlers: WebviewMessageHandlers = {
    ready: () => {
      this.post({ type: 'settings', maxEdges: maxDrawnEdges() });
      // The webview answers the run list with selectRun, which brings the run's detail.
      this.postRuns();
    },
    selectRun: (m) => {
      this.selected = m.runId;
      this.postDetail(m.runId, m.requestId);
    },
    requestGraph: ({ requestId, runId, epoch }) => {
      // Promise.resolve().then: a synchronous throw from the source becomes an error reply too.
      Promise.resolve()
        .then(() => this.source.graph(runId, epoch, maxDrawnEdges()))
        .then(
          (graph) => this.post({ type: 'graph', inReplyTo: requestId, runId, epoch, graph }),
          (e) => this.post({ type: 'error', inReplyTo: requestId, message: `Drawing epoch ${epoch}: ${errorText(e)}`, runId, epoch }),
        );
    },
    stopRun: ({ runId }) => {
      Promise.resolve()
        .then(() => this.source.stopRun(runId))
        .then(
          () => undefined,
          (e) => this.post({ type: 'error', message: `Could not ask the run to stop: ${errorText(e)}` }),
        );
    },
  };

  private scheduleUpdate(runId: string | undefined): void {
    this.changedRuns.add(runId);
    if (this.updateTimer) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      const changed = this.changedRuns;
      this.changedRuns = new Set();
      if (this.disposed || !this.panel.visible) return;
      this.postRuns();
      if (this.selected !== null && (changed.has(undefined) || changed.has(this.selected))) this.postDetail(this.selected);
    }, UPDATE_DELAY_MS);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    if (this.updateTimer) clearTimeout(this.updateTimer);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
