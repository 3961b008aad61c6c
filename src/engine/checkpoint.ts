/**
 * The reader contract. One module per format under `readers/`, each with a cheap `match()` that
 * looks at a few leading bytes (or the file name) and never consumes input, and an `open()` that
 * either returns the named tensors or throws a FormatError naming the file and the bad value.
 */
import { FormatError } from './errors';
import type { ByteSource } from './io/source';
import type { TensorEntry } from './tensor';
import type { NetOp } from './graph/netspec';

export interface Checkpoint {
  readonly file: string;
  /**
   * Reported as is, e.g. 'pytorch-zip', 'pytorch-legacy', 'safetensors', 'keras-h5', 'keras-v3',
   * 'tfjs', 'onnx', 'npz'. Nothing branches on it: what differs by format is stated by the fields
   * below (batchNormEpsilon, tensorOrder, flattenOrder).
   */
  readonly format: string;
  /** In the order the model defines them (state-dict order for PyTorch) as far as the file tells (see tensorOrder). PyTorch layout and naming. */
  readonly tensors: TensorEntry[];
  /** The training epoch, when the file stores it. */
  readonly epoch?: number;
  /** Small scalar metadata worth showing (e.g. global_step, best_model_score). */
  readonly metadata: Record<string, string | number | boolean | null>;
  /**
   * The network's wiring when the file states it (ONNX graph, Keras model_config). When absent,
   * the wiring is recovered from tensor names and shapes.
   */
  readonly topology?: NetOp[];
  /** What states `topology`: an ONNX graph ('onnx') or a model config ('config', the default). */
  readonly wiringSource?: 'onnx' | 'config';
  /**
   * Hyper-parameters that weights do not show (attention heads, norm epsilon), from the file
   * (nanoGPT's `model_args`) or a Hugging Face `config.json` beside it.
   */
  readonly modelConfig?: Record<string, unknown>;
  /** Order of a Flatten's output: PyTorch flattens channel-major ('chw'); Keras channels-last ('hwc'). */
  readonly flattenOrder?: 'chw' | 'hwc';
  /**
   * Epsilon of the normalization layers whose own epsilon the file does not state, for the wiring
   * recovered from names and shapes: the saving framework's default (PyTorch 1e-5, Keras 1e-3).
   */
  readonly batchNormEpsilon: number;
  /**
   * Whether `tensors` can be taken as the model's layer order when the wiring is recovered from
   * names and shapes. 'model': it is (a state dict, a model config's layer list). 'unknown': the
   * file may hold them in another order (the safetensors library sorts them by name; an .npz
   * holds whatever order it was given), so other orders of the top-level modules are tried too.
   */
  readonly tensorOrder: TensorOrder;
  /** Warnings found while reading (e.g. a non-float tensor skipped). */
  readonly warnings: string[];
  /** Bytes of the files read besides `file` itself (TF.js weight shards, ONNX external data), for the read bounds. */
  readonly companionBytes?: number;
  close(): void;
}

/**
 * Most tensors a checkpoint may hold. Real models hold a few thousand (a 70B LLM ~700, a large
 * mixture of experts ~100k); each costs a few hundred bytes to list and wire, so a crafted file of
 * millions of tiny tensors would cost many times its size. Readers count as they list and refuse
 * past this, before the rest is built.
 */
export const MAX_TENSORS = 300_000;

/** Refuses the `n`-th tensor of `file` when it passes MAX_TENSORS. */
export function checkTensorCount(file: string, n: number): void {
  if (n > MAX_TENSORS) throw new FormatError(file, `holds more than ${MAX_TENSORS} tensors, more than any model this tool analyzes (a crafted file of tiny tensors would cost many times its size)`);
}

/** See Checkpoint.tensorOrder. */
export type TensorOrder = 'model' | 'unknown';

/**
 * What a reader states unless its format differs: PyTorch's BatchNorm epsilon and tensors in model
 * order. Readers spread these into their checkpoint and override what their format changes.
 */
export const CHECKPOINT_DEFAULTS: Pick<Checkpoint, 'batchNormEpsilon' | 'tensorOrder'> = { batchNormEpsilon: 1e-5, tensorOrder: 'model' };

export interface CheckpointReader {
  readonly id: string;
  /** Cheap test on the first bytes (`head`, at most 512 bytes) and the file name; never throws. */
  match(file: string, head: Uint8Array): boolean;
  /** Parses the file. Throws FormatError (naming the file and problem) on malformed input. */
  open(file: string, src: ByteSource): Checkpoint;
}
