/** Registers the extension's commands (ids in contract.ts, titles in package.json). */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { COMMANDS } from '../contract';
import { analyzeFolder } from './analyze-folder';
import { exportFeatures } from './export-features';
import { trainForecaster } from './train-forecaster';
import type { CommandDeps } from './deps';

/** A run id from a command argument: a run id string, or a file/folder Uri inside a run. */
function runIdOf(deps: CommandDeps, arg: unknown): string | undefined {
  const p = typeof arg === 'string' ? arg : arg instanceof vscode.Uri && arg.scheme === 'file' ? arg.fsPath : undefined;
  if (!p) return undefined;
  const runs = deps.service.runs();
  const abs = path.resolve(p);
  return runs.find((r) => r.id === abs)?.id ?? runs.find((r) => abs.startsWith(r.id + path.sep))?.id;
}

async function clearCache(deps: CommandDeps): Promise<void> {
  const n = await deps.cache.clear();
  deps.service.clearMemo();
  const again = await vscode.window.showInformationMessage(
    `Cleared ${n} cached checkpoint result${n === 1 ? '' : 's'}. Results shown now stay until this window closes.`,
    'Re-analyze now',
  );
  if (again) deps.service.recheckAll();
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.openDashboard, (arg?: unknown) => deps.openDashboard(runIdOf(deps, arg))),
    vscode.commands.registerCommand(COMMANDS.analyzeFolder, (uri?: vscode.Uri) => analyzeFolder(deps, uri)),
    vscode.commands.registerCommand(COMMANDS.exportFeatures, (arg?: unknown) => exportFeatures(deps, runIdOf(deps, arg))),
    vscode.commands.registerCommand(COMMANDS.trainForecaster, (arg?: unknown) => trainForecaster(deps, arg)),
    vscode.commands.registerCommand(COMMANDS.clearCache, () => clearCache(deps)),
  ];
}
