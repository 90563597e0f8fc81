/** Which reloads a running process refuses, or applies with a warning (pure). */

import type { Config, ConfigProblem } from "./parse.ts";
import type { YamlMap } from "./check.ts";

/** What {@link judgeReload} decided. */
export interface ReloadVerdict {
  /** Non-empty: keep the running config; each entry names what the new file lost. */
  refuse: ConfigProblem[];
  /** Applied, but said loudly (log warning and `/api/health` `config.notice`). */
  notice: string | null;
}

const RESTART = "put it back, or restart StreamPulse to run without it (a half-written or " +
  "truncated file looks the same, so a running process never opens up on its own)";

const AT_START = "read at start only: put it back, or restart StreamPulse to use the new value";

/**
 * `database:` and, in fleet mode, `node:` are read once at start (the store's connection, the
 * node's membership row): a reload that changes them is refused rather than half applied.
 */
function fleetChanges(prev: Config, next: Config): ConfigProblem[] {
  if (prev.database !== next.database) {
    // Never quote either URL: both hold a password.
    return [{ path: "database", message: `changed; ${AT_START}` }];
  }
  if (prev.database === undefined) return [];
  const keys = [
    ["name", "name"],
    ["site", "site"],
    ["lease_seconds", "leaseMs"],
    ["renew_seconds", "renewMs"],
  ] as const;
  const shown = (v: string | number) => typeof v === "number" ? String(v / 1000) : `"${v}"`;
  return keys.filter(([, f]) => prev.node[f] !== next.node[f]).map(([k, f]) => ({
    path: `node.${k}`,
    message: `changed from ${shown(prev.node[f])} to ${shown(next.node[f])}; ${AT_START}`,
  }));
}

/** The mapping at `key` of a raw tree, or undefined when absent or empty. */
function block(raw: YamlMap, key: string): YamlMap | undefined {
  const v = raw[key];
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  return Object.keys(v).length > 0 ? v as YamlMap : undefined;
}

const set = (m: YamlMap | undefined, key: string) =>
  m !== undefined && m[key] !== undefined && m[key] !== null && m[key] !== "";

/**
 * Judges a valid new config against the running one. A reload must never widen access by
 * losing something, because a truncated, half-written or wrong file loses things too:
 *
 * | the running config had…                | the new file…              | outcome                |
 * | -------------------------------------- | -------------------------- | ---------------------- |
 * | an `api:` / `web:` block               | has none, and so the host  | refused                |
 * |                                        | or port would change       |                        |
 * | `api.host` / `web.host` (not 0.0.0.0)  | does not set it            | refused                |
 * | `api.token`                            | does not set it            | refused                |
 * | `database:` (or none)                  | changes it                 | refused                |
 * | `database:`, and `node:` values        | changes one                | refused                |
 * | N > 0 streams                          | has 0 streams              | applied, with a notice |
 * | anything else                          |                            | applied                |
 *
 * Changing a value (a new token, `host: 0.0.0.0` written out) is an edit, not a loss: applied.
 * Dropping a block that only repeated the defaults changes nothing: applied. At start there is
 * no running config, so a restart applies any valid file.
 */
export function judgeReload(prev: Config, next: Config): ReloadVerdict {
  const refuse: ConfigProblem[] = [];
  for (const key of ["api", "web"] as const) {
    const [was, now] = [prev[key], next[key]];
    const moved = was.host !== now.host || was.port !== now.port;
    if (block(prev.raw, key) && !block(next.raw, key) && moved) {
      refuse.push({
        path: key,
        message: `the block was removed (it set ${was.host}:${was.port}; the defaults would ` +
          `listen on ${now.host}:${now.port}); ${RESTART}`,
      });
    } else if (set(block(prev.raw, key), "host") && !set(block(next.raw, key), "host")) {
      if (was.host !== now.host) {
        refuse.push({
          path: `${key}.host`,
          message: `was removed (it was ${was.host}; the default is ${now.host}); ${RESTART}`,
        });
      }
    }
  }
  refuse.push(...fleetChanges(prev, next));
  if (prev.api.token && !next.api.token) {
    refuse.push({ path: "api.token", message: `was removed; ${RESTART}` });
  }
  const n = prev.streams.length;
  const notice = n > 0 && next.streams.length === 0
    ? `the reload removed all ${n} stream${n === 1 ? "" : "s"}: nothing is monitored until ` +
      "streams are added back"
    : null;
  return { refuse, notice };
}
