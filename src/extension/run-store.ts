/**
 * The run store as the dashboard sees it (DashboardSource): the analysis service's runs, details
 * and drawable graphs, a VS Code event when anything changes, and stopping a run.
 */
import * as vscode from 'vscode';
import type { AnalysisService } from '../runtime/live/analysis-service';
import { drawGraph } from '../runtime/live/view-model';
import type { DrawGraph, RunDetail, RunSummary } from '../shared/dashboard-protocol';
import type { DashboardSource } from './dashboard/source';
import { stopRefusal, writeStopRequest } from './stop-request';

export class RunStore implements DashboardSource, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<{ runId?: string }>();
  readonly onDidChange = this.emitter.event;
  private readonly unsubscribe: () => void;

  constructor(readonly service: AnalysisService) {
    this.unsubscribe = service.onChange((runId) => this.emitter.fire({ runId }));
  }

  runs(): RunSummary[] {
    return this.service.runs();
  }

  detail(runId: string): RunDetail | undefined {
    return this.service.detail(runId);
  }

  graph(runId: string, epoch: number, maxEdges: number): Promise<DrawGraph> {
    return this.service.graph(runId, epoch, maxEdges).then(drawGraph);
  }

  /** From the dashboard's Stop button. */
  async stopRun(runId: string): Promise<void> {
    const file = this.requestStop(runId, 'requested from the Training Dynamics dashboard');
    void vscode.window.showInformationMessage(`Stop requested: wrote ${file}. A training loop that checks for this file stops at the end of its epoch.`);
  }

  /**
   * Writes `<run>/STOP`, for a run that has not finished. Needs a trusted workspace: it is the one place the extension writes into
   * a run folder, and the file is meant to make a training process act.
   */
  requestStop(runId: string, reason: string): string {
    if (!vscode.workspace.isTrusted) throw new Error('Stopping a run writes a STOP file into its folder, which needs a trusted workspace (Manage Workspace Trust).');
    const run = this.service.run(runId);
    if (!run || !run.visible) throw new Error(`No known run at ${runId}`);
    // The dashboard hides Stop for a finished run; a message that asks anyway is refused here.
    const refusal = stopRefusal({ name: run.name, status: run.facts?.status.status, reason: run.facts?.status.reason });
    if (refusal) throw new Error(refusal);
    return writeStopRequest(run.dir, { requestedBy: 'Training Dynamics (VS Code extension)', reason, forecast: run.forecast, time: new Date().toISOString() });
  }

  dispose(): void {
    this.unsubscribe();
    this.emitter.dispose();
  }
}
