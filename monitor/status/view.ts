/** The JSON shapes of stream status, shared by the status API, MQTT and the dashboard. */

import { maskUrl } from "../redact.ts";
import { formatInZoneMs } from "../time.ts";
import type { CheckRecord, StreamConfig, StreamStatus } from "../types.ts";
import type { AvailabilitySource } from "./availability.ts";

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
  /**
   * Time-weighted availability ("reachable": up or degraded) over the last 24 h (0–1), the same
   * figure as `/api/sla?days=1`; 0 for a stream checked but never up, null before its first check.
   */
  uptime_24h: number | null;
  /**
   * The last check's details; for a stream with media checks also `verified_at` (the last good
   * picture judgement, ISO-8601 in the configured time zone, null before one) and
   * `media_overdue` (true while its media checks do not keep `media_check_seconds`).
   */
  details: Record<string, unknown>;
}

/** A stream's picture freshness as the media task tells it (absent: no media checks). */
export interface PictureFreshness {
  /** The last good picture judgement (ms since the epoch), null before one. */
  verifiedAt: number | null;
  /** From when the stream's media checks are overdue (ms since the epoch). */
  overdueAt: number;
  /** True while the stream's media checks are overdue (now past `overdueAt`). */
  overdue: boolean;
  /** Why the latest media check could not judge the picture ("picture not verified: …"), else null. */
  unverified?: string | null;
}

/** A stream's message: its last check's, else why there is none ("not checked yet", "disabled"). */
export function streamMessage(stream: Pick<StreamConfig, "enabled">, last?: CheckRecord): string {
  return last ? last.message : stream.enabled ? "not checked yet" : "disabled";
}

/** Builds a status entry. */
export function statusEntry(
  stream: StreamConfig,
  st: StreamStatus,
  timeZone: string,
  uptime24h: number | null,
  picture?: PictureFreshness,
): StatusEntry {
  const last = st.last;
  const details = last?.details ?? {};
  return {
    ts: last ? formatInZoneMs(last.ts, timeZone) : null,
    status: last ? (last.ok ? "ok" : "fail") : null,
    latency: last ? last.latencyMs : null,
    message: streamMessage(stream, last),
    state: st.state,
    since: formatInZoneMs(st.since, timeZone),
    kind: st.kind,
    enabled: stream.enabled,
    uptime_24h: uptime24h,
    details: picture
      ? {
        ...details,
        verified_at: picture.verifiedAt === null
          ? null
          : formatInZoneMs(picture.verifiedAt, timeZone),
        media_overdue: picture.overdue,
      }
      : details,
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
    ts: formatInZoneMs(rec.ts, timeZone),
    status: rec.ok ? "ok" : "fail",
    state: rec.state,
    latency: rec.latencyMs,
    message: rec.message,
    details: rec.details,
  };
}

/**
 * Availability ratios per stream over trailing windows, shared by the status API and the
 * dashboard rows: the one availability source's (availability.ts), or a part of it.
 */
export type UptimeCache =
  & Pick<AvailabilitySource, "ratio">
  & Partial<Pick<AvailabilitySource, "pictureOk">>;

/** What {@link createStatusView} reads. */
export interface StatusViewDeps {
  streams(): StreamConfig[];
  status(name: string): StreamStatus | undefined;
  /**
   * The one availability source (createAvailability, or createSlaReporter's `availability`):
   * `uptime_24h` is its 24 h ratio. Absent: `uptime_24h` is null.
   */
  availability?: UptimeCache;
  timeZone(): string;
  /** The picture freshness of a stream with media checks (the media task's), else undefined. */
  picture?(name: string): PictureFreshness | undefined;
}

/** Builds `GET /api/status` bodies; one instance is shared by the API and MQTT. */
export interface StatusView {
  /** The whole body: stream name → entry, in config order. */
  all(): Record<string, StatusEntry>;
  /** One stream's entry, or undefined for an unknown name. */
  one(name: string): StatusEntry | undefined;
  /**
   * `JSON.stringify(all())`, built from per-stream fragments that are re-serialised only when
   * that stream's check, state, settings or uptime changed (thousands of streams stay cheap).
   */
  allJson(): string;
  /** The picture freshness of a stream with media checks, else undefined (from the deps). */
  picture(name: string): PictureFreshness | undefined;
  /** The view's availability source, for other readers of the same figures (dashboard rows). */
  uptime: UptimeCache;
}

const DAY = 86_400_000;

/** A stream's serialised entry and what it was built from. */
interface Fragment {
  stream: StreamConfig;
  last: StreamStatus["last"];
  state: StreamStatus["state"];
  since: number;
  kind: string;
  ratio: number | null;
  tz: string;
  verifiedAt?: number | null;
  overdue?: boolean;
  json: string;
}

const NO_DATA: UptimeCache = { ratio: () => null, pictureOk: () => null };

/**
 * Creates a {@link StatusView}. `uptime_24h` comes from the availability source, which caches
 * each stream's figures (one store read per stream per 30 s), so a busy API stays cheap.
 */
export function createStatusView(deps: StatusViewDeps): StatusView {
  const uptime = deps.availability ?? NO_DATA;
  const uptime24h = (name: string) => uptime.ratio(name, DAY);
  const fragments = new Map<string, Fragment>();
  const entry = (s: StreamConfig) => {
    const st = deps.status(s.name);
    return st
      ? statusEntry(s, st, deps.timeZone(), uptime24h(s.name), deps.picture?.(s.name))
      : undefined;
  };
  return {
    all() {
      const body: Record<string, StatusEntry> = {};
      for (const s of deps.streams()) {
        const e = entry(s);
        if (e) body[s.name] = e;
      }
      return body;
    },
    one(name) {
      const s = deps.streams().find((x) => x.name === name);
      return s ? entry(s) : undefined;
    },
    allJson() {
      const tz = deps.timeZone();
      const parts: string[] = [];
      const seen = new Set<string>();
      for (const s of deps.streams()) {
        const st = deps.status(s.name);
        if (!st) continue;
        const ratio = uptime24h(s.name);
        const pic = deps.picture?.(s.name);
        let f = fragments.get(s.name);
        if (
          !f || f.stream !== s || f.last !== st.last || f.state !== st.state ||
          f.since !== st.since || f.kind !== st.kind || f.ratio !== ratio || f.tz !== tz ||
          f.verifiedAt !== pic?.verifiedAt || f.overdue !== pic?.overdue
        ) {
          const entry = statusEntry(s, st, tz, ratio, pic);
          const json = `${JSON.stringify(s.name)}:${JSON.stringify(entry)}`;
          f = {
            stream: s,
            last: st.last,
            state: st.state,
            since: st.since,
            kind: st.kind,
            ratio,
            tz,
            verifiedAt: pic?.verifiedAt,
            overdue: pic?.overdue,
            json,
          };
          fragments.set(s.name, f);
        }
        seen.add(s.name);
        parts.push(f.json);
      }
      for (const name of fragments.keys()) if (!seen.has(name)) fragments.delete(name);
      return `{${parts.join(",")}}`;
    },
    picture: (name) => deps.picture?.(name),
    uptime,
  };
}
