// The dashboard page: CSP, nonce, escaping; and a guard that the webview never builds markup from strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentSecurityPolicy, dashboardHtml, escapeHtml, makeNonce } from '../../src/extension/dashboard/html';

const SRC = 'https://file+.vscode-resource.vscode-cdn.net';

test('the CSP allows only the extension resources and the page nonce', () => {
  assert.equal(contentSecurityPolicy(SRC, 'abc='), `default-src 'none'; img-src ${SRC} data:; style-src ${SRC} 'nonce-abc='; script-src 'nonce-abc='`);
  const html = dashboardHtml({ cspSource: SRC, nonce: 'abc=', scriptUri: `${SRC}/dist/webview.js`, styleUri: `${SRC}/media/dashboard.css` });
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src ${SRC} data:;`));
  assert.ok(html.includes(`<script nonce="abc=" src="${SRC}/dist/webview.js"></script>`));
  assert.ok(html.includes(`<link rel="stylesheet" nonce="abc=" href="${SRC}/media/dashboard.css">`));
  assert.ok(!/unsafe-(inline|eval)/.test(html));
  assert.equal((html.match(/<script/g) ?? []).length, 1);
});

test('nonces are fresh base64 and URIs are escaped', () => {
  const a = makeNonce(), b = makeNonce();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9+/]{22}==$/);
  assert.throws(() => dashboardHtml({ cspSource: SRC, nonce: '"><script>', scriptUri: 'x', styleUri: 'y' }));
  const html = dashboardHtml({ cspSource: SRC, nonce: a, scriptUri: 'x"><img src=y onerror=alert(1)>', styleUri: 'y' });
  assert.ok(!html.includes('<img'));
  assert.equal(escapeHtml(`<a href="x">'&\``), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#96;');
});

test('the webview code never turns strings into markup', () => {
  const dir = path.resolve(__dirname, '../../webview');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 5);
  for (const f of files) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'createContextualFragment', 'DOMParser', "setAttribute('style'", 'eval(', 'new Function']) {
      assert.ok(!src.includes(sink), `${f} uses ${sink}`);
    }
  }
});
