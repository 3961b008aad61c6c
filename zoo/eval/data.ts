/**
 * The committed zoo features (zoo/features/*.jsonl.gz) as forecaster inputs, and the grouped folds
 * every experiment shares.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { RunObservation } from '../../src/engine/features/definitions';
import type { ZooRecord } from '../extract';

export const FEATURES_DIR = path.join(__dirname, '..', 'features');

export interface ZooRun {
  rec: ZooRecord;
  obs: RunObservation;
  group: string;
  fold: number;
}

export interface Zoo {
  name: string;
  runs: ZooRun[];
}

/** Hyperparameters without the seed and the run index: runs that differ only by seed share a group. */
export function groupKey(config: Record<string, unknown>): string {
  const { seed: _s, index: _i, ...rest } = config;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

/** FNV-1a: a fixed, platform-independent hash, so folds never change between runs of the script. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export const FOLDS = 5;

export function toObservation(rec: ZooRecord): RunObservation {
  return { layers: rec.layers, epochs: rec.epochs, valAcc: rec.valAcc };
}

/** The records of one zoo: zoo/features/<name>.jsonl.gz (gzipped JSON lines, one run per line). */
export function readFeatureLines(name: string): string[] {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(FEATURES_DIR, `${name}.jsonl.gz`))).toString('utf8');
  return text.split('\n').filter((l) => l.trim());
}

export function loadZoo(name: string): Zoo {
  const text = readFeatureLines(name).join('\n');
  const runs = text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ZooRecord)
    .map((rec) => {
      const group = groupKey(rec.config);
      return { rec, obs: toObservation(rec), group, fold: fnv1a(group) % FOLDS };
    });
  return { name, runs };
}

export function zooNames(): string[] {
  return fs.readdirSync(FEATURES_DIR).filter((f) => f.endsWith('.jsonl.gz')).map((f) => f.replace(/\.jsonl\.gz$/, '')).sort();
}
