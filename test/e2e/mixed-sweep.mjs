/**
 * A sweep whose runs stand in three different places, from real PyTorch checkpoints:
 *  - done-lenet: the example run0000 as it ended (logs up to its test accuracy, final.json): finished;
 *  - live-lenet: the first four epochs of the example run0001 with its log cut after epoch 3 and a
 *    config that sets 15 epochs: still running, 3 of 15 epochs done, forecast to end far below
 *    done-lenet (run0001 ended at 10%);
 *  - nan-mlp: the layouts fixture of a real MLP whose weights went NaN at epoch 4 (learning rate
 *    0.5): diverged, in `fc1.weight`.
 * The end-to-end tests check what the editor tells the user about each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MIXED = { finished: 'done-lenet', running: 'live-lenet', diverged: 'nan-mlp' };

export function makeMixedSweep(root, sweep) {
  const lenet = path.join(root, 'examples/lenet-fashion');
  fs.mkdirSync(sweep, { recursive: true });
  fs.cpSync(path.join(lenet, 'run0000'), path.join(sweep, MIXED.finished), { recursive: true });
  const running = path.join(sweep, MIXED.running);
  fs.mkdirSync(running, { recursive: true });
  for (const e of [0, 1, 2, 3]) fs.copyFileSync(path.join(lenet, 'run0001', `epoch_${e}.pt`), path.join(running, `epoch_${e}.pt`));
  const log = fs.readFileSync(path.join(lenet, 'run0001', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  fs.writeFileSync(path.join(running, 'metrics.jsonl'), log.filter((l) => l.epoch <= 3 && l.test_acc === undefined).map((l) => JSON.stringify(l)).join('\n') + '\n');
  const config = JSON.parse(fs.readFileSync(path.join(lenet, 'run0001', 'config.json'), 'utf8'));
  fs.writeFileSync(path.join(running, 'config.json'), JSON.stringify({ ...config, epochs: 15 }, null, 1));
  fs.cpSync(path.join(root, 'test/fixtures/layouts/plain/digits-diverged'), path.join(sweep, MIXED.diverged), { recursive: true });
  return Object.fromEntries(Object.entries(MIXED).map(([k, name]) => [k, path.join(sweep, name)]));
}
