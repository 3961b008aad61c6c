/**
 * The stop request a training loop can honour: a file `STOP` in the run folder holding a small
 * JSON document. Written by writeFileNoFollow (runtime/safe-write.ts): a fresh temporary name,
 * then a rename, so a loop that checks at the end of an epoch never reads half of it, and a `STOP`
 * that is a link never makes the editor write through it. No editor API here; the caller checks
 * workspace trust and that the run has not finished.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Forecast } from '../engine/forecast/types';
import { writeFileNoFollow } from '../runtime/safe-write';

export const STOP_FILE = 'STOP';

export interface StopRequest {
  requestedBy: string;
  reason: string;
  forecast: Forecast | null;
  /** ISO 8601. */
  time: string;
}

/** Why a run must not be asked to stop, or null: a finished run has nothing left to stop. */
export function stopRefusal(run: { name: string; status: string | undefined; reason?: string }): string | null {
  return run.status === 'finished' ? `Run ${run.name} has finished${run.reason ? ` (${run.reason})` : ''}: there is nothing to stop.` : null;
}

export function writeStopRequest(runDir: string, req: StopRequest): string {
  if (!fs.statSync(runDir).isDirectory()) throw new Error(`${runDir} is not a folder`);
  writeFileNoFollow(runDir, STOP_FILE, JSON.stringify(req, null, 2) + '\n');
  return path.join(runDir, STOP_FILE);
}
