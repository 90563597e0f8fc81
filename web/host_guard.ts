/** Refuses requests whose Host is a DNS name nobody allowed: the defence against DNS rebinding. */

import type { MiddlewareHandler } from "hono";

/** The host of a Host header, lower-cased, without port or trailing dot; undefined if malformed. */
export function hostOf(header: string): string | undefined {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    const rest = h.slice(end + 1);
    if (end < 0 || (rest !== "" && !/^:\d{1,5}$/.test(rest))) return undefined;
    return h.slice(0, end + 1);
  }
  const colon = h.indexOf(":");
  if (colon >= 0 && (h.indexOf(":", colon + 1) >= 0 || !/^\d{1,5}$/.test(h.slice(colon + 1)))) {
    return undefined;
  }
  const name = (colon >= 0 ? h.slice(0, colon) : h).replace(/\.$/, "");
  return name === "" ? undefined : name;
}

/** True for a dotted-quad IPv4 or a bracketed IPv6 literal. */
export function isIpLiteral(host: string): boolean {
  if (host.startsWith("[")) return /^\[[0-9a-f:.]*:[0-9a-f:.]*\]$/.test(host);
  const parts = host.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * True when a request for `header` may be answered: an IP literal, `localhost`, or a name in
 * `allowed` (lower case, as the config stores them). A page that rebinds its own DNS name to
 * this machine still sends that name in Host, so refusing unknown names keeps its script from
 * reading the answers. IP literals cannot be rebound: a page on an IP origin is already here.
 */
export function isAllowedHost(header: string, allowed: readonly string[]): boolean {
  const host = hostOf(header);
  if (host === undefined) return false;
  return isIpLiteral(host) || host === "localhost" || allowed.includes(host);
}

/**
 * Answers 421 with a JSON `{error}` to a request whose Host is not allowed (see
 * {@link isAllowedHost}). `skip` lets through requests the dashboard forwards: it has judged them.
 */
export function hostGuard(
  allowed: () => readonly string[],
  skip: (env: unknown) => boolean = () => false,
): MiddlewareHandler {
  return async (c, next) => {
    if (skip(c.env)) return await next();
    const header = c.req.header("host") ?? new URL(c.req.url).host;
    if (isAllowedHost(header, allowed())) return await next();
    const shown = JSON.stringify(header.slice(0, 100));
    return c.json({
      error: `Host ${shown} is not allowed on the status API: use an IP address or localhost, ` +
        "or add the name to api.allowed_hosts",
    }, 421);
  };
}
