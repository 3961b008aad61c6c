/** Per-reader counts of fuzz outcomes, as a markdown table, and the list of problems found. */
import type { JobResult } from './pool';

export interface ReaderSummary {
  id: string;
  cases: number;
  ok: number;
  named: Map<string, number>;
  unnamed: number;
  crash: number;
  hang: number;
  memory: number;
  flaky: number;
  maxMs: number;
}

export function summarize(ids: string[], results: JobResult[]): ReaderSummary[] {
  return ids.map((id) => {
    const rs = results.filter((r) => r.target === id);
    const s: ReaderSummary = { id, cases: rs.length, ok: 0, named: new Map(), unnamed: 0, crash: 0, hang: 0, memory: 0, flaky: 0, maxMs: 0 };
    for (const r of rs) {
      if (r.flaky) s.flaky++;
      if (r.outcome === 'ok') s.ok++;
      else if (r.outcome === 'named') s.named.set(r.errorClass!, (s.named.get(r.errorClass!) ?? 0) + 1);
      else s[r.outcome]++;
      if (r.outcome !== 'hang') s.maxMs = Math.max(s.maxMs, r.ms);
    }
    return s;
  });
}

export function renderTable(sum: ReaderSummary[]): string {
  const classes = [...new Set(sum.flatMap((s) => [...s.named.keys()]))].sort();
  const head = ['reader', 'cases', 'parsed (ok)', ...classes.map((c) => `${c}`), 'unnamed', 'crashes', 'hangs > 5 s', 'memory blow-ups', 'flaky', 'slowest case ms'];
  const rows = sum.map((s) => [s.id, s.cases, s.ok, ...classes.map((c) => s.named.get(c) ?? 0), s.unnamed, s.crash, s.hang, s.memory, s.flaky, Math.round(s.maxMs)]);
  const total = ['**all**', ...head.slice(1).map((_, i) => rows.reduce((a, r) => (i === head.length - 2 ? Math.max(a, Number(r[i + 1])) : a + Number(r[i + 1])), 0))];
  return [head, head.map(() => '---'), ...rows, total].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function renderProblems(results: JobResult[]): string {
  const bad = results.filter((r) => !['ok', 'named'].includes(r.outcome));
  if (!bad.length) return 'No crash, hang, memory blow-up or unnamed error.';
  // One line per distinct problem (class + first line of the message without numbers).
  const groups = new Map<string, JobResult[]>();
  for (const r of bad) {
    const key = `${r.outcome} ${r.target} ${r.errorClass ?? ''} ${(r.message ?? '').replace(/\d+/g, 'N').replace(/\/tmp\/\S+/g, 'FILE').slice(0, 120)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const lines = ['| outcome | reader | cases | example (replay id) | error | mutation |', '|---|---|---|---|---|---|'];
  for (const rs of groups.values()) {
    const r = rs[0];
    const msg = (r.message ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 200);
    lines.push(`| ${r.outcome}${r.flaky ? ' (flaky)' : ''} | ${r.target} | ${rs.length} | ${r.target}:${r.index} (seed ${r.seedNo}, from ${r.seed}) | ${r.errorClass ?? ''}: ${msg} | ${(r.desc ?? '').replace(/\|/g, '\\|').slice(0, 160)} |`);
  }
  return lines.join('\n');
}
