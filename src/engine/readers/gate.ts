/**
 * The bounds every checkpoint's tensors obey, whatever reader made them, enforced in one place
 * (openCheckpoint calls `gateTensors` on every checkpoint before anyone reads a value):
 *
 *  1. A tensor is never materialised from fewer stored elements than it declares. Readers state
 *     how many of its elements the file really holds (TensorEntry.storedElements); a tensor that
 *     declares more (`torch.zeros(1).expand(16384, 16384)`: 268M values from one stored float; an
 *     HDF5 dataset that was never written) is refused by name when read, and reported at open.
 *  2. All reads of a checkpoint together produce at most READ_VALUES_PER_BYTE values per byte of
 *     its files, plus READ_FREE_VALUES. Formats let many tensors alias the same bytes (safetensors
 *     offsets, zip entries sharing a local header, HDF5 datasets at one address, repeated TF.js
 *     shards), each within the file on its own; this bounds what they cost together, so memory
 *     and time stay linear in the input.
 *  3. Values of 1-byte tensors (int8, uint8, bool) become 4-byte floats when read, four times the
 *     bytes that store them, and a graph keeps one float per weight: all reads of them together
 *     produce at most NARROW_VALUES_PER_BYTE values per byte of the files, plus READ_FREE_VALUES,
 *     so that such a checkpoint stays within twice its size in memory (2-byte and wider types
 *     cost at most twice their bytes by themselves).
 * The check is made before the values are allocated, so a refused read costs nothing.
 */
import { FormatError } from '../errors';
import { DTYPE_BYTES, LazyTensor, RangeTensor, numel, type ReadGate, type TensorEntry } from '../tensor';

export const READ_VALUES_PER_BYTE = 2;
export const READ_FREE_VALUES = 16 * 2 ** 20;
export const NARROW_VALUES_PER_BYTE = 0.25;

/** The bounds of one checkpoint's reads (see above). */
class CheckpointGate implements ReadGate {
  private produced = 0;
  private producedNarrow = 0;
  constructor(
    private readonly file: string,
    private readonly inputBytes: number,
    private readonly limit: number,
  ) {}

  admit(t: TensorEntry): void {
    const n = numel(t.shape);
    const stored = t.storedElements;
    if (!(Number.isSafeInteger(n) && n <= stored)) {
      throw new FormatError(this.file, `tensor '${t.name}' declares shape [${t.shape.join(', ')}] (${n} values) but the file stores ${stored} of them (an expanded view with stride 0, overlapping strides, or data never written): it is not materialised`);
    }
    if (this.produced + n > this.limit) {
      throw new FormatError(this.file, `reading tensor '${t.name}' (${n} values) would bring the values read from this checkpoint to ${this.produced + n}, more than ${READ_VALUES_PER_BYTE} per byte of its ${this.inputBytes} bytes plus ${READ_FREE_VALUES}: tensors declared far beyond the bytes stored for them (compressed to nothing, or sharing the same bytes many times over) are not materialised`);
    }
    if (DTYPE_BYTES[t.dtype] === 1) {
      const narrowLimit = NARROW_VALUES_PER_BYTE * this.inputBytes + READ_FREE_VALUES;
      if (this.producedNarrow + n > narrowLimit) {
        throw new FormatError(this.file, `reading ${t.dtype} tensor '${t.name}' (${n} values) would bring the 1-byte values read from this checkpoint to ${this.producedNarrow + n}, more than ${Math.floor(narrowLimit)} (a quarter per byte of its ${this.inputBytes} bytes plus ${READ_FREE_VALUES}): each becomes a 4-byte float, so more would take over twice the file's size in memory; it is not materialised`);
      }
      this.producedNarrow += n;
    }
    this.produced += n;
  }
}

/** Gates the tensors of a checkpoint whose files hold `inputBytes` bytes; returns warnings for the refused ones. */
export function gateTensors(file: string, tensors: readonly TensorEntry[], inputBytes: number): string[] {
  const gate = new CheckpointGate(file, inputBytes, READ_VALUES_PER_BYTE * inputBytes + READ_FREE_VALUES);
  const warnings: string[] = [];
  for (const t of tensors) {
    const n = numel(t.shape);
    if (!(Number.isSafeInteger(n) && n <= t.storedElements)) {
      warnings.push(`tensor '${t.name}' declares shape [${t.shape.join(', ')}] (${n} values) but the file stores ${t.storedElements} of them; it is not read`);
    }
    if ('gate' in t || t instanceof LazyTensor || t instanceof RangeTensor) {
      (t as { gate?: ReadGate }).gate = gate;
      continue;
    }
    // Any other kind of tensor: its read wrapped (no reader makes one today).
    const read = t.read.bind(t);
    Object.defineProperty(t, 'read', { configurable: true, value: (): Float32Array => (gate.admit(t), read()) });
  }
  return warnings;
}
