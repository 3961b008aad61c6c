// Bundles the CLI (and, when present, the extension host code and the webview) with esbuild.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const production = process.argv.includes('--production');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production, logLevel: 'warning' };

const builds = [esbuild.build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } })];
if (fs.existsSync('src/extension/extension.ts')) {
  builds.push(esbuild.build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }));
}
if (fs.existsSync('src/runtime/worker.ts')) {
  builds.push(esbuild.build({ ...common, entryPoints: ['src/runtime/worker.ts'], outfile: 'dist/worker.js' }));
}
if (fs.existsSync('webview/main.ts')) {
  builds.push(esbuild.build({ ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' }));
}
await Promise.all(builds);
