/**
 * The stop request a training loop can honour: a file `STOP` in the run folder holding a small
 * JSON document. Written to a temporary name first and renamed, so a loop that checks at the end
 * of an epoch never reads half of it. No editor API here; the caller checks workspace trust.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Forecast } from '../engine/forecast/types';

export const STOP_FILE = 'STOP';

export interface StopRequest {
  requestedBy: string;
  reason: string;
  forecast: Forecast | null;
  /** ISO 8601. */
  time: string;
}

export function writeStopRequest(runDir: string, req: StopRequest): string {
  if (!fs.statSync(runDir).isDirectory()) throw new Error(`${runDir} is not a folder`);
  const file = path.join(runDir, STOP_FILE);
  const tmp = path.join(runDir, `.${STOP_FILE}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(req, null, 2) + '\n');
  fs.renameSync(tmp, file);
  return file;
}
