/**
 * The status bar item for the active run: the run holding the active editor's file, else the most
 * recently updated one. Text and tooltip come from status-text.ts; a click opens the dashboard.
 */
import * as vscode from 'vscode';
import type { AnalysisService } from '../runtime/live/analysis-service';
import { COMMANDS, STATUS_ITEM_ID, STATUS_ITEM_NAME } from './contract';
import { pickActiveRun, statusView } from './status-text';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly unsubscribe: () => void;
  private shown = '';
  private shownLabel = '';

  constructor(
    private readonly service: AnalysisService,
    private readonly forecastEpochs: () => number,
  ) {
    this.item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 20);
    this.item.name = STATUS_ITEM_NAME;
    this.unsubscribe = service.onChange(() => this.update());
    this.disposables.push(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.update();
  }

  /** The text shown now ('' when hidden): the end-to-end tests read it. */
  get text(): string {
    return this.shown;
  }

  /** The accessible label shown now ('' when hidden): the end-to-end tests read it. */
  get label(): string {
    return this.shownLabel;
  }

  update(): void {
    const runs = this.service.runs();
    const doc = vscode.window.activeTextEditor?.document.uri;
    const run = pickActiveRun(runs, doc?.scheme === 'file' ? doc.fsPath : undefined, (id) => this.service.run(id)?.updatedAt ?? 0);
    const view = statusView(run, run ? this.service.pending(run.id) : [], this.forecastEpochs());
    if (!view.visible) {
      this.item.hide();
      this.shown = '';
      this.shownLabel = '';
      return;
    }
    this.item.text = view.text;
    const md = new vscode.MarkdownString(view.tooltip, true);
    md.isTrusted = false;
    this.item.tooltip = md;
    // Without this a screen reader reads the Markdown tooltip, escapes and all.
    this.item.accessibilityInformation = { label: view.label ?? view.text, role: 'button' };
    this.shownLabel = view.label ?? '';
    this.item.command = { command: COMMANDS.openDashboard, title: 'Open Dashboard', arguments: [view.runId] };
    const failed = run && run.epochs.length === 0 && run.errors.length > 0;
    this.item.backgroundColor = failed ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    this.shown = view.text;
  }

  dispose(): void {
    this.unsubscribe();
    for (const d of this.disposables) d.dispose();
    this.item.dispose();
  }
}
