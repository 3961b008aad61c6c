/**
 * UI flows in a real VS Code (code-server) driven through Chromium by playwright-core. Called by
 * ../run.mjs with a fresh code-server whose extensions-dir holds the packaged .vsix, and a fixture
 * workspace: lenet-fashion/{run0000,run0001,run0002,<img src=x onerror=alert(1)>} (real PyTorch
 * LeNet-5 checkpoints, epochs 0–5, all finished) and mixed/{done-lenet,live-lenet,nan-mlp} (a
 * finished, a running and a diverged run: ../mixed-sweep.mjs), with notify settings.
 *
 * The flows share one page and run in order; each is a test with its own pass/fail.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MIXED } from '../mixed-sweep.mjs';

const STATUS = '[id$="trainingDynamics.status"]'; // the item's DOM id is `<extension id>.trainingDynamics.status`
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function runFlows(ctx) {
  const { browser, server, ws, say } = ctx;
  const shots = path.join(ctx.here, 'screenshots');
  fs.mkdirSync(shots, { recursive: true });
  // Only the screenshots these flows write (the browser tests write theirs here too).
  for (const f of fs.readdirSync(shots)) if (/^(dashboard-\w+|failed-\d+|status-bar|walkthrough)\.png$/.test(f)) fs.rmSync(path.join(shots, f));
  const viewport = { width: 1600, height: 1000 };
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  const dash = page.frameLocator('iframe.webview').frameLocator('#active-frame');
  const runDir = (name) => path.join(ws.sweep, name);
  const mixedDir = (name) => path.join(ws.mixed, name);
  const rowOf = (name) => dash.locator(`.run-row[data-run-id="${cssString(runDir(name))}"]`);

  // Expected graph sizes, independent of the dashboard: layer sizes from the checkpoints' tensor
  // shapes (the engine's CLI), a chain for LeNet: nodes = Σ n_i, edges = Σ n_i·n_{i+1}.
  const expected = {};
  for (const name of ['run0000', 'run0001']) {
    const json = JSON.parse(execFileSync(process.execPath, [path.join(ctx.root, 'dist/cli.js'), 'analyze', path.join(runDir(name), 'epoch_0.pt'), '--json'], { encoding: 'utf8' }));
    const ck = json.runs[0].checkpoints[0];
    const sizes = ck.layers.map((l) => l.nodes);
    const nodes = sizes.reduce((a, b) => a + b, 0);
    const edges = sizes.slice(1).reduce((a, n, i) => a + sizes[i] * n, 0);
    if (nodes !== ck.graph.nodes || edges !== ck.graph.edges) throw new Error(`${name}: the CLI's graph (${ck.graph.nodes} nodes, ${ck.graph.edges} edges) is not the LeNet chain of its layer sizes ${sizes.join('-')}`);
    expected[name] = { nodes, edges, sizes };
  }
  const maxDrawnEdges = ctx.uiSettings['trainingDynamics.maxDrawnEdges'] ?? ctx.maxDrawnEdgesDefault;

  const tests = [];
  const test = (name, fn, timeout = 60_000) => tests.push({ name, fn, timeout });

  async function runCommand(title) {
    const input = page.locator('.quick-input-widget input.input');
    for (let attempt = 1; attempt <= 3; attempt++) {
      await page.keyboard.press(attempt === 3 ? 'Control+Shift+P' : 'F1');
      try {
        await input.waitFor({ state: 'visible', timeout: 5000 });
        await input.fill(`>${title}`);
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 5000 });
        await page.keyboard.press('Enter');
        return;
      } catch {
        await page.keyboard.press('Escape');
        await sleep(1000);
      }
    }
    throw new Error(`command palette: no row for "${title}" after 3 tries`);
  }
  const statusText = async () => ((await page.locator(STATUS).first().innerText({ timeout: 2000 }).catch(() => null)) ?? '').trim();
  const graphAttrs = async () => ({
    nodes: await dash.locator('#graph').getAttribute('data-nodes', { timeout: 5000 }),
    edges: await dash.locator('#graph').getAttribute('data-edges', { timeout: 5000 }),
    epoch: await dash.locator('#graph').getAttribute('data-epoch', { timeout: 5000 }),
    colors: await dash.locator('#graph').getAttribute('data-colors', { timeout: 5000 }),
  });
  const thinnedNote = async () => {
    const note = dash.locator('#thinned-note');
    if ((await note.count()) === 0 || !(await note.isVisible())) return null;
    const text = (await note.innerText()).trim();
    return text || null;
  };
  async function selectRun(name) {
    await dash.locator('#tab-runs').click();
    await rowOf(name).click({ timeout: 15_000 });
  }
  async function waitGraph(check, what, timeoutMs = 30_000) {
    const until = Date.now() + timeoutMs;
    let last;
    while (Date.now() < until) {
      last = await graphAttrs().catch((e) => ({ error: e.message.split('\n')[0] }));
      if (!last.error && (await check(last))) return last;
      await sleep(250);
    }
    throw new Error(`${what}: #graph is ${JSON.stringify(trimColors(last))}`);
  }
  const trimColors = (a) => (a && a.colors && a.colors.length > 80 ? { ...a, colors: `${a.colors.slice(0, 80)}… (${a.colors.length} chars)` } : a);

  // ------------------------------------------------------------------------------------------

  test('the .vsix ships the bundles and no test files', async () => {
    const entries = ctx.vsixEntries;
    for (const f of ['extension/package.json', 'extension/dist/extension.js']) if (!entries.includes(f)) throw new Error(`${f} is not in the .vsix`);
    const stray = entries.filter((e) => /^extension\/(test|src|webview|node_modules|examples|zoo|bench|scripts)\//.test(e));
    if (stray.length) throw new Error(`the .vsix ships ${stray.length} files it should not: ${stray.slice(0, 5).join(', ')}…`);
    say(`    .vsix: ${entries.length} entries, ${(fs.statSync(ctx.vsix).size / 1024).toFixed(0)} KiB`);
  });

  test('the workbench loads and the extension shows its status bar item', async () => {
    const t = Date.now();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(ws.dir)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const wb = Date.now() - t;
    await page.locator(STATUS).first().waitFor({ state: 'visible', timeout: 60_000 });
    say(`    workbench in ${wb} ms, status bar item in ${Date.now() - t} ms: "${await statusText()}"`);
  }, 120_000);

  test('one notification for the diverged run, naming it, none for a finished run; its "Stop run" writes STOP into that run', async () => {
    const items = page.locator('.notification-list-item');
    const withStop = items.filter({ has: page.locator('.monaco-button', { hasText: 'Stop run' }) });
    const diverged = withStop.filter({ hasText: `Run ${MIXED.diverged} diverged` });
    const t = Date.now();
    try {
      await diverged.first().waitFor({ state: 'visible', timeout: 90_000 });
    } catch {
      // A toast hides itself after a while; the notification center keeps it.
      await runCommand('Notifications: Show Notifications');
      await diverged.first().waitFor({ state: 'visible', timeout: 10_000 });
    }
    await sleep(3000); // room for a duplicate or a notification about a finished run to show up
    const messages = await items.locator('.notification-list-item-message').allInnerTexts();
    say(`    ${messages.length} notification(s) after ${Date.now() - t} ms: ${messages.map((m) => JSON.stringify(m)).join(' | ')}`);
    // Every message starts with the run's name: "Run <name> diverged …" or "Run <name>: …".
    const about = (name) => messages.filter((m) => m.startsWith(`Run ${name} `) || m.startsWith(`Run ${name}:`));
    const aboutDiverged = about(MIXED.diverged);
    if (aboutDiverged.length !== 1) throw new Error(`${aboutDiverged.length} notifications name ${MIXED.diverged}, not 1`);
    // Where: the first NaN tensor, or the loss when the log says so before epoch 4's weights are read.
    if (!/diverged at epoch 4: (NaN in .?fc1\.weight|\w*loss is NaN)/.test(aboutDiverged[0])) throw new Error(`the diverged run's notification does not say where: ${aboutDiverged[0]}`);
    const finished = [MIXED.finished, 'run0000', 'run0001', 'run0002', ctx.hostileName].filter((n) => about(n).length > 0);
    if (finished.length) throw new Error(`notified about finished runs: ${finished.join(', ')}`);
    await diverged.first().locator('.monaco-button', { hasText: 'Stop run' }).click();
    const file = path.join(mixedDir(MIXED.diverged), 'STOP');
    const until = Date.now() + 15_000;
    while (Date.now() < until && !fs.existsSync(file)) await sleep(100);
    if (!fs.existsSync(file)) throw new Error(`no STOP file in ${MIXED.diverged} 15 s after "Stop run"`);
    const req = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!/diverged at epoch 4/.test(req.reason)) throw new Error(`the STOP request's reason is not the notification's: ${req.reason}`);
    const strays = [MIXED.finished, MIXED.running].filter((n) => fs.existsSync(path.join(mixedDir(n), 'STOP')));
    if (strays.length) throw new Error(`STOP also written into ${strays.join(', ')}`);
    say(`    STOP written into ${MIXED.diverged}: ${JSON.stringify(req.reason)}`);
  }, 150_000);

  test('"Training Dynamics: Open Dashboard" from the command palette opens the dashboard', async () => {
    const t = Date.now();
    await page.keyboard.press('Escape');
    await runCommand('Training Dynamics: Open Dashboard');
    await dash.locator('body[data-ready="1"]').waitFor({ state: 'attached', timeout: 60_000 });
    say(`    dashboard ready ${Date.now() - t} ms after the command`);
  }, 90_000);

  test(`the Network tab draws run0001's rolled LeNet graph (${expected.run0001.nodes} nodes, ${Math.min(expected.run0001.edges, maxDrawnEdges ?? Infinity)} edges)`, async () => {
    await selectRun('run0001');
    await dash.locator('#tab-network').click();
    const e = expected.run0001;
    const edges = maxDrawnEdges == null ? e.edges : Math.min(e.edges, maxDrawnEdges);
    let got;
    try {
      got = await waitGraph((a) => Number(a.nodes) === e.nodes && Number(a.edges) === edges, `expected ${e.nodes} nodes and ${edges} edges`);
    } catch (err) {
      const note = await thinnedNote();
      throw new Error(`${err.message}${note ? `; #thinned-note: "${note}"` : ''}`);
    }
    say(`    #graph: ${got.nodes} nodes, ${got.edges} edges, epoch ${got.epoch} (layers ${e.sizes.join('-')}, maxDrawnEdges ${maxDrawnEdges})`);
  });

  test(`a wide run (run0000: ${expected.run0000.nodes} nodes, ${expected.run0000.edges} edges) is drawn within maxDrawnEdges`, async () => {
    await selectRun('run0000');
    await dash.locator('#tab-network').click();
    const e = expected.run0000;
    const edges = Math.min(e.edges, maxDrawnEdges ?? Infinity);
    // Exactly min(total, maxDrawnEdges) edges over all nodes, unless #thinned-note says the drawing
    // is thinned: then it may aggregate nodes into groups, and never exceeds the edge budget.
    let note = null;
    const got = await waitGraph(async (a) => {
      if (Number(a.nodes) === e.nodes && Number(a.edges) === edges) return true;
      note = await thinnedNote();
      return note !== null && Number(a.nodes) > 0 && Number(a.nodes) <= e.nodes && Number(a.edges) > 0 && Number(a.edges) <= edges;
    }, `expected ${e.nodes} nodes and ${edges} edges, or a #thinned-note and at most that many`);
    say(`    #graph: ${got.nodes} nodes, ${got.edges} edges${note ? `; #thinned-note: "${note}"` : ' (exact)'}`);
  });

  test('the epoch slider changes data-epoch and data-colors', async () => {
    const slider = dash.locator('#epoch-slider');
    const [min, max, value] = await slider.evaluate((s) => [s.min, s.max, s.value]);
    const before = await waitGraph((a) => a.epoch !== null && a.colors !== null, 'data-epoch and data-colors set');
    const next = value === max ? min : max;
    await slider.fill(String(next));
    const after = await waitGraph((a) => a.epoch !== before.epoch && a.colors !== before.colors, `slider ${value} → ${next}: expected new data-epoch and data-colors (were ${JSON.stringify(trimColors(before))})`, 20_000);
    say(`    slider ${value} → ${next} (range ${min}..${max}): data-epoch ${before.epoch} → ${after.epoch}, data-colors changed`);
  });

  test(`a run folder named ${ctx.hostileName} renders as text`, async () => {
    await dash.locator('#tab-runs').click();
    const row = rowOf(ctx.hostileName);
    await row.waitFor({ timeout: 15_000 });
    const text = await row.innerText();
    if (!text.includes(ctx.hostileName)) throw new Error(`the row's text does not show the name literally: ${JSON.stringify(text)}`);
    const injected = (await dash.locator('img[src="x"]').count()) + (await page.locator('img[src="x"]').count());
    if (injected) throw new Error(`${injected} <img src="x"> element(s) were created from the folder name`);
    await row.click();
    await sleep(500);
    if ((await dash.locator('img[src="x"]').count()) > 0) throw new Error('selecting the run created an <img src="x">');
    if (dialogs.length) throw new Error(`dialogs fired: ${dialogs.join('; ')}`);
  });

  test(`the dashboard's Stop button on the running run ${MIXED.running} writes STOP into it; none is written into a finished run`, async () => {
    const running = mixedDir(MIXED.running);
    const file = path.join(running, 'STOP');
    fs.rmSync(file, { force: true });
    await dash.locator('#tab-runs').click();
    const row = (dir) => dash.locator(`.run-row[data-run-id="${cssString(dir)}"]`);
    await row(running).locator('.stop-run').click({ timeout: 15_000 });
    const until = Date.now() + 15_000;
    while (Date.now() < until && !fs.existsSync(file)) await sleep(100);
    if (!fs.existsSync(file)) throw new Error(`no STOP file in ${MIXED.running} 15 s after the click`);
    say(`    STOP: ${JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8'))).slice(0, 160)}`);
    // A finished run: the page offers no Stop, and the host refuses one anyway.
    const done = row(mixedDir(MIXED.finished)).locator('.stop-run');
    if ((await done.count()) > 0 && (await done.first().isVisible())) {
      await done.first().click();
      await sleep(3000);
      say('    a Stop button is shown on the finished run; clicked it');
    }
    if (fs.existsSync(path.join(mixedDir(MIXED.finished), 'STOP'))) throw new Error(`STOP was written into the finished run ${MIXED.finished}`);
  });

  test('the explorer context menu of a folder offers "Analyze Training Dynamics"', async () => {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'lenet-fashion' }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-label', { hasText: 'Analyze Training Dynamics' }).first();
    try {
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      await item.click();
    } finally {
      await page.keyboard.press('Escape');
    }
  });

  test('screenshots of the dashboard: runs, network and features tabs', async () => {
    for (const t of ['Notifications: Clear All Notifications', 'View: Close Primary Side Bar']) await runCommand(t).catch(() => {});
    await page.keyboard.press('Escape');
    await dash.locator('body[data-ready="1"]').waitFor({ state: 'attached', timeout: 30_000 });
    await selectRun('run0000');
    const saved = [];
    for (const tab of ['runs', 'network', 'features']) {
      await dash.locator(`#tab-${tab}`).click();
      await sleep(tab === 'runs' ? 800 : 2000); // the graph layout and the charts draw asynchronously
      const file = path.join(shots, `dashboard-${tab}.png`);
      await page.screenshot({ path: file });
      saved.push(path.relative(ctx.root, file));
    }
    say(`    saved ${saved.join(', ')}`);
  }, 90_000);

  test('a checkpoint written into the workspace updates the status bar (latency)', async () => {
    // Let the status bar settle first: nothing changes for 3 s (or 60 s have passed).
    let last = await statusText();
    let stableSince = Date.now();
    const settleUntil = Date.now() + 60_000;
    while (Date.now() - stableSince < 3000 && Date.now() < settleUntil) {
      await sleep(200);
      const now = await statusText();
      if (now !== last) [last, stableSince] = [now, Date.now()];
    }
    const dir = path.join(ws.dir, 'live', 'run-ui');
    fs.mkdirSync(dir, { recursive: true });
    await sleep(1500); // the run folder exists first: this measures the checkpoint, not the folder
    for (const epoch of [0, 1]) {
      const before = await statusText();
      const t = Date.now();
      fs.copyFileSync(path.join(runDir('run0000'), `epoch_${epoch}.pt`), path.join(dir, `epoch_${epoch}.pt`));
      let now = before;
      while (now === before && Date.now() - t < 30_000) {
        await sleep(20);
        now = await statusText();
      }
      if (now === before) throw new Error(`the status bar stayed "${before}" for 30 s after epoch_${epoch}.pt was written`);
      const first = Date.now() - t;
      // Then until it stops changing (the analysis may show progress first).
      let settled = now;
      let since = Date.now();
      while (Date.now() - since < 1500 && Date.now() - t < 30_000) {
        await sleep(50);
        const s = await statusText();
        if (s !== settled) [settled, since] = [s, Date.now()];
      }
      say(`    LeNet checkpoint (epoch_${epoch}.pt, ${(fs.statSync(path.join(dir, `epoch_${epoch}.pt`)).size / 1024).toFixed(0)} KiB) written → status bar changed in ${first} ms, settled in ${since - t} ms: "${before}" → "${settled}"`);
      if (!/ep/.test(settled)) throw new Error(`the status bar text "${settled}" does not mention the epoch`);
    }
  }, 150_000);

  test('no alert/confirm/prompt dialog fired during the session', async () => {
    if (dialogs.length) throw new Error(dialogs.join('; '));
  });

  test(`the status bar names the active run (${MIXED.running}) and its horizon; its accessible label has no Markdown`, async () => {
    await page.keyboard.press('Escape');
    // Quick Open the running run's config: the status bar speaks of the run holding the active file.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(`mixed/${MIXED.running}/config.json`);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'config.json' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    const want = new RegExp(`${MIXED.running} · \\d+% ±\\d+ at ep \\d+ · 3/15`);
    const until = Date.now() + 30_000;
    let text = await statusText();
    while (Date.now() < until && !want.test(text)) {
      await sleep(200);
      text = await statusText();
    }
    if (!want.test(text)) throw new Error(`the status bar says "${text}", not ${want}`);
    const item = page.locator(STATUS).first();
    const label = (await item.getAttribute('aria-label')) ?? (await item.locator('[aria-label]').first().getAttribute('aria-label', { timeout: 2000 }).catch(() => null));
    if (!label) throw new Error('the status bar item has no aria-label');
    if (/\*\*|\\|\$\(|`/.test(label)) throw new Error(`the accessible label holds Markdown or icon syntax: ${label}`);
    if (!label.includes(MIXED.running) || !/3 of 15 epochs/.test(label)) throw new Error(`the accessible label does not name the run and its horizon: ${label}`);
    await page.screenshot({ path: path.join(shots, 'status-bar.png'), clip: { x: 0, y: viewport.height - 60, width: viewport.width, height: 60 } });
    say(`    status bar: "${text}"; aria-label: "${label}"`);
  }, 60_000);

  test('screenshot of the walkthrough: "Get started with Training Dynamics"', async () => {
    await page.keyboard.press('Escape');
    await runCommand('Welcome: Open Walkthrough...');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('Get started with Training Dynamics');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get started with Training Dynamics' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    // The walkthrough's steps, as package.json contributes them.
    const pkg = JSON.parse(fs.readFileSync(path.join(ctx.root, 'package.json'), 'utf8'));
    const steps = pkg.contributes.walkthroughs[0].steps.map((st) => st.title);
    await page.locator('.getting-started-step', { hasText: steps[0] }).first().waitFor({ state: 'visible', timeout: 20_000 });
    for (const title of steps) {
      if ((await page.locator('.getting-started-step', { hasText: title }).count()) === 0) throw new Error(`the walkthrough shows no step "${title}"`);
    }
    await sleep(1500); // the step's Markdown media renders asynchronously
    const file = path.join(shots, 'walkthrough.png');
    await page.screenshot({ path: file });
    say(`    ${steps.length} steps shown; saved ${path.relative(ctx.root, file)}`);
  }, 60_000);

  // ------------------------------------------------------------------------------------------

  let passed = 0;
  let failed = 0;
  let n = 0;
  for (const t of tests) {
    n++;
    const started = Date.now();
    let timer;
    try {
      await Promise.race([t.fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${t.timeout} ms`)), t.timeout)))]);
      passed++;
      say(`  ✓ ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      say(`  ✗ ${t.name} (${Date.now() - started} ms)\n        ${String(e?.message ?? e).split('\n').slice(0, 6).join('\n        ')}`);
      const file = path.join(shots, `failed-${String(n).padStart(2, '0')}.png`);
      await page.screenshot({ path: file }).then(() => say(`        screenshot: ${path.relative(ctx.root, file)}`), () => {});
    } finally {
      clearTimeout(timer);
    }
  }
  await context.close().catch(() => {});
  return { passed, failed };
}

/** A string for a double-quoted CSS attribute selector. */
function cssString(s) {
  return s.replace(/["\\]/g, (c) => `\\${c}`);
}
