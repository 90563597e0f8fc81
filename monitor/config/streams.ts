/** Reads `streams:`: each entry's keys (with `defaults:` beneath them), unique names and ids. */

import { type Checker, describe, type YamlMap } from "./check.ts";
import { parseMediaKeys } from "./media.ts";
import { checkParents, parseLinkKeys } from "./parent.ts";
import { parseRtspKeys } from "./rtsp.ts";
import { checkUrl } from "./url.ts";
import { PROBE_KINDS, type ProbeKind, type StreamConfig } from "../types.ts";

/** What every stream entry is read with. */
export interface StreamContext {
  /** `heartbeat_seconds`: the interval of a stream that sets none. */
  heartbeat: number;
  /** The valid keys of `defaults:`, beneath each stream's own. */
  defaults: YamlMap;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Validates `streams:` (absent: none); invalid entries are left out after recording why. */
export function parseStreams(value: unknown, c: Checker, ctx: StreamContext): StreamConfig[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    c.error("streams", `must be a list, got ${describe(value)}`);
    return [];
  }
  const seen = new Map<string, number>();
  const ids = new Map<string, [number, string]>();
  const out: StreamConfig[] = [];
  value.forEach((item, i) => {
    const path = `streams[${i}]`;
    const s = parseStream(item, path, c, ctx);
    if (!s) return;
    const first = seen.get(s.name);
    if (first !== undefined) {
      c.inStream(
        s.name,
        () => c.error(`${path}.name`, `duplicate name "${s.name}" (also streams[${first}])`),
      );
      return;
    }
    if (s.id !== undefined) {
      const other = ids.get(s.id);
      if (other !== undefined) {
        const also = `streams[${other[0]}] (${JSON.stringify(other[1])})`;
        c.inStream(s.name, () => c.error(`${path}.id`, `duplicate id "${s.id}" (also ${also})`));
        return;
      }
      ids.set(s.id, [i, s.name]);
    }
    seen.set(s.name, i);
    out.push(s);
  });
  const written = new Set(value.map((item) => String((item as YamlMap | null)?.name ?? "").trim()));
  checkParents(out, c, { index: seen, written });
  return out;
}

/**
 * Validates one stream entry with the defaults beneath its own keys; returns undefined when it
 * has errors (already recorded). A problem of a key the stream took from `defaults:` was
 * reported once at `defaults.<key>` and is not repeated here. Problems after the name carry it
 * as `stream` (a missing or over-long name names nothing).
 */
function parseStream(
  item: unknown,
  path: string,
  c: Checker,
  ctx: StreamContext,
): StreamConfig | undefined {
  if (item === null || typeof item !== "object" || Array.isArray(item)) {
    c.error(path, `must be a mapping with name and url, got ${describe(item)}`);
    return undefined;
  }
  const own = item as YamlMap;
  const m: YamlMap = { ...ctx.defaults, ...own };
  const inherited = Object.keys(ctx.defaults).filter((k) => !Object.hasOwn(own, k));
  const mark = c.mark();
  const name = c.string(m, "name", path)?.trim();
  if (!name) c.error(`${path}.name`, "is required");
  else if (name.length > 200) c.error(`${path}.name`, "must be at most 200 characters");
  const named = name && name.length <= 200 ? name : undefined;
  const keys = c.inStream(named, () => parseStreamKeys(m, path, c, { heartbeat: ctx.heartbeat }));
  const prefixes = inherited.map((k) => `${path}.${k}`);
  const under = (p: string, k: string) => p === k || (p.startsWith(k) && /[.[]/.test(p[k.length]));
  c.dropSince(mark, (p) => prefixes.some((k) => under(p.path, k)));
  return c.errors.length === mark.errors ? { name: name ?? "", ...keys } : undefined;
}

/**
 * The keys of a stream entry after its name (problems recorded in `c`). `url` is required unless
 * `partial` (the keys of `defaults:`, which has none).
 */
export function parseStreamKeys(
  m: YamlMap,
  path: string,
  c: Checker,
  o: { heartbeat: number; partial?: boolean },
): Omit<StreamConfig, "name"> {
  let url = c.string(m, "url", path)?.trim();
  if (!url) {
    if (!o.partial) c.error(`${path}.url`, "is required");
  } else url = checkUrl(url, `${path}.url`, c);
  const kind = c.string(m, "kind", path);
  if (kind !== undefined && !(PROBE_KINDS as readonly string[]).includes(kind)) {
    c.error(`${path}.kind`, `"${kind}" is not one of ${PROBE_KINDS.join(", ")}`);
  }
  const intervalSeconds = c.number(m, "interval_seconds", path, {
    fallback: o.heartbeat,
    min: 1,
    max: 86400,
  });
  const timeoutSeconds = c.number(m, "timeout_seconds", path, {
    fallback: Math.min(5, intervalSeconds),
    min: 0.1,
    max: 300,
  });
  const stream: Omit<StreamConfig, "name"> = {
    ...parseId(m, path, c),
    url: url ?? "",
    enabled: c.bool(m, "enabled", path, true),
    kind: kind as ProbeKind | undefined,
    intervalSeconds,
    timeoutSeconds,
    tags: parseTags(m.tags, `${path}.tags`, c),
    tlsInsecure: c.bool(m, "tls_insecure", path, false),
    ...parseMediaKeys(m, path, c),
    ...parseRtspKeys(m, path, c),
    ...parseLinkKeys(m, path, c),
  };
  if (stream.kind === undefined) delete stream.kind;
  return stream;
}

/** The optional `id`: 1–64 of `A-Za-z0-9_-` (uniqueness is checked over all streams). */
function parseId(m: YamlMap, path: string, c: Checker): { id?: string } {
  const id = c.string(m, "id", path)?.trim();
  if (id === undefined || id === "") return {};
  if (ID.test(id)) return { id };
  c.error(`${path}.id`, `must be 1–64 letters, digits, _ or -, got ${describe(id)}`);
  return {};
}

function parseTags(value: unknown, path: string, c: Checker): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((t) => typeof t === "string" || typeof t === "number")) {
    return value.map(String);
  }
  c.error(path, `must be a list of strings, got ${describe(value)}`);
  return [];
}
