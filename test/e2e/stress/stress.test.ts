/**
 * Watcher stress in the real extension host: a simulated sweep (sweep-writer.ts, started by the
 * harness) writes 1,000 real PyTorch checkpoints across 20 runs while the extension watches, some
 * slowly in chunks, some renamed into place, some deleted while being analyzed.
 *
 * Two phases, one per extension host, on the same workspace and user data (so the same result
 * cache): phase 1 kills a worker mid-job and ends once a third of the sweep is analyzed; the
 * harness then kills that code-server (extension host and all) while the sweep goes on writing and
 * starts a new one, where phase 2 waits for the sweep to end and audits everything both hosts did.
 * Each host appends every finished analysis to its journal as it happens (the test API's
 * onAnalysis, which reports a result once it is in the disk cache).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from '../suite/bdd';
import { api, config, idle, log, sleep, waitFor, type TestApi } from '../suite/helpers';
import type { RunSummary } from '../../../src/shared/dashboard-protocol';
import type { AnalysisRecord } from '../../../src/extension/test-api';
import type { Planned as PlannedFile } from './sweep-writer';

interface StressConfig {
  phase: 1 | 2;
  root: string;
  sweep: string;
  plan: string;
  done: string;
  ready: string;
  journal1: string;
  journal2: string;
  phase1: string;
  report: string;
  /** Phase 1 ends once this many checkpoints are analyzed. */
  restartAfter: number;
}
const cfg = (config as unknown as { stress: StressConfig }).stress;

/** Every finished analysis of this host goes to its journal at once (the host may be killed any time). */
function journalTo(td: TestApi, file: string): void {
  for (const r of td.analyses()) fs.appendFileSync(file, JSON.stringify(r) + '\n');
  td.onAnalysis((r) => fs.appendFileSync(file, JSON.stringify(r) + '\n'));
}

const readJournal = (file: string): AnalysisRecord[] =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AnalysisRecord) : [];

const readPlan = (): PlannedFile[] => (JSON.parse(fs.readFileSync(cfg.plan, 'utf8')) as { files: PlannedFile[] }).files;


const epochsByRun = (td: TestApi): Map<string, Set<number>> =>
  new Map(td.runs().map((r: RunSummary) => [path.resolve(r.id), new Set(r.epochs)]));

/** Planned files still on disk whose epoch the run does not show yet. */
function missing(td: TestApi, plan: PlannedFile[]): PlannedFile[] {
  const shown = epochsByRun(td);
  return plan.filter((p) => p.mode !== 'delete' && fs.existsSync(p.file) && !shown.get(path.resolve(p.run))?.has(p.epoch));
}

if (cfg.phase === 1) {
  describe('Watcher stress, extension host 1: a sweep of 1,000 checkpoints starts', () => {
    let td: TestApi;
    let plan: PlannedFile[];

    it('the extension watches the empty sweep folder; the sweep starts', async function () {
      this.timeout(90_000);
      td = await api();
      journalTo(td, cfg.journal1);
      fs.writeFileSync(cfg.ready, String(Date.now())); // the harness starts the writer now
      await waitFor('the sweep plan', () => fs.existsSync(cfg.plan), 60_000);
      plan = readPlan();
      assert.equal(plan.length, 1000);
      assert.equal(new Set(plan.map((p) => p.run)).size, 20);
    });

    it('a worker killed mid-job is reported and its job retried; the host keeps working', async function () {
      this.timeout(180_000);
      const deleted = new Set(plan.filter((p) => p.mode === 'delete').map((p) => path.resolve(p.file)));
      let killed: string | undefined;
      const until = Date.now() + 120_000;
      while (!killed && Date.now() < until) {
        const f = td.killWorker();
        if (f && !deleted.has(path.resolve(f))) killed = f;
        else await sleep(f ? 200 : 3);
      }
      assert.ok(killed, 'no analysis was running to kill');
      const before = td.analyses().filter((a) => a.outcome === 'result').length;
      log(`      killed the worker analyzing ${path.relative(cfg.sweep, killed)}`);
      await waitFor(`a result for ${killed} after the kill`, () => td.analyses().some((a) => a.file === killed && a.outcome === 'result'), 90_000);
      const crash = td.crashes().find((c) => path.resolve(c.file) === path.resolve(killed!) && c.reason === 'was killed');
      assert.ok(crash, `crash reported: ${JSON.stringify(td.crashes())}`);
      assert.equal(crash.willRetry, true);
      assert.equal(td.analyzedCount(killed), 1, 'the killed attempt gave no result; the retry gave one');
      await waitFor('further analyses after the kill', () => td.analyses().filter((a) => a.outcome === 'result').length >= before + 20, 90_000);
      fs.writeFileSync(cfg.phase1, JSON.stringify({ killed, crash }));
    });

    it('checkpoints deleted while a worker analyzes them are dropped without an error', async function () {
      this.timeout(180_000);
      // MobileNetV2 (4.6 MB) takes a worker long enough to be caught running; outside the sweep folder.
      const dir = path.join(path.dirname(cfg.sweep), 'deleted-while-running');
      fs.mkdirSync(dir, { recursive: true });
      const src = path.join(cfg.root, 'test/fixtures/pytorch/mobilenet_v2.pt');
      const caught: string[] = [];
      for (let i = 0; i < 3; i++) {
        const f = path.join(dir, `epoch_${i}.pt`);
        fs.copyFileSync(src, f);
        await waitFor(`${path.basename(f)} running or analyzed`, () => td.running().includes(f) || td.analyses().some((a) => a.file === f), 60_000, 2);
        if (td.running().includes(f)) caught.push(f);
        fs.rmSync(f);
      }
      assert.ok(caught.length > 0, 'no deletion landed while its analysis ran');
      await waitFor('the deleted checkpoints dropped', () => caught.every((f) => !td.running().includes(f)), 30_000);
      for (const f of caught) {
        assert.equal(td.analyzedCount(f), 0, `${f}: no result for a file deleted mid-analysis`);
        assert.deepEqual(td.analyses().filter((a) => a.file === f).map((a) => a.outcome), [], 'no error either');
      }
      const run = td.runs().find((r) => path.resolve(r.id) === path.resolve(dir));
      assert.deepEqual(run?.errors ?? [], []);
      log(`      ${caught.length} of 3 deleted while a worker analyzed them`);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it(`analyzes as the sweep writes, until the harness restarts the extension host`, async function () {
      this.timeout(240_000);
      await waitFor(`${cfg.restartAfter} analyzed checkpoints`, () => readJournal(cfg.journal1).filter((a) => a.outcome === 'result').length >= cfg.restartAfter, 200_000, 250);
      assert.ok(!fs.existsSync(cfg.done), 'the sweep is still being written when the host goes');
      const r = readJournal(cfg.journal1);
      const prior = JSON.parse(fs.readFileSync(cfg.phase1, 'utf8'));
      fs.writeFileSync(cfg.phase1, JSON.stringify({ ...prior, resultsAtRestart: r.filter((a) => a.outcome === 'result').length, at: Date.now() }));
      log(`      restarting with ${r.filter((a) => a.outcome === 'result').length} of 1000 analyzed`);
    });
  });
} else {
  describe('Watcher stress, extension host 2: after the restart', () => {
    let td: TestApi;
    let plan: PlannedFile[];
    const stats: Record<string, number | string> = {};

    it('results of the first host come back from the cache without recomputing', async function () {
      this.timeout(120_000);
      const t0 = Date.now();
      td = await api();
      journalTo(td, cfg.journal2);
      plan = readPlan();
      const first = readJournal(cfg.journal1).filter((a) => a.outcome === 'result' && fs.existsSync(a.file));
      const want = new Map(plan.map((p) => [path.resolve(p.file), p]));
      await waitFor(
        `the ${first.length} results of host 1 shown by host 2`,
        () => {
          const shown = epochsByRun(td);
          return first.every((a) => shown.get(path.resolve(path.dirname(a.file)))?.has(want.get(path.resolve(a.file))!.epoch));
        },
        90_000,
        100,
      );
      stats.restoredFromCache = first.length;
      stats.restoreSeconds = ((Date.now() - t0) / 1000).toFixed(1);
      const again = td.analyses().filter((a) => a.outcome === 'result' && first.some((f) => f.file === a.file));
      none(again.map((a) => path.relative(cfg.sweep, a.file)), 'recomputed by host 2');
    });

    it('the whole sweep is analyzed: none missed, none twice, none half-written, no errors', async function () {
      this.timeout(420_000);
      await waitFor('the sweep to finish', () => fs.existsSync(cfg.done), 300_000, 250);
      // Files in run folders created mid-sweep may reach the extension only through its periodic rescan.
      await waitFor('every surviving checkpoint shown', () => missing(td, plan).length === 0, 90_000, 250).catch((e: Error) => {
        throw new Error(`${e.message}: ${missing(td, plan).slice(0, 10).map((p) => path.relative(cfg.sweep, p.file)).join(', ')}`);
      });
      await idle(td, 120_000);
      const j1 = readJournal(cfg.journal1);
      const j2 = readJournal(cfg.journal2);
      const all = [...j1, ...j2];
      const results = new Map<string, number>();
      for (const a of all) if (a.outcome === 'result') results.set(path.resolve(a.file), (results.get(path.resolve(a.file)) ?? 0) + 1);

      // None twice: across both hosts, at most one result per file.
      const twice = [...results].filter(([, n]) => n > 1).map(([f]) => path.relative(cfg.sweep, f));
      none(twice, 'analyzed more than once');
      // None half-written: every result is of the complete file (size and content hash).
      const byFile = new Map(plan.map((p) => [path.resolve(p.file), p]));
      const partial = all
        .filter((a) => a.outcome === 'result')
        .filter((a) => {
          const p = byFile.get(path.resolve(a.file))!;
          return a.size !== p.size || a.hash !== p.hash;
        })
        .map((a) => `${path.relative(cfg.sweep, a.file)} (${a.size} of ${byFile.get(path.resolve(a.file))!.size} bytes)`);
      none(partial, 'analyzed half-written');
      // No errors: neither as an analysis outcome nor shown on a run.
      none(all.filter((a) => a.outcome === 'error').map((a) => `${path.relative(cfg.sweep, a.file)}: ${a.message}`), 'analysis errors');
      const runs = td.runs().filter((r) => path.resolve(r.sweep) === path.resolve(cfg.sweep));
      assert.equal(runs.length, 20);
      none(runs.flatMap((r) => r.errors.map((e) => `${path.relative(cfg.sweep, e.path)}: ${e.message}`)), 'errors shown on runs');
      // None missed: every checkpoint still on disk is shown with its epoch, and each was analyzed
      // by one of the hosts (host 2 shows host 1's results from the cache).
      const surviving = plan.filter((p) => p.mode !== 'delete');
      none(missing(td, plan).map((p) => path.relative(cfg.sweep, p.file)), 'checkpoints not shown');
      const neverAnalyzed = surviving.filter((p) => !results.has(path.resolve(p.file))).map((p) => path.relative(cfg.sweep, p.file));
      none(neverAnalyzed, 'shown without a recorded analysis in either host');
      // The restart resumed from the cache: host 2 recomputed nothing host 1 had done.
      const done1 = new Set(j1.filter((a) => a.outcome === 'result').map((a) => path.resolve(a.file)));
      none(j2.filter((a) => a.outcome === 'result' && done1.has(path.resolve(a.file))).map((a) => path.relative(cfg.sweep, a.file)), 'recomputed by host 2');

      const writer = JSON.parse(fs.readFileSync(cfg.done, 'utf8'));
      const phase1 = JSON.parse(fs.readFileSync(cfg.phase1, 'utf8'));
      Object.assign(stats, {
        files: plan.length,
        modes: `${writer.direct} direct, ${writer.chunked} chunked, ${writer.rename} renamed, ${writer.delete} deleted`,
        sweepSeconds: writer.seconds,
        host1Results: j1.filter((a) => a.outcome === 'result').length,
        host2Results: j2.filter((a) => a.outcome === 'result').length,
        deletedAnalyzedFirst: plan.filter((p) => p.mode === 'delete' && results.has(path.resolve(p.file))).length,
        incompleteRetries: all.filter((a) => a.outcome === 'incomplete').length,
        killed: path.relative(cfg.sweep, phase1.killed),
        medianAnalysisMs: median(all.filter((a) => a.outcome === 'result').map((a) => a.ms)),
      });
      fs.writeFileSync(cfg.report, JSON.stringify(stats, null, 2));
      log(`      ${JSON.stringify(stats)}`);
    });
  });
}

/** Asserts that a list of offenders is empty, naming the count and the first few. */
function none(list: string[], what: string): void {
  assert.equal(list.length, 0, `${list.length} ${what}: ${list.slice(0, 12).join(', ')}${list.length > 12 ? ', …' : ''}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
}
