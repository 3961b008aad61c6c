/**
 * The committed zoo features are what the engine computes from the zoo's checkpoints: the sample
 * runs kept in test/fixtures/zoo are re-extracted and compared with zoo/features/*.jsonl.gz.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractRun, type ZooRecord } from '../../zoo/extract';
import { readFeatureLines } from '../../zoo/eval/data';

const ROOT = path.join(__dirname, '..', '..');
const SAMPLES = path.join(ROOT, 'test', 'fixtures', 'zoo');

function committed(zoo: string): Map<string, ZooRecord> {
  const lines = readFeatureLines(zoo);
  return new Map(lines.map((l) => JSON.parse(l) as ZooRecord).map((r) => [r.id, r]));
}

for (const zoo of fs.readdirSync(SAMPLES).filter((d) => fs.statSync(path.join(SAMPLES, d)).isDirectory())) {
  test(`zoo features of ${zoo} match its sample checkpoints`, () => {
    const recs = committed(zoo);
    for (const run of fs.readdirSync(path.join(SAMPLES, zoo))) {
      const fresh = extractRun(path.join(SAMPLES, zoo, run));
      const old = recs.get(run);
      assert.ok(old, `${zoo}/${run} is in zoo/features/${zoo}.jsonl.gz`);
      assert.deepEqual(fresh.config, old.config);
      assert.equal(fresh.finalAccuracy, old.finalAccuracy);
      assert.deepEqual(fresh.layers, old.layers);
      assert.deepEqual(fresh.valAcc, old.valAcc);
      // The samples may keep fewer epochs than the zoo (epochs 0-3): those they keep must agree.
      assert.ok(fresh.epochs.length >= 4);
      for (const e of fresh.epochs) {
        const o: ZooRecord['epochs'][number] = old!.epochs.find((x) => x.epoch === e.epoch)!;
        assert.deepEqual(e.graph, o.graph, `${zoo}/${run} epoch ${e.epoch} graph features`);
        assert.deepEqual(e.weights, o.weights, `${zoo}/${run} epoch ${e.epoch} weight statistics`);
      }
    }
  });
}
