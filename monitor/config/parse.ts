/** Parses and validates config.yaml text into a Config (pure: no I/O, no defaults from the env). */

import { parseAlertsConfig } from "./alerts.ts";
import type { AlertsConfig } from "./alerts_types.ts";
import { parseAllowedHosts } from "./api.ts";
import { Checker, ConfigError, type ConfigProblem, type YamlMap } from "./check.ts";
import { parseDefaults } from "./defaults.ts";
import { checkAgainstSchema } from "./schema_check.ts";
import { parseStreams } from "./streams.ts";
import { parseTopLevel } from "./top.ts";
import { type MqttConfig, parseMqttConfig } from "./mqtt.ts";
import { type HostnameFn, type NodeConfig, parseDatabaseUrl, parseNodeConfig } from "./node.ts";
import { parsePreviewConfig, type PreviewConfig } from "./web.ts";
import { isValidTimeZone } from "../time.ts";
import type { StreamConfig } from "../types.ts";

export type { AlertsConfig } from "./alerts_types.ts";
export type { MqttConfig } from "./mqtt.ts";
export type { NodeConfig } from "./node.ts";
export { ConfigError, type ConfigProblem, formatProblem, formatProblems } from "./check.ts";
export { KNOWN_TOP_LEVEL_KEYS } from "./top.ts";
export { checkUrl, MAX_URL_LENGTH, normalizeUserinfo, SUPPORTED_SCHEMES } from "./url.ts";

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
  /**
   * `database:`: the PostgreSQL URL of fleet mode (absent: SQLite). A credential: never put it
   * in API output, logs, HTML or health (show host:port/db only).
   */
  database?: string;
  /** `node:`: this node of a fleet (defaults apply without `database:` too). */
  node: NodeConfig;
  /** `allowed_hosts`: DNS names the status API answers to (IPs and localhost always work). */
  api: { host: string; port: number; token?: string; allowedHosts: string[] };
  web: { host: string; port: number };
  streams: StreamConfig[];
  mqtt: MqttConfig;
  /** The dashboard's live preview (`preview.max_concurrent`, default 2). */
  preview: PreviewConfig;
  /** Alert channels, rules and maintenance windows (absent: none; read after `streams`). */
  alerts: AlertsConfig;
  /**
   * Corrections made while loading (e.g. a value raised to its minimum) and unknown keys, each
   * with a suggestion when one is near (`streams[2].frezee_seconds: unknown key — did you mean
   * "freeze_seconds"?`).
   */
  warnings: ConfigProblem[];
  /** The parsed YAML tree, unknown keys included, for tools that need them. */
  raw: YamlMap;
}

/** Options of {@link parseConfig}. */
export interface ParseOptions {
  /** The node's name when `node.name` is absent (default: the host's name). */
  hostname?: HostnameFn;
}

/**
 * Parses config.yaml text. Throws {@link ConfigError} naming every problem, e.g.
 * `streams[2].url: scheme "ftp" is not supported` (with the stream's name). Unknown keys are
 * warnings (kept in `raw`) beside at least one known key; an empty, non-mapping or keyless
 * document is an error, and so is a top-level key one typo away from an absent known one.
 * `defaults:` sets per-stream keys beneath every stream's own; then the whole tree is checked
 * against the schema ({@link checkAgainstSchema}) for unknown keys and types.
 */
export function parseConfig(text: string, opts: ParseOptions = {}): Config {
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
  const database = parseDatabaseUrl(root.database, c);
  const base: Omit<Config, "alerts"> = {
    ...(database === undefined ? {} : { database }),
    node: parseNodeConfig(root.node, c, opts.hostname),
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
    streams: parseStreams(root.streams, c, {
      heartbeat: heartbeatSeconds,
      defaults: parseDefaults(root.defaults, c, heartbeatSeconds),
    }),
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
  checkAgainstSchema(root, c);
  if (c.errors.length > 0) throw new ConfigError(c.errors);
  if (config.maxMediaProcesses === undefined) delete config.maxMediaProcesses;
  return config;
}
