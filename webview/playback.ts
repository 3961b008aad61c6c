/**
 * Playback of the Network tab: steps through the shown run's epochs every PLAY_STEP_MS, optionally
 * looping. A step waits for the next epoch's graph rather than showing "loading": it asks for the
 * graph and tries again on the next tick (an epoch whose graph failed is shown, with its error, and
 * passed on the next step).
 */
import type { RunSummary } from '../src/shared/dashboard-protocol';
import type { GraphCache } from './graph-cache';

const PLAY_STEP_MS = 700;

export interface PlaybackTarget {
  run(): RunSummary | undefined;
  /** The epoch shown. */
  epoch(): number | null;
  loop(): boolean;
  setEpoch(epoch: number): void;
  /** Requests the graphs the view needs (while playing: the next epochs too). */
  ensureGraphs(): void;
  /** Playing started or stopped. */
  changed(): void;
}

export class Playback {
  private on = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly t: PlaybackTarget, private readonly graphs: Pick<GraphCache, 'has' | 'error' | 'request'>) {}

  get playing(): boolean {
    return this.on;
  }

  toggle(): void {
    if (this.on) this.stop();
    else this.start();
  }

  start(): void {
    const eps = this.t.run()?.epochs ?? [];
    if (eps.length < 2) return;
    this.on = true;
    if (this.t.epoch() === eps[eps.length - 1]) this.t.setEpoch(eps[0]);
    this.t.changed();
    this.t.ensureGraphs();
    this.timer = setTimeout(() => this.step(), PLAY_STEP_MS);
  }

  stop(): void {
    this.on = false;
    clearTimeout(this.timer);
    this.t.changed();
  }

  private step(): void {
    if (!this.on) return;
    const run = this.t.run();
    const eps = run?.epochs ?? [];
    if (!run || eps.length < 2) return this.stop();
    const i = eps.indexOf(this.t.epoch() ?? eps[0]);
    let j = i + 1;
    if (j >= eps.length) {
      if (!this.t.loop()) return this.stop();
      j = 0;
    }
    const next = eps[j];
    if (this.graphs.has(run.id, next)) this.t.setEpoch(next);
    else if (this.graphs.error(run.id, next) !== undefined) this.t.setEpoch(next); // shows the error, moves on next step
    else this.graphs.request(run.id, next);
    if (j === eps.length - 1 && !this.t.loop() && this.graphs.has(run.id, next)) {
      this.stop();
      return;
    }
    this.t.ensureGraphs();
    this.timer = setTimeout(() => this.step(), PLAY_STEP_MS);
  }
}
