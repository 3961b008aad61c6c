/** Reads the extension's settings (package.json `contributes.configuration`), clamped to valid values. */
import * as vscode from 'vscode';
import { SECTION, SETTING_KEYS, sanitize, type Settings } from './contract';

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const raw: Partial<Record<keyof Settings, unknown>> = {};
  for (const [k, key] of Object.entries(SETTING_KEYS) as [keyof Settings, string][]) raw[k] = c.get(key);
  return sanitize(raw);
}

/** True when a configuration change touches one of our settings named by `keys`. */
export function affects(e: vscode.ConfigurationChangeEvent, ...keys: (keyof Settings)[]): boolean {
  return keys.some((k) => e.affectsConfiguration(`${SECTION}.${SETTING_KEYS[k]}`));
}
