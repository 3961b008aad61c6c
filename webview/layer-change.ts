/**
 * What the Network tab says about the layers, to help decide about a run rather than admire it:
 *  - per-layer change between two epochs: the relative change of the layer's mean weighted degree
 *    (the size of its weights) and the change of its mean eigenvector centrality × √N (how much
 *    of the network's flow passes through it), from the run's analyses;
 *  - dead and outsized units, read from the weights of the drawn graph: a unit whose weighted
 *    degree is under 2% of its layer's median has next to no weights left (dead); one over 4× the
 *    median carries outsized weights, which push its activation into saturation;
 *  - the layers that drive the forecast: the predictor's own account when the host sends it
 *    (ForecastView.drivers), else how far each layer's forecast inputs (weighted degree and
 *    centrality) moved over the epochs the forecast read.
 * Pure functions of the protocol's views.
 */
import type { DrawGraph, LayerKind, RunDetail } from '../src/shared/dashboard-protocol';

export const DEAD_BELOW = 0.02;
export const OUTSIZED_ABOVE = 4;

export interface UnitHealth {
  /** Units (rolled-graph nodes, group members counted) in the drawn layer. */
  units: number;
  dead: number;
  outsized: number;
  /** Whether the drawing groups the layer's nodes (then values are group means: a dead unit may hide in a group). */
  grouped: boolean;
}

export interface LayerRow {
  /** DrawLayer.index: the layer's position in the analysis. */
  index: number;
  name: string;
  kind: LayerKind;
  nodes: number;
  degMean: number;
  /** Relative change of the mean weighted degree since the other epoch (null: no other epoch or no value). */
  degChange: number | null;
  /** Mean eigenvector centrality × √N (1 = an average node). */
  evcMean: number;
  evcChange: number | null;
  health: UnitHealth | null;
  /** The layer's share in driving the forecast (0…1), null when not known. */
  drive: number | null;
}

export interface LayerReport {
  epoch: number;
  /** The epoch the changes are against (null: none). */
  against: number | null;
  rows: LayerRow[];
  /** Where `drive` comes from: the forecaster's own account, the movement of its inputs, or nothing. */
  driveSource: 'forecaster' | 'inputs' | null;
  /** Epochs the forecast read (its inputs' movement is measured over them). */
  driveEpochs: [number, number] | null;
  /** Whether the run has a forecast at all. */
  forecast: boolean;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** Dead and outsized units per drawn layer (input layers left out: their "units" are pixels or features). */
export function unitHealth(g: DrawGraph): Map<number, UnitHealth> {
  const byLayer = new Map<number, { degree: number; members: number }[]>();
  for (const n of g.nodes) {
    if (!Number.isFinite(n.degree)) continue;
    const list = byLayer.get(n.layer);
    if (list) list.push(n);
    else byLayer.set(n.layer, [n]);
  }
  const out = new Map<number, UnitHealth>();
  for (const l of g.layers) {
    const nodes = byLayer.get(l.index);
    if (l.kind === 'input' || !nodes) continue;
    const m = median(nodes.map((n) => n.degree));
    let dead = 0, outsized = 0, units = 0;
    for (const n of nodes) {
      const k = Math.max(1, n.members);
      units += k;
      if (m > 0 ? n.degree < DEAD_BELOW * m : n.degree <= 0) dead += k;
      else if (m > 0 && n.degree > OUTSIZED_ABOVE * m) outsized += k;
    }
    out.set(l.index, { units, dead, outsized, grouped: l.drawn < l.nodes });
  }
  return out;
}

const rel = (now: number, before: number): number | null => (Number.isFinite(now) && Number.isFinite(before) && before !== 0 ? (now - before) / Math.abs(before) : null);

/** Checkpoints by epoch (a checkpoint without one takes its position). */
function byEpoch(detail: RunDetail): Map<number, RunDetail['checkpoints'][number]['analysis']> {
  const m = new Map<number, RunDetail['checkpoints'][number]['analysis']>();
  detail.checkpoints.forEach((c, i) => m.set(c.epoch ?? i, c.analysis));
  return m;
}

/**
 * How far each layer's forecast inputs moved from the first epoch the run has to the last one the
 * forecast read: |relative change of mean weighted degree| + |change of mean centrality × √N|, as
 * shares of the total. Layers by name.
 */
export function inputMovement(detail: RunDetail, epochsUsed: number): { shares: Map<string, number>; span: [number, number] } | null {
  const analyses = byEpoch(detail);
  const eps = [...analyses.keys()].sort((a, b) => a - b);
  const first = eps[0];
  const trained = eps.filter((e) => e > 0);
  const last = trained[Math.min(trained.length, Math.max(1, epochsUsed)) - 1];
  if (first === undefined || last === undefined || last === first) return null;
  const a0 = analyses.get(first)!, a1 = analyses.get(last)!;
  const moved = new Map<string, number>();
  let total = 0;
  for (const l1 of a1.layers) {
    if (l1.kind === 'input') continue;
    const l0 = a0.layers.find((x) => x.name === l1.name);
    if (!l0) continue;
    const d = Math.abs(rel(l1.weightedDegree.mean, l0.weightedDegree.mean) ?? 0) + Math.abs(l1.eigenvectorCentrality.mean * Math.sqrt(a1.graph.nodes) - l0.eigenvectorCentrality.mean * Math.sqrt(a0.graph.nodes));
    if (!Number.isFinite(d)) continue;
    moved.set(l1.name, d);
    total += d;
  }
  if (!(total > 0)) return null;
  for (const [k, v] of moved) moved.set(k, v / total);
  return { shares: moved, span: [first, last] };
}

/** The layers of the run at `epoch`, with their change since `against`, unit health and share in the forecast. */
export function layerReport(detail: RunDetail, epoch: number, against: number | null, g: DrawGraph | null): LayerReport | null {
  const analyses = byEpoch(detail);
  const a = analyses.get(epoch);
  if (!a) return null;
  const b = against !== null && against !== epoch ? analyses.get(against) : undefined;
  const health = g ? unitHealth(g) : new Map<number, UnitHealth>();
  const f = detail.run.forecast;
  let driveSource: LayerReport['driveSource'] = null;
  let driveEpochs: LayerReport['driveEpochs'] = null;
  let drive = new Map<string, number>();
  if (f?.drivers && f.drivers.length) {
    driveSource = 'forecaster';
    drive = new Map(f.drivers.filter((d) => typeof d.layer === 'string' && Number.isFinite(d.share)).map((d) => [d.layer, Math.max(0, Math.min(1, d.share))]));
  } else if (f) {
    const m = inputMovement(detail, f.epochsUsed);
    if (m) {
      driveSource = 'inputs';
      driveEpochs = m.span;
      drive = m.shares;
    }
  }
  const sqrtA = Math.sqrt(a.graph.nodes), sqrtB = b ? Math.sqrt(b.graph.nodes) : NaN;
  const rows: LayerRow[] = a.layers.map((l, index) => {
    const lb = b?.layers[index]?.name === l.name ? b.layers[index] : b?.layers.find((x) => x.name === l.name);
    const evc = l.eigenvectorCentrality.mean * sqrtA;
    return {
      index,
      name: l.name,
      kind: l.kind,
      nodes: l.nodes,
      degMean: l.weightedDegree.mean,
      degChange: lb ? rel(l.weightedDegree.mean, lb.weightedDegree.mean) : null,
      evcMean: evc,
      evcChange: lb ? evc - lb.eigenvectorCentrality.mean * sqrtB : null,
      health: health.get(index) ?? null,
      drive: driveSource ? (drive.get(l.name) ?? (l.kind === 'input' ? null : 0)) : null,
    };
  });
  return { epoch, against: b ? against : null, rows, driveSource, driveEpochs, forecast: f !== null && f !== undefined };
}

/** Layers ordered by how much they changed (largest |relative change of mean weighted degree| first). */
export function mostChanged(rows: readonly LayerRow[], n = 2): LayerRow[] {
  return rows.filter((r) => r.degChange !== null && r.kind !== 'input').sort((a, b) => Math.abs(b.degChange!) - Math.abs(a.degChange!)).slice(0, n);
}

/** Layers ordered by their share in the forecast. */
export function topDrivers(rows: readonly LayerRow[], n = 2): LayerRow[] {
  return rows.filter((r) => r.drive !== null && r.drive > 0).sort((a, b) => b.drive! - a.drive!).slice(0, n);
}
