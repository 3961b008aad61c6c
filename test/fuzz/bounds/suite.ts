/**
 * The bounds fuzzer as a suite: `count` seeded cases of every class (classes.ts), each generated
 * into its own temporary folder and run through the real CLI (run-cli.ts), one at a time so that
 * each case's peak memory is its own. Returns per-class counts and the worst memory and time seen,
 * and renders them for test/fuzz/RESULTS.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../rng';
import { BOUNDS_CLASSES, type BoundsClass } from './classes';
import { CPU_BASE_S, CPU_PER_MB_S, RSS_FREE_MB, checkCase, type CaseVerdict } from './run-cli';

export interface BoundsResult {
  cls: string;
  index: number;
  desc: string;
  verdict: CaseVerdict;
}

export interface BoundsOptions {
  count: number;
  seed: number;
  full: boolean;
  only?: string[];
  onResult?: (r: BoundsResult) => void;
}

export function runBounds(o: BoundsOptions): BoundsResult[] {
  const classes = BOUNDS_CLASSES.filter((c) => !o.only || o.only.includes(c.id));
  const out: BoundsResult[] = [];
  for (let index = 0; index < o.count; index++) {
    for (const cl of classes) {
      const r = runOne(cl, o.seed, index, o.full);
      out.push(r);
      o.onResult?.(r);
    }
  }
  return out;
}

export function runOne(cl: BoundsClass, seed: number, index: number, full: boolean): BoundsResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `td-bounds-${cl.id}-`));
  try {
    const c = cl.make(dir, new Rng(seed, 'bounds', cl.id, index), full);
    return { cls: cl.id, index, desc: c.desc, verdict: checkCase(c) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function renderBounds(results: BoundsResult[]): string {
  const lines = [
    '| class | what it crafts | cases | within bounds | refused by name | analyzed | worst peak RSS (MB) / its input (MB) | worst CPU (s) / its input (MB) | slowest wall (s) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const cl of BOUNDS_CLASSES) {
    const rs = results.filter((r) => r.cls === cl.id);
    if (!rs.length) continue;
    const worstRss = rs.reduce((a, r) => (r.verdict.rssMB > a.verdict.rssMB ? r : a));
    const worstCpu = rs.reduce((a, r) => (r.verdict.cpuS > a.verdict.cpuS ? r : a));
    const wall = Math.max(...rs.map((r) => r.verdict.wallS));
    const ok = rs.filter((r) => r.verdict.problems.length === 0).length;
    const refused = rs.filter((r) => r.verdict.status === 2).length;
    lines.push(`| ${cl.id} | ${esc(cl.what)} | ${rs.length} | ${ok} | ${refused} | ${rs.length - refused} | ${worstRss.verdict.rssMB.toFixed(0)} / ${worstRss.verdict.inputMB.toFixed(1)} | ${worstCpu.verdict.cpuS.toFixed(1)} / ${worstCpu.verdict.inputMB.toFixed(1)} | ${wall.toFixed(1)} |`);
  }
  const bad = results.filter((r) => r.verdict.problems.length);
  const out = [
    `Bounds checked on every case: peak RSS ≤ 2 × input + ${RSS_FREE_MB} MB; CPU ≤ ${CPU_BASE_S} s + ${CPU_PER_MB_S} s per MB of input; exit code 0 or 2 in both --json and human output; one JSON document; a refused case names its file and cause; no message is a bare JavaScript error; the human output has no control character and no forged error line.`,
    '',
    ...lines,
    '',
  ];
  if (!bad.length) out.push('Every case ended within its bounds.');
  else {
    out.push('| class | case | crafted | problem |', '|---|---|---|---|');
    for (const r of bad) out.push(`| ${r.cls} | ${r.index} | ${esc(r.desc)} | ${esc(r.verdict.problems.join('; ').slice(0, 400))} |`);
  }
  out.push('', 'Examples of what was said (first case of each class that was refused):', '');
  for (const cl of BOUNDS_CLASSES) {
    const r = results.find((x) => x.cls === cl.id && x.verdict.status === 2 && x.verdict.said);
    if (r) out.push(`- ${cl.id} (${esc(r.desc)}): “${esc((r.verdict.said ?? '').slice(0, 240))}”`);
  }
  return out.join('\n');
}
