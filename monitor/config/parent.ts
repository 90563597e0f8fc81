/** Reads a stream's `site` and `parent` keys, and checks the parent links of all streams. */

import type { Checker, YamlMap } from "./check.ts";
import type { StreamConfig } from "../types.ts";

/** Longest `site` or `parent` accepted (as for stream names). */
const MAX_NAME = 200;
/** Names shown in a cycle's message before "…". */
const SHOWN = 10;

/** The optional `site` and `parent` of one stream entry; absent or empty keys stay absent. */
export function parseLinkKeys(m: YamlMap, path: string, c: Checker): Partial<StreamConfig> {
  const out: Partial<StreamConfig> = {};
  for (const key of ["site", "parent"] as const) {
    const v = c.string(m, key, path)?.trim();
    if (!v) continue;
    if (v.length > MAX_NAME) c.error(`${path}.${key}`, `must be at most ${MAX_NAME} characters`);
    else out[key] = v;
  }
  return out;
}

/**
 * Checks every `parent`: it names another stream of the file, not the stream itself, and no
 * chain of parents comes back to where it started (each stream of such a cycle gets the error).
 * `index` gives each stream's place in `streams:`; `written` holds every name written there,
 * so a parent naming an entry that is itself invalid is not reported twice.
 */
export function checkParents(
  streams: readonly StreamConfig[],
  c: Checker,
  opts: { index: ReadonlyMap<string, number>; written: ReadonlySet<string> },
): void {
  const byName = new Map(streams.map((s) => [s.name, s]));
  const at = (s: StreamConfig) => `streams[${opts.index.get(s.name)}].parent`;
  const linked = new Map<string, string>(); // name → parent, for links that point somewhere valid
  for (const s of streams) {
    if (s.parent === undefined) continue;
    if (s.parent === s.name) {
      c.inStream(s.name, () => c.error(at(s), "must name another stream, not this one"));
    } else if (byName.has(s.parent)) linked.set(s.name, s.parent);
    else if (!opts.written.has(s.parent)) {
      c.inStream(s.name, () => c.error(at(s), `no stream named ${JSON.stringify(s.parent)}`));
    }
  }
  // Each stream has at most one parent: walk each chain once, colouring streams as done.
  const done = new Set<string>();
  const inCycle: string[][] = [];
  for (const start of linked.keys()) {
    const walk: string[] = [];
    const onWalk = new Set<string>(); // a Set, so a chain of 70,000 streams stays linear
    let name: string | undefined = start;
    while (name !== undefined && !done.has(name) && !onWalk.has(name)) {
      walk.push(name);
      onWalk.add(name);
      name = linked.get(name);
    }
    if (name !== undefined && onWalk.has(name)) inCycle.push(walk.slice(walk.indexOf(name)));
    for (const n of walk) done.add(n);
  }
  const errors: [StreamConfig, string][] = [];
  for (const cycle of inCycle) {
    for (let i = 0; i < cycle.length; i++) {
      const from = [...cycle.slice(i), ...cycle.slice(0, i)];
      const shown = from.length > SHOWN ? [...from.slice(0, SHOWN), "…"] : [...from, from[0]];
      errors.push([byName.get(cycle[i])!, `is part of a cycle: ${shown.join(" → ")}`]);
    }
  }
  errors.sort(([a], [b]) => opts.index.get(a.name)! - opts.index.get(b.name)!);
  for (const [s, message] of errors) c.inStream(s.name, () => c.error(at(s), message));
}
