/**
 * What the user is told about runs that stand in different places, in a real extension host: the
 * `mixed` sweep of the fixture workspace holds done-lenet (finished), live-lenet (running, 3 of 15
 * epochs, forecast far below done-lenet) and nan-mlp (weights NaN from epoch 4, in fc1.weight).
 * No notification for a finished run; one for the diverged run, naming it; a status bar that
 * names its run and horizon, with an accessible label in plain words.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describe, it } from './bdd';
import { api, config, describeRun, idle, log, runAt, samePath, sleep, waitFor, type TestApi } from './helpers';

const FINISHED = (): string => path.join(config.mixed, 'done-lenet');
const RUNNING = (): string => path.join(config.mixed, 'live-lenet');
const DIVERGED = (): string => path.join(config.mixed, 'nan-mlp');

/** Waits until the three runs' logs are read (their training status is known). */
async function settled(td: TestApi): Promise<void> {
  await waitFor('the mixed sweep\'s runs with their logs read', () => [FINISHED(), RUNNING(), DIVERGED()].every((d) => (runAt(td, d)?.training.status ?? 'unknown') !== 'unknown'), 120_000, 200);
  await idle(td);
}

const MARKDOWN = /\*\*|\\|\$\(|`/;

describe('What the editor tells the user about finished, running and diverged runs', () => {
  it('reads where each run stands: finished, running (3 of 15 epochs), diverged at epoch 4 in fc1.weight', async function () {
    this.timeout(180_000);
    const td = await api();
    await settled(td);
    const done = runAt(td, FINISHED());
    const live = runAt(td, RUNNING());
    const nan = runAt(td, DIVERGED());
    for (const r of [done, live, nan]) log(`      ${describeRun(r)}; training ${r?.training.status} (${r?.training.reason}); advice ${JSON.stringify(r?.advice)}`);
    assert.equal(done?.training.status, 'finished', describeRun(done));
    assert.equal(done?.finalAccuracy, 0.7676);
    assert.equal(live?.training.status, 'running', describeRun(live));
    assert.equal(live?.finalAccuracy, null);
    assert.equal(live?.horizon?.epochs, 15);
    assert.equal(live?.training.lastEpoch, 3);
    assert.equal(nan?.training.status, 'diverged', describeRun(nan));
    assert.equal(nan?.diverged?.epoch, 4);
    assert.equal(nan?.diverged?.tensor, 'fc1.weight');
    assert.deepEqual(nan?.errors, [], 'NaN weights are a divergence, not unreadable checkpoints');
    assert.ok(nan?.forecast && Math.abs(nan.forecast.accuracy - 0.1) < 1e-9, `chance-level forecast: ${JSON.stringify(nan?.forecast)}`);
    assert.equal(nan?.advice?.stop, true);
  });

  it('notifies the diverged run once, naming it, and no finished run', async function () {
    this.timeout(120_000);
    const td = await api();
    await settled(td);
    await waitFor('the diverged run\'s notification', () => td.notifications().some((n) => samePath(n.runId, DIVERGED())), 30_000, 100);
    await sleep(3000); // room for a duplicate or a late notification to show up
    const shown = td.notifications();
    for (const n of shown) log(`      notification: ${n.message}`);
    const diverged = shown.filter((n) => samePath(n.runId, DIVERGED()));
    assert.equal(diverged.length, 1, 'exactly one notification for the diverged run');
    // At once: from the NaN tensor, or from the loss when the log shows it before epoch 4's weights are read.
    assert.match(diverged[0].message, /^Run nan-mlp diverged at epoch 4: (NaN in `fc1\.weight`|\w*loss is NaN) — stop it\?$/);
    const finished = td.runs().filter((r) => r.training.status === 'finished').map((r) => r.id);
    assert.ok(finished.some((id) => samePath(id, FINISHED())), 'done-lenet is finished');
    const aboutFinished = shown.filter((n) => finished.some((id) => samePath(id, n.runId)));
    assert.deepEqual(aboutFinished, [], 'no notification for a finished run');
    const keys = shown.map((n) => `${n.runId}#${n.state}`);
    assert.equal(new Set(keys).size, keys.length, 'at most one notification per run and state');
  });

  it('the status bar names the active run and its horizon; its accessible label has no Markdown', async function () {
    this.timeout(120_000);
    const td = await api();
    await settled(td);
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(RUNNING(), 'config.json')));
    const text = await waitFor('the status bar on live-lenet', () => {
      const t = td.statusBarText();
      return /live-lenet · \d+% ±\d+ at ep \d+ · 3\/15/.test(t) && t;
    }, 30_000, 100).catch(() => assert.fail(`status bar: "${td.statusBarText()}"`));
    const label = td.statusBarLabel();
    log(`      status bar: "${text}"; accessible label: "${label}"`);
    assert.match(label, /run live-lenet; forecast accuracy [\d.]+ percent at epoch \d+, 80 percent interval/);
    assert.match(label, /3 of 15 epochs done/);
    assert.doesNotMatch(label, MARKDOWN);

    await vscode.window.showTextDocument(vscode.Uri.file(path.join(DIVERGED(), 'config.json')));
    const diverged = await waitFor('the status bar on nan-mlp', () => {
      const t = td.statusBarText();
      return /nan-mlp · diverged at ep 4/.test(t) && t;
    }, 30_000, 100).catch(() => assert.fail(`status bar: "${td.statusBarText()}"`));
    log(`      status bar: "${diverged}"; accessible label: "${td.statusBarLabel()}"`);
    assert.match(td.statusBarLabel(), /run nan-mlp; diverged at epoch 4, NaN in tensor fc1\.weight/);
    assert.doesNotMatch(td.statusBarLabel(), MARKDOWN);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
