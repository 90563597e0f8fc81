/** Typo suggestions for unknown keys: which known key a misspelt one most likely meant (pure). */

/** True when `key` is `known` in another case, or (for names of 5+ letters) one edit away. */
export function looksLike(key: string, known: string): boolean {
  const a = key.toLowerCase();
  if (a === known) return true;
  if (known.length < 5 || Math.abs(a.length - known.length) > 1) return false;
  return withinOneEdit(a, known);
}

/**
 * The known key `key` most likely meant, or undefined: the same name in another case or one edit
 * away ({@link looksLike}: `frezee_seconds` → `freeze_seconds`, `enable` → `enabled`; for
 * 4-letter names a substitution or swap: `prot` → `port`), a known key it begins (`heartbeat` →
 * `heartbeat_seconds`, `prio` → `priority`), the same words without or
 * with other separators (`intervalseconds`, `interval-seconds`), or two edits away for names of 8+
 * letters. Bounded: keys longer than 100 characters are never compared.
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (key.length > 100) return undefined;
  const a = key.toLowerCase();
  const bare = (s: string) => s.replace(/[_\-\s]/g, "");
  return known.find((k) => looksLike(a, k)) ??
    known.find((k) => k.length === 4 && a.length === 4 && withinOneEdit(a, k)) ??
    known.find((k) => k.startsWith(a) && a.length >= 4) ??
    known.find((k) => bare(k) === bare(a)) ??
    known.find((k) => k.length >= 8 && Math.abs(k.length - a.length) <= 2 && distance(a, k) <= 2);
}

/** One insertion, deletion, substitution or swap of neighbours turns `a` into `b`. */
function withinOneEdit(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const restA = a.slice(i + 1);
  const restB = b.slice(i + 1);
  if (a.length === b.length) {
    return restA === restB ||
      (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Optimal-string-alignment distance (edits, with swaps of neighbours counting as one). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
