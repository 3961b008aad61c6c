/**
 * `npm run zoo:check`: regenerates a few zoo runs from scratch with PyTorch (zoo/generate.py, Debian's
 * /usr/bin/python3) and confirms that the features the engine computes from them equal the committed
 * ones in zoo/features/ — the zoo is reproducible, not just its features.
 *   npx tsx zoo/check.ts [zoo:index ...]     (default: lenet-digits:0 lenet-digits:4 mlp-digits:0 vgg-digits:1)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractRun, type ZooRecord } from './extract';
import { readFeatureLines } from './eval/data';

const targets = process.argv.slice(2).length ? process.argv.slice(2) : ['lenet-digits:0', 'lenet-digits:4', 'mlp-digits:0', 'vgg-digits:1'];
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'td-zoo-check-'));
let failed = 0;
for (const t of targets) {
  const [zoo, index] = t.split(':');
  const [arch, dataset] = zoo.split('-');
  const id = `run${String(index).padStart(4, '0')}`;
  execFileSync('/usr/bin/python3', [path.join(__dirname, 'generate.py'), '--arch', arch, '--dataset', dataset, '--only', index, '--out', out], { env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: 'inherit' });
  const fresh = extractRun(path.join(out, zoo, id));
  const line = readFeatureLines(zoo).find((l) => l.includes(`"id":"${id}"`));
  const old = line ? (JSON.parse(line) as ZooRecord) : undefined;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const problems = !old
    ? ['not in the committed features']
    : [
        !same(fresh.config, old.config) && 'config',
        fresh.finalAccuracy !== old.finalAccuracy && `final accuracy ${fresh.finalAccuracy} vs ${old.finalAccuracy}`,
        !same(fresh.valAcc, old.valAcc) && 'validation curve',
        !same(fresh.epochs.map((e) => e.graph), old.epochs.map((e) => e.graph)) && 'graph features',
        !same(fresh.epochs.map((e) => e.weights), old.epochs.map((e) => e.weights)) && 'weight statistics',
      ].filter(Boolean);
  if (problems.length) failed++;
  console.log(`${zoo}/${id}: ${problems.length ? `DIFFERS (${problems.join(', ')})` : `identical (${fresh.epochs.length} epochs, final accuracy ${fresh.finalAccuracy})`}`);
}
fs.rmSync(out, { recursive: true, force: true });
console.log(`${targets.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
