/**
 * The dashboard protocol: every message the extension host and the dashboard webview exchange,
 * the view types those messages carry, and the validators for both directions.
 *
 * The view types are declared here rather than taken from the engine: the host maps engine results
 * into them (src/runtime/live/view-model.ts), so an engine change surfaces as a compile error in
 * that mapper instead of silently changing what the webview receives. The webview imports from
 * this file only. Plain JSON-compatible shapes; no editor API, DOM or Node here, since both sides
 * bundle it.
 *
 * Requests and replies: a webview message that expects an answer (selectRun, requestGraph)
 * carries a `requestId` (unique per webview instance); the host's answer, a result or an error,
 * carries `inReplyTo` with that id, so the webview matches answers to what it asked and drops
 * answers to requests it no longer waits for. Other messages are notifications. Every message from
 * the webview is untrusted: the host validates it with `isWebviewMessage` before use.
 */

// ---------------------------------------------------------------------------------------------
// View types: runs and their analyses

export type RunStatus = 'waiting' | 'analyzing' | 'ready' | 'error';

export type LayerKind = 'input' | 'conv' | 'dense';

/** Summary statistics of one quantity over a layer's nodes (population std, numpy-style quantiles). */
export interface StatsView {
  mean: number;
  std: number;
  min: number;
  q25: number;
  median: number;
  q75: number;
  max: number;
}

/** One layer of a checkpoint's rolled graph and the statistics of its nodes. */
export interface LayerView {
  name: string;
  kind: LayerKind;
  nodes: number;
  weightedDegree: StatsView;
  inDegree: StatsView;
  outDegree: StatsView;
  eigenvectorCentrality: StatsView;
}

/** Sizes of a checkpoint's graph: rolled (channels as nodes) and unrolled (pixels as nodes). */
export interface GraphSizeView {
  nodes: number;
  edges: number;
  unrolledNodes: number;
  unrolledEdges: number;
  unrolledEstimated: boolean;
  inputSize: number;
  /** Connected components of the rolled graph (1 for a network wired whole). */
  components: number;
  /** Where the wiring came from: 'layer-local' means each layer on its own, no wiring known. */
  wiring: 'names' | 'config' | 'onnx' | 'layer-local';
}

/**
 * The analysis of one checkpoint, field for field what the engine reports: the dashboard reads the
 * layers, sizes and eigenvalue; the features export (a host-side reader of RunDetail) hands the
 * whole record to the forecaster's feature definitions.
 */
export interface AnalysisView {
  path: string;
  epoch: number | null;
  format: string;
  graph: GraphSizeView;
  layers: LayerView[];
  eigenvalue: number;
  metadata: Record<string, string | number | boolean | null>;
  warnings: string[];
  timings: { readAndBuildMs: number; metricsMs: number };
}

/** A forecast of a run's final accuracy. */
export interface ForecastView {
  /** Forecast final accuracy, in [0, 1]. */
  accuracy: number;
  /** The 80% interval around it. */
  low: number;
  high: number;
  /** Trained epochs the forecast was made from. */
  epochsUsed: number;
  /** Which predictor made it, in words. */
  model?: string;
  /** The epoch the forecast accuracy is for, when known. */
  horizon?: number | null;
  /** The horizon in words (and whether it is the run's own). */
  horizonNote?: string;
  /** Why the forecast is what it is when no predictor made it (a diverged run: chance level). */
  reason?: string;
  /**
   * The layers this forecast leans on, by the predictor's own account: each layer's share of the
   * importance of the features read from it (layer names as in LayerView.name, shares summing to
   * at most 1). Optional: without it the dashboard shows how much each layer's forecast inputs
   * moved over the epochs the forecast read, and says so.
   */
  drivers?: { layer: string; share: number }[];
}

export interface AccuracyPoint {
  epoch: number;
  value: number;
}

export interface ProblemView {
  path: string;
  message: string;
}

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
  forecast: ForecastView | null;
  /** Validation accuracy per epoch from the run's logs, when it keeps any. */
  accuracy: AccuracyPoint[] | null;
  /** Final accuracy when the run has finished and logged it. */
  finalAccuracy: number | null;
  errors: ProblemView[];
  /** Where the training run itself stands (from its logs, files and weights), as far as known. */
  training: TrainingView;
  /** The epoch (and step) the run is set to end at, and where that was read; null when unknown. */
  horizon: HorizonView | null;
  /** Hyperparameters: flat dotted keys, numbers as numbers, with the file each came from. */
  hyperparameters: { values: Record<string, number | string | boolean>; sources: Record<string, string> };
  /** Where and when the run diverged (NaN/Inf in its weights or loss); null when it did not. */
  diverged: DivergenceView | null;
  /** The sweep's stopping advice for this run; null when there is none (finished, or not enough known). */
  advice: StopAdviceView | null;
}

/** What a run's summary says about its training while nothing is known yet (no logs read, no config). */
export function unknownRunFacts(): Pick<RunSummary, 'training' | 'horizon' | 'hyperparameters' | 'diverged' | 'advice'> {
  return { training: { status: 'unknown', reason: 'not known yet', lastEpoch: null }, horizon: null, hyperparameters: { values: {}, sources: {} }, diverged: null, advice: null };
}

export type TrainingStatus = 'running' | 'finished' | 'stopped' | 'diverged' | 'unknown';

export interface TrainingView {
  status: TrainingStatus;
  /** Why, in words (e.g. "reached its horizon of 15 epochs", "a STOP file was honoured"). */
  reason: string;
  /** Last epoch the run is known to have completed (checkpoints or logs), if any. */
  lastEpoch: number | null;
}

export interface HorizonView {
  epochs: number | null;
  steps: number | null;
  /** Where it was read: 'flag', 'config', 'trainer-state', 'log', 'setting', 'default'… */
  source: string;
}

export interface DivergenceView {
  epoch: number;
  /** The first non-finite tensor, when the weights diverged. */
  tensor?: string;
  /** The logged metric that went non-finite, when the loss diverged. */
  metric?: string;
  /** The value found: 'NaN', 'Infinity' or '-Infinity'. */
  value?: string;
}

/** The sweep's stopping rule applied to one run (the same rule and numbers as the CLI's advice). */
export interface StopAdviceView {
  stop: boolean;
  /** Why, in words, with the numbers that decide it. */
  reason: string;
  /** Epochs of compute saved by stopping now (horizon minus epochs done), when the horizon is known. */
  epochsSaved: number | null;
}

export interface CheckpointView {
  /** The epoch the run's order gives the checkpoint (null: none known). */
  epoch: number | null;
  file: string;
  analysis: AnalysisView;
}

/** Per-epoch analysis of one run, for the feature charts and the node details. */
export interface RunDetail {
  run: RunSummary;
  checkpoints: CheckpointView[];
}

// ---------------------------------------------------------------------------------------------
// View types: a drawable graph

/** One drawable layer of a thinned graph: a column of the layered layout. */
export interface DrawLayer {
  index: number;
  name: string;
  kind: LayerKind;
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

// ---------------------------------------------------------------------------------------------
// Limits that both sides rely on

/**
 * The `trainingDynamics.maxDrawnEdges` setting: the most edges a drawn graph may have. package.json
 * declares the same range for the settings editor; a value typed into settings.json is clamped.
 */
export const MAX_DRAWN_EDGES = { min: 100, default: 2000, max: 50_000 } as const;

/** A setting value as an edge budget: a number clamped to the range and rounded, else the default. */
export function clampMaxDrawnEdges(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return MAX_DRAWN_EDGES.default;
  return Math.round(Math.min(MAX_DRAWN_EDGES.max, Math.max(MAX_DRAWN_EDGES.min, v)));
}

// ---------------------------------------------------------------------------------------------
// Host → webview

/** The run list (pushed on every change). `selected`: a run the host asks the webview to show. */
export interface RunsMessage {
  type: 'runs';
  runs: RunSummary[];
  selected: string | null;
}

/** A run's detail: the reply to selectRun, or pushed (no `inReplyTo`) when the selected run changes. */
export interface RunDetailMessage {
  type: 'runDetail';
  detail: RunDetail;
  inReplyTo?: number;
}

/** The reply to requestGraph; it also names the run and epoch asked for. */
export interface GraphMessage {
  type: 'graph';
  inReplyTo: number;
  runId: string;
  epoch: number;
  graph: DrawGraph;
}

/** Settings the webview needs; sent on ready and when they change. */
export interface SettingsMessage {
  type: 'settings';
  maxEdges: number;
}

/**
 * A failure. With `inReplyTo` it answers that request (a graph request's error also names its run
 * and epoch, so the panel can say so in place); without, it is for the page's error banner.
 */
export interface ErrorMessage {
  type: 'error';
  message: string;
  inReplyTo?: number;
  runId?: string;
  epoch?: number;
}

export type HostMessage = RunsMessage | RunDetailMessage | GraphMessage | SettingsMessage | ErrorMessage;

// Webview → host

/** The page is loaded: the host answers with settings and the run list. */
export interface ReadyMessage {
  type: 'ready';
}

/** The webview shows this run: the host replies with its detail (and keeps it up to date). */
export interface SelectRunRequest {
  type: 'selectRun';
  requestId: number;
  runId: string;
}

/** The drawable graph of one epoch of a run, thinned to the maxDrawnEdges setting. */
export interface GraphRequest {
  type: 'requestGraph';
  requestId: number;
  runId: string;
  epoch: number;
}

/** The user pressed Stop: the host writes the run's stop request (an error message if it cannot). */
export interface StopRunMessage {
  type: 'stopRun';
  runId: string;
}

export type WebviewMessage = ReadyMessage | SelectRunRequest | GraphRequest | StopRunMessage;

/** Webview messages that expect a reply, and the replies each may get. */
export type WebviewRequest = SelectRunRequest | GraphRequest;
export interface Replies {
  selectRun: RunDetailMessage | ErrorMessage;
  requestGraph: GraphMessage | ErrorMessage;
}
export type RequestType = WebviewRequest['type'];
export type RequestOf<T extends RequestType> = Extract<WebviewRequest, { type: T }>;
/** What a request says besides its type and id. */
export type RequestArgs<T extends RequestType> = Omit<RequestOf<T>, 'type' | 'requestId'>;

// ---------------------------------------------------------------------------------------------
// Dispatch: one handler per message type

export type MessageOf<M extends { type: string }, T extends M['type']> = Extract<M, { type: T }>;
export type Handlers<M extends { type: string }> = { [T in M['type']]: (m: MessageOf<M, T>) => void };
export type WebviewMessageHandlers = Handlers<WebviewMessage>;

/** Calls the handler registered for the message's type. */
export function dispatch<M extends { type: string }>(handlers: Handlers<M>, m: M): void {
  (handlers[m.type as M['type']] as (m: M) => void)(m);
}

// ---------------------------------------------------------------------------------------------
// Validation

const str = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const int = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1e6;
/** Request ids count up from 1 for the lifetime of a webview. */
const isRequestId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const optionalRequestId = (v: unknown): boolean => v === undefined || isRequestId(v);

/** Validates a message from the webview; anything else is dropped by the host. */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
      return true;
    case 'selectRun':
      return isRequestId(o.requestId) && str(o.runId);
    case 'stopRun':
      return str(o.runId);
    case 'requestGraph':
      return isRequestId(o.requestId) && str(o.runId) && int(o.epoch);
    default:
      return false;
  }
}

/**
 * Validates a message from the host on the webview's side: a known type and, for replies, a
 * well-formed `inReplyTo` (the page also receives messages that are not ours).
 */
export function isHostMessage(m: unknown): m is HostMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'runs':
    case 'settings':
      return true;
    case 'graph':
      return isRequestId(o.inReplyTo);
    case 'runDetail':
    case 'error':
      return optionalRequestId(o.inReplyTo);
    default:
      return false;
  }
}

/** A host message that answers a request. */
export function isReply(m: HostMessage): m is HostMessage & { inReplyTo: number } {
  return 'inReplyTo' in m && m.inReplyTo !== undefined;
}
