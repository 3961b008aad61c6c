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

/** One collator for every comparison: localeCompare with options builds one per call (300k names sorted took minutes). */
const NATURAL = new Intl.Collator('en', { numeric: true });

/** Natural order of names: features.2 before features.10. */
export function naturalCompare(a: string, b: string): number {
  return NATURAL.compare(a, b);
}
