/** Reads `api.allowed_hosts`: the DNS names the status API answers to besides IPs and localhost. */

import { type Checker, describe } from "./check.ts";

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Validates `api.allowed_hosts`, e.g. `[streampulse.lan]`: bare host names (no scheme, port or
 * path), lower-cased, a trailing dot dropped. Absent: an empty list.
 */
export function parseAllowedHosts(
  value: unknown,
  c: Checker,
  path = "api.allowed_hosts",
): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    c.error(path, `must be a list of host names, got ${describe(value)}`);
    return [];
  }
  const out: string[] = [];
  value.forEach((v, i) => {
    const name = typeof v === "string" ? v.trim().toLowerCase().replace(/\.$/, "") : "";
    if (name.length > 0 && name.length <= 253 && name.split(".").every((l) => LABEL.test(l))) {
      out.push(name);
    } else {
      const shown = typeof v === "string" ? `"${v.slice(0, 100)}"` : describe(v);
      c.error(`${path}[${i}]`, `${shown} is not a host name (write e.g. streampulse.lan, no port)`);
    }
  });
  return out;
}
