/**
 * Export of runs' features for use outside the editor (pandas, a predictor of one's own):
 *  - JSON: per run, the forecaster's feature vector (features/definitions.ts runFeatures), the
 *    per-epoch layer statistics, the logged accuracy and the forecast;
 *  - layers CSV (tidy, one row per run × epoch × layer × metric): for plotting;
 *  - runs CSV (wide, one row per run, one column per feature): a training table.
 * Pure: the command that asks where to write lives in commands/export-features.ts.
 */
import { runFeatures } from '../engine/features/definitions';
import { STAT_NAMES } from '../engine/metrics/stats';
import type { RunDetail } from '../shared/dashboard-protocol';

const METRICS = ['weightedDegree', 'inDegree', 'outDegree', 'eigenvectorCentrality'] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'inf' : '-inf';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvRow = (cells: unknown[]): string => cells.map(csvCell).join(',');

function featuresOf(d: RunDetail, epochs: number) {
  return runFeatures(
    d.checkpoints.filter((c) => c.epoch !== null).map((c) => ({ epoch: c.epoch as number, analysis: c.analysis })),
    epochs,
  );
}

export function featuresJson(details: RunDetail[], epochs: number): string {
  const doc = {
    tool: 'Training Dynamics',
    forecastEpochs: epochs,
    runs: details.map((d) => ({
      run: d.run.id,
      name: d.run.name,
      sweep: d.run.sweep,
      forecast: d.run.forecast,
      finalAccuracy: d.run.finalAccuracy,
      accuracy: d.run.accuracy,
      features: featuresOf(d, epochs),
      checkpoints: d.checkpoints.map((c) => ({
        epoch: c.epoch,
        file: c.file,
        format: c.analysis.format,
        eigenvalue: c.analysis.eigenvalue,
        graph: c.analysis.graph,
        layers: c.analysis.layers,
      })),
      errors: d.run.errors,
    })),
  };
  // JSON has no NaN/Infinity: they become null, as in the CLI's --json.
  return JSON.stringify(doc, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

export function layersCsv(details: RunDetail[]): string {
  const lines = [csvRow(['run', 'epoch', 'val_acc', 'lambda1', 'layer_index', 'layer', 'kind', 'nodes', 'metric', ...STAT_NAMES])];
  for (const d of details) {
    const acc = new Map((d.run.accuracy ?? []).map((a) => [a.epoch, a.value]));
    for (const c of d.checkpoints) {
      c.analysis.layers.forEach((l, i) => {
        for (const m of METRICS) {
          lines.push(csvRow([d.run.name, c.epoch, c.epoch === null ? null : acc.get(c.epoch), c.analysis.eigenvalue, i, l.name, l.kind, l.nodes, m, ...STAT_NAMES.map((s) => l[m][s])]));
        }
      });
    }
  }
  return lines.join('\n') + '\n';
}

export function runsCsv(details: RunDetail[], epochs: number): string {
  const vectors = details.map((d) => featuresOf(d, epochs));
  const names: string[] = [];
  const seen = new Set<string>();
  for (const v of vectors) {
    for (const n of v.names) {
      if (seen.has(n)) continue;
      seen.add(n);
      names.push(n);
    }
  }
  const lines = [csvRow(['run', 'path', 'final_accuracy', 'forecast', 'epochs_used', ...names])];
  details.forEach((d, i) => {
    const byName = new Map(vectors[i].names.map((n, j) => [n, vectors[i].values[j]]));
    lines.push(csvRow([d.run.name, d.run.id, d.run.finalAccuracy, d.run.forecast?.accuracy, vectors[i].epochsUsed.join(' '), ...names.map((n) => byName.get(n))]));
  });
  return lines.join('\n') + '\n';
}
