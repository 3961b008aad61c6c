/**
 * The reader contract. One module per format under `readers/`, each with a cheap `match()` that
 * looks at a few leading bytes (or the file name) and never consumes input, and an `open()` that
 * either returns the named tensors or throws a FormatError naming the file and the bad value.
 */
import type { ByteSource } from './io/source';
import type { TensorEntry } from './tensor';
import type { NetOp } from './graph/netspec';

export interface Checkpoint {
  readonly file: string;
  /** e.g. 'pytorch-zip', 'pytorch-legacy', 'safetensors', 'keras-h5', 'keras-v3', 'tfjs', 'onnx', 'npz'. */
  readonly format: string;
  /** In the order the model defines them (state-dict order for PyTorch). PyTorch layout and naming. */
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
  /** Order of a Flatten's output: PyTorch flattens channel-major ('chw'); Keras channels-last ('hwc'). */
  readonly flattenOrder?: 'chw' | 'hwc';
  /** Warnings found while reading (e.g. a non-float tensor skipped). */
  readonly warnings: string[];
  close(): void;
}

export interface CheckpointReader {
  readonly id: string;
  /** Cheap test on the first bytes (`head`, at most 512 bytes) and the file name; never throws. */
  match(file: string, head: Uint8Array): boolean;
  /** Parses the file. Throws FormatError (naming the file and problem) on malformed input. */
  open(file: string, src: ByteSource): Checkpoint;
}
