/** Gathers the stream page's props: rows, store, alerting, maintenance and stored frames. */

import { formatDuration } from "../../islands/mod.ts";
import { maintenanceIntervals } from "../../monitor/alerts/mod.ts";
import { maskUrl, type StreamConfig } from "../../monitor/mod.ts";
import type { Row } from "../../islands/mod.ts";
import { MUTE_FOREVER } from "../alerts_view.ts";
import type { WebContext } from "../context.ts";
import { bandSegments, type StreamPageProps } from "../pages/mod.ts";
import { detailRows, localTime, summaryLine } from "../stream_summary.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The page's ranges: span and label; anything else reads as 24 h. */
export const PAGE_RANGES: Record<string, { ms: number; label: string }> = {
  "1h": { ms: HOUR, label: "1 h" },
  "24h": { ms: DAY, label: "24 h" },
  "7d": { ms: 7 * DAY, label: "7 d" },
  "30d": { ms: 30 * DAY, label: "30 d" },
};

/** A mute's end as the stream page says it, or undefined when not muted. */
function muteText(until: number | undefined, tz: string): string | undefined {
  if (until === undefined) return undefined;
  return until >= MUTE_FOREVER ? "until unmuted" : `until ${localTime(until, tz)}`;
}

/**
 * The props of the stream page of `s` (its row given) at `t`, for `range`: reads the store
 * first, then gives the props for a page's CSRF token.
 */
export async function streamPageProps(
  ctx: WebContext,
  s: StreamConfig,
  row: Row,
  q: { range?: string; t: number },
): Promise<(csrf: string) => StreamPageProps> {
  const { deps } = ctx;
  const cfg = deps.config();
  const tz = cfg.timezone;
  const { t } = q;
  const range = q.range && PAGE_RANGES[q.range] ? q.range : "24h";
  const from = t - PAGE_RANGES[range].ms;
  const name = s.name;
  const { store } = deps;
  const [bandIncidents, beforeRows, recent, incidents] = await Promise.all([
    store.incidents(name, { from, to: t, limit: 2000 }),
    store.history(name, { to: from, limit: 1 }),
    store.history(name, { limit: 50 }),
    store.incidents(name, { from: t - 30 * DAY, limit: 50 }),
  ]);
  // Known from `from` when a check precedes the range, else from the range's oldest check.
  const first = beforeRows[0]
    ? from
    : (await store.history(name, { from, to: t, limit: 10_000 })).at(-1)?.ts;
  const lastGood = recent.find((r) => r.ok) ??
    (await store.history(name, { limit: 2000 })).find((r) => r.ok);
  const info = deps.snapshots?.info(name) ?? {};
  const frame = (kind: "last" | "failure", at?: number) =>
    at === undefined ? undefined : {
      src: `/streams/${encodeURIComponent(name)}/snapshot.jpg?kind=${kind}&v=${at}`,
      time: localTime(at, tz),
    };
  const details = deps.monitor.status(name)?.last?.details ?? {};
  return (csrf) => ({
    row,
    now: t,
    csrf,
    timeZone: tz,
    maskedUrl: maskUrl(s.url),
    intervalSeconds: s.intervalSeconds,
    timeoutSeconds: s.timeoutSeconds,
    summary: summaryLine(details),
    range,
    rangeLabel: PAGE_RANGES[range].label,
    band: {
      from,
      to: t,
      segments: bandSegments({
        from,
        to: t,
        incidents: bandIncidents,
        maintenance: maintenanceIntervals(cfg.alerts.maintenance, s, from, t, tz),
        firstCheck: first,
      }),
    },
    evidence: { last: frame("last", info.last?.at), failure: frame("failure", info.failure?.at) },
    down: row.enabled && row.state === "down"
      ? {
        since: localTime(row.since, tz),
        held: formatDuration(t - row.since),
        lastGood: lastGood ? localTime(lastGood.ts, tz) : null,
      }
      : undefined,
    incidents: incidents.map((i) => ({
      id: i.id,
      state: i.state,
      start: localTime(i.start, tz),
      end: i.end === null ? null : localTime(i.end, tz),
      duration_seconds: Math.round(((i.end ?? t) - i.start) / 1000),
      cause: i.cause,
      ack: i.ack ? { time: localTime(i.ack.ts, tz), note: i.ack.note } : null,
    })),
    alerts: deps.alerts && {
      mutedUntil: muteText(deps.alerts.mutes().find((m) => m.name === name)?.until, tz),
      maintenance: deps.alerts.maintenance(name),
    },
    checks: recent.map((r) => ({
      time: localTime(r.ts, tz),
      ok: r.ok,
      state: r.state,
      latencyMs: Number.isFinite(r.latencyMs) ? r.latencyMs : null,
      message: r.message,
    })),
    details: detailRows(details),
  });
}
