/** Reads the `alerts:` block: base_url, group_seconds, channels, rules and maintenance windows. */

import { type Checker, describe, type YamlMap } from "./check.ts";
import { parseChannels } from "./alerts_channels.ts";
import {
  FILTER_KEYS,
  type Known,
  list,
  parseFilter,
  strings,
  unique,
  warnUnknown,
} from "./alerts_filter.ts";
import { checkHttpUrl } from "./alerts_reader.ts";
import type { AlertRule, AlertsConfig } from "./alerts_types.ts";
import { parseWindow } from "./alerts_windows.ts";
import type { StreamConfig } from "../types.ts";

/** Seconds within which failures of one host:port go out as one alert, when not set. */
export const DEFAULT_GROUP_SECONDS = 10;

const ALERTS_KEYS = ["base_url", "group_seconds", "channels", "rules", "maintenance"];
const RULE_KEYS = ["channels", "states", "after_seconds", "resolved", "remind_minutes"];
const STATES = ["down", "degraded"] as const;

/** Options of {@link parseAlertsConfig}. */
export interface AlertsParseOptions {
  /** The config's IANA time zone, in which cron windows run (absent or invalid: not passed on). */
  timezone?: string;
}

/**
 * Validates `alerts:`; absent gives no channels, no rules and no windows. Problems are recorded
 * in `c` at their YAML path (`alerts.rules[0].channels[1]: no channel named "pager"`); a filter
 * naming a stream that `streams` lacks is only a warning, as the stream may be added later.
 * Secret values (tokens, passwords, header values, URLs) are never quoted.
 */
export function parseAlertsConfig(
  value: unknown,
  c: Checker,
  streams: StreamConfig[],
  opts: AlertsParseOptions = {},
): AlertsConfig {
  const path = "alerts";
  const m = c.map(value, path);
  warnUnknown(m, path, ALERTS_KEYS, c);
  const baseUrl = parseBaseUrl(m, path, c);
  const { channels, names } = parseChannels(m.channels, c, `${path}.channels`);
  const streamNames = new Set(streams.map((s) => s.name));
  const config: AlertsConfig = {
    channels,
    rules: list(m.rules, `${path}.rules`, c).map(([item, at]) =>
      parseRule(item, at, { c, channels: names, streams: streamNames })
    ),
    groupSeconds: c.number(m, "group_seconds", path, {
      fallback: DEFAULT_GROUP_SECONDS,
      min: 0,
      max: 3600,
    }),
    maintenance: list(m.maintenance, `${path}.maintenance`, c).map(([item, at]) =>
      parseWindow(item, at, { c, streams: streamNames, timezone: opts.timezone })
    ),
  };
  if (baseUrl !== undefined) config.baseUrl = baseUrl;
  return config;
}

/** `base_url`: an http(s) URL without user-info, query or fragment; trailing "/" dropped. */
function parseBaseUrl(m: YamlMap, path: string, c: Checker): string | undefined {
  const raw = c.string(m, "base_url", path)?.trim();
  if (!raw) return undefined;
  const url = checkHttpUrl(raw, `${path}.base_url`, c);
  if (url === undefined) return undefined;
  const parsed = new URL(url);
  if (parsed.username || parsed.password) {
    c.error(
      `${path}.base_url`,
      "must not contain user:password@ (links in messages would show it)",
    );
  } else if (parsed.search || parsed.hash || url.includes("?") || url.includes("#")) {
    c.error(`${path}.base_url`, "must be a base URL without ? or #");
  } else return url.replace(/\/+$/, "");
  return undefined;
}

/** One rule: which channels, for which states, after how long, and for which streams. */
function parseRule(m: YamlMap, path: string, k: Known & { channels: Set<string> }): AlertRule {
  const { c } = k;
  warnUnknown(m, path, [...RULE_KEYS, ...FILTER_KEYS], c);
  const channels = strings(m, "channels", path, c);
  if (m.channels == null) c.error(`${path}.channels`, "is required (a list of channel names)");
  else if (channels.length === 0 && Array.isArray(m.channels)) {
    c.error(`${path}.channels`, "must name at least one channel");
  }
  for (const [name, at] of channels) {
    if (!k.channels.has(name)) c.error(at, `no channel named ${describe(name)}`);
  }
  const states = m.states == null ? [["down", ""] as const] : strings(m, "states", path, c);
  if (m.states != null && states.length === 0 && Array.isArray(m.states)) {
    c.error(`${path}.states`, `must name at least one of ${STATES.join(", ")}`);
  }
  for (const [state, at] of states) {
    if (!(STATES as readonly string[]).includes(state)) {
      c.error(at, `${describe(state)} is not one of ${STATES.join(", ")}`);
    }
  }
  return {
    channels: unique(channels),
    states: unique(states) as AlertRule["states"],
    ...parseFilter(m, path, k),
    afterSeconds: c.number(m, "after_seconds", path, { fallback: 0, min: 0, max: 86400 }),
    resolved: c.bool(m, "resolved", path, true),
    remindMinutes: c.number(m, "remind_minutes", path, { fallback: 0, min: 0, max: 10080 }),
  };
}
