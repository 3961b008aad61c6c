/**
 * The browser test's stage: builds the bundle, serves the page the panel serves (same HTML, same
 * CSP) on 127.0.0.1 with a stub of acquireVsCodeApi, launches headless Chromium, and plays the
 * extension host's part of the protocol (FakeHost) from the fixture's messages.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboardHtml, makeNonce } from '../../src/extension/dashboard/html';
import { isWebviewMessage, type HostMessage, type WebviewMessage } from '../../src/shared/dashboard-protocol';
import { buildFixture, gkey, type Fixture } from './fixtures';
import { THEMES } from './themes';

export const ROOT = path.resolve(__dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export type ThemeName = keyof typeof THEMES;

function stub(theme: ThemeName): string {
  return `(() => {
  const THEMES = ${JSON.stringify(THEMES)};
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  window.__setTheme = (name) => {
    const t = THEMES[name];
    for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v);
    document.body.className = t.bodyClass;
  };
  window.__setTheme(${JSON.stringify(theme)});
  // Readers of the painted network (canvas.network-canvas in #graph), for the timing and pixel checks.
  const net = () => document.querySelector('#graph canvas.network-canvas');
  window.__pictureHash = () => {
    const c = net();
    if (!c || c.width === 0 || c.height === 0) return '';
    const px = new Uint32Array(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.buffer);
    let h = 0x811c9dc5;
    for (let k = 0; k < px.length; k++) h = Math.imul(h ^ px[k], 0x01000193);
    return (h >>> 0).toString(16).padStart(8, '0');
  };
  window.__pixelAt = (x, y) => {
    const c = net();
    const r = c.getBoundingClientRect();
    const d = c.getContext('2d').getImageData(Math.floor(((x - r.left) * c.width) / r.width), Math.floor(((y - r.top) * c.height) / r.height), 1, 1).data;
    return d[3] === 255 ? '#' + [d[0], d[1], d[2]].map((v) => v.toString(16).padStart(2, '0')).join('') : null;
  };
  let state = JSON.parse(sessionStorage.getItem('vscode-state') || 'null');
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__host(JSON.parse(JSON.stringify(m))),
    getState: () => state,
    setState: (s) => { state = s; sessionStorage.setItem('vscode-state', JSON.stringify(s)); },
  });
})();`;
}

function pageHtml(origin: string, theme: ThemeName): string {
  const nonce = makeNonce();
  const html = dashboardHtml({ cspSource: origin, nonce, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/dashboard.css` });
  // The stub runs first, with the page's nonce (VS Code injects its own API the same way).
  return html.replace(`<script nonce="${nonce}" src=`, `<script nonce="${nonce}">${stub(theme)}</script>\n<script nonce="${nonce}" src=`);
}

/** The extension host's side of the protocol, answering from the fixture. */
export class FakeHost {
  readonly received: WebviewMessage[] = [];
  readonly invalid: unknown[] = [];
  selectNext: string | null = null;
  constructor(readonly p: Page, readonly fx: Fixture) {}

  async send(m: HostMessage): Promise<void> {
    await this.p.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>);
  }

  async receive(m: unknown): Promise<void> {
    if (!isWebviewMessage(m)) {
      this.invalid.push(m);
      return;
    }
    this.received.push(m);
    switch (m.type) {
      case 'ready': {
        await this.send({ type: 'settings', maxEdges: 2000 });
        const selected = this.selectNext;
        this.selectNext = null;
        await this.send({ type: 'runs', runs: this.fx.runs, selected });
        break;
      }
      case 'selectRun': {
        const d = this.fx.details.get(m.runId);
        if (d) await this.send({ type: 'runDetail', detail: d, inReplyTo: m.requestId });
        break;
      }
      case 'requestGraph': {
        const g = this.fx.graphs.get(gkey(m.runId, m.epoch));
        await new Promise((r) => setTimeout(r, 5));
        if (g) await this.send({ type: 'graph', inReplyTo: m.requestId, runId: m.runId, epoch: m.epoch, graph: g });
        else await this.send({ type: 'error', inReplyTo: m.requestId, message: `no checkpoint for epoch ${m.epoch}`, runId: m.runId, epoch: m.epoch });
        break;
      }
      default:
        break;
    }
  }
}

export interface Opened {
  p: Page;
  host: FakeHost;
  /** Script errors and console errors. */
  errors: string[];
  /** alert/confirm/prompt dialogs (a hostile name that became markup would open one). */
  dialogs: string[];
}

export interface Harness {
  origin: string;
  browser: Browser;
  fx: Fixture;
  /** A page with the dashboard; its host answers from `fixture` (default: the harness's own). */
  open(theme: ThemeName, viewport?: { width: number; height: number }, fixture?: Fixture): Promise<Opened>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  const fx = buildFixture();
  const files: Record<string, [string, string]> = {
    '/dist/webview.js': [path.join(ROOT, 'dist', 'webview.js'), 'text/javascript'],
    '/media/dashboard.css': [path.join(ROOT, 'media', 'dashboard.css'), 'text/css'],
  };
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pageHtml(origin, url.searchParams.get('theme') === 'light' ? 'light' : 'dark'));
    } else if (files[url.pathname]) {
      res.writeHead(200, { 'content-type': files[url.pathname][1] });
      res.end(fs.readFileSync(files[url.pathname][0]));
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  return {
    origin,
    browser,
    fx,
    async open(theme, viewport = { width: 1400, height: 860 }, fixture = fx) {
      const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1 });
      const p = await ctx.newPage();
      const host = new FakeHost(p, fixture);
      const errors: string[] = [];
      const dialogs: string[] = [];
      p.on('pageerror', (e) => errors.push(String(e)));
      p.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      p.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await p.exposeBinding('__host', (_src, m: unknown) => void host.receive(m));
      await p.goto(`${origin}/?theme=${theme}`);
      return { p, host, errors, dialogs };
    },
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface EpochSwitch {
  /** From the slider's input event until #graph reports the epoch painted (ms). */
  ms: number;
  /** Hash of the painted network (canvas.network-canvas) at that moment. */
  picture: string;
  /** Whether the picture was already final then: unchanged after one more painted frame. */
  settled: boolean;
}

/**
 * Moves the slider to `index` and times it until the new picture is on screen. The dashboard sets
 * #graph's data-epoch after the frame with the new picture has been painted (a task queued from an
 * animation-frame callback runs after that frame's paint); the picture at that moment is compared
 * with the one a frame later, so a signal that came before the drawing would show as unsettled.
 */
export function switchEpoch(p: Page, index: number, epoch: number): Promise<EpochSwitch> {
  return p.evaluate(
    ([i, e]) =>
      new Promise<EpochSwitch>((resolve) => {
        const w = window as any;
        const g = document.getElementById('graph')!;
        const t0 = performance.now();
        const mo = new MutationObserver(() => {
          if (g.dataset.epoch !== String(e)) return;
          const ms = performance.now() - t0;
          mo.disconnect();
          const picture: string = w.__pictureHash();
          requestAnimationFrame(() => setTimeout(() => resolve({ ms, picture, settled: w.__pictureHash() === picture }), 0));
        });
        mo.observe(g, { attributes: true, attributeFilter: ['data-epoch'] });
        const s = document.getElementById('epoch-slider') as HTMLInputElement;
        s.value = String(i);
        s.dispatchEvent(new Event('input', { bubbles: true }));
      }),
    [index, epoch] as const,
  );
}

/** For each node id: where it is (client coordinates), the fill the dashboard says it drew, the pixel painted there. */
export function paintedColors(p: Page, ids: string[]): Promise<{ id: string; x: number; y: number; drawn: string | null; painted: string | null }[]> {
  return p.evaluate(
    (list) =>
      list.map((id) => {
        const w = window as any;
        const pos = (w.__dashboard.nodePosition(id) as { x: number; y: number } | null) ?? { x: NaN, y: NaN };
        return { id, x: pos.x, y: pos.y, drawn: w.__dashboard.nodeColor(id) as string | null, painted: Number.isFinite(pos.x) ? (w.__pixelAt(pos.x, pos.y) as string | null) : null };
      }),
    ids,
  );
}
