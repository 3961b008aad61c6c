/**
 * One checkpoint in, its rolled graph's properties out: read → wiring → rolled graph → degree,
 * eigenvector centrality → per-layer statistics. This is the unit of work a worker thread runs.
 */
import { openCheckpoint } from './readers/index';
import { buildRolledGraph, type RolledGraph } from './graph/rolled';
import { wireCheckpoint, type WiringSource } from './graph/wire';
import { releaseFusedValues } from './graph/families/kit';
import { connectedComponents, componentsWarning } from './graph/components';
import { centralityByComponent } from './metrics/centrality-parts';
import { unrolledSize } from './graph/unrolled';
import { weightedDegree } from './metrics/degree';
import { eigenvectorCentrality, type EigenOptions } from './metrics/eigenvector';
import { summarize, type Stats } from './metrics/stats';
import { ArchitectureError, InputError, NumericError, asInputError } from './errors';
import { boundMetadata, boundWarnings } from './text/bounded';

export interface LayerSummary {
  name: string;
  kind: 'input' | 'conv' | 'dense';
  nodes: number;
  weightedDegree: Stats;
  inDegree: Stats;
  outDegree: Stats;
  eigenvectorCentrality: Stats;
}

export interface CheckpointAnalysis {
  path: string;
  epoch: number | null;
  format: string;
  graph: {
    nodes: number; edges: number; unrolledNodes: number; unrolledEdges: number; unrolledEstimated: boolean; inputSize: number;
    /** Connected components of the rolled graph (edges of non-zero weight); 1 for a wired network. */
    components: number;
    /** Where the wiring came from: tensor names, a model config, an ONNX graph, or none ('layer-local'). */
    wiring: WiringSource;
  };
  layers: LayerSummary[];
  eigenvalue: number;
  metadata: Record<string, string | number | boolean | null>;
  warnings: string[];
  timings: { readAndBuildMs: number; metricsMs: number };
}

export interface AnalyzeOptions {
  inputSize?: number;
  eigen?: Partial<EigenOptions>;
}

export interface NodeValues {
  degree: Float64Array;
  centrality: Float64Array;
}

export interface AnalyzedGraph {
  analysis: CheckpointAnalysis;
  graph: RolledGraph;
  nodes: NodeValues;
}

/**
 * Every failure names the file with its cause in words: the engine's own errors pass as they
 * are, anything else (a RangeError from a size no check foresaw) is restated (errors.ts).
 */
export function analyzeCheckpointFull(file: string, opts: AnalyzeOptions = {}): AnalyzedGraph {
  try {
    return analyzeOrThrow(file, opts);
  } catch (e) {
    if (e instanceof InputError || e instanceof NumericError) throw e;
    throw asInputError(e, file);
  }
}

function analyzeOrThrow(file: string, opts: AnalyzeOptions): AnalyzedGraph {
  const t0 = performance.now();
  const ckpt = openCheckpoint(file);
  let graph: RolledGraph;
  let wiring: WiringSource;
  const warnings = [...ckpt.warnings];
  try {
    const wired = wireCheckpoint(ckpt);
    warnings.push(...wired.warnings);
    wiring = wired.wiring;
    if (wired.ops.length === 0) throw new ArchitectureError(file, 'no layers with weights');
    graph = buildRolledGraph(wired.ops, { file, flattenOrder: ckpt.flattenOrder });
  } finally {
    releaseFusedValues();
    ckpt.close();
  }
  warnings.push(...graph.warnings);
  const t1 = performance.now();
  const deg = weightedDegree(graph);
  const comps = connectedComponents(graph);
  const eig = wiring === 'layer-local' ? centralityByComponent(graph, comps, opts.eigen) : eigenvectorCentrality(graph, opts.eigen);
  const split = wiring === 'layer-local' ? undefined : componentsWarning(graph, comps);
  if (split) warnings.push(split);
  const layers: LayerSummary[] = graph.groups.map((gr) => ({
    name: gr.name,
    kind: gr.kind,
    nodes: gr.size,
    weightedDegree: summarize(deg.total, gr.offset, gr.offset + gr.size),
    inDegree: summarize(deg.in, gr.offset, gr.offset + gr.size),
    outDegree: summarize(deg.out, gr.offset, gr.offset + gr.size),
    eigenvectorCentrality: summarize(eig.vector, gr.offset, gr.offset + gr.size),
  }));
  const un = unrolledSize(graph, opts.inputSize);
  const t2 = performance.now();
  const analysis: CheckpointAnalysis = {
    path: file,
    epoch: ckpt.epoch ?? null,
    format: ckpt.format,
    graph: { nodes: graph.nodeCount, edges: graph.edgeCount, unrolledNodes: un.nodes, unrolledEdges: un.edges, unrolledEstimated: un.estimated, inputSize: un.inputSize, components: comps.count, wiring },
    layers,
    eigenvalue: eig.eigenvalue,
    metadata: boundMetadata(ckpt.metadata),
    warnings: boundWarnings(warnings),
    timings: { readAndBuildMs: t1 - t0, metricsMs: t2 - t1 },
  };
  return { analysis, graph, nodes: { degree: deg.total, centrality: eig.vector } };
}

export function analyzeCheckpoint(file: string, opts: AnalyzeOptions = {}): CheckpointAnalysis {
  return analyzeCheckpointFull(file, opts).analysis;
}
