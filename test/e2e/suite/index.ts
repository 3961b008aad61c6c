/**
 * Entry of the extension-host suite: VS Code loads this module (the payload's extensionTestsPath)
 * inside the real extension host and awaits run(). Mocha loads every compiled *.test.js next to it.
 * Progress goes to the log file the runner tails; the counts go to the result file it reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { config, log } from './helpers';

interface MochaTest {
  title: string;
  duration?: number;
  fullTitle(): string;
}
interface MochaRunner {
  on(event: 'suite', fn: (suite: { title: string; root: boolean }) => void): void;
  on(event: 'pass' | 'pending', fn: (test: MochaTest) => void): void;
  on(event: 'fail', fn: (test: MochaTest, err: Error) => void): void;
}
interface MochaInstance {
  addFile(file: string): void;
  run(done: (failures: number) => void): { total: number };
}
type MochaCtor = new (options: Record<string, unknown>) => MochaInstance;

export function run(): Promise<void> {
  // The harness installs mocha outside the checkout (run.mjs) and says where.
  const Mocha = require(process.env.TD_E2E_MOCHA ?? 'mocha') as MochaCtor;
  const failures: { title: string; message: string }[] = [];
  let passed = 0;
  let pending = 0;

  function reporter(this: unknown, runner: MochaRunner): void {
    runner.on('suite', (s) => {
      if (!s.root) log(`\n  ${s.title}`);
    });
    runner.on('pass', (t) => {
      passed++;
      log(`    ✓ ${t.title} (${t.duration ?? 0} ms)`);
    });
    runner.on('pending', (t) => {
      pending++;
      log(`    - ${t.title} (skipped)`);
    });
    runner.on('fail', (t, err) => {
      failures.push({ title: t.fullTitle(), message: err?.message ?? String(err) });
      log(`    ✗ ${t.title}\n        ${(err?.message ?? String(err)).split('\n').join('\n        ')}`);
    });
  }

  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));

  return new Promise((resolve, reject) => {
    let total = 0;
    const runner = mocha.run(() => {
      // A test that never ran (its hook failed) counts as failed too.
      const failed = Math.max(failures.length, total - passed - pending);
      fs.writeFileSync(config.result, JSON.stringify({ passed, failed, pending, total, failures }, null, 2));
      if (failed > 0) reject(new Error(`${failed} failed`));
      else resolve();
    });
    total = runner.total;
  });
}
