/**
 * A forecaster file: predictors for several architecture signatures and horizons, serialized as
 * JSON. Reading one is bounded and validated like any other untrusted input: a user may point the
 * tool at a model file they did not make.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { InputError } from '../errors';
import type { Predictor } from './predictor';
import { FORECAST_EPOCHS } from './limits';
import { openRegularFile, readRegularFile } from '../io/regular-file';
import { preview } from '../text/safe-text';

export const BUNDLE_FORMAT = 'training-dynamics-forecaster';
export const BUNDLE_VERSION = 1;
const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

export interface ForecasterBundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  /** What it was trained on, for display: e.g. "model zoo (8 zoos, 1,200 runs)". */
  source: string;
  created: string;
  /**
   * Epochs the runs it learned from trained for (their final accuracy is at that horizon): the
   * model zoo's end at 12–15. Absent in files written before horizons were recorded.
   */
  horizon?: { min: number; max: number };
  predictors: Predictor[];
}

function isNumArray(a: unknown): a is number[] {
  return Array.isArray(a) && a.every((x) => typeof x === 'number');
}

function checkPredictor(p: Predictor, i: number, file: string): void {
  const bad = (what: string) => new InputError(file, `predictor ${i}: ${what}`);
  if (!p || typeof p !== 'object' || !p.spec || typeof p.spec.signature !== 'string') throw bad('no spec');
  if (!Number.isInteger(p.spec.k) || p.spec.k < 1 || p.spec.k > FORECAST_EPOCHS.max) throw bad(`k = ${p.spec?.k} is not in 1..${FORECAST_EPOCHS.max}`);
  if (!Array.isArray(p.names) || !isNumArray(p.medians) || p.names.length !== p.medians.length) throw bad('names and medians differ in length');
  if (!Array.isArray(p.trees) || !p.trees.length) throw bad('no trees');
  for (const t of p.trees) {
    const n = t?.col?.length;
    if (!n || ![t.col, t.thr, t.left, t.right, t.value].every((a) => isNumArray(a) && a.length === n)) throw bad('a malformed tree');
    for (let j = 0; j < n; j++) {
      if (t.col[j] >= p.names.length) throw bad(`a split on feature ${t.col[j]} of ${p.names.length}`);
      // Children always come after their parent: the walk terminates.
      if (t.col[j] >= 0 && !(t.left[j] > j && t.right[j] > j && t.left[j] < n && t.right[j] < n)) throw bad('a tree whose children do not follow their parent');
    }
  }
  if (!p.conformal || !(p.conformal.q >= 0) || !(p.conformal.floor >= 0)) throw bad('no calibrated interval');
}

/** Reads a forecaster file, plain JSON or gzipped (by its magic bytes), with every size bounded. */
export function readBundle(file: string): ForecasterBundle {
  // A regular file only (a FIFO given as --model would block forever), size-checked before reading.
  const { fd, size } = openRegularFile(file, 'forecaster file');
  fs.closeSync(fd);
  if (size > MAX_BUNDLE_BYTES) throw new InputError(file, `forecaster file of ${size} bytes is larger than the ${MAX_BUNDLE_BYTES}-byte limit`);
  let json: ForecasterBundle;
  try {
    let bytes = readRegularFile(file, MAX_BUNDLE_BYTES, 'forecaster file');
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes, { maxOutputLength: MAX_BUNDLE_BYTES });
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new InputError(file, `not a forecaster file: ${(e as Error).message}`);
  }
  if (json?.format !== BUNDLE_FORMAT) throw new InputError(file, `not a forecaster file (format ${preview(json?.format)})`);
  if (json.version !== BUNDLE_VERSION) throw new InputError(file, `forecaster file version ${json.version} is not supported (expected ${BUNDLE_VERSION})`);
  if (!Array.isArray(json.predictors)) throw new InputError(file, 'no predictors');
  if (json.horizon !== undefined) {
    const h = json.horizon;
    if (!h || typeof h !== 'object' || !(h.min > 0) || !(h.max >= h.min) || !Number.isFinite(h.max)) throw new InputError(file, `horizon ${JSON.stringify(h)} is not {min, max} epochs`);
  }
  json.predictors.forEach((p, i) => checkPredictor(p, i, file));
  return json;
}

/** Writes a forecaster file, gzipped when the name ends in .gz. */
export function writeBundle(file: string, b: ForecasterBundle): void {
  const text = JSON.stringify({ ...b, predictors: b.predictors.map(({ oob: _oob, ...p }) => p) });
  fs.writeFileSync(file, file.endsWith('.gz') ? zlib.gzipSync(text, { level: 9 }) : text);
}
