/**
 * The dashboard's view model: maps what the live service knows (RunState, engine results) to the
 * view types of the dashboard protocol (RunSummary, RunDetail, DrawGraph).
 *
 * Every field is copied by name, never spread: an engine field that is added, renamed or retyped
 * fails to compile here (or does not reach the webview) instead of changing the webview's contract
 * unnoticed.
 */
import type { CheckpointAnalysis, LayerSummary } from '../../engine/analyze-checkpoint';
import type { Forecast } from '../../engine/forecast/types';
import type { ThinGraph } from '../../engine/graph/thin';
import type { Stats } from '../../engine/metrics/stats';
import type { AnalysisView, DrawGraph, ForecastView, LayerView, RunDetail, RunSummary, StatsView } from '../../shared/dashboard-protocol';
import { divergenceView, fillAdvice, horizonView, hyperparametersView, trainingView } from './facts-view';
import type { RunState } from './run-registry';

function statsView(s: Stats): StatsView {
  return { mean: s.mean, std: s.std, min: s.min, q25: s.q25, median: s.median, q75: s.q75, max: s.max };
}

function layerView(l: LayerSummary): LayerView {
  return {
    name: l.name,
    kind: l.kind,
    nodes: l.nodes,
    weightedDegree: statsView(l.weightedDegree),
    inDegree: statsView(l.inDegree),
    outDegree: statsView(l.outDegree),
    eigenvectorCentrality: statsView(l.eigenvectorCentrality),
  };
}

export function analysisView(a: CheckpointAnalysis): AnalysisView {
  const g = a.graph;
  return {
    path: a.path,
    epoch: a.epoch,
    format: a.format,
    graph: { nodes: g.nodes, edges: g.edges, unrolledNodes: g.unrolledNodes, unrolledEdges: g.unrolledEdges, unrolledEstimated: g.unrolledEstimated, inputSize: g.inputSize, components: g.components, wiring: g.wiring },
    layers: a.layers.map(layerView),
    eigenvalue: a.eigenvalue,
    metadata: { ...a.metadata },
    warnings: [...a.warnings],
    timings: { readAndBuildMs: a.timings.readAndBuildMs, metricsMs: a.timings.metricsMs },
  };
}

function forecastView(f: Forecast): ForecastView {
  const v: ForecastView = { accuracy: f.accuracy, low: f.low, high: f.high, epochsUsed: f.epochsUsed };
  // Absent rather than undefined: the message is the same whether or not a predictor names itself.
  if (f.model !== undefined) v.model = f.model;
  if (f.horizon !== undefined) v.horizon = f.horizon;
  if (f.horizonNote !== undefined) v.horizonNote = f.horizonNote;
  if (f.reason !== undefined) v.reason = f.reason;
  return v;
}

/** A run's summary without the sweep's advice (facts-view.ts fillAdvice adds it). */
function ownSummary(run: RunState): RunSummary {
  return {
    id: run.dir,
    name: run.name,
    sweep: run.sweep,
    status: run.status(),
    epochs: run.ordered().map((c) => c.order),
    forecast: run.forecast ? forecastView(run.forecast) : null,
    accuracy: run.accuracy ? run.accuracy.points.map((p) => ({ epoch: p.epoch, value: p.value })) : null,
    finalAccuracy: run.finished && run.accuracy ? run.accuracy.final : null,
    errors: run.errors().map((e) => ({ path: e.path, message: e.message })),
    training: trainingView(run),
    horizon: horizonView(run),
    hyperparameters: hyperparametersView(run),
    diverged: divergenceView(run),
    advice: null,
  };
}

/** Runs as the run list, the status bar and the notifications see them, each with its sweep's stopping advice. */
export function runSummaries(runs: RunState[]): RunSummary[] {
  const out = runs.map(ownSummary);
  fillAdvice(runs, out);
  return out;
}

/** One run's summary; `peers` are the known runs (its sweep's advice compares it with them). */
export function runSummary(run: RunState, peers: RunState[] = [run]): RunSummary {
  const runs = peers.includes(run) ? peers.filter((p) => p.sweep === run.sweep) : [run, ...peers.filter((p) => p.sweep === run.sweep)];
  return runSummaries(runs)[runs.indexOf(run)];
}

/** A run with the analysis of each of its epochs, in epoch order. */
export function runDetail(run: RunState, peers: RunState[] = [run]): RunDetail {
  return { run: runSummary(run, peers), checkpoints: run.ordered().map((c) => ({ epoch: c.order, file: c.file, analysis: analysisView(c.analysis) })) };
}

/** The engine's thinned graph as the dashboard draws it. */
export function drawGraph(g: ThinGraph): DrawGraph {
  return {
    file: g.file,
    epoch: g.epoch,
    layers: g.layers.map((l) => ({ index: l.index, name: l.name, kind: l.kind, nodes: l.nodes, drawn: l.drawn })),
    nodes: g.nodes.map((n) => ({ id: n.id, layer: n.layer, index: n.index, members: n.members, degree: n.degree, centrality: n.centrality })),
    edges: g.edges.map((e) => ({ source: e.source, target: e.target, weight: e.weight })),
    totalNodes: g.totalNodes,
    totalEdges: g.totalEdges,
    thinned: g.thinned,
  };
}
