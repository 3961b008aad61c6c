/**
 * Extension entry: wires the live analysis (src/runtime/live, worker threads) to VS Code: workspace
 * discovery and watchers, the run store behind the dashboard, the status bar, notifications and
 * the commands. Activated by checkpoints in the workspace, a command, or a restored dashboard.
 */
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkerPool, machineCores, poolSize, type CrashReport } from '../runtime/pool/worker-pool';
import { ResultCache } from '../runtime/live/result-cache';
import { AnalysisService } from '../runtime/live/analysis-service';
import { DashboardPanel } from './dashboard/panel';
import { RunStore } from './run-store';
import { WorkspaceWatch } from './workspace-watch';
import { StatusBar } from './status-bar';
import { Notifier } from './notifier';
import { registerCommands } from './commands/index';
import { affects, readSettings } from './settings';
import { recordingRequested, type TrainingDynamicsApi } from './test-api';

/** Heap per worker: a share of the machine's memory, between 512 MB and 4 GB. */
function workerHeapMb(workers: number): number {
  return Math.max(512, Math.min(4096, Math.floor(os.totalmem() / 2 ** 20 / (workers + 1))));
}

/**
 * Part of every cache key: the version plus a hash of the worker bundle, so results computed by
 * another engine (an update, or a development build between versions) are never reused.
 */
function engineVersion(version: string): string {
  try {
    return `${version}+${crypto.createHash('sha1').update(fs.readFileSync(path.join(__dirname, 'worker.js'))).digest('hex').slice(0, 12)}`;
  } catch {
    return version;
  }
}

export function activate(context: vscode.ExtensionContext): TrainingDynamicsApi {
  const out = vscode.window.createOutputChannel('Training Dynamics', { log: true });
  const log = (line: string): void => out.info(line);
  context.subscriptions.push(out);

  const size = poolSize(machineCores());
  const heapMb = workerHeapMb(size);
  const pool = new WorkerPool({ script: path.join(__dirname, 'worker.js'), size, maxOldGenerationSizeMb: heapMb });
  const crashes: CrashReport[] = [];
  pool.onCrash((r) => {
    crashes.push(r);
    out.warn(`analysis worker ${r.reason} while working on ${r.file} (attempt ${r.attempt}); ${r.willRetry ? 'retrying once on a fresh worker' : 'giving up on this file'}`);
  });

  // Workspace storage (per workspace); a window without a folder falls back to global storage.
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
  const cache = new ResultCache(path.join(storage, 'results'));
  let settings = readSettings();

  const service = new AnalysisService({
    pool,
    cache,
    engineVersion: engineVersion(String(context.extension.packageJSON.version ?? '0')),
    settings: () => ({ inputSize: settings.inputSize, forecastEpochs: settings.forecastEpochs }),
    log,
  });
  // Before the first file event, so that a test harness sees every analysis.
  if (recordingRequested(process.env)) service.startRecording();
  const store = new RunStore(service);
  const openDashboard = (runId?: string): void => DashboardPanel.createOrShow(context, store, runId);
  const watch = new WorkspaceWatch(service, () => settings.watchGlobs, log);
  const status = new StatusBar(service, () => settings.forecastEpochs);
  const notifier = new Notifier(context, service, store, () => ({ threshold: settings.notifyThreshold, belowBest: settings.notifyBelowBest, minEpochs: settings.forecastEpochs }), openDashboard);

  context.subscriptions.push(
    store,
    watch,
    status,
    notifier,
    DashboardPanel.registerSerializer(context, store),
    ...registerCommands({ context, service, store, cache, settings: () => settings, openDashboard, log }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const before = settings;
      settings = readSettings();
      if (affects(e, 'watchGlobs')) void watch.start();
      if (affects(e, 'inputSize') && before.inputSize !== settings.inputSize) service.recheckAll();
      if (affects(e, 'forecastEpochs')) service.refreshForecasts();
      if (affects(e, 'notifyThreshold', 'notifyBelowBest')) void notifier.check();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void watch.start()),
    { dispose: () => (service.dispose(), void pool.dispose()) },
  );

  log(`analysis workers: ${size} (heap limit ${heapMb} MB each); result cache: ${path.join(storage, 'results')}`);
  void watch.start().catch((e) => log(`workspace scan failed: ${e instanceof Error ? e.message : String(e)}`));

  return {
    runs: () => service.runs(),
    whenIdle: () => service.whenIdle(),
    statusBarText: () => status.text,
    statusBarLabel: () => status.label,
    notifications: () => notifier.shown.slice(),
    analyzedCount: (file: string) => service.startRecording().analyzedCount(file),
    analyses: () => service.startRecording().analyses(),
    onAnalysis: (listener) => service.startRecording().onAnalysis(listener),
    running: () => service.running(),
    killWorker: () => pool.kill(),
    crashes: () => crashes.slice(),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
