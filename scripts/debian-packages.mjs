// Debian packages the tests need from the system (not from npm), installed when missing: as root
// with apt-get (with `apt-get update` only when a first install fails), else a clear message.
// Used by `npm test` (GNU time, which the bounds tests measure peak memory with) and by the
// end-to-end harness (Chromium and friends).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** true / false when dpkg knows; null when there is no dpkg (not Debian). */
export function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  if (r.error) return null;
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function apt(args, log) {
  const out = fs.openSync(log, 'a');
  const r = spawnSync('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}); log: ${log}`);
}

/** Installs the packages not yet installed; returns what it did, in words. `present` says whether a package's files are there without dpkg. */
export function ensureDebianPackages(pkgs, { present = () => false, logName = 'training-dynamics-apt.log' } = {}) {
  const status = pkgs.map((p) => [p, dpkgInstalled(p)]);
  if (status.some(([, s]) => s === null)) {
    const absent = pkgs.filter((p) => !present(p));
    if (absent.length) throw new Error(`no dpkg here: install ${absent.join(' ')} yourself`);
    return 'no dpkg; using what is installed';
  }
  const missing = status.filter(([, s]) => !s).map(([p]) => p);
  if (missing.length === 0) return 'already installed';
  if (process.getuid?.() !== 0) throw new Error(`missing Debian packages: ${missing.join(' ')} (run: sudo apt-get install -y ${missing.join(' ')})`);
  const log = path.join(os.tmpdir(), logName);
  try {
    apt(['install', '-y', '-q', ...missing], log);
  } catch {
    apt(['update', '-q'], log);
    apt(['install', '-y', '-q', ...missing], log);
  }
  return `installed ${missing.join(' ')}`;
}

// `node scripts/debian-packages.mjs PKG…`: what `npm test` runs first.
if (import.meta.url === `file://${process.argv[1]}`) {
  const pkgs = process.argv.slice(2);
  try {
    console.log(`Debian packages ${pkgs.join(', ')}: ${ensureDebianPackages(pkgs, { present: (p) => p === 'time' && fs.existsSync('/usr/bin/time') })}`);
  } catch (e) {
    console.error(e.message);
    process.exitCode = 1;
  }
}
