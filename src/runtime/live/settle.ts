/**
 * Decides when a checkpoint that is being written has been written completely enough to try:
 * its size and modification time are the same over two polls `intervalMs` apart (and it is not
 * empty). A training script writing a 500 MB checkpoint changes the size between polls, so it is
 * never handed on half-written. Stability alone is not proof (a writer may pause), so the analysis
 * that follows also has to parse the file, and a parse failure on a file whose size or mtime moved
 * meanwhile sends it back here (see file-tracker.ts).
 *
 * Clock and file system are injected so the rule is tested without waiting.
 */
import { sameStat, type FileStat, type LiveDeps } from './deps';

export { sameStat, type FileStat };

/** The part of the service's clock and file system that settling uses. */
export type SettleDeps = Pick<LiveDeps, 'stat' | 'setTimer' | 'clearTimer'>;

export interface SettleCallbacks {
  stable(stat: FileStat): void;
  gone(): void;
}

interface Pending {
  last: FileStat | null;
  timer: unknown;
  cb: SettleCallbacks;
  polls: number;
}

export class FileSettler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly deps: SettleDeps,
    readonly intervalMs = 500,
  ) {}

  /**
   * Starts watching `file` until it is stable or gone. Called again for a file already being
   * watched (a create and a change event for one write) it changes nothing: one poll chain per file.
   */
  settle(file: string, cb: SettleCallbacks): void {
    if (this.pending.has(file)) return;
    const p: Pending = { last: this.deps.stat(file), timer: undefined, cb, polls: 0 };
    if (p.last === null) {
      cb.gone();
      return;
    }
    this.pending.set(file, p);
    p.timer = this.deps.setTimer(() => this.poll(file), this.intervalMs);
  }

  cancel(file: string): void {
    const p = this.pending.get(file);
    if (!p) return;
    this.deps.clearTimer(p.timer);
    this.pending.delete(file);
  }

  isSettling(file: string): boolean {
    return this.pending.has(file);
  }

  get count(): number {
    return this.pending.size;
  }

  dispose(): void {
    for (const f of [...this.pending.keys()]) this.cancel(f);
  }

  private poll(file: string): void {
    const p = this.pending.get(file);
    if (!p) return;
    p.polls++;
    const now = this.deps.stat(file);
    if (now === null) {
      this.pending.delete(file);
      p.cb.gone();
      return;
    }
    if (sameStat(now, p.last) && now.size > 0) {
      this.pending.delete(file);
      p.cb.stable(now);
      return;
    }
    p.last = now;
    p.timer = this.deps.setTimer(() => this.poll(file), this.intervalMs);
  }
}
