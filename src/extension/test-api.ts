/**
 * What activate() returns: the end-to-end tests drive and observe the extension through it.
 * The journal of analyses behind analyzedCount/analyses/onAnalysis costs memory, so it is kept only
 * when a test harness runs the editor (`recordingRequested`) or once a test calls one of them.
 */
import type { RunSummary } from '../shared/dashboard-protocol';
import type { AnalysisRecord } from '../runtime/live/recorder';
import type { CrashReport } from '../runtime/pool/worker-pool';

export type { AnalysisRecord, CrashReport };

/**
 * The end-to-end harness (test/e2e/run.mjs) starts the editor with TD_E2E_MOCHA set, and the
 * extension host inherits it: record from activation on, so the tests see every analysis.
 */
export function recordingRequested(env: NodeJS.ProcessEnv): boolean {
  return env.TD_E2E_MOCHA !== undefined;
}

export interface TrainingDynamicsApi {
  /** All known runs, as the dashboard sees them. */
  runs(): RunSummary[];
  /** Resolves when no checkpoint is settling, queued or being analyzed (events not yet delivered by VS Code aside). */
  whenIdle(): Promise<void>;
  /** The status bar item's text ('' when hidden). */
  statusBarText(): string;
  /** The status bar item's accessible label ('' when hidden). */
  statusBarLabel(): string;
  /** Every "stop it?" notification this window showed, oldest first. */
  notifications(): { runId: string; state: string; message: string }[];
  /** Completed worker analyses of a file (cache hits excluded): to prove no file is analyzed twice. */
  analyzedCount(file: string): number;
  /** Every finished worker analysis of this extension host, with the size and hash of the bytes read. */
  analyses(): AnalysisRecord[];
  /** Hears each finished analysis (a result once it is in the disk cache); returns the unsubscribe. */
  onAnalysis(listener: (r: AnalysisRecord) => void): () => void;
  /** Checkpoints being analyzed by a worker right now. */
  running(): string[];
  /** Kills the worker thread running an analysis (as a crash would); returns its file, or undefined if none runs. */
  killWorker(): string | undefined;
  /** Worker crashes reported by the pool, oldest first. */
  crashes(): CrashReport[];
}
