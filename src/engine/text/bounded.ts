/**
 * Bounds on what a checkpoint puts into its report. Warnings and metadata come from the file (a
 * warning per odd entry, a metadata value per key), so a crafted file could make them as large as
 * it likes: one memoized 1 MiB string referenced by 700 metadata keys made 315 MB of JSON, and
 * `Invalid string length` when printed. They are bounded where the analysis is assembled
 * (analyze-checkpoint.ts), so the JSON report, the editor and the terminal all get the same
 * bounded lists:
 *  - warnings: duplicates dropped, each at most MAX_WARNING_CHARS, at most MAX_WARNINGS of them
 *    (then one line saying how many more there were);
 *  - metadata: at most MAX_METADATA_KEYS keys of at most MAX_KEY_CHARS, string values cut to
 *    MAX_VALUE_CHARS (then one `…` key saying how many were left out).
 */
export const MAX_WARNINGS = 50;
export const MAX_WARNING_CHARS = 1000;
export const MAX_METADATA_KEYS = 64;
export const MAX_KEY_CHARS = 128;
export const MAX_VALUE_CHARS = 1000;

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;
}

/** Warnings deduplicated (in first-seen order), each cut, at most MAX_WARNINGS plus a count of the rest. */
export function boundWarnings(list: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  let more = 0;
  for (const w of list) {
    const s = cut(String(w), MAX_WARNING_CHARS);
    if (seen.has(s)) continue;
    seen.add(s);
    if (out.length < MAX_WARNINGS) out.push(s);
    else more++;
  }
  if (more > 0) out.push(`… and ${more} more warning${more === 1 ? '' : 's'} not listed`);
  return out;
}

export type MetaValue = string | number | boolean | null;

/** Metadata with at most MAX_METADATA_KEYS short keys and cut string values; a `…` key counts the rest. */
export function boundMetadata(meta: Readonly<Record<string, MetaValue>>): Record<string, MetaValue> {
  const out: Record<string, MetaValue> = {};
  let kept = 0;
  let more = 0;
  for (const k of Object.keys(meta)) {
    if (kept >= MAX_METADATA_KEYS) {
      more++;
      continue;
    }
    const v = meta[k];
    // defineProperty: a key such as '__proto__' stays an ordinary key.
    Object.defineProperty(out, cut(k, MAX_KEY_CHARS), { value: typeof v === 'string' ? cut(v, MAX_VALUE_CHARS) : v, enumerable: true, writable: true, configurable: true });
    kept++;
  }
  if (more > 0) out['…'] = `${more} more metadata key${more === 1 ? '' : 's'} not listed`;
  return out;
}
