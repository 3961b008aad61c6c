/** Tensor-name conventions shared by the readers (wrapper prefixes of state dicts, natural name order). */

/** Prefixes wrappers add to every key: Lightning's `model.`, DataParallel's `module.`, torch.compile's `_orig_mod.`. */
const WRAPPER_PREFIXES = ['model.', 'module.', 'net.', 'network.', '_orig_mod.'];

export function stripWrapperPrefixes(names: string[]): { names: string[]; stripped: string } {
  let stripped = '';
  for (;;) {
    const p = WRAPPER_PREFIXES.find((pre) => names.length > 0 && names.every((n) => n.startsWith(pre)));
    if (!p) return { names, stripped };
    names = names.map((n) => n.slice(p.length));
    stripped += p;
  }
}

/** Natural order of names: features.2 before features.10. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
