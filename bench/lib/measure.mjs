// Runs one command as a whole process under GNU time and returns its wall and CPU seconds, peak
// RSS and stdout. GNU time reports the child's own ru_maxrss (VmHWM), so the peak covers
// everything the process did, interpreter start-up included.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const TIME = '/usr/bin/time';

export function hasGnuTime() {
  return fs.existsSync(TIME);
}

/** { wall, cpu, rssMB, stdout, status } of `cmd args…`; throws when it fails unless `allowFail`. */
export function measure(cmd, args, { env, allowFail = false, cwd } = {}) {
  const out = path.join(os.tmpdir(), `td-bench-time-${process.pid}.txt`);
  const t0 = performance.now();
  const r = spawnSync(TIME, ['-f', '%e %U %S %M', '-o', out, cmd, ...args], {
    env: { ...process.env, ...env },
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  // Wall time from our clock (GNU time's %e has 10 ms resolution; the wrapper adds ~1 ms).
  const wall = (performance.now() - t0) / 1000;
  const [, user, sys, rssKB] = fs.readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  fs.rmSync(out, { force: true });
  if (r.status !== 0 && !allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${(r.stderr || '').slice(-2000)}`);
  }
  return { wall, cpu: user + sys, rssMB: rssKB / 1024, stdout: r.stdout, status: r.status };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of each numeric field over a list of records with the same shape (nested objects too). */
export function medianOf(records) {
  const first = records[0];
  const out = {};
  for (const [k, v] of Object.entries(first)) {
    if (typeof v === 'number') out[k] = median(records.map((r) => r[k]));
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = medianOf(records.map((r) => r[k]));
    else out[k] = v;
  }
  return out;
}
