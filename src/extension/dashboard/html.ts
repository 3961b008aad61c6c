/**
 * The dashboard webview's HTML page: a strict Content Security Policy (scripts only with the
 * page's nonce, styles only from the extension or with the nonce, no remote anything), the
 * bundled script and stylesheet. Everything else is built by the script. No editor API here, so
 * the page can be tested outside VS Code.
 */
import { randomBytes } from 'node:crypto';

export interface DashboardHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** webview.asWebviewUri of dist/webview.js and media/dashboard.css, as strings. */
  scriptUri: string;
  styleUri: string;
}

/** Escapes text for an HTML attribute value or text node. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!);
}

/** A fresh nonce per page: 128 random bits, base64. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function dashboardHtml(o: DashboardHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=]+$/.test(o.nonce)) throw new Error('nonce must be base64');
  const csp = contentSecurityPolicy(o.cspSource, o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${o.nonce}" href="${escapeHtml(o.styleUri)}">
<title>Training Dynamics</title>
</head>
<body>
<script nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}
