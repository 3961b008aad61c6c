/**
 * The one place the extension reads its settings (package.json `contributes.configuration`),
 * clamped to valid values by contract.ts `sanitize`: every reader (activation, the configuration
 * listener, the dashboard's edge budget) goes through here, so a setting means the same everywhere.
 */
import * as vscode from 'vscode';
import { SECTION, SETTING_KEYS, sanitize, type Settings } from './contract';

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const raw: Partial<Record<keyof Settings, unknown>> = {};
  for (const [k, key] of Object.entries(SETTING_KEYS) as [keyof Settings, string][]) raw[k] = c.get(key);
  return sanitize(raw);
}

/** The dashboard's edge budget for a drawn graph, read when it is needed (it may change any time). */
export function maxDrawnEdges(): number {
  return readSettings().maxDrawnEdges;
}

/** True when a configuration change touches one of our settings named by `keys`. */
export function affects(e: vscode.ConfigurationChangeEvent, ...keys: (keyof Settings)[]): boolean {
  return keys.some((k) => e.affectsConfiguration(`${SECTION}.${SETTING_KEYS[k]}`));
}
