/**
 * Finds checkpoints in the workspace (vscode.workspace.findFiles with the watch globs) and keeps
 * watching them: one FileSystemWatcher per glob for checkpoints, one for training logs, one for
 * deletions of folders (a deleted run folder is reported as the folder alone).
 */
import * as vscode from 'vscode';
import type { AnalysisService } from '../engine/live/analysis-service';
import { EXCLUDE_GLOB, LOG_GLOB, isExcludedPath } from './contract';

const MAX_FILES_PER_GLOB = 20_000;

export class WorkspaceWatch implements vscode.Disposable {
  private watchers: vscode.Disposable[] = [];
  private generation = 0;

  constructor(
    private readonly service: AnalysisService,
    private readonly globs: () => string[],
    private readonly log: (line: string) => void,
  ) {}

  /** (Re)creates the watchers and reports every checkpoint already there. */
  async start(): Promise<void> {
    const gen = ++this.generation;
    this.disposeWatchers();
    const globs = this.globs();
    const local = (u: vscode.Uri): string | undefined => (u.scheme === 'file' && !isExcludedPath(u.fsPath) ? u.fsPath : undefined);
    for (const glob of globs) {
      const w = vscode.workspace.createFileSystemWatcher(glob);
      const changed = (u: vscode.Uri): void => {
        const p = local(u);
        if (p) this.service.fileChanged(p);
      };
      w.onDidCreate(changed);
      w.onDidChange(changed);
      w.onDidDelete((u) => {
        const p = local(u);
        if (p) this.service.fileDeleted(p);
      });
      this.watchers.push(w);
    }
    const logs = vscode.workspace.createFileSystemWatcher(LOG_GLOB);
    const logChanged = (u: vscode.Uri): void => {
      const p = local(u);
      if (p) this.service.logChanged(p);
    };
    logs.onDidCreate(logChanged);
    logs.onDidChange(logChanged);
    this.watchers.push(logs);
    const deletions = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
    deletions.onDidDelete((u) => {
      const p = local(u);
      if (p) this.service.pathDeleted(p);
    });
    this.watchers.push(deletions);

    for (const glob of globs) {
      let uris: vscode.Uri[];
      try {
        uris = await vscode.workspace.findFiles(glob, EXCLUDE_GLOB, MAX_FILES_PER_GLOB);
      } catch (e) {
        this.log(`finding ${glob} failed: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      if (gen !== this.generation) return; // restarted meanwhile
      if (uris.length >= MAX_FILES_PER_GLOB) this.log(`more than ${MAX_FILES_PER_GLOB} files match ${glob}; only the first ${MAX_FILES_PER_GLOB} are analyzed`);
      for (const u of uris) {
        const p = local(u);
        if (p) this.service.fileChanged(p);
      }
    }
  }

  private disposeWatchers(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
  }

  dispose(): void {
    this.generation++;
    this.disposeWatchers();
  }
}
