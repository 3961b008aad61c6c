/** Shared helpers of the extension-host suite: the extension's test API, paths, polling, logging. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/shared/dashboard-protocol';
import type { TrainingDynamicsApi } from '../../../src/extension/test-api';

export const EXTENSION_ID = 'training-dynamics.training-dynamics';

/** What activate() returns (the contract the suites test against). */
export type TestApi = TrainingDynamicsApi;
const API_MEMBERS = ['runs', 'whenIdle', 'statusBarText', 'statusBarLabel', 'notifications', 'analyzedCount', 'analyses', 'onAnalysis', 'running', 'killWorker', 'crashes'] as const;

/** Written by test/e2e/run.mjs next to the compiled suite before each run. */
export interface SuiteConfig {
  /** Progress lines go here; the runner prints them as they come. */
  log: string;
  /** `{passed, failed, pending, total, failures}` goes here at the end. */
  result: string;
  /** The fixture workspace the window has open. */
  workspace: string;
  /** `<workspace>/lenet-fashion`: the example sweep (three runs and the hostile-name copy). */
  sweep: string;
  /** `<workspace>/mixed`: done-lenet (finished), live-lenet (running, 3 of 15 epochs), nan-mlp (diverged at epoch 4). */
  mixed: string;
  /** The folder name that must render as text. */
  hostileName: string;
}

export const config: SuiteConfig = JSON.parse(fs.readFileSync(path.join(__dirname, 'config.json'), 'utf8'));

export function log(line: string): void {
  fs.appendFileSync(config.log, line + '\n');
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The extension's test API: activates the extension when needed. */
export async function api(): Promise<TestApi> {
  const ext = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this window`);
  const exports = ext.isActive ? ext.exports : await ext.activate();
  for (const name of API_MEMBERS) {
    if (!exports || typeof exports[name] !== 'function') {
      throw new Error(`activate() must return the test API {${API_MEMBERS.join(', ')}}; ${name} is missing`);
    }
  }
  return exports;
}

export const samePath = (a: string, b: string): boolean => path.resolve(a) === path.resolve(b);

export function runAt(td: TestApi, dir: string): RunSummary | undefined {
  return td.runs().find((r) => samePath(r.id, dir));
}

/** Polls `probe` until it returns something truthy; throws with `what` and the last value seen. */
export async function waitFor<T>(what: string, probe: () => T | undefined | null | false, timeoutMs: number, everyMs = 50): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Resolves when the extension is idle, or throws after `timeoutMs`. */
export async function idle(td: TestApi, timeoutMs = 120_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      td.whenIdle(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`whenIdle() did not resolve within ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function describeRun(r: RunSummary | undefined): string {
  if (!r) return 'no such run';
  const f = r.forecast ? `forecast ${JSON.stringify(r.forecast)}` : 'forecast null';
  return `${r.name}: ${r.status}, epochs [${r.epochs.join(',')}], ${f}, ${r.errors.length} errors${r.errors.length ? ' (' + r.errors.map((e) => `${path.basename(e.path)}: ${e.message}`).join('; ') + ')' : ''}`;
}
