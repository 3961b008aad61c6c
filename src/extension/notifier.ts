/**
 * Warns when a run diverged or is advised to stop (notify-policy.ts decides), at most once per run
 * and state per workspace, and offers to stop it, open the dashboard, or never ask again in this
 * workspace. What was shown is kept for the end-to-end tests (test-api.ts).
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
  /** Every notification shown by this window, oldest first. */
  readonly shown: { runId: string; state: string; message: string }[] = [];
  private readonly seen = new Set<string>();

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
    // This window's own keys too: a check that starts while another awaits its update must not repeat it.
    const notified = new Set([...state.get<string[]>(STATE.notified, []), ...this.seen]);
    const decisions = decideNotifications(this.service.runs(), this.settings(), notified);
    if (decisions.length === 0) return;
    // Remembered before showing: a reload while the message is up must not show it again.
    for (const d of decisions) {
      notified.add(d.key);
      this.seen.add(d.key);
    }
    await state.update(STATE.notified, [...notified]);
    for (const d of decisions) {
      this.shown.push({ runId: d.runId, state: d.state, message: d.message });
      void this.show(d.runId, d.message, d.reason);
    }
  }

  private async show(runId: string, message: string, reason: string): Promise<void> {
    const choice = await vscode.window.showWarningMessage(message, STOP, OPEN, MUTE);
    if (choice === STOP) {
      try {
        const file = this.store.requestStop(runId, reason);
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
