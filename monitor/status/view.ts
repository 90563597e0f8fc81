/** The JSON shapes of stream status, shared by the status API, MQTT and the dashboard. */

import { maskUrl } from "../redact.ts";
import { formatInZone } from "../time.ts";
import type { CheckRecord, StreamConfig, StreamStatus } from "../types.ts";

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
    ts: last ? formatInZone(last.ts, timeZone) : null,
    status: last ? (last.ok ? "ok" : "fail") : null,
    latency: last ? last.latencyMs : null,
    message: streamMessage(stream, last),
    state: st.state,
    since: formatInZone(st.since, timeZone),
    kind: st.kind,
    enabled: stream.enabled,
    uptime_24h: uptime24h,
    details: picture
      ? {
        ...details,
        verified_at: picture.verifiedAt === null
          ? null
          : formatInZone(picture.verifiedAt, timeZone),
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
    ts: formatInZone(rec.ts, timeZone),
    status: rec.ok ? "ok" : "fail",
    state: rec.state,
    latency: rec.latencyMs,
    message: rec.message,
    details: rec.details,
  };
}

/** What {@link createUptimeCache} reads. */
export interface UptimeCacheDeps {
  /** Uptime ratios since a time, per stream name (from hourly rollups). */
  uptime(q: { since: number }): Map<string, { ratio: number | null }>;
  now?: () => number;
  /** How long one window's figures are kept (default 30 s; they come from hourly rollups). */
  cacheMs?: number;
}

/** Uptime ratios per stream over trailing windows, shared by the status API and dashboard rows. */
export interface UptimeCache {
  /** Share of passed checks of stream `name` over the last `windowMs` (0–1), null without data. */
  ratio(name: string, windowMs: number): number | null;
}

/**
 * Creates an {@link UptimeCache}: each window (24 h, 7 d, …) is read from the store for every
 * stream at once, then kept for `cacheMs`, so a busy API or dashboard stays cheap.
 */
export function createUptimeCache(deps: UptimeCacheDeps): UptimeCache {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 30_000;
  const windows = new Map<number, { at: number; map: Map<string, { ratio: number | null }> }>();
  return {
    ratio(name, windowMs) {
      const t = now();
      let w = windows.get(windowMs);
      if (!w || t - w.at > cacheMs) {
        w = { at: t, map: deps.uptime({ since: t - windowMs }) };
        windows.set(windowMs, w);
      }
      return w.map.get(name)?.ratio ?? null;
    },
  };
}

/** What {@link createStatusView} reads. */
export interface StatusViewDeps {
  streams(): StreamConfig[];
  status(name: string): StreamStatus | undefined;
  /** Uptime ratios since a time, per stream name (from hourly rollups). */
  uptime(q: { since: number }): Map<string, { ratio: number | null }>;
  timeZone(): string;
  /** The picture freshness of a stream with media checks (the media task's), else undefined. */
  picture?(name: string): PictureFreshness | undefined;
  now?: () => number;
  /** How long uptime figures are cached (default 30 s; they come from hourly rollups). */
  uptimeCacheMs?: number;
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
  /** The view's uptime cache, for other readers of the same figures (the dashboard rows). */
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

/** Creates a {@link StatusView} with a short uptime cache, so a busy API stays cheap. */
export function createStatusView(deps: StatusViewDeps): StatusView {
  const uptime = createUptimeCache({
    uptime: (q) => deps.uptime(q),
    now: deps.now,
    cacheMs: deps.uptimeCacheMs,
  });
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
