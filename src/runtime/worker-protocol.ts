/**
 * The host ↔ analysis worker protocol (node:worker_threads, dist/worker.js), both halves of it.
 *
 * One request map ties each request to its reply, so the host's `WorkerPool.submit('analyze', …)`
 * resolves with an AnalyzeReply and nothing else: no caller narrows a union of replies it cannot
 * get. Every request travels as `{messageId, type, body}` and is answered by exactly one
 * `{inReplyTo, body}` or `{inReplyTo, error}`. A failure in the worker (a broken checkpoint, an
 * unreadable log) is not a reply: the host rejects the call with a WorkerJobError that names the
 * file, so the one place that handles failures is the caller's catch.
 *
 * The messageId is the pool's job id, the same for every attempt of a job: a job is only retried
 * on a fresh worker, so an id is never answered twice by one worker.
 */
import type { CheckpointAnalysis } from '../engine/analyze-checkpoint';
import type { Problem } from '../engine/errors';
import { problemMessage } from '../engine/errors';
import type { ForecastInput } from '../engine/forecast/index';
import type { Forecast } from '../engine/forecast/types';
import type { AccuracyLog } from '../engine/logs/run-accuracy';
import type { ThinGraph } from '../engine/graph/thin';
import type { KnownCheckpoint, RunFacts } from './run-facts';

// ---------------------------------------------------------------------------------------------
// Requests and their replies

/** Parses, builds the graph and measures one checkpoint. */
export interface AnalyzeRequest {
  file: string;
  inputSize?: number;
  /** A nearby epoch's centrality vector: a warm start for the eigen-solver. */
  warmStart?: Float64Array;
  /** Also return a thinned drawable graph with at most this many edges. */
  drawMaxEdges?: number;
}

/**
 * The one way to build an analyze request: the warm start is copied for each attempt, since a
 * posted transfer detaches the buffer and a crashed job is retried with a fresh message.
 */
export function analyzeRequest(file: string, opts: { inputSize?: number | null; warmStart?: Float64Array; drawMaxEdges?: number }): { body: AnalyzeRequest; transfer: ArrayBuffer[] } {
  const warmStart = opts.warmStart?.slice();
  const body: AnalyzeRequest = { file, inputSize: opts.inputSize ?? undefined, warmStart };
  if (opts.drawMaxEdges !== undefined) body.drawMaxEdges = opts.drawMaxEdges;
  return { body, transfer: warmStart ? [warmStart.buffer] : [] };
}

export interface AnalyzeReply {
  type: 'result';
  analysis: CheckpointAnalysis;
  /** Transferred, not copied: the next epoch's warm start. */
  centrality: Float64Array;
  draw?: ThinGraph;
}

/**
 * Reads a run's outcome off the host thread (logs and configs can be large; NaN checks read
 * weights): its logs, status, horizon, hyperparameters and divergence (run-facts.ts). The host
 * sends what it knows of the run's checkpoints: the analyzed ones (stored epoch and metadata) and
 * the ones that failed, which the worker checks for NaN/Inf.
 */
export interface AccuracyRequest {
  runDir: string;
  checkpoints?: KnownCheckpoint[];
  failed?: string[];
}

export interface AccuracyReply {
  type: 'accuracy';
  accuracy: AccuracyLog | null;
  /** The run has finished (run/status.ts): `accuracy.final` is its result. */
  finished: boolean;
  errors: Problem[];
  /** Where the run stands; absent from a worker that does not read it. */
  facts?: RunFacts;
}

/**
 * Forecasts a run from its analyses: loading a forecaster means reading and unzipping files, which
 * must not happen on the editor's extension-host thread. The worker looks for the user's own
 * forecaster above `runDir` first (forecast/user-model.ts), as the CLI does.
 */
export interface ForecastRequest {
  runDir: string;
  input: ForecastInput;
  epochs: number;
}

export interface ForecastReply {
  type: 'forecast';
  forecast: Forecast | null;
}

/** Trains a forecaster from the finished runs below a folder (forecast/train.ts `trainForecaster`). */
export interface TrainRequest {
  root: string;
  /** Default: `<root>/.training-dynamics/forecaster.json`, where forecasts of runs below look first. */
  outFile?: string;
  inputSize?: number;
}

export interface TrainReply {
  type: 'trained';
  outFile: string;
  runsFound: number;
  finished: number;
  predictors: number;
  summary: string;
}

/** Every request type with the reply it gets. */
export interface WorkerRequests {
  analyze: { request: AnalyzeRequest; reply: AnalyzeReply };
  accuracy: { request: AccuracyRequest; reply: AccuracyReply };
  forecast: { request: ForecastRequest; reply: ForecastReply };
  train: { request: TrainRequest; reply: TrainReply };
}

export type RequestType = keyof WorkerRequests;
export type RequestOf<K extends RequestType> = WorkerRequests[K]['request'];
export type ReplyOf<K extends RequestType> = WorkerRequests[K]['reply'];

/** A request body with the buffers to transfer rather than copy along with it. */
export interface Outgoing<T> {
  body: T;
  transfer?: ArrayBuffer[];
}

// ---------------------------------------------------------------------------------------------
// Envelopes on the wire

/** Host → worker. */
export type RequestMessage = { [K in RequestType]: { messageId: number; type: K; body: RequestOf<K> } }[RequestType];

/** How a failure in the worker crosses to the host (an Error object would lose its fields). */
export interface WireError {
  /** The file or folder the request was about. */
  file: string;
  /** The cause, without the file name in front (the caller shows the file beside it). */
  message: string;
  /** The error's class name in the worker, e.g. FormatError. */
  name: string;
}

/** Worker → host. */
export type ReplyMessage = { inReplyTo: number; body: ReplyOf<RequestType> } | { inReplyTo: number; error: WireError };

/**
 * A request the worker failed: the host's side of a WireError. It takes the worker's error class
 * name (FormatError, ArchitectureError…) so logs and tests read as if the error were thrown here.
 */
export class WorkerJobError extends Error {
  constructor(
    readonly file: string,
    message: string,
    name: string,
  ) {
    super(message);
    this.name = name;
  }
}

// ---------------------------------------------------------------------------------------------
// The handler on each side

/** The outcome of a reply for the waiting caller: the body, or the error to reject with. */
export function replyOutcome(m: ReplyMessage): { body: ReplyOf<RequestType> } | { error: WorkerJobError } {
  return 'error' in m ? { error: new WorkerJobError(m.error.file, m.error.message, m.error.name) } : { body: m.body };
}

/** The worker's side: one function per request type; a throw becomes the caller's rejection. */
export type RequestHandlers = { [K in RequestType]: (body: RequestOf<K>) => Outgoing<ReplyOf<K>> };

/** The file or folder a request is about, named in its error. */
function subjectOf(m: RequestMessage): string {
  switch (m.type) {
    case 'analyze':
      return m.body.file;
    case 'accuracy':
    case 'forecast':
      return m.body.runDir;
    case 'train':
      return m.body.root;
  }
}

/** Answers one request with its handler: exactly one reply per request, a reply or an error. */
export function answerRequest(m: RequestMessage, handlers: RequestHandlers, post: (reply: ReplyMessage, transfer: ArrayBuffer[]) => void): void {
  const file = subjectOf(m);
  try {
    // The map ties m.type to m.body; TypeScript cannot follow that through an indexed call.
    const out = (handlers[m.type] as (body: RequestOf<RequestType>) => Outgoing<ReplyOf<RequestType>>)(m.body);
    // Inside the try: a reply that cannot be posted (not cloneable) is answered as that error.
    post({ inReplyTo: m.messageId, body: out.body }, out.transfer ?? []);
  } catch (e) {
    post({ inReplyTo: m.messageId, error: { file, message: problemMessage(e, file), name: e instanceof Error ? e.name : 'Error' } }, []);
  }
}
