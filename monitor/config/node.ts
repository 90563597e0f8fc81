/** Reads the fleet keys of config.yaml: `database:` (a credential) and `node:` (this node). */

import { type Checker, describe, join, type YamlMap } from "./check.ts";

/** This node as config.yaml describes it (`node:`), with its defaults. */
export interface NodeConfig {
  /** The node's name in the fleet (`node.name`; default: the host's name). */
  name: string;
  /** The site whose streams this node shares (`node.site`, default "default"). */
  site: string;
  /** How long a lease lasts without renewal (`node.lease_seconds`, default 5 s), in ms. */
  leaseMs: number;
  /** How often the lease is renewed (`node.renew_seconds`, default 1 s), in ms. */
  renewMs: number;
}

/** The defaults of `node:` (seconds), one source for the reader and the schema. */
export const NODE_DEFAULTS = { site: "default", leaseSeconds: 5, renewSeconds: 1 } as const;

/** The shortest lease or renewal interval accepted, in seconds. */
export const MIN_LEASE_SECONDS = 0.2;

/** The longest lease accepted, in seconds (a dead node keeps its streams this long). */
export const MAX_LEASE_SECONDS = 3600;

/** Longest `node.name` / `node.site` (as for stream names). */
const MAX_NAME = 200;

/** The schemes `database:` may use. */
export const DATABASE_SCHEMES = ["postgres", "postgresql"] as const;

/**
 * Validates `database:`: a `postgres://` or `postgresql://` URL with a host. The URL carries the
 * database password, so no message ever quotes it, not even in part (the scheme neither: a URL
 * pasted without one would show its user-info). Absent or null: undefined (SQLite).
 */
export function parseDatabaseUrl(value: unknown, c: Checker): string | undefined {
  if (value === undefined || value === null) return undefined;
  const expected = "a postgres:// or postgresql:// URL, e.g. postgres://user:password@host/db";
  if (typeof value !== "string") {
    // Not a string: no credential to leak, but say only what kind of value it is.
    const kind = Array.isArray(value) ? "a list" : typeof value === "object" ? "a mapping" : "";
    c.error("database", `must be ${expected}${kind ? `, got ${kind}` : ""}`);
    return undefined;
  }
  const url = value.trim();
  if (url === "") {
    c.error("database", `is empty; remove the key (SQLite) or write ${expected}`);
    return undefined;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || !(DATABASE_SCHEMES as readonly string[]).includes(scheme)) {
    c.error("database", `must be ${expected} (the value is not shown: it holds a password)`);
    return undefined;
  }
  // Not `new URL()`: npm:postgres also takes several hosts (`h1:5432,h2:5432`) and a socket
  // folder in `?host=`, which the URL parser refuses or ignores.
  const host = /^[a-z]+:\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(url)?.[1] ?? "";
  if (host === "" && !/[?&]host=./.test(url)) {
    c.error("database", "has no host (the value is not shown: it holds a password)");
    return undefined;
  }
  return url;
}

/** The node's name when config.yaml gives none: the host's name, or "streampulse". */
export type HostnameFn = () => string;

let cachedHostname: string | undefined;

/**
 * The host's name: Deno.hostname() (needs `--allow-sys=hostname`), else `$HOSTNAME` (Docker
 * sets it), else /etc/hostname, else "streampulse". Looked up once per process.
 */
export function defaultHostname(): string {
  if (cachedHostname !== undefined) return cachedHostname;
  const tries: Array<() => string | undefined> = [
    () => Deno.hostname(),
    () => Deno.env.get("HOSTNAME"),
    () => Deno.readTextFileSync("/etc/hostname"),
  ];
  for (const attempt of tries) {
    try {
      const name = attempt()?.trim();
      if (name) return cachedHostname = name.slice(0, MAX_NAME);
    } catch { /* no permission or no such source: try the next */ }
  }
  return cachedHostname = "streampulse";
}

/** Reads a seconds value of `node:` within [MIN_LEASE_SECONDS, MAX_LEASE_SECONDS]. */
function seconds(c: Checker, m: YamlMap, key: string, fallback: number): number {
  return c.number(m, key, "node", { fallback, min: MIN_LEASE_SECONDS, max: MAX_LEASE_SECONDS });
}

/** A non-empty name of at most {@link MAX_NAME} characters, or undefined after an error. */
function name(c: Checker, m: YamlMap, key: string): string | undefined {
  const path = join("node", key);
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" && typeof v !== "number") {
    c.error(path, `must be a string, got ${describe(v)}`);
    return undefined;
  }
  const s = String(v).trim();
  if (s === "") c.error(path, "must not be empty (remove the key for the default)");
  else if (s.length > MAX_NAME) c.error(path, `must be at most ${MAX_NAME} characters`);
  // deno-lint-ignore no-control-regex
  else if (/[\x00-\x1f\x7f]/.test(s)) c.error(path, "must not contain control characters");
  else return s;
  return undefined;
}

/**
 * Validates `node:`, e.g. `node: {name: site-a-1, site: site-a, lease_seconds: 5}`. The lease
 * must outlast two renewal intervals, so one late or lost renewal never ends it; both are at
 * least {@link MIN_LEASE_SECONDS}. Absent: the defaults, named after the host.
 */
export function parseNodeConfig(
  value: unknown,
  c: Checker,
  hostname: HostnameFn = defaultHostname,
): NodeConfig {
  const m = c.map(value, "node");
  const lease = seconds(c, m, "lease_seconds", NODE_DEFAULTS.leaseSeconds);
  const renew = seconds(c, m, "renew_seconds", NODE_DEFAULTS.renewSeconds);
  if (lease <= 2 * renew) {
    const where = m.lease_seconds === undefined || m.lease_seconds === null
      ? "node.renew_seconds"
      : "node.lease_seconds";
    c.error(
      where,
      `lease_seconds (${lease}) must be more than twice renew_seconds (${renew}): ` +
        "one late renewal would end the lease",
    );
  }
  return {
    name: name(c, m, "name") ?? hostname(),
    site: name(c, m, "site") ?? NODE_DEFAULTS.site,
    leaseMs: Math.round(lease * 1000),
    renewMs: Math.round(renew * 1000),
  };
}
