#!/usr/bin/env node
/**
 * End-to-end tests of the extension in a real VS Code: code-server 4.100.3 (VS Code 1.100.3),
 * Debian's Chromium and playwright-core (the recipe in docs/e2e-real-vscode.md of the shared docs).
 *
 *   npm run test:e2e                  (from the repository root)
 *   node test/e2e/run.mjs [--part=suite|stress|ui] [--no-install] [--keep] [--vsix=FILE]
 *
 * 1. Installs what it needs when missing (fast no-op otherwise): Debian's chromium, libkrb5-dev and
 *    ripgrep; the harness package (npm ci of test/e2e/package.json into ~/.cache/training-dynamics-e2e);
 *    the repository's own dependencies.
 * 2. Builds the .vsix (`npm run package`, else a production build + vsce) and installs it into a
 *    fresh code-server user-data-dir / extensions-dir in a temp dir.
 * 3. Part 1, the extension-host suite: mocha inside the real extension host (test/e2e/suite).
 * 4. Part 2, the watcher stress test (test/e2e/stress): a simulated sweep writes 1,000 checkpoints
 *    while two extension hosts in turn watch it; the first is killed mid-way.
 * 5. Part 3, the UI flows: Chromium driven by playwright-core (test/e2e/ui/flows.mjs).
 * The workspace holds the example sweep (finished runs) and a sweep of a finished, a running and a
 * diverged run (mixed-sweep.mjs).
 * A fresh code-server per part, killed by process group at the end even on failure. Each part ends
 * with `N passed, N failed`; the exit status is non-zero when anything failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureDebianPackages } from '../../scripts/debian-packages.mjs';
import { makeMixedSweep } from './mixed-sweep.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The harness packages (~460 MB) are installed outside the checkout, so the working tree holds no
// third-party code: test/e2e keeps only package.json and the lockfile; `npm ci` runs on a copy.
const DEPS = process.env.TD_E2E_DEPS ?? path.join(os.homedir(), '.cache', 'training-dynamics-e2e');
const NM = path.join(DEPS, 'node_modules');
const ROOT = path.resolve(HERE, '../..');
const argv = process.argv.slice(2);
const only = argv.find((a) => a.startsWith('--part='))?.slice('--part='.length) ?? 'all';
const skipInstall = argv.includes('--no-install');
const keep = argv.includes('--keep');
const givenVsix = argv.find((a) => a.startsWith('--vsix='))?.slice('--vsix='.length);

export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const EXTENSION_ID = 'training-dynamics.training-dynamics';
const CHROMIUM = '/usr/bin/chromium';
const CODE_SERVER = path.join(NM, 'code-server/out/node/entry.js');
const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'ripgrep'];
// @vscode/ripgrep (a dependency of code-server 4.100.3) downloads rg from GitHub in its postinstall
// unless this file is already in its download cache: Debian's rg goes there instead.
const RG_CACHE = path.join(os.tmpdir(), 'vscode-ripgrep-cache-1.15.11', 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');

const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const say = (line) => process.stdout.write(`[e2e ${secs(Date.now() - t0).padStart(7)}] ${line}\n`);

/** Every code-server started here; killed by process group on any exit. */
const servers = new Set();
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}
process.on('exit', () => {
  for (const child of servers) killGroup(child, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    say(`${sig}: stopping code-server`);
    process.exit(130);
  });
}

/** Runs a command to completion; output goes to `logFile` (printed on failure) or inherits. */
function run(cmd, args, { cwd = ROOT, env = process.env, logFile, what = `${cmd} ${args.join(' ')}` } = {}) {
  const started = Date.now();
  const out = logFile ? fs.openSync(logFile, 'w') : 'inherit';
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', out, out] });
  if (logFile) fs.closeSync(out);
  if (r.status !== 0) {
    if (logFile) process.stdout.write(tail(fs.readFileSync(logFile, 'utf8'), 60));
    throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status}`})${logFile ? `; log: ${logFile}` : ''}`);
  }
  return Date.now() - started;
}
const tail = (text, lines) => text.split('\n').slice(-lines).join('\n') + '\n';

// ---------------------------------------------------------------------------------------------
// 1. Install

function ensureSystemPackages() {
  return ensureDebianPackages(APT_PACKAGES, { present: (p) => p !== 'chromium' || fs.existsSync(CHROMIUM), logName: 'training-dynamics-e2e-apt.log' });
}

function ensureRipgrepCache() {
  if (fs.existsSync(RG_CACHE)) return;
  const rg = ['/usr/bin/rg', '/bin/rg'].find((p) => fs.existsSync(p));
  if (!rg) throw new Error('no rg: apt-get install -y ripgrep');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-'));
  fs.copyFileSync(rg, path.join(tmp, 'rg'));
  fs.chmodSync(path.join(tmp, 'rg'), 0o755);
  fs.mkdirSync(path.dirname(RG_CACHE), { recursive: true });
  run('tar', ['-C', tmp, '-czf', RG_CACHE, 'rg']);
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** `npm ci` in test/e2e when the lockfile (or node) changed since the last install. */
function ensureHarnessPackages() {
  fs.mkdirSync(DEPS, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(HERE, f), path.join(DEPS, f));
  const stampFile = path.join(NM, '.e2e-install-stamp');
  const stamp = crypto.createHash('sha256').update(fs.readFileSync(path.join(HERE, 'package-lock.json'))).update(process.version).digest('hex');
  const complete = [CODE_SERVER, path.join(NM, 'playwright-core/package.json'), path.join(NM, 'mocha/package.json'), path.join(NM, 'code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg')].every((f) => fs.existsSync(f));
  if (complete && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return 'up to date';
  if (process.arch !== 'x64') say(`note: the ripgrep cache trick is for x64; on ${process.arch} @vscode/ripgrep may try GitHub`);
  else ensureRipgrepCache();
  // unsafe_perm: code-server's postinstall as root. yes: node-pty's postinstall runs `npx node-gyp`.
  const env = { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' };
  const ms = run('npm', ['ci', '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: DEPS, env, logFile: path.join(os.tmpdir(), 'training-dynamics-e2e-npm-ci.log'), what: `npm ci in ${DEPS}` });
  fs.writeFileSync(stampFile, stamp);
  return `npm ci in ${secs(ms)}`;
}

function ensureRootPackages() {
  if (fs.existsSync(path.join(ROOT, 'node_modules/esbuild/package.json'))) return 'present';
  const ms = run('npm', ['ci', '--no-audit', '--no-fund'], { logFile: path.join(os.tmpdir(), 'training-dynamics-e2e-root-npm-ci.log'), what: 'npm ci in the repository root' });
  return `npm ci in ${secs(ms)}`;
}

// ---------------------------------------------------------------------------------------------
// 2. Package and install the extension

function packageExtension(tmp) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const started = Date.now() - 2000;
  if (pkg.scripts?.package) {
    run('npm', ['run', 'package'], { logFile: path.join(tmp, 'package.log'), what: 'npm run package' });
    const vsix = fs
      .readdirSync(ROOT)
      .filter((f) => f.endsWith('.vsix'))
      .map((f) => path.join(ROOT, f))
      .filter((f) => fs.statSync(f).mtimeMs >= started)
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
    if (!vsix) throw new Error('npm run package wrote no .vsix in the repository root');
    return { vsix, how: 'npm run package' };
  }
  // No package script (yet): the same steps by hand, with the harness's own vsce 3.x.
  run(process.execPath, ['esbuild.mjs', '--production'], { logFile: path.join(tmp, 'build.log'), what: 'production build' });
  const vsix = path.join(tmp, `${pkg.name}-${pkg.version}.vsix`);
  // vsce rewrites README's relative links against the repository; it fails when that is not on GitHub.
  const repo = String(pkg.repository?.url ?? pkg.repository ?? 'https://example.invalid/repo').replace(/\.git$/, '');
  const urls = ['--baseContentUrl', `${repo}/blob/HEAD`, '--baseImagesUrl', `${repo}/raw/HEAD`];
  run(process.execPath, [path.join(NM, '@vscode/vsce/vsce'), 'package', '--no-dependencies', ...urls, '-o', vsix], { logFile: path.join(tmp, 'package.log'), what: 'vsce package' });
  return { vsix, how: 'esbuild --production + vsce package --no-dependencies' };
}

/** Entry names of a zip file, from its central directory. */
export function zipEntries(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
    const n = buf.readUInt16LE(p + 28);
    const m = buf.readUInt16LE(p + 30);
    const k = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + n));
    p += 46 + n + m + k;
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Fixtures, code-server, browser

function makeWorkspace(dir, settings) {
  const sweep = path.join(dir, 'lenet-fashion');
  fs.cpSync(path.join(ROOT, 'examples/lenet-fashion'), sweep, { recursive: true });
  // A run folder whose name is an HTML injection: it must render as text everywhere.
  fs.cpSync(path.join(sweep, 'run0001'), path.join(sweep, HOSTILE_NAME), { recursive: true });
  // A finished, a running and a diverged run (mixed-sweep.mjs): what the editor tells the user of each.
  const mixed = path.join(dir, 'mixed');
  makeMixedSweep(ROOT, mixed);
  // Where the tests create runs while the window is open (it exists before the window opens).
  fs.mkdirSync(path.join(dir, 'live'), { recursive: true });
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.vscode/settings.json'), JSON.stringify(settings, null, 2));
  return { dir, sweep, mixed };
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh code-server in its own process group, answering /healthz. */
async function startCodeServer(ctx, name, workspace, port) {
  port ??= await freePort();
  const logFile = path.join(ctx.tmp, `code-server-${name}.log`);
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [CODE_SERVER, '--user-data-dir', ctx.userData, '--extensions-dir', ctx.extensions, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', workspace],
    { detached: true, stdio: ['ignore', fd, fd], env: ctx.env },
  );
  fs.closeSync(fd);
  servers.add(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}); log: ${logFile}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz in 30 s; log: ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url,
    logFile,
    async stop() {
      killGroup(child, 'SIGTERM');
      const until = Date.now() + 3000;
      while (Date.now() < until && groupAlive(child.pid)) await new Promise((r) => setTimeout(r, 100));
      killGroup(child, 'SIGKILL');
      servers.delete(child);
    },
  };
}
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Chromium through a Playwright browser server, so that its process is ours to kill: the returned
 * browser's stop() closes it and then kills its process group, and any exit kills it too.
 */
async function launchBrowser(ctx) {
  const { chromium } = await import(pathToFileURL(path.join(NM, 'playwright-core/index.mjs')).href);
  const server = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    env: ctx.env,
    // No --user-data-dir here: Playwright refuses it (it makes its own temporary profile).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const proc = server.process();
  servers.add(proc); // Playwright starts it detached: its pid is its process group
  const browser = await chromium.connect(server.wsEndpoint());
  browser.stop = async () => {
    await browser.close().catch(() => {});
    await server.close().catch(() => {});
    killGroup(proc, 'SIGKILL');
    servers.delete(proc);
  };
  return browser;
}

// ---------------------------------------------------------------------------------------------
// 3. The extension-host suite

/** Compiles test files (with the suite's runner and helpers) next to each other in `outdir`. */
async function compileSuite(name = 'suite', extra = []) {
  const esbuild = await import('esbuild'); // the repository's own devDependency
  const outdir = path.join(HERE, 'out', name);
  fs.rmSync(outdir, { recursive: true, force: true });
  const suiteFiles = fs.readdirSync(path.join(HERE, 'suite')).filter((f) => f.endsWith('.ts')).map((f) => path.join(HERE, 'suite', f));
  const entryPoints = name === 'suite' ? suiteFiles : [...suiteFiles.filter((f) => !f.endsWith('.test.ts')), ...extra];
  await esbuild.build({ entryPoints, outdir, outbase: HERE, bundle: false, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'warning' });
  // outbase keeps suite/ and stress/ apart; the runner loads the *.test.js beside its index.js.
  const runnerDir = path.join(outdir, 'suite');
  for (const f of extra) {
    const rel = path.relative(HERE, f).replace(/\.ts$/, '.js');
    fs.renameSync(path.join(outdir, rel), path.join(runnerDir, path.basename(rel)));
  }
  return runnerDir;
}

/**
 * One extension-host session: a fresh code-server on `wsDir` (user data shared with the other
 * sessions of this harness run), the compiled suite in `outdir` run by the workbench in Chromium.
 * `config` goes to outdir/config.json; `during` runs beside the suite. Returns the counts and the port.
 */
async function hostSession(ctx, { name, outdir, wsDir, config, limitMs = 420_000, during, port }) {
  const log = path.join(ctx.tmp, `${name}.log`);
  const result = path.join(ctx.tmp, `${name}-result.json`);
  fs.writeFileSync(log, '');
  fs.rmSync(result, { force: true });
  fs.writeFileSync(path.join(outdir, 'config.json'), JSON.stringify({ ...config, log, result, workspace: wsDir }, null, 2));

  const server = await startCodeServer(ctx, name, wsDir, port);
  let browser;
  let printed = 0;
  const printLog = () => {
    const text = fs.readFileSync(log, 'utf8');
    if (text.length > printed) process.stdout.write(text.slice(printed));
    printed = text.length;
  };
  const tailer = setInterval(printLog, 250);
  const started = Date.now();
  let exitCode = null;
  let problem = null;
  try {
    browser = await launchBrowser(ctx);
    const page = await browser.newPage();
    const browserLog = fs.createWriteStream(path.join(ctx.tmp, `${name}-workbench.log`));
    await page.exposeFunction('codeAutomationLog', (type, args) => browserLog.write(`[${type}] ${typeof args === 'string' ? args : JSON.stringify(args)}\n`));
    let exit;
    const exited = new Promise((resolve) => (exit = resolve));
    await page.exposeFunction('codeAutomationExit', (code) => exit(code));
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(ctx.installedExtension)],
      ['extensionTestsPath', remote(path.join(outdir, 'index.js'))],
    ];
    await page.goto(`${server.url}/?folder=${encodeURIComponent(wsDir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const beside = during?.();
    let timer;
    exitCode = await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), limitMs)))]);
    clearTimeout(timer);
    if (exitCode === 'timeout') problem = `${name} did not finish within ${secs(limitMs)}`;
    await beside;
  } catch (e) {
    problem = e.message;
  } finally {
    clearInterval(tailer);
    printLog();
    await browser?.stop();
    await server.stop();
  }
  let counts = { passed: 0, failed: 0 };
  if (fs.existsSync(result)) counts = JSON.parse(fs.readFileSync(result, 'utf8'));
  else {
    counts.failed = 1;
    problem ??= `${name} wrote no result (exit code ${exitCode}); see ${path.join(ctx.tmp, `${name}-workbench.log`)} and ${server.logFile}`;
  }
  if (problem) say(`${name}: ${problem}`);
  if (exitCode !== null && exitCode !== 'timeout' && exitCode !== 0 && counts.failed === 0) counts.failed = 1; // the host reported failure
  say(`${name}: ${secs(Date.now() - started)}`);
  return { counts, port: server.port };
}

async function runSuite(ctx) {
  const outdir = await compileSuite();
  const ws = makeWorkspace(path.join(ctx.tmp, 'ws-suite'), {});
  const { counts } = await hostSession(ctx, { name: 'suite', outdir, wsDir: ws.dir, config: { sweep: ws.sweep, mixed: ws.mixed, hostileName: HOSTILE_NAME } });
  process.stdout.write(`${counts.passed} passed, ${counts.failed} failed\n`);
  return counts;
}

// ---------------------------------------------------------------------------------------------
// 3b. The watcher stress test (test/e2e/stress): two extension hosts, a sweep writing meanwhile

async function runStress(ctx) {
  const outdir = await compileSuite('stress', [path.join(HERE, 'stress/stress.test.ts')]);
  const wsDir = path.join(ctx.tmp, 'ws-stress');
  const sweep = path.join(wsDir, 'sweep');
  fs.mkdirSync(sweep, { recursive: true });
  fs.mkdirSync(path.join(wsDir, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(wsDir, '.vscode/settings.json'), '{}');
  const files = Object.fromEntries(['plan', 'done', 'ready', 'journal1', 'journal2', 'phase1', 'report'].map((k) => [k, path.join(ctx.tmp, `stress-${k}.json${k.startsWith('journal') ? 'l' : ''}`)]));
  const stress = { root: ROOT, sweep, restartAfter: 300, ...files };

  let writer;
  const writerLog = path.join(ctx.tmp, 'stress-writer.log');
  const startWriter = async () => {
    // The sweep starts once host 1 watches (its suite says so); it goes on through the restart.
    const until = Date.now() + 120_000;
    while (!fs.existsSync(files.ready) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    if (!fs.existsSync(files.ready)) return 'host 1 never got ready';
    const fd = fs.openSync(writerLog, 'w');
    const args = ['--import', 'tsx', path.join(HERE, 'stress/sweep-writer.ts'), '--out', sweep, '--plan', files.plan, '--done', files.done];
    writer = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', fd, fd], detached: true });
    fs.closeSync(fd);
    servers.add(writer);
    return 'started';
  };
  const started = Date.now();
  let passed = 0;
  let failed = 0;
  try {
    say('stress: extension host 1 (the sweep starts, a worker is killed)');
    const one = await hostSession(ctx, { name: 'stress-host1', outdir, wsDir, config: { stress: { ...stress, phase: 1 } }, during: startWriter });
    passed += one.counts.passed;
    failed += one.counts.failed;
    // hostSession stopped that code-server (SIGTERM to its process group, SIGKILL after 3 s): the
    // extension host died with analyses in flight while the sweep goes on writing.
    say('stress: code-server 1 stopped; extension host 2 starts on the same workspace and user data');
    if (writer) {
      // The same address as before: the workbench keys a window's storage (the result cache) by its URI.
      const two = await hostSession(ctx, { name: 'stress-host2', outdir, wsDir, config: { stress: { ...stress, phase: 2 } }, limitMs: 540_000, port: one.port });
      passed += two.counts.passed;
      failed += two.counts.failed;
    } else failed++;
  } finally {
    if (writer && writer.exitCode === null) writer.kill('SIGKILL');
    servers.delete(writer);
  }
  if (fs.existsSync(files.report)) say(`stress report: ${fs.readFileSync(files.report, 'utf8').replace(/\s+/g, ' ')}`);
  say(`watcher stress: ${secs(Date.now() - started)}`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return { passed, failed };
}

// ---------------------------------------------------------------------------------------------
// 4. The UI flows

async function runUi(ctx) {
  const ws = makeWorkspace(path.join(ctx.tmp, 'ws-ui'), ctx.uiSettings);
  const server = await startCodeServer(ctx, 'ui', ws.dir);
  const started = Date.now();
  let browser;
  try {
    browser = await launchBrowser(ctx);
    const { runFlows } = await import(pathToFileURL(path.join(HERE, 'ui/flows.mjs')).href);
    const counts = await runFlows({ ...ctx, browser, server, ws, say });
    say(`UI flows: ${secs(Date.now() - started)}`);
    process.stdout.write(`${counts.passed} passed, ${counts.failed} failed\n`);
    return counts;
  } finally {
    await browser?.stop();
    await server.stop();
  }
}

/** Workspace settings of the UI flows: notify on the worst example run (final accuracy 0.10). */
function uiSettings(extensionDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  const props = Object.assign({}, ...[pkg.contributes?.configuration ?? []].flat().map((c) => c.properties ?? {}));
  const settings = {};
  const threshold = props['trainingDynamics.notify.threshold'];
  const belowBest = props['trainingDynamics.notify.belowBest'];
  // The example sweep's final accuracies are 0.77, 0.10 and 0.19: a threshold of 0.5 and a margin of
  // 0.2 below the best run both single out the bad runs. Booleans switch the check on.
  settings['trainingDynamics.notify.threshold'] = threshold?.type === 'boolean' ? true : 0.5;
  settings['trainingDynamics.notify.belowBest'] = belowBest?.type === 'boolean' ? true : 0.2;
  return { settings, maxDrawnEdges: props['trainingDynamics.maxDrawnEdges']?.default ?? null };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  say(`Training Dynamics e2e: code-server 4.100.3 + ${CHROMIUM} + playwright-core (node ${process.version})`);
  if (!skipInstall) {
    say(`system packages (${APT_PACKAGES.join(', ')}): ${ensureSystemPackages()}`);
    say(`harness packages (test/e2e): ${ensureHarnessPackages()}`);
    say(`repository packages: ${ensureRootPackages()}`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'td-e2e-'));
  const home = path.join(tmp, 'home');
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    XDG_RUNTIME_DIR: path.join(home, '.run'),
    // The suite runs inside the extension host, which inherits this: where the harness's mocha is.
    TD_E2E_MOCHA: path.join(NM, 'mocha'),
  };
  for (const d of [env.XDG_CONFIG_HOME, env.XDG_DATA_HOME, env.XDG_CACHE_HOME, env.XDG_STATE_HOME, env.XDG_RUNTIME_DIR]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const userData = path.join(tmp, 'user-data');
  const extensions = path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  // Without startupEditor none the Get Started page steals focus from the command palette.
  fs.writeFileSync(path.join(userData, 'User/settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'workbench.tips.enabled': false }, null, 2));
  say(`temp dir: ${tmp}`);

  let passed = 0;
  let failed = 0;
  try {
    let s = Date.now();
    const { vsix, how } = givenVsix ? { vsix: path.resolve(givenVsix), how: 'given with --vsix' } : packageExtension(tmp);
    say(`packaged ${path.relative(ROOT, vsix) || vsix} (${how}) in ${secs(Date.now() - s)}`);
    s = Date.now();
    const entries = zipEntries(vsix);
    run(process.execPath, [CODE_SERVER, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix], { env, logFile: path.join(tmp, 'install-extension.log'), what: 'code-server --install-extension' });
    const dir = fs.readdirSync(extensions).find((d) => d.toLowerCase().startsWith(`${EXTENSION_ID}-`));
    if (!dir) throw new Error(`the .vsix did not install as ${EXTENSION_ID}; see ${path.join(tmp, 'install-extension.log')}`);
    const installedExtension = path.join(extensions, dir);
    say(`installed into ${path.relative(tmp, installedExtension)} in ${secs(Date.now() - s)}`);

    const ui = uiSettings(installedExtension);
    const ctx = { tmp, env, userData, extensions, installedExtension, vsix, vsixEntries: entries, root: ROOT, here: HERE, hostileName: HOSTILE_NAME, uiSettings: ui.settings, maxDrawnEdgesDefault: ui.maxDrawnEdges };
    if (only === 'all' || only === 'suite') {
      say('part 1: extension-host suite (mocha in the real extension host)');
      const c = await runSuite(ctx);
      passed += c.passed;
      failed += c.failed;
    }
    if (only === 'all' || only === 'stress') {
      say('part 2: watcher stress (a sweep of 1,000 checkpoints, two extension hosts)');
      const c = await runStress(ctx);
      passed += c.passed;
      failed += c.failed;
    }
    if (only === 'all' || only === 'ui') {
      say('part 3: UI flows (playwright-core + Chromium)');
      const c = await runUi(ctx);
      passed += c.passed;
      failed += c.failed;
    }
  } catch (e) {
    failed++;
    say(`harness error: ${e.stack ?? e.message}`);
    process.stdout.write(`0 passed, 1 failed\n`);
  } finally {
    for (const child of [...servers]) killGroup(child, 'SIGKILL');
    if (!keep && failed === 0) fs.rmSync(tmp, { recursive: true, force: true });
    else say(`kept ${tmp} (logs: code-server-*.log, suite.log, suite-workbench.log)`);
  }
  say(`e2e total: ${passed} passed, ${failed} failed in ${secs(Date.now() - t0)}`);
  process.exit(failed > 0 ? 1 : 0);
}

await main();
