/**
 * "Export Features": one run or all, to JSON (feature vectors, per-epoch layer statistics,
 * accuracy, forecast) and two CSVs (tidy per-layer table; one row per run for training).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { featuresJson, layersCsv, runsCsv } from '../features-export';
import type { RunDetail } from '../../shared/dashboard-protocol';
import type { CommandDeps } from './deps';

export async function exportFeatures(deps: CommandDeps, runId?: unknown): Promise<void> {
  const runs = deps.service.runs().filter((r) => r.epochs.length > 0);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('No analyzed run to export yet.');
    return;
  }
  let ids: string[];
  if (typeof runId === 'string' && runs.some((r) => r.id === runId)) ids = [runId];
  else {
    const all = { label: '$(list-flat) All runs', description: `${runs.length} runs`, id: '*' };
    const items = runs.map((r) => ({
      label: r.name,
      description: vscode.workspace.asRelativePath(r.sweep),
      detail: `epochs ${r.epochs.join(', ')}${r.forecast ? ` · forecast ${(r.forecast.accuracy * 100).toFixed(1)}%` : ''}`,
      id: r.id,
    }));
    const pick = await vscode.window.showQuickPick(runs.length > 1 ? [all, ...items] : items, { title: 'Export features of', matchOnDescription: true });
    if (!pick) return;
    ids = pick.id === '*' ? runs.map((r) => r.id) : [pick.id];
  }
  const details = ids.map((id) => deps.service.detail(id)).filter((d): d is RunDetail => d !== undefined);
  const base = ids.length === 1 ? path.join(ids[0], `${path.basename(ids[0])}-features.json`) : path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(ids[0]), 'training-dynamics-features.json');
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(base), filters: { JSON: ['json'] }, saveLabel: 'Export', title: 'Export features (a JSON file and two CSV files beside it)' });
  if (!target) return;
  const stem = target.fsPath.replace(/\.json$/i, '');
  const epochs = deps.settings().forecastEpochs;
  const outputs: [string, string][] = [
    [`${stem}.json`, featuresJson(details, epochs)],
    [`${stem}-layers.csv`, layersCsv(details)],
    [`${stem}-runs.csv`, runsCsv(details, epochs)],
  ];
  try {
    for (const [file, text] of outputs) await vscode.workspace.fs.writeFile(vscode.Uri.file(file), Buffer.from(text, 'utf8'));
  } catch (e) {
    void vscode.window.showErrorMessage(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const open = await vscode.window.showInformationMessage(`Exported features of ${details.length} run${details.length === 1 ? '' : 's'}: ${outputs.map(([f]) => path.basename(f)).join(', ')}`, 'Open JSON');
  if (open) await vscode.window.showTextDocument(vscode.Uri.file(outputs[0][0]));
}
