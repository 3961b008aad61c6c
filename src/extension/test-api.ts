/** What activate() returns: the end-to-end tests drive and observe the extension through it. */
import type { RunSummary } from '../shared/protocol';

export interface TrainingDynamicsApi {
  /** All known runs, as the dashboard sees them. */
  runs(): RunSummary[];
  /** Resolves when no checkpoint is settling, queued or being analyzed (events not yet delivered by VS Code aside). */
  whenIdle(): Promise<void>;
  /** The status bar item's text ('' when hidden). */
  statusBarText(): string;
  /** Completed worker analyses of a file (cache hits excluded): to prove no file is analyzed twice. */
  analyzedCount(file: string): number;
}
