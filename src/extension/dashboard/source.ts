/**
 * What the dashboard panel needs from the rest of the extension. The run store implements it;
 * the panel only renders what it gets and forwards the user's requests.
 */
import type * as vscode from 'vscode';
import type { DrawGraph, RunDetail, RunSummary } from '../../shared/dashboard-protocol';

export interface DashboardSource {
  /** All known runs, in display order. */
  runs(): RunSummary[];
  /** The per-epoch analyses of one run, or undefined when unknown. */
  detail(runId: string): RunDetail | undefined;
  /** The thinned drawable graph of one epoch of a run (computed in a worker, cached). */
  graph(runId: string, epoch: number, maxEdges: number): Promise<DrawGraph>;
  /** Writes the stop request into the run folder. */
  stopRun(runId: string): Promise<void>;
  /** Fires when runs are added or change (new checkpoint analyzed, forecast updated, error). */
  readonly onDidChange: vscode.Event<{ runId?: string }>;
}
