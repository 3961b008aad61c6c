/**
 * Where a user's own forecaster lives: `train` writes it into `.training-dynamics/` of the sweep
 * folder, and every analysis of a run below that folder looks for it before the shipped one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where a user's own forecaster lives inside a sweep folder (written by `train`). */
export const USER_MODEL_PATH = path.join('.training-dynamics', 'forecaster.json');

/** Folders looked at for a user's forecaster: the run's own and up to three above it. */
const LEVELS_UP = 3;

/** The user's own forecaster (made by `train`) in the run's folder or up to three folders above it. */
export function findUserModel(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (let i = 0; i <= LEVELS_UP; i++) {
    const f = path.join(d, USER_MODEL_PATH);
    if (fs.existsSync(f)) return f;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return undefined;
}
