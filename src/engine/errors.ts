/**
 * Errors the engine raises on bad input. Every one names the file and the problem, so a user
 * reading a list of failures knows which checkpoint to look at and why it was rejected.
 */
export class InputError extends Error {
  readonly problem: string;
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${clip(problem)}`);
    this.problem = clip(problem);
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

/** Longest cause kept in a message: a hostile file must not make the report itself huge. */
export const MAX_MESSAGE_CHARS = 2000;

/** `s` cut to `max` characters, saying how much was left out. */
export function clip(s: string, max = MAX_MESSAGE_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;
}

/**
 * JavaScript's own errors, hit by a hostile size or depth deep inside a parser, say what broke in
 * the runtime's terms ("Invalid typed array length: 4294967296"). This restates them in words a
 * user can act on, keeping the original as the detail. Errors of the engine pass unchanged.
 */
export function explainError(e: unknown): string {
  const m = errorMessage(e);
  if (e instanceof InputError || e instanceof NumericError) return m;
  const rules: [RegExp, string][] = [
    [/Invalid typed array length|Array buffer allocation failed|Invalid array length|Array buffer too large/i, 'a size stated in the file is larger than can be allocated'],
    [/Maximum call stack size exceeded/i, 'the data is nested more deeply than can be read'],
    [/Cannot convert .* to a BigInt|is not an integer|cannot be converted to a BigInt/i, 'a number that must be a whole number is not one'],
    [/Invalid string length/i, 'a text in the file (or made from it) is longer than the longest string JavaScript holds'],
    [/out of memory|heap limit/i, 'not enough memory for what the file declares'],
    [/offset is out of bounds|Offset is outside the bounds|out of range/i, 'a position stated in the file lies outside the data'],
    [/is not a function|Cannot read propert|is not iterable/i, 'the data does not have the structure its format requires'],
  ];
  for (const [re, words] of rules) if (re.test(m)) return `${words} (${clip(m, 200)})`;
  return clip(m);
}

/** Any error about `file` as an InputError naming it, with the cause in words (see explainError). */
export function asInputError(e: unknown, file: string, what = ''): InputError {
  if (e instanceof InputError) return e;
  const m = explainError(e);
  const body = m.startsWith(file + ': ') ? m.slice(file.length + 2) : m;
  return new FormatError(file, what ? `${what}: ${body}` : body);
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
  const m = explainError(e);
  return m.startsWith(file + ': ') ? m.slice(file.length + 2) : m;
}

/** A failure about `file` as a Problem. */
export function problemOf(e: unknown, file: string): Problem {
  return { path: file, message: problemMessage(e, file) };
}
