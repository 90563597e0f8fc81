/** Small helpers the import parsers share: names derived from URLs, tag splitting. */

import { MAX_NAME } from "./types.ts";

/**
 * A readable camera name from a URL: host and path without credentials, query or fragment,
 * e.g. `rtsp://admin:pw@10.0.0.5:554/Streaming/Channels/101` → "10.0.0.5/Streaming/Channels/101".
 * Falls back to "camera" for text that is no URL.
 */
export function nameFromUrl(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)([^?#]*)/i.exec(url);
  if (!m) return "camera";
  const authority = m[1].slice(m[1].lastIndexOf("@") + 1);
  const path = m[2].replace(/\/+$/, "");
  return (authority + path || "camera").slice(0, MAX_NAME);
}

/** Tags from text separated by `;`, `,` or white space (empty ones dropped, duplicates once). */
export function splitTags(text: string): string[] {
  const out: string[] = [];
  for (const t of text.split(/[;,\s]+/)) if (t && !out.includes(t)) out.push(t.slice(0, 100));
  return out;
}

/** A name trimmed and cut to {@link MAX_NAME} characters. */
export function cleanName(name: string): string {
  return name.trim().replace(/\s+/g, " ").slice(0, MAX_NAME);
}

/** True when `text` starts like a URL with an authority (`scheme://`). */
export function looksLikeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

/** Env placeholders in a URL, Frigate-style: `{FRIGATE_RTSP_PASSWORD}` → ["FRIGATE_RTSP_PASSWORD"]. */
export function placeholdersOf(url: string): string[] {
  return [...url.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
}

/** The password of a URL, raw and decoded, for scrubbing messages that might quote it. */
export function secretsOf(url: string): string[] {
  try {
    const raw = new URL(url).password;
    if (!raw) return [];
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch { /* a stray % stays raw */ }
    return [raw, decoded];
  } catch {
    return [];
  }
}
