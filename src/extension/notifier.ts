/**
 * Warns when a run is forecast to end badly (notify-policy.ts decides), at most once per run per
 * workspace, and offers to stop it, open the dashboard, or never ask again in this workspace.
 */
import * as vscode from 'vscode';
import type { AnalysisService } from '../runtime/live/analysis-service';
import { STATE } from './contract';
import { decideNotifications, type NotifySettings } from './notify-policy';
import type { RunStore } from './run-store';

const STOP = 'Stop run';
const OPEN = 'Open dashboard';
const MUTE = "Don't show again";

export class Notifier implements vscode.Disposable {
  private readonly unsubscribe: () => void;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: AnalysisService,
    private readonly store: RunStore,
    private readonly settings: () => NotifySettings,
    private readonly openDashboard: (runId: string) => void,
  ) {
    this.unsubscribe = service.onChange(() => void this.check());
  }

  async check(): Promise<void> {
    const state = this.context.workspaceState;
    if (state.get<boolean>(STATE.muted, false)) return;
    const notified = new Set(state.get<string[]>(STATE.notified, []));
    const decisions = decideNotifications(this.service.runs(), this.settings(), notified);
    if (decisions.length === 0) return;
    // Remembered before showing: a reload while the message is up must not show it again.
    for (const d of decisions) notified.add(d.runId);
    await state.update(STATE.notified, [...notified]);
    for (const d of decisions) void this.show(d.runId, d.message);
  }

  private async show(runId: string, message: string): Promise<void> {
    const choice = await vscode.window.showWarningMessage(message, STOP, OPEN, MUTE);
    if (choice === STOP) {
      try {
        const file = this.store.requestStop(runId, message.replace(/ — stop it\?$/, ''));
        void vscode.window.showInformationMessage(`Stop requested: wrote ${file}. A training loop that checks for this file stops at the end of its epoch.`);
      } catch (e) {
        void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
      }
    } else if (choice === OPEN) {
      this.openDashboard(runId);
    } else if (choice === MUTE) {
      await this.context.workspaceState.update(STATE.muted, true);
    }
  }

  dispose(): void {
    this.unsubscribe();
  }
}
