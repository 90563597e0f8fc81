/** Removes credentials from URLs and free text before they reach logs, the API or MQTT. */

// One linear scan, no regex: camera-controlled text (playlists, SDP, headers) reaches these
// functions, and the backtracking regex this replaced took seconds on 60,000 characters.

const SLASH = 47;
const QUESTION = 63;
const HASH = 35;
const AT = 64;

/** Where one authority (the part after `//`) ends, and its last `@` (-1 when none). */
function scanAuthority(text: string, start: number): { end: number; at: number } {
  let at = -1;
  let end = start;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    // WHATWG: the authority ends at "/", "?" or "#" ("\" too, for http(s) only: not treated as
    // an end here, so such a URL is masked a little wider rather than leaking).
    if (c === SLASH || c === QUESTION || c === HASH) break;
    if (c === AT) at = end;
  }
  return { end, at };
}

/** The index just past the next `://` at or after `from`, or -1. */
function afterSeparator(text: string, from: number): number {
  const i = text.indexOf("://", from);
  return i < 0 ? -1 : i + 3;
}

/** Options of {@link maskUrl}. */
export interface MaskOptions {
  /**
   * The text was cut short: an authority running to its end is masked whole, since the `@`
   * that would show its user-info may have been cut off.
   */
  cut?: boolean;
}

/**
 * Masks the user-info part of every URL in `text`: `rtsp://admin:pw@cam/live` →
 * `rtsp://***@cam/live`. User-info ends at the last `@` before the authority's end (the first
 * `/`, `?` or `#` after `://`), as the WHATWG URL parser reads it, so a raw space, tab or `@` in
 * a password is masked too. Works on text that is not a valid URL, in time linear in its length.
 */
export function maskUrl(text: string, opts: MaskOptions = {}): string {
  let out = "";
  let copied = 0;
  let start = text.startsWith("//") ? 2 : afterSeparator(text, 0);
  while (start >= 0) {
    const { end, at } = scanAuthority(text, start);
    const cutShort = opts.cut && end === text.length && end > start;
    if (at >= 0 || cutShort) {
      out += text.slice(copied, start) + "***";
      copied = cutShort ? end : at;
    }
    // From the authority's last character: in "a://b@c://d@e" the ":" of the second "://"
    // ends the first authority.
    start = afterSeparator(text, end - 1);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Bounds text to `max` characters (plus "…" when cut) and masks URL user-info in it. Cutting
 * comes first, so the work is bounded by `max` whatever the input's size, and masking knows the
 * text was cut (see {@link MaskOptions.cut}). Control characters become spaces.
 */
export function clipText(text: string, max: number): string {
  const cut = text.length > max;
  let out = maskUrl(cut ? text.slice(0, max) : text, { cut });
  if (out.length > max) out = out.slice(0, max); // "***" may have made it longer
  // deno-lint-ignore no-control-regex
  out = out.replace(/[\x00-\x1f\x7f]/g, " ");
  return cut ? `${out}…` : out;
}

/**
 * Masks URL credentials and every given secret (passwords from config) inside free text,
 * such as an error message that quotes the URL it failed on.
 */
export function redactText(text: string, secrets: Iterable<string> = []): string {
  let out = maskUrl(text);
  for (const secret of secrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join("***");
  }
  return out;
}

/**
 * The raw user-info of a URL (`user:pass` of `rtsp://user:pass@host/`), read like
 * {@link maskUrl} reads it, or undefined when it has none.
 */
export function userinfoOf(url: string): string | undefined {
  const sep = url.indexOf("://");
  if (sep < 0) return undefined;
  const { at } = scanAuthority(url, sep + 3);
  return at < 0 ? undefined : url.slice(sep + 3, at);
}

/** The password of a stream URL, decoded and raw, for scrubbing messages that might quote it. */
export function urlSecrets(url: string): string[] {
  const info = userinfoOf(url);
  const colon = info?.indexOf(":") ?? -1;
  if (!info || colon < 0) return [];
  const raw = info.slice(colon + 1);
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch { /* a stray "%" in a raw password: keep it as written */ }
  let parsed = "";
  try {
    parsed = new URL(url).password; // the parser's own encoding, as messages may quote it
  } catch { /* not a valid URL: the raw forms are all there is */ }
  return [...new Set([decoded, raw, parsed])].filter((x) => x.length >= 3);
}
