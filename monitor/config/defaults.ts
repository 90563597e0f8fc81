/** Reads `defaults:`: per-stream keys set once for every stream (a stream's own value wins). */

import { type Checker, type YamlMap } from "./check.ts";
import { streamSettings } from "./schema_streams.ts";
import { parseStreamKeys } from "./streams.ts";

/** Keys each stream must set itself: a default would give every stream the same one. */
const OWN_KEYS = ["name", "url", "id"];

/**
 * Validates `defaults:` once, problems at `defaults.<key>`, and returns the keys to put beneath
 * every stream's own: the per-stream keys of the schema that had no error. `name`, `url` and
 * `id` cannot be defaulted (an error); unknown keys are left to the schema check (a warning).
 */
export function parseDefaults(value: unknown, c: Checker, heartbeat: number): YamlMap {
  const path = "defaults";
  const m = c.map(value, path);
  for (const key of OWN_KEYS) {
    if (m[key] != null) {
      c.error(`${path}.${key}`, `cannot be set in defaults: each stream sets its own ${key}`);
    }
  }
  const settings = Object.keys(streamSettings).filter((k) => Object.hasOwn(m, k));
  const mark = c.mark();
  parseStreamKeys(Object.fromEntries(settings.map((k) => [k, m[k]])), path, c, {
    heartbeat,
    partial: true,
  });
  const bad = new Set(
    c.errors.slice(mark.errors).map((p) => /^defaults\.([^.[]+)/.exec(p.path)?.[1]),
  );
  return Object.fromEntries(settings.filter((k) => !bad.has(k)).map((k) => [k, m[k]]));
}
