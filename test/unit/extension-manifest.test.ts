// package.json's extension manifest against the code's names (contract.ts), and the packaging rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS, DEFAULTS, SECTION, SETTING_KEYS, sanitize, isExcludedPath } from '../../src/extension/contract';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('activation: checkpoint files in the workspace, the commands, the dashboard; never "*"', () => {
  const ev: string[] = pkg.activationEvents;
  assert.ok(!ev.includes('*') && !ev.includes('onStartupFinished'));
  for (const ext of ['pt', 'pth', 'ckpt', 'safetensors', 'h5', 'keras', 'onnx', 'npz']) assert.ok(ev.includes(`workspaceContains:**/*.${ext}`), ext);
  for (const id of Object.values(COMMANDS)) assert.ok(ev.includes(`onCommand:${id}`), id);
  assert.ok(ev.includes('onWebviewPanel:trainingDynamics.dashboard'));
  assert.equal(pkg.main, './dist/extension.js');
});

test('commands: every id in the code is contributed with a title and the category, and nothing else', () => {
  const cmds: { command: string; title: string; category: string }[] = pkg.contributes.commands;
  assert.deepEqual(cmds.map((c) => c.command).sort(), Object.values(COMMANDS).sort());
  for (const c of cmds) {
    assert.equal(c.category, 'Training Dynamics');
    assert.ok(c.title.length > 0);
  }
  const title = (id: string) => cmds.find((c) => c.command === id)?.title;
  assert.equal(title(COMMANDS.openDashboard), 'Open Dashboard');
  assert.equal(title(COMMANDS.analyzeFolder), 'Analyze Training Dynamics');
  const ctx = pkg.contributes.menus['explorer/context'];
  assert.deepEqual(ctx.map((m: { command: string; when: string }) => [m.command, m.when]), [
    [COMMANDS.analyzeFolder, 'explorerResourceIsFolder'],
    [COMMANDS.trainForecaster, 'explorerResourceIsFolder && isWorkspaceTrusted'],
  ]);
});

test('settings: the keys the code reads, with the code\'s defaults and a description each', () => {
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(Object.keys(props).sort(), Object.values(SETTING_KEYS).map((k) => `${SECTION}.${k}`).sort());
  for (const [name, key] of Object.entries(SETTING_KEYS)) {
    const p = props[`${SECTION}.${key}`];
    assert.deepEqual(p.default, DEFAULTS[name as keyof typeof DEFAULTS], key);
    assert.ok((p.description ?? p.markdownDescription ?? '').length > 10, key);
  }
  assert.equal(props['trainingDynamics.forecastEpochs'].minimum, 1);
  assert.equal(props['trainingDynamics.forecastEpochs'].maximum, 5);
});

test('settings from the user are clamped to what the engine accepts', () => {
  assert.deepEqual(sanitize({}), DEFAULTS);
  const s = sanitize({ watchGlobs: ['', 7, '**/*.pt'], forecastEpochs: 9, notifyThreshold: -1, notifyBelowBest: 'x', maxDrawnEdges: 5, inputSize: 32.5 });
  assert.deepEqual(s, { watchGlobs: ['**/*.pt'], forecastEpochs: 5, notifyThreshold: 0, notifyBelowBest: 0.1, maxDrawnEdges: 100, inputSize: null });
  assert.equal(sanitize({ inputSize: 224 }).inputSize, 224);
  assert.deepEqual(sanitize({ watchGlobs: [] }).watchGlobs, DEFAULTS.watchGlobs);
});

test('folders never searched: node_modules, .git, virtual environments', () => {
  assert.ok(isExcludedPath('/w/node_modules/x/epoch_1.pt'));
  assert.ok(isExcludedPath('C:\\w\\.venv\\lib\\m.pt'));
  assert.ok(!isExcludedPath('/w/runs/venvy/epoch_1.pt'));
});

test('workspace trust: limited support, with the reason', () => {
  const t = pkg.capabilities.untrustedWorkspaces;
  assert.equal(t.supported, 'limited');
  assert.match(t.description, /STOP/);
});

test('packaging: production build then vsce without dependencies; the .vsix allow-list ships the bundles, media and the model', () => {
  assert.match(pkg.scripts.package, /^node esbuild.mjs --production && vsce package --no-dependencies( |$)/);
  assert.match(pkg.devDependencies['@vscode/vsce'], /^\^3\./);
  assert.match(pkg.devDependencies['@types/vscode'], /1\.100/);
  const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  assert.equal(ignore[0], '**', 'an allow-list starts by leaving everything out');
  for (const keep of ['!dist/extension.js', '!dist/worker.js', '!dist/webview.js', '!media/**', '!models/**', '!README.md', '!LICENSE']) assert.ok(ignore.includes(keep), keep);
});

test('the engine bundle run by the workers never references the editor API', () => {
  const worker = path.join(ROOT, 'dist', 'worker.js');
  assert.ok(fs.existsSync(worker), 'run npm run build first');
  assert.ok(!/require\(["']vscode["']\)/.test(fs.readFileSync(worker, 'utf8')));
  const ext = fs.readFileSync(path.join(ROOT, 'dist', 'extension.js'), 'utf8');
  assert.match(ext, /require\(["']vscode["']\)/, 'the editor API stays external to the extension bundle');
});
