/**
 * Runs one fuzz case the way the CLI would: the case's files are written to a folder, then
 * `analyzeCheckpointFull` (open, wiring, rolled graph, degree, eigenvector centrality) runs on its
 * target, and every tensor is read once more through `openCheckpoint` (analysis reads only the
 * tensors the graph needs). Every error is classified: the engine's named errors are fine when
 * their message names the file; anything else is a crash.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCheckpointFull } from '../../src/engine/analyze-checkpoint';
import { openCheckpoint } from '../../src/engine/readers/index';
import { InputError, NumericError } from '../../src/engine/errors';
import type { FuzzCase } from './targets';

export type Outcome = 'ok' | 'named' | 'unnamed' | 'crash';

export interface CaseResult {
  outcome: Outcome;
  /** Error class name (FormatError, ArchitectureError, NumericError, TypeError, ...). */
  errorClass?: string;
  message?: string;
  /** Top of the stack, for crashes. */
  where?: string;
  ms: number;
}

export function writeCase(dir: string, c: FuzzCase): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [rel, content] of c.files) {
    const p = path.join(dir, rel);
    if (content instanceof Uint8Array) fs.writeFileSync(p, content);
    else fs.symlinkSync(content.symlink, p);
  }
  return path.join(dir, c.target);
}

function classify(e: unknown, file: string): Omit<CaseResult, 'ms'> {
  const err = e instanceof Error ? e : new Error(String(e));
  const named = e instanceof InputError || e instanceof NumericError;
  // The message must say which file: the path itself (an archive member is 'file!member', a
  // TF.js weight group 'file weight group N', an ONNX external file 'file (location)').
  const namesFile = err.message.includes(file);
  return {
    outcome: !named ? 'crash' : namesFile ? 'named' : 'unnamed',
    errorClass: err.name || err.constructor?.name,
    message: err.message.slice(0, 400),
    where: named ? undefined : (err.stack ?? '').split('\n').slice(1, 6).join('\n'),
  };
}

export function runCase(dir: string, c: FuzzCase): CaseResult {
  const file = writeCase(dir, c);
  const t0 = performance.now();
  let r: Omit<CaseResult, 'ms'> = { outcome: 'ok' };
  try {
    analyzeCheckpointFull(file);
  } catch (e) {
    r = classify(e, file);
  }
  if (r.outcome === 'ok' || r.outcome === 'named') {
    // Every tensor, including those the graph does not use (biases, running means).
    try {
      const ck = openCheckpoint(file);
      try {
        for (const t of ck.tensors) t.read();
      } finally {
        ck.close();
      }
    } catch (e) {
      const second = classify(e, file);
      if (second.outcome !== 'named') r = second;
    }
  }
  return { ...r, ms: performance.now() - t0 };
}
