/** Small pieces several channels share: escaping, the pictures to send, the links of an alert. */

import type { Alert, Attachment } from "../types.ts";

export { clipChars, oneLine } from "../template_vars.ts";

/** Escapes the three characters HTML (and Telegram's and Matrix's HTML subsets) reserve. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The JPEG evidence to send, the failure frame first, at most one of each role. */
export function pictures(attachments: readonly Attachment[]): Attachment[] {
  const jpeg = attachments.filter((a) => a.contentType === "image/jpeg" && a.bytes.byteLength);
  const out: Attachment[] = [];
  for (const role of ["failure", "last"] as const) {
    const a = jpeg.find((x) => x.role === role);
    if (a) out.push(a);
  }
  return out;
}

/**
 * A file name safe in headers and multipart parts: letters, digits, `.`, `_` and `-` of the
 * attachment's name (at most 64), ending in `.jpg`; the role's name when nothing is left.
 */
export function pictureName(a: Attachment): string {
  const base = a.filename.replace(/\.jpe?g$/i, "").replace(/[^A-Za-z0-9._-]/g, "").slice(0, 60);
  return `${base || a.role}.jpg`;
}

/** The links of an alert that are set, labelled for people, in a fixed order. */
export function alertLinks(alert: Alert): { label: string; url: string }[] {
  const l = alert.links ?? {};
  const all: [string, string | undefined][] = [
    ["Dashboard", l.dashboard],
    ["Stream", l.stream],
    ["Failure snapshot", l.failureSnapshot],
    ["Last good snapshot", l.lastSnapshot],
  ];
  return all.filter((x): x is [string, string] => !!x[1]).map(([label, url]) => ({ label, url }));
}

/** The link a click on the notification should open: the stream's page, else the dashboard. */
export function clickLink(alert: Alert): string | undefined {
  return alert.links?.stream ?? alert.links?.dashboard;
}

/** True for the events that open or repeat an outage (down, degraded), not a recovery. */
export function isOutageStart(alert: Alert): boolean {
  return alert.event === "down" || alert.event === "degraded";
}

/** A value safe in an HTTP header: one line, no control characters, at most `max` characters. */
export function headerValue(text: string, max = 1000): string {
  // deno-lint-ignore no-control-regex
  const flat = text.replace(/[\x00-\x1f\x7f]+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max) : flat;
}

/** A short stable digest of an alert key (32 hex digits of SHA-256): retries reuse it as an id. */
export async function keyDigest(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(
    0,
    32,
  );
}
