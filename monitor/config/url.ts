/** Checks a stream URL (length, control characters, scheme, host) and normalises its user-info. */

import type { Checker } from "./check.ts";
import { userinfoOf } from "../redact.ts";

/** URL schemes a stream may use. */
export const SUPPORTED_SCHEMES = ["rtsp", "rtsps", "http", "https"] as const;

/** Longest stream URL accepted (signed HLS URLs run to a few hundred characters). */
export const MAX_URL_LENGTH = 4096;

/**
 * Checks a stream URL: bounded length, no control characters, parseable, a supported scheme, a
 * host. Returns the URL to use (user-info normalised, see {@link normalizeUserinfo}), or
 * undefined after recording a problem. Never echoes the URL, which may hold credentials.
 */
export function checkUrl(url: string, path: string, c: Checker): string | undefined {
  if (url.length > MAX_URL_LENGTH) {
    c.error(path, `is ${url.length} characters long; at most ${MAX_URL_LENGTH} are allowed`);
    return undefined;
  }
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(url)) {
    // The URL parser drops tabs and line breaks silently, so the camera would get another
    // password than the one written: refuse rather than guess.
    c.error(path, "contains a control character (tab, line break…); percent-encode it (%09)");
    return undefined;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) {
    c.error(path, "is not a URL (expected e.g. rtsp://host/path)");
    return undefined;
  }
  if (!(SUPPORTED_SCHEMES as readonly string[]).includes(scheme)) {
    c.error(path, `scheme "${scheme}" is not supported (use ${SUPPORTED_SCHEMES.join(", ")})`);
    return undefined;
  }
  const normal = normalizeUserinfo(url);
  let parsed: URL;
  try {
    parsed = new URL(normal);
  } catch {
    c.error(path, "is not a valid URL");
    return undefined;
  }
  if (!parsed.hostname) {
    c.error(path, "has no host");
    return undefined;
  }
  return normal;
}

/**
 * Percent-encodes a raw space or `@` in a URL's user-info (`rtsp://a:b@c@h/` →
 * `rtsp://a:b%40c@h/`). The URL parser reads both forms alike (user-info ends at the last `@`),
 * so the camera gets the same credentials, while every other reader of the text (masking, logs,
 * people) sees one unambiguous user-info. The rest of the URL is left as written.
 */
export function normalizeUserinfo(url: string): string {
  const info = userinfoOf(url);
  if (info === undefined || !/[ @]/.test(info)) return url;
  const start = url.indexOf("://") + 3;
  const encoded = info.replaceAll(" ", "%20").replaceAll("@", "%40");
  return url.slice(0, start) + encoded + url.slice(start + info.length);
}
