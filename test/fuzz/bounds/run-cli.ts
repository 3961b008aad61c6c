/**
 * Runs a bounds case the way a user does: the real CLI (dist/cli.js) as a child process, once with
 * --json and once for the human summary, under /usr/bin/time (peak RSS of the process tree, CPU
 * and wall time) and `timeout -s KILL`. Then checks what the issue promises for every input:
 *  - peak RSS ≤ 2 × the input's bytes + 256 MB;
 *  - CPU time ≤ CPU_BASE_S + CPU_PER_MB_S per MB of input (linear, with a generous constant; CPU
 *    rather than wall time, since the machines are shared), and no hang (the wall limit);
 *  - exit code 0 or 2, one JSON document, no JavaScript error text without words (explainError);
 *  - a refused case names its file and says why; the class's own check;
 *  - the human output: no control character but newlines, and no more `error:` lines than errors.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allMessages, rawJsMessage, type BoundsCase, type Report } from './classes';

export const CLI = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
export const RSS_FREE_MB = 256;
/**
 * The constant term covers what any input may cost regardless of its size: node's start, the
 * forecaster, and the decompression allowance (io/inflate.ts: 24 MiB beyond 1.25 × the file,
 * which a tiny archive may legitimately inflate to, and then be analyzed as a 24 MiB model).
 */
export const CPU_BASE_S = 60;
export const CPU_PER_MB_S = 2;
export const WALL_BASE_S = 120;

export interface Measured {
  status: number | null;
  stdout: string;
  stderr: string;
  rssMB: number;
  wallS: number;
  cpuS: number;
}

export function hasTimeTool(): boolean {
  return fs.existsSync('/usr/bin/time');
}

/** Bytes of every file under `p` (links not followed: their targets are not the input). */
export function inputBytes(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return 0;
  }
  if (st.isDirectory()) return fs.readdirSync(p).reduce((n, f) => n + inputBytes(path.join(p, f)), 0);
  return st.isFile() ? st.size : 0;
}

export function runCli(target: string, json: boolean, limitS: number, cwd: string): Measured {
  const out = path.join(os.tmpdir(), `td-bounds-time-${process.pid}.txt`);
  fs.rmSync(out, { force: true });
  const args = ['-f', '%M %e %U %S', '-o', out, 'timeout', '-s', 'KILL', String(Math.ceil(limitS)), process.execPath, CLI, 'analyze', target, ...(json ? ['--json'] : [])];
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', cwd, maxBuffer: 1 << 30, env: { ...process.env, NODE_OPTIONS: '' } });
  const line = fs.existsSync(out) ? fs.readFileSync(out, 'utf8').trim().split('\n').pop()! : '';
  const [kb, wall, user, sys] = line.split(/\s+/).map(Number);
  fs.rmSync(out, { force: true });
  // /usr/bin/time reports a child killed by a signal as "Command terminated by signal 9" first, status 137.
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', rssMB: (kb || 0) / 1024, wallS: wall || 0, cpuS: (user || 0) + (sys || 0) };
}

export interface CaseVerdict {
  problems: string[];
  rssMB: number;
  cpuS: number;
  wallS: number;
  inputMB: number;
  status: number | null;
  /** The first error message (for the results table). */
  said?: string;
}

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

export function checkCase(c: BoundsCase, human = true): CaseVerdict {
  const inputMB = inputBytes(c.target === path.dirname(c.target) ? c.target : c.target) / 2 ** 20;
  const dirBytes = inputBytes(fs.statSync(c.target, { throwIfNoEntry: false })?.isDirectory() ? c.target : path.dirname(c.target)) / 2 ** 20;
  const mb = Math.max(inputMB, dirBytes);
  const rssLimit = 2 * mb + RSS_FREE_MB;
  const cpuLimit = CPU_BASE_S + CPU_PER_MB_S * mb;
  const wallLimit = WALL_BASE_S + 4 * CPU_PER_MB_S * mb;
  const cwd = path.dirname(c.target);
  const problems: string[] = [];
  const j = runCli(c.target, true, wallLimit, cwd);
  const v: CaseVerdict = { problems, rssMB: j.rssMB, cpuS: j.cpuS, wallS: j.wallS, inputMB: mb, status: j.status };
  const bound = (m: Measured, what: string): void => {
    if (m.status !== 0 && m.status !== 2) problems.push(`${what}: exit code ${m.status}${m.status === 137 ? ` (killed after ${wallLimit.toFixed(0)} s: a hang)` : ''}; stderr: ${m.stderr.slice(0, 300)}`);
    if (m.rssMB > rssLimit) problems.push(`${what}: peak RSS ${m.rssMB.toFixed(0)} MB > 2 × ${mb.toFixed(1)} MB + ${RSS_FREE_MB} MB`);
    if (m.cpuS > cpuLimit) problems.push(`${what}: CPU ${m.cpuS.toFixed(1)} s > ${CPU_BASE_S} s + ${CPU_PER_MB_S} s/MB × ${mb.toFixed(1)} MB`);
    if (/internal error|\n\s+at .*\(.*:\d+:\d+\)/.test(m.stderr)) problems.push(`${what}: a stack trace on stderr: ${m.stderr.slice(0, 300)}`);
  };
  bound(j, '--json');
  let doc: Report | undefined;
  try {
    doc = JSON.parse(j.stdout) as Report;
  } catch {
    if (j.status === 0 || j.status === 2) problems.push(`--json: stdout is not one JSON document (${j.stdout.length} bytes: ${j.stdout.slice(0, 120)})`);
  }
  if (doc) {
    const errors = [...(doc.errors ?? []), ...doc.runs.flatMap((r) => r.errors)];
    v.said = errors[0]?.message ?? (doc.runs[0]?.checkpoints[0]?.warnings ?? [])[0];
    for (const m of allMessages(doc)) if (rawJsMessage(m)) problems.push(`a message without words for its cause: ${m.slice(0, 200)}`);
    if (c.expect === 'refused') {
      const file = c.errorFile ?? c.target;
      const hit = errors.find((e) => (e.path === file || e.path.startsWith(file) || e.message.includes(file)) && (!c.message || c.message.test(e.message)));
      if (!hit) problems.push(`expected an error about ${file}${c.message ? ` matching ${c.message}` : ''}; got ${JSON.stringify(errors.map((e) => `${e.path}: ${e.message}`)).slice(0, 400)}`);
      else v.said = hit.message;
    }
    if (c.expect === 'ok' && !doc.runs.some((r) => r.checkpoints.length > 0)) problems.push(`expected an analyzed checkpoint; errors: ${JSON.stringify(errors).slice(0, 400)}`);
    const extra = c.check?.(doc, Buffer.byteLength(j.stdout));
    if (extra) problems.push(extra);
  }
  if (human) {
    const h = runCli(c.target, false, wallLimit, cwd);
    bound(h, 'human');
    v.rssMB = Math.max(v.rssMB, h.rssMB);
    v.cpuS = Math.max(v.cpuS, h.cpuS);
    v.wallS = Math.max(v.wallS, h.wallS);
    if (CONTROL.test(h.stdout) || CONTROL.test(h.stderr)) problems.push(`human output carries a control character: ${JSON.stringify((h.stdout + h.stderr).match(new RegExp(`.{0,30}${CONTROL.source}.{0,30}`))?.[0])}`);
    if (doc) {
      const errorLines = h.stdout.split('\n').filter((l) => /^\s*error:/.test(l)).length + h.stderr.split('\n').filter((l) => /^\s*error:/.test(l)).length;
      const errors = (doc.errors ?? []).length + doc.runs.reduce((n, r) => n + r.errors.length, 0);
      if (errorLines > Math.max(errors, 1)) problems.push(`human output has ${errorLines} error lines for ${errors} errors (a forged line?)`);
    }
  }
  return v;
}
