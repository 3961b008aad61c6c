/**
 * Errors the engine raises on bad input. Every one names the file and the problem, so a user
 * reading a list of failures knows which checkpoint to look at and why it was rejected.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'InputError';
  }
}

/** The file is of a format we know, but its bytes do not follow it (truncated, bad magic, sizes past the end). */
export class FormatError extends InputError {
  constructor(file: string, problem: string) {
    super(file, problem);
    this.name = 'FormatError';
  }
}

/** No reader recognises the file. */
export class UnknownFormatError extends InputError {
  constructor(file: string) {
    super(file, 'unknown checkpoint format (expected PyTorch .pt/.pth/.ckpt, safetensors, Keras .h5/.keras, TF.js model.json, ONNX or numpy .npz)');
    this.name = 'UnknownFormatError';
  }
}

/** The tensors were read, but no network graph can be built from them without guessing. */
export class ArchitectureError extends InputError {
  constructor(file: string, problem: string) {
    super(file, problem);
    this.name = 'ArchitectureError';
  }
}

/** A numeric method did not reach its tolerance, or met values it cannot work with (NaN, Inf). */
export class NumericError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NumericError';
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The one shape of a reported failure: the file (or folder) it concerns and the cause in words,
 * without the file name repeated in front (the user interface shows `path` beside it).
 */
export interface Problem {
  path: string;
  message: string;
}

/** The cause of a failure about `file`, for a Problem: an InputError's problem, else the message less the `file: ` prefix. */
export function problemMessage(e: unknown, file: string): string {
  if (e instanceof InputError) return e.file === file ? e.problem : e.message;
  const m = errorMessage(e);
  return m.startsWith(file + ': ') ? m.slice(file.length + 2) : m;
}

/** A failure about `file` as a Problem. */
export function problemOf(e: unknown, file: string): Problem {
  return { path: file, message: problemMessage(e, file) };
}
