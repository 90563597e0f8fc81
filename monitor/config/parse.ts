/** Parses and validates config.yaml text into a Config (pure: no I/O, no defaults from the env). */

import { parseAlertsConfig } from "./alerts.ts";
import type { AlertsConfig } from "./alerts_types.ts";
import { parseAllowedHosts } from "./api.ts";
import { Checker, ConfigError, type ConfigProblem, describe, type YamlMap } from "./check.ts";
import { parseMediaKeys } from "./media.ts";
import { checkParents, parseLinkKeys } from "./parent.ts";
import { parseRtspKeys } from "./rtsp.ts";
import { parseTopLevel } from "./top.ts";
import { type MqttConfig, parseMqttConfig } from "./mqtt.ts";
import { parsePreviewConfig, type PreviewConfig } from "./web.ts";
import { userinfoOf } from "../redact.ts";
import { isValidTimeZone } from "../time.ts";
import { PROBE_KINDS, type ProbeKind, type StreamConfig } from "../types.ts";

export type { AlertsConfig } from "./alerts_types.ts";
export type { MqttConfig } from "./mqtt.ts";
export { ConfigError, type ConfigProblem, formatProblem, formatProblems } from "./check.ts";
export { KNOWN_TOP_LEVEL_KEYS } from "./top.ts";

/** URL schemes a stream may use. */
export const SUPPORTED_SCHEMES = ["rtsp", "rtsps", "http", "https"] as const;

/** The whole validated configuration. */
export interface Config {
  /** Seconds between checks of a stream (legacy `heartbeat_seconds`, default 10). */
  heartbeatSeconds: number;
  /** IANA time zone for timestamps in the legacy API fields (default UTC). */
  timezone: string;
  /** Days of raw check history to keep (default 30); hourly rollups are kept 400 days. */
  retentionDays: number;
  /** Most checks running at the same moment, over all streams. */
  maxConcurrentChecks: number;
  /** Most ffprobe/ffmpeg processes at once (`max_media_processes`; absent: the number of cores). */
  maxMediaProcesses?: number;
  /** `allowed_hosts`: DNS names the status API answers to (IPs and localhost always work). */
  api: { host: string; port: number; token?: string; allowedHosts: string[] };
  web: { host: string; port: number };
  streams: StreamConfig[];
  mqtt: MqttConfig;
  /** The dashboard's live preview (`preview.max_concurrent`, default 2). */
  preview: PreviewConfig;
  /** Alert channels, rules and maintenance windows (absent: none; read after `streams`). */
  alerts: AlertsConfig;
  /** Corrections made while loading (e.g. a value raised to its minimum). */
  warnings: ConfigProblem[];
  /** The parsed YAML tree, unknown keys included, for tools that need them. */
  raw: YamlMap;
}

/**
 * Parses config.yaml text. Throws {@link ConfigError} naming every problem, e.g.
 * `streams[2].url: scheme "ftp" is not supported`. Unknown keys are allowed (kept in `raw`) beside
 * at least one known key; an empty, non-mapping or keyless document is an error.
 */
export function parseConfig(text: string): Config {
  const c = new Checker();
  const root = parseTopLevel(text, c);
  const heartbeatSeconds = c.number(root, "heartbeat_seconds", "", {
    fallback: 10,
    min: 1,
    max: 86400,
  });
  const timezone = c.string(root, "timezone", "") ?? "UTC";
  if (!isValidTimeZone(timezone)) c.error("timezone", `unknown time zone "${timezone}"`);
  const api = c.map(root.api, "api");
  const web = c.map(root.web, "web");
  const base: Omit<Config, "alerts"> = {
    heartbeatSeconds,
    timezone,
    retentionDays: c.number(root, "retention_days", "", { fallback: 30, min: 1, max: 3650 }),
    maxConcurrentChecks: c.number(root, "max_concurrent_checks", "", {
      fallback: 256,
      min: 1,
      max: 10000,
      integer: true,
    }),
    api: {
      host: c.string(api, "host", "api") ?? "0.0.0.0",
      port: c.port(api, "port", "api", 7000),
      token: c.string(api, "token", "api") || undefined,
      allowedHosts: parseAllowedHosts(api.allowed_hosts, c),
    },
    web: {
      host: c.string(web, "host", "web") ?? "0.0.0.0",
      port: c.port(web, "port", "web", 8000),
    },
    maxMediaProcesses: root.max_media_processes === undefined
      ? undefined
      : c.number(root, "max_media_processes", "", { fallback: 2, min: 1, max: 256, integer: true }),
    streams: parseStreams(root.streams, c, heartbeatSeconds),
    mqtt: parseMqttConfig(root.mqtt, c),
    preview: parsePreviewConfig(root.preview, c),
    warnings: c.warnings,
    raw: root,
  };
  const config: Config = {
    ...base,
    alerts: parseAlertsConfig(root.alerts, c, base.streams, {
      timezone: isValidTimeZone(timezone) ? timezone : undefined,
    }),
  };
  if (c.errors.length > 0) throw new ConfigError(c.errors);
  if (config.maxMediaProcesses === undefined) delete config.maxMediaProcesses;
  return config;
}

function parseStreams(value: unknown, c: Checker, heartbeat: number): StreamConfig[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    c.error("streams", `must be a list, got ${describe(value)}`);
    return [];
  }
  const seen = new Map<string, number>();
  const out: StreamConfig[] = [];
  value.forEach((item, i) => {
    const path = `streams[${i}]`;
    const s = parseStream(item, path, c, heartbeat);
    if (!s) return;
    const first = seen.get(s.name);
    if (first !== undefined) {
      c.inStream(
        s.name,
        () => c.error(`${path}.name`, `duplicate name "${s.name}" (also streams[${first}])`),
      );
      return;
    }
    seen.set(s.name, i);
    out.push(s);
  });
  const written = new Set(value.map((item) => String((item as YamlMap | null)?.name ?? "").trim()));
  checkParents(out, c, { index: seen, written });
  return out;
}

/**
 * Validates one stream entry; returns undefined when it has errors (already recorded). Problems
 * after the name carry it as `stream` (a missing or over-long name names nothing).
 */
function parseStream(
  item: unknown,
  path: string,
  c: Checker,
  heartbeat: number,
): StreamConfig | undefined {
  if (item === null || typeof item !== "object" || Array.isArray(item)) {
    c.error(path, `must be a mapping with name and url, got ${describe(item)}`);
    return undefined;
  }
  const m = item as YamlMap;
  const before = c.errors.length;
  const name = c.string(m, "name", path)?.trim();
  if (!name) c.error(`${path}.name`, "is required");
  else if (name.length > 200) c.error(`${path}.name`, "must be at most 200 characters");
  const named = name && name.length <= 200 ? name : undefined;
  const keys = c.inStream(named, () => parseStreamKeys(m, path, c, heartbeat));
  return c.errors.length === before ? { name: name ?? "", ...keys } : undefined;
}

/** The keys of a stream entry after its name (problems recorded in `c`). */
function parseStreamKeys(
  m: YamlMap,
  path: string,
  c: Checker,
  heartbeat: number,
): Omit<StreamConfig, "name"> {
  let url = c.string(m, "url", path)?.trim();
  if (!url) c.error(`${path}.url`, "is required");
  else url = checkUrl(url, `${path}.url`, c);
  const kind = c.string(m, "kind", path);
  if (kind !== undefined && !(PROBE_KINDS as readonly string[]).includes(kind)) {
    c.error(`${path}.kind`, `"${kind}" is not one of ${PROBE_KINDS.join(", ")}`);
  }
  const intervalSeconds = c.number(m, "interval_seconds", path, {
    fallback: heartbeat,
    min: 1,
    max: 86400,
  });
  const timeoutSeconds = c.number(m, "timeout_seconds", path, {
    fallback: Math.min(5, intervalSeconds),
    min: 0.1,
    max: 300,
  });
  const tags = parseTags(m.tags, `${path}.tags`, c);
  const stream: Omit<StreamConfig, "name"> = {
    url: url ?? "",
    enabled: c.bool(m, "enabled", path, true),
    kind: kind as ProbeKind | undefined,
    intervalSeconds,
    timeoutSeconds,
    tags,
    tlsInsecure: c.bool(m, "tls_insecure", path, false),
    ...parseMediaKeys(m, path, c),
    ...parseRtspKeys(m, path, c),
    ...parseLinkKeys(m, path, c),
  };
  if (stream.kind === undefined) delete stream.kind;
  return stream;
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
