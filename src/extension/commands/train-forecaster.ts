/**
 * "Train Forecaster": fits a forecaster on the finished runs below a workspace folder (the engine's
 * forecast/train.ts, in a worker) and writes it to `<folder>/.training-dynamics/forecaster.json`,
 * where forecasts of runs below that folder (here and in the CLI) look before the shipped model.
 * Needs a trusted workspace: it writes into the workspace.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { errorMessage } from '../../engine/errors';
import type { CommandDeps } from './deps';

async function pickRoot(arg: unknown): Promise<string | undefined> {
  if (arg instanceof vscode.Uri && arg.scheme === 'file') return arg.fsPath;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (folders.length === 0) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Train on this folder', title: 'Folder with finished runs' });
    return picked?.[0]?.fsPath;
  }
  if (folders.length === 1) return folders[0].uri.fsPath;
  const pick = await vscode.window.showQuickPick(folders.map((f) => ({ label: f.name, description: f.uri.fsPath, root: f.uri.fsPath })), { title: 'Train a forecaster on the finished runs of' });
  return pick?.root;
}

export async function trainForecaster(deps: CommandDeps, arg?: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Training a forecaster writes a model file into the workspace, which needs a trusted workspace.');
    return;
  }
  const root = await pickRoot(arg);
  if (!root) return;
  let failure: string | undefined;
  const reply = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Training Dynamics: training a forecaster on the finished runs in ${path.basename(root)}`, cancellable: true },
    async (_progress, token) => {
      const task = deps.service.submitTask('train', root, () => ({ body: { root, inputSize: deps.settings().inputSize ?? undefined } }));
      token.onCancellationRequested(() => deps.service.cancelTask(task.jobId));
      try {
        return await task.promise;
      } catch (e) {
        // The worker's reason (too few finished runs…) or a crash; a cancel is no failure.
        if (!token.isCancellationRequested) failure = errorMessage(e);
        return undefined;
      }
    },
  );
  if (failure !== undefined) {
    void vscode.window.showErrorMessage(`No forecaster trained: ${failure}`);
    return;
  }
  if (!reply) return;
  deps.log(`forecaster trained → ${reply.outFile}: ${reply.summary}`);
  deps.service.refreshForecasts();
  void vscode.window.showInformationMessage(`Forecaster trained (${reply.summary}) and saved to ${vscode.workspace.asRelativePath(reply.outFile)}; forecasts of runs in this folder now use it.`);
}
