/**
 * The shape of the code base, checked: no import cycle among the modules of src/ and webview/
 * (type-only imports count), each layer imports only the layers below it, and no product source
 * file grows past 450 lines.
 *
 *   engine    pure analysis (readers, io, graph, metrics, features, forecast, logs, run pipeline)
 *   shared    protocol types shared by the host and the dashboard page
 *   runtime   the Node runtime: worker pool, worker entry, parallel analysis, live service
 *   extension the only code that touches the VS Code API
 *   webview   the dashboard page: only its own files and the dashboard protocol
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const MAX_LINES = 450;

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listTs(rel));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Relative module specifiers of every import, export-from and dynamic import, type-only ones included. */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  const re = /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"])([^'"]+)\1/g;
  for (let m = re.exec(code); m; m = re.exec(code)) specs.push(m[2]);
  return specs;
}

function resolve(from: string, spec: string, files: Set<string>): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.normalize(path.join(path.dirname(from), spec));
  for (const c of [base + '.ts', path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts'), base]) if (files.has(c)) return c;
  throw new Error(`${from}: cannot resolve '${spec}'`);
}

const files = [...listTs('src'), ...listTs('webview')];
const fileSet = new Set(files);
const graph = new Map<string, string[]>();
for (const f of files) {
  const deps = importSpecifiers(fs.readFileSync(path.join(ROOT, f), 'utf8'))
    .map((s) => resolve(f, s, fileSet))
    .filter((d): d is string => d !== null);
  graph.set(f, [...new Set(deps)]);
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (g.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

type Layer = 'engine' | 'shared' | 'runtime' | 'extension' | 'cli' | 'webview';
function layerOf(f: string): Layer {
  if (f.startsWith(path.join('src', 'engine') + path.sep)) return 'engine';
  if (f.startsWith(path.join('src', 'shared') + path.sep)) return 'shared';
  if (f.startsWith(path.join('src', 'runtime') + path.sep)) return 'runtime';
  if (f.startsWith(path.join('src', 'extension') + path.sep)) return 'extension';
  if (f.startsWith('webview' + path.sep)) return 'webview';
  if (f === path.join('src', 'cli.ts')) return 'cli';
  throw new Error(`${f}: in no layer; put it in one of src/{engine,shared,runtime,extension} or webview/`);
}

/** What each layer may import. */
const ALLOWED: Record<Layer, Layer[]> = {
  engine: ['engine'],
  shared: ['shared'],
  runtime: ['runtime', 'engine', 'shared'],
  extension: ['extension', 'runtime', 'engine', 'shared'],
  cli: ['runtime', 'engine'],
  webview: ['webview', 'shared'],
};

test('the import checker sees every kind of import, type-only ones included', () => {
  const src = `import a from './a';\nimport type { B } from "./b";\nimport { type C, d } from './c';\nexport * from './e';\nexport type { F } from './f';\nexport { g } from './g';\nconst h = import('./h');\nimport './i';\n// import x from './commented';\n/* import y from './block'; */`;
  assert.deepEqual(importSpecifiers(src), ['./a', './b', './c', './e', './f', './g', './h', './i']);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
});

test('no import cycle among the modules of src/ and webview/', () => {
  assert.ok(graph.size > 50, `only ${graph.size} modules found`);
  assert.deepEqual(cycles(graph), []);
});

test('each layer imports only the layers below it; the webview only the dashboard protocol', () => {
  const bad: string[] = [];
  for (const [f, deps] of graph) {
    for (const d of deps) {
      const from = layerOf(f);
      const to = layerOf(d);
      if (!ALLOWED[from].includes(to)) bad.push(`${f} (${from}) imports ${d} (${to})`);
      if (from === 'webview' && to === 'shared' && path.basename(d) !== 'dashboard-protocol.ts') bad.push(`${f} imports ${d}: the dashboard page speaks the dashboard protocol only`);
    }
  }
  assert.deepEqual(bad, []);
});

test(`no product source file over ${MAX_LINES} lines`, () => {
  const long = files
    .map((f) => ({ f, lines: fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').length }))
    .filter((x) => x.lines > MAX_LINES)
    .map((x) => `${x.f}: ${x.lines}`);
  assert.deepEqual(long, []);
});
