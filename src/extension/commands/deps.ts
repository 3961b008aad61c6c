/** What the commands need from the running extension (wired in extension.ts). */
import type * as vscode from 'vscode';
import type { AnalysisService } from '../../runtime/live/analysis-service';
import type { ResultCache } from '../../runtime/live/result-cache';
import type { Settings } from '../contract';
import type { RunStore } from '../run-store';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  service: AnalysisService;
  store: RunStore;
  cache: ResultCache;
  settings: () => Settings;
  openDashboard: (runId?: string) => void;
  log: (line: string) => void;
}
