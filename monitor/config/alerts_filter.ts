/** Shared readers of `alerts:` rules and windows: stream filters, string lists, unknown keys. */

import { type Checker, describe, type YamlMap } from "./check.ts";
import type { StreamFilter } from "./alerts_types.ts";
import { suggestKey } from "./suggest.ts";

/** The filter keys a rule or maintenance window may have. */
export const FILTER_KEYS = ["streams", "tags", "site", "sites"];

/** What a reader checks names against, and where it records problems. */
export interface Known {
  /** Where problems go. */
  c: Checker;
  /** The names of the configured streams. */
  streams: Set<string>;
}

/** `streams`, `tags` and `site`/`sites` of a rule or window; unknown stream names warn. */
export function parseFilter(m: YamlMap, path: string, k: Known): StreamFilter {
  const streams = strings(m, "streams", path, k.c);
  for (const [name, at] of streams) {
    if (!k.streams.has(name)) {
      k.c.warn(at, `no stream named ${describe(name)} (yet); this filter matches nothing for it`);
    }
  }
  const sites = [...strings(m, "site", path, k.c), ...strings(m, "sites", path, k.c)];
  return {
    streams: unique(streams),
    tags: unique(strings(m, "tags", path, k.c)),
    sites: unique(sites),
  };
}

/** A string or a list of strings (numbers allowed), trimmed, each with its YAML path. */
export function strings(m: YamlMap, key: string, path: string, c: Checker): [string, string][] {
  const v = m[key];
  const at = `${path}.${key}`;
  if (v == null) return [];
  if (typeof v === "string" || typeof v === "number") return check([[String(v).trim(), at]], c);
  if (!Array.isArray(v)) {
    c.error(at, `must be a list of strings, got ${describe(v)}`);
    return [];
  }
  const out: [string, string][] = [];
  v.forEach((x, i) => {
    if (typeof x === "string" || typeof x === "number") out.push([String(x).trim(), `${at}[${i}]`]);
    else c.error(`${at}[${i}]`, `must be a string, got ${describe(x)}`);
  });
  return check(out, c);
}

/** Drops (and reports) empty and over-long entries. */
function check(items: [string, string][], c: Checker): [string, string][] {
  return items.filter(([s, at]) => {
    if (!s) c.error(at, "must not be empty");
    else if (s.length > 200) c.error(at, "must be at most 200 characters");
    else return true;
    return false;
  });
}

/** The distinct values of `items`, in order. */
export function unique(items: readonly (readonly [string, string])[]): string[] {
  return [...new Set(items.map(([s]) => s))];
}

/** The mappings of a list with their paths; absent is empty, anything else an error. */
export function list(value: unknown, path: string, c: Checker): [YamlMap, string][] {
  if (value == null) return [];
  if (!Array.isArray(value)) {
    c.error(path, `must be a list, got ${describe(value)}`);
    return [];
  }
  const out: [YamlMap, string][] = [];
  value.forEach((item, i) => {
    if (item !== null && typeof item === "object" && !Array.isArray(item)) {
      out.push([item as YamlMap, `${path}[${i}]`]);
    } else c.error(`${path}[${i}]`, `must be a mapping, got ${describe(item)}`);
  });
  return out;
}

/** Warns about each key of `m` not in `known` (kept, ignored), suggesting the nearest known one. */
export function warnUnknown(m: YamlMap, path: string, known: string[], c: Checker): void {
  for (const key of Object.keys(m)) {
    if (known.includes(key)) continue;
    const meant = suggestKey(key, known);
    c.warn(
      `${path}.${key.slice(0, 60)}`,
      meant === undefined
        ? `unknown key (ignored); use ${known.join(", ")}`
        : `unknown key — did you mean ${JSON.stringify(meant)}?`,
    );
  }
}
