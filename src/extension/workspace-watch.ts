/**
 * Finds checkpoints in the workspace (vscode.workspace.findFiles with the watch globs) and keeps
 * watching them: one FileSystemWatcher per glob for checkpoints, one for training logs, one for
 * deletions of folders (a deleted run folder is reported as the folder alone).
 *
 * The editor's recursive watcher misses files in folders created together with their first file
 * (`os.makedirs(run_dir)` then `torch.save(...)`, the way training scripts start): measured in
 * VS Code 1.100, only the top new folder is reported and nothing inside it, ever. So a folder
 * creation triggers a rescan of the workspace (after 0.5 s and 3 s), and a slow periodic rescan
 * catches the rest. A rescan is cheap: files already analyzed with the same size and mtime are
 * skipped by the service.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { AnalysisService } from '../runtime/live/analysis-service';
import { EXCLUDE_GLOB, LOG_GLOB, isExcludedPath } from './contract';

const MAX_FILES_PER_GLOB = 20_000;
const RESCAN_AFTER_FOLDER_MS = [500, 3000];
const PERIODIC_RESCAN_MS = 15_000;

export class WorkspaceWatch implements vscode.Disposable {
  private watchers: vscode.Disposable[] = [];
  private generation = 0;
  private timers = new Set<NodeJS.Timeout>();
  private periodic: NodeJS.Timeout | undefined;
  private scanning = false;
  private scannedOnce = false;
  /** Size and mtime of each training log at the last scan: only logs that changed are reported. */
  private logStats = new Map<string, string>();

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
    // Any creation that is not a checkpoint (a new run folder, most likely) schedules rescans.
    const creations = vscode.workspace.createFileSystemWatcher('**/*', false, true, true);
    creations.onDidCreate((u) => {
      if (!local(u)) return;
      for (const ms of RESCAN_AFTER_FOLDER_MS) {
        const t = setTimeout(() => {
          this.timers.delete(t);
          void this.scan(gen);
        }, ms);
        this.timers.add(t);
      }
    });
    this.watchers.push(creations);
    this.periodic = setInterval(() => void this.scan(gen), PERIODIC_RESCAN_MS);
    await this.scan(gen);
  }

  /** Reports every checkpoint matching the globs; the service skips those it already has. */
  private async scan(gen: number): Promise<void> {
    if (this.scanning || gen !== this.generation) return;
    this.scanning = true;
    try {
      await this.scanOnce(gen);
      this.scannedOnce = true;
    } finally {
      this.scanning = false;
    }
  }

  private async scanOnce(gen: number): Promise<void> {
    const local = (u: vscode.Uri): string | undefined => (u.scheme === 'file' && !isExcludedPath(u.fsPath) ? u.fsPath : undefined);
    try {
      for (const u of await vscode.workspace.findFiles(LOG_GLOB, EXCLUDE_GLOB, MAX_FILES_PER_GLOB)) {
        const p = local(u);
        if (!p) continue;
        let key: string;
        try {
          const st = fs.statSync(p);
          key = `${st.size}:${st.mtimeMs}`;
        } catch {
          continue;
        }
        if (this.logStats.get(p) === key) continue;
        const known = this.logStats.has(p);
        this.logStats.set(p, key);
        // The first scan at start-up only records: the service reads a run's logs with its checkpoints.
        if (known || this.scannedOnce) this.service.logChanged(p);
      }
    } catch (e) {
      if (gen !== this.generation) return;
      this.log(`finding training logs failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const glob of this.globs()) {
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
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.periodic) clearInterval(this.periodic);
    this.periodic = undefined;
  }

  dispose(): void {
    this.generation++;
    this.disposeWatchers();
  }
}
