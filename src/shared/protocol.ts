/**
 * The message protocol between the extension host and the dashboard webview: plain JSON-compatible
 * shapes. Every message that arrives from a webview is untrusted: validate it with
 * `isWebviewMessage`. (Host ↔ analysis worker: src/runtime/worker-protocol.ts.)
 */
import type { CheckpointAnalysis } from '../engine/analyze-checkpoint';
import type { Forecast } from '../engine/forecast/types';

// ---------------------------------------------------------------------------------------------
// Shared shapes

/** One drawable layer of a thinned graph: a column of the layered layout. */
export interface DrawLayer {
  index: number;
  name: string;
  kind: 'input' | 'conv' | 'dense';
  /** Nodes of the layer in the full rolled graph. */
  nodes: number;
  /** Nodes drawn: fewer than `nodes` when neighbouring nodes are aggregated into groups. */
  drawn: number;
}

export interface DrawNode {
  id: string;
  layer: number;
  /** Position within the layer (group index when aggregated). */
  index: number;
  /** Rolled-graph nodes this drawn node stands for (1 unless aggregated). */
  members: number;
  /** Weighted degree (mean over members) and eigenvector centrality (mean over members). */
  degree: number;
  centrality: number;
}

export interface DrawEdge {
  source: string;
  target: string;
  weight: number;
}

/** A checkpoint's rolled graph, thinned in the engine for drawing; every number comes from the engine. */
export interface DrawGraph {
  file: string;
  epoch: number | null;
  layers: DrawLayer[];
  nodes: DrawNode[];
  edges: DrawEdge[];
  totalNodes: number;
  totalEdges: number;
  /** Why and how the drawing was thinned (shown in the panel), or null when everything is drawn. */
  thinned: string | null;
}

export type RunStatus = 'waiting' | 'analyzing' | 'ready' | 'error';

/** One run (a folder with checkpoints) as the dashboard and the status bar see it. */
export interface RunSummary {
  /** Absolute path of the run folder: the run's identity. */
  id: string;
  /** Folder name, for display (escape before use in HTML). */
  name: string;
  /** Parent folder: runs of one sweep share it. */
  sweep: string;
  status: RunStatus;
  /** Epochs analyzed so far, ascending. */
  epochs: number[];
  forecast: Forecast | null;
  /** Validation accuracy per epoch from the run's logs, when it keeps any. */
  accuracy: { epoch: number; value: number }[] | null;
  /** Final accuracy when the run has finished and logged it. */
  finalAccuracy: number | null;
  errors: { path: string; message: string }[];
}

/** Per-epoch analysis of one run, for the feature charts and the node details. */
export interface RunDetail {
  run: RunSummary;
  checkpoints: { epoch: number | null; file: string; analysis: CheckpointAnalysis }[];
}

// ---------------------------------------------------------------------------------------------
// Host → webview

export type HostMessage =
  | { type: 'runs'; runs: RunSummary[]; selected: string | null }
  | { type: 'runDetail'; detail: RunDetail }
  | { type: 'graph'; runId: string; epoch: number; graph: DrawGraph }
  | { type: 'settings'; maxEdges: number }
  /** runId and epoch (optional) name the graph request that failed, so the panel can say so in place. */
  | { type: 'error'; message: string; runId?: string; epoch?: number };

// Webview → host

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'selectRun'; runId: string }
  | { type: 'requestGraph'; runId: string; epoch: number }
  | { type: 'stopRun'; runId: string }
  | { type: 'persist' };

const str = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const int = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1e6;

/** Validates a message from the webview; anything else is dropped by the host. */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
    case 'persist':
      return true;
    case 'selectRun':
    case 'stopRun':
      return str(o.runId);
    case 'requestGraph':
      return str(o.runId) && int(o.epoch);
    default:
      return false;
  }
}
