/**
 * A larger sweep for the sweep view, from real runs: the 150 LeNet / Fashion-MNIST runs of the
 * model zoo (zoo/features/lenet-fashion.jsonl.gz: each run's config, validation accuracy per
 * epoch and final accuracy after 15 epochs). Every fifth run is shown as still training at epoch
 * 3, its later epochs and final accuracy held back. Its forecast stands in for the forecaster's:
 * the run's real final accuracy moved by a deterministic error of up to ±4 points, with a ±6-point
 * interval. The stopping advice is what a host would send for it: stop when even the interval's
 * top is more than 10 points below the best finished run. Summaries only: no checkpoint is
 * analyzed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { RunSummary } from '../../src/shared/dashboard-protocol';
import { unknownRunFacts } from '../../src/shared/dashboard-protocol';
import type { Fixture } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');

interface ZooRecord {
  id: string;
  config: Record<string, number | string | boolean>;
  epochsTrained: number;
  valAcc: { epoch: number; value: number }[];
  finalAccuracy: number;
}

export const ZOO_RUNNING_EVERY = 5;
export const ZOO_EPOCHS_SEEN = 3;

export function buildZooSweep(): Fixture {
  const file = path.join(ROOT, 'zoo', 'features', 'lenet-fashion.jsonl.gz');
  const records = zlib
    .gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ZooRecord);
  const sweep = path.join(ROOT, 'zoo', 'runs', 'lenet-fashion');
  const finished = records.filter((_, i) => i % ZOO_RUNNING_EVERY !== 0);
  const best = Math.max(...finished.map((r) => r.finalAccuracy));
  const runs: RunSummary[] = records.map((rec, i) => {
    const T = rec.epochsTrained;
    const sources = Object.fromEntries(Object.keys(rec.config).map((k) => [k, 'config.json']));
    const base = { id: path.join(sweep, rec.id), name: rec.id, sweep, status: 'ready' as const, errors: [], ...unknownRunFacts(), hyperparameters: { values: rec.config, sources }, horizon: { epochs: T, steps: null, source: 'config' } };
    if (i % ZOO_RUNNING_EVERY !== 0) {
      return { ...base, epochs: Array.from({ length: T + 1 }, (_, e) => e), forecast: null, accuracy: rec.valAcc, finalAccuracy: rec.finalAccuracy, training: { status: 'finished', reason: `reached its horizon of ${T} epochs`, lastEpoch: T } };
    }
    const seen = rec.valAcc.filter((p) => p.epoch <= ZOO_EPOCHS_SEEN);
    const mid = Math.min(1, Math.max(0, rec.finalAccuracy + 0.04 * Math.sin(i * 2.39)));
    const forecast = { accuracy: mid, low: Math.max(0, mid - 0.06), high: Math.min(1, mid + 0.06), epochsUsed: ZOO_EPOCHS_SEEN, model: 'stand-in: final accuracy ± a fixed error', horizon: T };
    const gap = best - forecast.high;
    const stop = gap > 0.1;
    return {
      ...base,
      epochs: Array.from({ length: ZOO_EPOCHS_SEEN + 1 }, (_, e) => e),
      forecast,
      accuracy: seen,
      finalAccuracy: null,
      training: { status: 'running', reason: 'a checkpoint was written in the last minutes', lastEpoch: ZOO_EPOCHS_SEEN },
      advice: {
        stop,
        reason: stop ? `forecast ${(mid * 100).toFixed(1)}%: even its 80% interval ends ${Math.round(gap * 100)} points below the best run (${(best * 100).toFixed(1)}%)` : 'its 80% interval reaches within 10 points of the best run',
        epochsSaved: stop ? T - ZOO_EPOCHS_SEEN : null,
      },
    };
  });
  return { runs, details: new Map(), graphs: new Map(), bigRunId: '', bigEpochs: [] };
}
