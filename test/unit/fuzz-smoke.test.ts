// A small seeded slice of `npm run fuzz` (test/fuzz): mutated fixtures of every reader, run as the
// CLI runs them under the 5 s watchdog and the memory watch. Every outcome must be a parse or one
// of the engine's named errors naming the file; no crash, hang or memory blow-up; no payload run.
// The seed differs from the full run's, so each `npm test` adds cases the full run did not try.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { FuzzPool } from '../fuzz/pool';
import { TARGETS } from '../fuzz/targets';
import { FUZZ_MARKER } from '../fuzz/mutators/pickle';
import { summarize, renderTable, renderProblems } from '../fuzz/summary';

const CASES_PER_READER = 120;
const SEED = 20251125;

test(`fuzz smoke: ${CASES_PER_READER} mutations per reader, none crashes, hangs or blows up memory`, async () => {
  fs.rmSync(FUZZ_MARKER, { force: true });
  const jobs = TARGETS.flatMap((t) => Array.from({ length: CASES_PER_READER }, (_, index) => ({ target: t.id, seedNo: SEED, index })));
  const pool = new FuzzPool({ workers: 2 });
  let results;
  try {
    results = await pool.run(jobs);
  } finally {
    pool.close();
  }
  const table = renderTable(summarize(TARGETS.map((t) => t.id), results));
  console.log(table);
  assert.equal(results.length, jobs.length);
  const bad = results.filter((r) => r.outcome !== 'ok' && r.outcome !== 'named' && !r.flaky);
  assert.equal(bad.length, 0, `${renderProblems(bad)}\n(replay: npm run fuzz -- --replay READER:INDEX --seed ${SEED})`);
  assert.equal(fs.existsSync(FUZZ_MARKER), false, 'a hostile pickle payload ran');
  // Every reader was reached: some mutations still parse, others are refused by that reader.
  for (const s of summarize(TARGETS.map((t) => t.id), results)) assert.ok(s.ok > 0 && s.named.size > 0, `${s.id}: ${s.ok} parsed, ${[...s.named.values()].reduce((a, b) => a + b, 0)} refused`);
});
