// The README documents what the extension contributes: every command by its title and every
// setting by its key, so a new one cannot ship undocumented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('the README names every contributed command and setting', () => {
  const missing: string[] = [];
  for (const c of pkg.contributes.commands as { title: string }[]) if (!readme.includes(`| ${c.title} |`)) missing.push(`command "${c.title}"`);
  for (const key of Object.keys(pkg.contributes.configuration.properties)) {
    if (!readme.includes('`' + key.replace(/^trainingDynamics\./, '') + '`')) missing.push(`setting ${key}`);
  }
  assert.deepEqual(missing, []);
});

test('the README says how to install the packaged extension', () => {
  assert.match(readme, /code --install-extension \S+\.vsix/);
  assert.match(readme, /Install from VSIX/);
});
