/**
 * Text that came from a file, made safe to show. File names, tensor names, metadata and messages
 * are all chosen by whoever wrote the file: printed raw, an ESC or OSC sequence rewrites the
 * user's terminal (colours, title, hyperlinks, cleared screen), a newline forges a line of output
 * such as `error: ...`, and a 1 MiB name repeated in every message makes the report itself huge.
 *
 *  - `neutralize` shows every control character (C0, DEL, C1 including ESC and the 8-bit CSI/OSC,
 *    Unicode line/paragraph separators and bidirectional overrides) as a visible escape (`\x1b`,
 *    `\n`, `\u202e`), so the text stays on one line and means what it shows;
 *  - `safeText` does that and caps the length;
 *  - `preview` describes any value (a parsed header field, a shard path) in at most `max`
 *    characters without serializing it whole: never JSON.stringify a value from a file into a message.
 */

/** Control and format characters that change how a terminal draws or reads text. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `s` with every control character written as a visible escape. */
export function neutralize(s: string): string {
  return s.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) < 0x100 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Longest piece of file-chosen text printed as is. */
export const MAX_SHOWN_CHARS = 500;

/** `s` cut to `max` characters (saying how many were left out), then neutralized. */
export function safeText(s: unknown, max = MAX_SHOWN_CHARS): string {
  const text = typeof s === 'string' ? s : String(s);
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
  return neutralize(cut);
}

/** A short description of any value, never longer than about `max` characters. */
export function preview(v: unknown, max = 80): string {
  let out = '';
  const seen = new Set<unknown>();
  const put = (s: string): boolean => {
    out += s;
    return out.length < max;
  };
  const walk = (x: unknown, depth: number): boolean => {
    if (typeof x === 'string') return put(JSON.stringify(x.length > max ? x.slice(0, max) : x));
    if (typeof x === 'bigint') return put(x >= -(10n ** 30n) && x <= 10n ** 30n ? `${x}` : `an integer of about ${Math.ceil(x.toString(16).length / 2)} bytes`);
    if (x === null || typeof x !== 'object') return put(typeof x === 'function' ? 'a function' : String(x));
    if (seen.has(x) || depth > 4) return put('…');
    seen.add(x);
    if (ArrayBuffer.isView(x)) return put(`<${(x as Uint8Array).byteLength} bytes>`);
    if (x instanceof Map) return put(`a dict of ${x.size} entries`);
    if (Array.isArray(x)) {
      if (!put('[')) return false;
      for (let i = 0; i < x.length; i++) {
        if (i > 0 && !put(', ')) return false;
        if (!walk(x[i], depth + 1)) return false;
      }
      return put(']');
    }
    const proto = Object.getPrototypeOf(x);
    if (proto !== Object.prototype && proto !== null) return put(`a ${proto?.constructor?.name ?? 'value'}`);
    if (!put('{')) return false;
    let first = true;
    for (const k in x as Record<string, unknown>) {
      if (!first && !put(', ')) return false;
      first = false;
      if (!put(`${JSON.stringify(k.slice(0, max))}: `) || !walk((x as Record<string, unknown>)[k], depth + 1)) return false;
    }
    return put('}');
  };
  walk(v, 0);
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
