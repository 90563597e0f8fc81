/** The secret parts of a channel's config, for masking them out of every answer. */

import { urlSecrets, userinfoOf } from "../../redact.ts";

/** Path segments and query values at least this long are taken for keys (webhook tokens). */
const MIN_KEY_CHARS = 12;

/**
 * The parts of `url` that may be credentials: the user-info (raw, decoded, and as a Basic
 * header value), the path with its query, and every long path segment or query value — a
 * Discord, Slack or Teams webhook URL is itself the key, and a Telegram URL carries the token.
 */
export function urlSecretParts(url: string): string[] {
  const out: string[] = [...urlSecrets(url)];
  const info = userinfoOf(url);
  if (info) {
    out.push(info);
    try {
      out.push(btoa(decodeURIComponent(info)));
    } catch { /* not Latin-1 or a stray "%": the raw forms are masked */ }
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return out.filter((s) => s.length >= 3);
  }
  const rest = parsed.pathname + parsed.search;
  if (rest.length >= MIN_KEY_CHARS) out.push(rest);
  for (const seg of parsed.pathname.split("/")) {
    if (seg.length >= MIN_KEY_CHARS) out.push(seg, safeDecode(seg));
  }
  for (const value of parsed.searchParams.values()) {
    if (value.length >= MIN_KEY_CHARS / 2) out.push(value, encodeURIComponent(value));
  }
  return [...new Set(out)].filter((s) => s.length >= 3);
}

/** Every form of a secret value a provider might quote: as given and URL-encoded. */
export function valueSecrets(...values: (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (!v) continue;
    out.push(v, encodeURIComponent(v));
  }
  return [...new Set(out)].filter((s) => s.length >= 3);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
