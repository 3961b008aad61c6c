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
 * The check is made before the values are allocated, so a refused read costs nothing.
 */
import { FormatError } from '../errors';
import { numel, type TensorEntry } from '../tensor';

export const READ_VALUES_PER_BYTE = 2;
export const READ_FREE_VALUES = 16 * 2 ** 20;

/** Gates the tensors of a checkpoint whose files hold `inputBytes` bytes; returns warnings for the refused ones. */
export function gateTensors(file: string, tensors: readonly TensorEntry[], inputBytes: number): string[] {
  const limit = READ_VALUES_PER_BYTE * inputBytes + READ_FREE_VALUES;
  let produced = 0;
  const warnings: string[] = [];
  for (const t of tensors) {
    const n = numel(t.shape);
    const stored = t.storedElements;
    const short = !(Number.isSafeInteger(n) && n <= stored);
    if (short) {
      warnings.push(`tensor '${t.name}' declares shape [${t.shape.join(', ')}] (${n} values) but the file stores ${stored} of them; it is not read`);
    }
    const read = t.read.bind(t);
    Object.defineProperty(t, 'read', {
      configurable: true,
      value: (): Float32Array => {
        if (short) {
          throw new FormatError(file, `tensor '${t.name}' declares shape [${t.shape.join(', ')}] (${n} values) but the file stores ${stored} of them (an expanded view with stride 0, overlapping strides, or data never written): it is not materialised`);
        }
        if (produced + n > limit) {
          throw new FormatError(file, `reading tensor '${t.name}' (${n} values) would bring the values read from this checkpoint to ${produced + n}, more than ${READ_VALUES_PER_BYTE} per byte of its ${inputBytes} bytes plus ${READ_FREE_VALUES}: tensors declared far beyond the bytes stored for them (compressed to nothing, or sharing the same bytes many times over) are not materialised`);
        }
        produced += n;
        return read();
      },
    });
  }
  return warnings;
}
