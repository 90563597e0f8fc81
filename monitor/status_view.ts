/** Pure builders of the API's JSON shapes (shared by the status API, MQTT and the dashboard). */

import { maskUrl } from "../monitor/redact.ts";
import { formatInZone } from "../monitor/time.ts";
import type { CheckRecord, StreamConfig, StreamStatus } from "../monitor/types.ts";

/** One entry of `GET /api/status`: the Python project's fields first, then StreamPulse's. */
export interface StatusEntry {
  /** Time of the last check, ISO-8601 in the configured time zone; null before the first. */
  ts: string | null;
  /** The last check passed ("ok") or not ("fail"); null before the first check. */
  status: "ok" | "fail" | null;
  /** Latency of the last check in ms. */
  latency: number | null;
  message: string;
  state: StreamStatus["state"];
  /** Since when `state` holds, ISO-8601 in the configured time zone. */
  since: string;
  kind: string;
  enabled: boolean;
  /** Share of passed checks over the last 24 h (0–1), null without data. */
  uptime_24h: number | null;
  details: Record<string, unknown>;
}

/** Builds a status entry. */
export function statusEntry(
  stream: StreamConfig,
  st: StreamStatus,
  timeZone: string,
  uptime24h: number | null,
): StatusEntry {
  const last = st.last;
  return {
    ts: last ? formatInZone(last.ts, timeZone) : null,
    status: last ? (last.ok ? "ok" : "fail") : null,
    latency: last ? last.latencyMs : null,
    message: last ? last.message : stream.enabled ? "not checked yet" : "disabled",
    state: st.state,
    since: formatInZone(st.since, timeZone),
    kind: st.kind,
    enabled: stream.enabled,
    uptime_24h: uptime24h,
    details: last?.details ?? {},
  };
}

/** One entry of `GET /api/streams`: the stream's settings with its URL masked. */
export function streamEntry(stream: StreamConfig, st: StreamStatus | undefined) {
  return {
    name: stream.name,
    url: maskUrl(stream.url),
    kind: st?.kind ?? stream.kind ?? null,
    enabled: stream.enabled,
    interval_seconds: stream.intervalSeconds,
    timeout_seconds: stream.timeoutSeconds,
    tags: stream.tags,
    tls_insecure: stream.tlsInsecure,
    state: st?.state ?? "unknown",
  };
}

/** One history row of `GET /api/streams/:name/history`. */
export function historyEntry(rec: CheckRecord, timeZone: string) {
  return {
    ts: formatInZone(rec.ts, timeZone),
    status: rec.ok ? "ok" : "fail",
    state: rec.state,
    latency: rec.latencyMs,
    message: rec.message,
    details: rec.details,
  };
}
