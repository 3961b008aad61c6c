/**
 * Results stored next to a run by `analyze --write` (engine run/result-store.ts): when the
 * analysis ran where the training runs (inside the job, a Slurm array task, a Ray task), the
 * editor on a login node or over Remote-SSH reads them instead of analyzing the checkpoints again.
 * Checked after the editor's own cache and before a worker job; a stored result that does not
 * match the checkpoint's content, the engine's result version or the input size is a miss.
 */
import type { CheckpointAnalysis } from '../../engine/analyze-checkpoint';
import { readStored, storesFor } from '../../engine/run/result-store';

/** The stored analysis of this checkpoint's content, or undefined (no store nearby, or no match). */
export function readStoredResult(checkpoint: string, inputSize: number | null): CheckpointAnalysis | undefined {
  const stores = storesFor(checkpoint);
  if (stores.length === 0) return undefined;
  const hit = readStored(checkpoint, inputSize, stores);
  if (!hit) return undefined;
  const { reused: _from, ...analysis } = hit;
  return analysis;
}
