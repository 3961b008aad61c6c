/**
 * "Analyze Training Dynamics" on a folder (explorer context menu, or a folder picked from the
 * palette): every checkpoint below it, with cancellable progress, then the dashboard on it.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { discoverRuns, type RunFiles } from '../../engine/run/discover';
import type { TrackOutcome } from '../../runtime/live/run-registry';
import type { CommandDeps } from './deps';

export async function analyzeFolder(deps: CommandDeps, uri?: vscode.Uri): Promise<void> {
  let folder = uri instanceof vscode.Uri && uri.scheme === 'file' ? uri.fsPath : undefined;
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: 'Analyze',
      title: 'Folder with training checkpoints',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!picked?.length) return;
    folder = picked[0].fsPath;
  }
  let runs: RunFiles[];
  try {
    runs = discoverRuns(folder);
  } catch (e) {
    void vscode.window.showErrorMessage(`Cannot read ${folder}: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const files = runs.flatMap((r) => r.checkpoints);
  if (files.length === 0) {
    void vscode.window.showInformationMessage(`No checkpoints found under ${folder} (looked for .pt/.pth/.ckpt/.safetensors/.h5/.keras/.onnx/.npz/model.json).`);
    return;
  }
  const counts: Record<TrackOutcome, number> = { done: 0, error: 0, gone: 0, cancelled: 0, skipped: 0 };
  const cancelled = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Training Dynamics: ${path.basename(folder)}`, cancellable: true },
    async (progress, token) => {
      const n = files.length;
      let finished = 0;
      token.onCancellationRequested(() => {
        for (const f of files) deps.service.cancel(f);
      });
      progress.report({ message: `${n} checkpoint${n === 1 ? '' : 's'} in ${runs.length} run${runs.length === 1 ? '' : 's'}` });
      await Promise.all(
        files.map((f) =>
          deps.service.track(f).then((o) => {
            counts[o]++;
            finished++;
            progress.report({ increment: 100 / n, message: `${finished} of ${n}: ${path.basename(f)}` });
          }),
        ),
      );
      return token.isCancellationRequested;
    },
  );
  if (cancelled) {
    void vscode.window.showInformationMessage(`Analysis cancelled: ${counts.done} of ${files.length} checkpoints analyzed.`);
  } else if (counts.error) {
    void vscode.window.showWarningMessage(`${counts.error} of ${files.length} checkpoints could not be analyzed; the dashboard lists why.`);
  }
  deps.openDashboard(runs[0].dir);
}
