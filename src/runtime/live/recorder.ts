/**
 * A journal of the worker analyses a live service ran, for the tests that audit it (the editor's
 * stress test proves no content was analyzed twice and nothing half-written was taken as done).
 * Off in normal use: the service only records once something asks for a recorder
 * (AnalysisService.startRecording), so an editor left open for days does not hold 20,000 records
 * nobody reads.
 */
import * as path from 'node:path';
import { errorMessage } from '../../engine/errors';

/** One finished worker analysis (cache hits are not analyses): what the stress test audits. */
export interface AnalysisRecord {
  file: string;
  /** Size, mtime and content hash of the bytes analyzed. */
  size: number;
  mtimeMs: number;
  hash: string;
  /**
   * 'result' and 'error' are the file's outcome. 'incomplete': the file failed to parse and had
   * been modified moments before, so it is taken as still being written and settled again.
   */
  outcome: 'result' | 'error' | 'incomplete';
  message?: string;
  ms: number;
}

/** Records kept: enough for a sweep, bounded for an editor left open. */
const MAX_RECORDS = 20_000;

export class AnalysisRecorder {
  private readonly records: AnalysisRecord[] = [];
  private readonly listeners: ((r: AnalysisRecord) => void)[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly log: (line: string) => void = () => undefined) {}

  /** A worker analysis gave `file` its result (counted at once, before the record is written). */
  countResult(file: string): void {
    this.counts.set(file, (this.counts.get(file) ?? 0) + 1);
  }

  add(r: AnalysisRecord): void {
    this.records.push(r);
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
    for (const l of this.listeners) {
      try {
        l(r);
      } catch (err) {
        this.log(`listener: ${errorMessage(err)}`);
      }
    }
  }

  /** Worker analyses of a file that gave its result: to prove none ran twice. */
  analyzedCount(file: string): number {
    return this.counts.get(path.resolve(file)) ?? 0;
  }

  /** Finished worker analyses, oldest first (at most the last 20,000). */
  analyses(): AnalysisRecord[] {
    return this.records.slice();
  }

  /** Hears each finished analysis; a result is reported once it is in the disk cache. */
  onAnalysis(listener: (r: AnalysisRecord) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
