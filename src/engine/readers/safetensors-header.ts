/**
 * The safetensors header, entry by entry. JSON.parse of the whole header builds every entry's
 * object at once: for a header of a million small tensors (83 MB) that is several hundred MB alive
 * together, far past 2 × the file. Here the header's top-level object is scanned in place over its
 * bytes; each entry's value alone is parsed (a short-lived object) and handed to `onEntry`, so only
 * what the reader keeps stays in memory.
 *
 * The scan follows RFC 8259 for the top level (strings with escapes, nested values skipped by
 * bracket depth); an entry's value is then checked by JSON.parse itself. Anything malformed is an
 * Error saying where, which the reader restates against the file.
 */

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

export class HeaderSyntaxError extends Error {}

/** Calls `onEntry(key, value)` for each member of the header's top-level object, in order. */
export function scanHeader(bytes: Uint8Array, onEntry: (key: string, value: unknown) => void): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = buf.length;
  let i = 0;
  const fail = (what: string): never => {
    throw new HeaderSyntaxError(`${what} at byte ${i} of the header`);
  };
  const ws = (): void => {
    while (i < n && WS.has(buf[i])) i++;
  };
  /** End (exclusive) of the string token starting at `i` (a quote). */
  const stringEnd = (): number => {
    let j = i + 1;
    for (;;) {
      const q = buf.indexOf(0x22, j);
      if (q < 0) return fail('unterminated string');
      // An escaped quote has an odd run of backslashes before it.
      let k = q - 1;
      while (k > i && buf[k] === 0x5c) k--;
      if ((q - 1 - k) % 2 === 0) return q + 1;
      j = q + 1;
    }
  };
  /** Skips any value starting at `i`; returns its end. */
  const skipValue = (): number => {
    const c = buf[i];
    if (c === 0x22) return (i = stringEnd());
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      while (i < n) {
        const d = buf[i];
        if (d === 0x22) {
          i = stringEnd();
          continue;
        }
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          depth--;
          if (depth === 0) return ++i;
        }
        i++;
      }
      return fail('unterminated object or array');
    }
    while (i < n && !WS.has(buf[i]) && buf[i] !== 0x2c && buf[i] !== 0x7d && buf[i] !== 0x5d) i++;
    return i;
  };
  ws();
  if (buf[i] !== 0x7b) fail("expected '{'");
  i++;
  ws();
  if (buf[i] === 0x7d) {
    i++;
  } else {
    for (;;) {
      ws();
      if (buf[i] !== 0x22) fail('expected a string key');
      const ks = i;
      const ke = stringEnd();
      const raw = buf.toString('utf8', ks, ke);
      let key: string;
      try {
        // Decoded on its own (not a slice of `raw`, which would keep `raw` alive with it).
        key = raw.includes('\\') ? (JSON.parse(raw) as string) : buf.toString('utf8', ks + 1, ke - 1);
      } catch {
        return fail('bad escape in a key');
      }
      i = ke;
      ws();
      if (buf[i] !== 0x3a) fail("expected ':'");
      i++;
      ws();
      const vs = i;
      const ve = skipValue();
      let value: unknown;
      try {
        value = JSON.parse(buf.toString('utf8', vs, ve));
      } catch (e) {
        i = vs;
        return fail(`the value of '${key.slice(0, 60)}' is not valid JSON (${(e as Error).message})`);
      }
      onEntry(key, value);
      ws();
      if (buf[i] === 0x2c) {
        i++;
        continue;
      }
      if (buf[i] === 0x7d) {
        i++;
        break;
      }
      fail("expected ',' or '}'");
    }
  }
  ws();
  if (i !== n) fail('trailing characters after the header object');
}
