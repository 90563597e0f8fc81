/**
 * What the Alerts page and the status API show of alerting, secret-free: channels without their
 * secrets, rules, whether a maintenance window is in force, mutes, the outbox, an incident.
 */

import { windowInForce } from "../monitor/alerts/mod.ts";
import type { AlertRule, ChannelConfig, Config, MaintenanceWindow } from "../monitor/config/mod.ts";
import { formatInZone, redactText } from "../monitor/mod.ts";
import type { Awaitable, DeliveryLogRow, Incident, Mute } from "../monitor/store/mod.ts";
import { alertsList, channelFormOf, urlIsSecret } from "./alerts_form.ts";

/** The outbox's figures the Alerts page and GET /api/alerts show (the alerts task's health()). */
export interface AlertsHealth {
  /** Alerts waiting to be sent, over all channels. */
  pending: number;
  /** Alerts given up on (recently). */
  failed: number;
  /** Streams muted now. */
  muted: number;
  /** Age of the oldest pending alert, ms. */
  oldestPendingAgeMs?: number | null;
  /** The same per channel, with its last error and success. */
  channels: Record<
    string,
    {
      pending: number;
      failed: number;
      lastError: string | null;
      lastOkAt: number | null;
      backoffUntil?: number | null;
    }
  >;
}

/** The `until` stored for "until unmuted" (shown as such, never as a date). */
export const MUTE_FOREVER = Date.UTC(9999, 11, 31);

/** Whether a window is in force now: the alert engine's own reading (cron in the time zone). */
export { windowInForce };

/** A channel as the page and GET /api/alerts show it: no secret, only a non-secret URL's origin. */
export interface PublicChannel {
  name: string;
  type: string;
  /** The scheme, host and port of a URL that is not itself secret. */
  origin?: string;
  /** An email channel's SMTP host and port. */
  host?: string;
}

/** The secret-free summary of a channel. */
export function publicChannel(ch: ChannelConfig): PublicChannel {
  const out: PublicChannel = { name: ch.name, type: ch.type };
  if (ch.type === "email") out.host = `${ch.host}:${ch.port}`;
  else if (!urlIsSecret(ch.type, ch.url)) {
    try {
      out.origin = new URL(ch.url).origin;
    } catch { /* the loader checked it */ }
  }
  return out;
}

/** Every secret value of the channels, to mask out of answers shown on the page or the API. */
export function channelSecrets(channels: readonly ChannelConfig[]): string[] {
  const out: string[] = [];
  for (const ch of channels) {
    const r = ch as unknown as Record<string, unknown>;
    for (const k of ["token", "password", "user"]) {
      if (typeof r[k] === "string") out.push(r[k] as string);
    }
    if (ch.type !== "email" && urlIsSecret(ch.type, ch.url)) out.push(ch.url);
    if (ch.type === "webhook") out.push(...Object.values(ch.headers));
  }
  return out.filter((s) => s.length >= 3);
}

/** A rule as GET /api/alerts shows it (YAML key names). */
export function publicRule(r: AlertRule) {
  return {
    channels: r.channels,
    states: r.states,
    streams: r.streams,
    tags: r.tags,
    sites: r.sites,
    after_seconds: r.afterSeconds,
    resolved: r.resolved,
    remind_minutes: r.remindMinutes,
  };
}

/** An incident as the ack endpoint returns it (times ISO-8601 in the configured zone). */
export function incidentJson(i: Incident, timeZone: string) {
  return {
    id: i.id,
    stream: i.name,
    state: i.state,
    start: formatInZone(i.start, timeZone),
    end: i.end === null ? null : formatInZone(i.end, timeZone),
    cause: i.cause,
    ack: i.ack ? { ts: formatInZone(i.ack.ts, timeZone), note: i.ack.note } : null,
  };
}

/** A mute as the API shows it (`until` null: until unmuted). */
export function muteJson(m: { name: string; until: number; note: string }, timeZone: string) {
  return {
    stream: m.name,
    until: m.until >= MUTE_FOREVER ? null : formatInZone(m.until, timeZone),
    note: m.note,
  };
}

/** The outbox health with snake_case keys and ISO times; errors masked of channel secrets. */
export function outboxJson(h: AlertsHealth, config: Config) {
  const tz = config.timezone;
  const secrets = channelSecrets(config.alerts.channels);
  const iso = (ms: number | null | undefined) => (ms ? formatInZone(ms, tz) : null);
  return {
    pending: h.pending,
    failed: h.failed,
    muted: h.muted,
    oldest_pending_age_ms: h.oldestPendingAgeMs ?? null,
    channels: Object.fromEntries(
      Object.entries(h.channels).map(([name, ch]) => [name, {
        pending: ch.pending,
        failed: ch.failed,
        last_error: ch.lastError === null ? null : redactText(ch.lastError, secrets),
        last_ok_at: iso(ch.lastOkAt),
        backoff_until: iso(ch.backoffUntil),
      }]),
    ),
  };
}

/** A stream filter as one line: "streams a, b · tags x" or "all streams". */
function filterText(f: { streams: string[]; tags: string[]; sites: string[] }): string {
  const parts = [
    f.streams.length ? `streams ${f.streams.join(", ")}` : "",
    f.tags.length ? `tags ${f.tags.join(", ")}` : "",
    f.sites.length ? `sites ${f.sites.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "all streams";
}

/** A maintenance window's times as one line, in `tz`. */
function whenText(w: MaintenanceWindow, tz: string): string {
  if (w.cron) return `cron "${w.cron}" for ${w.minutes} min`;
  const at = (ms: number | undefined) => formatInZone(ms ?? 0, tz).slice(0, 16).replace("T", " ");
  return `${at(w.from)} – ${at(w.to)}`;
}

/** What the overview reads of alerting (a slice of the dashboard's WebAlerts). */
export interface OverviewSource {
  mutes(): Mute[];
  health(): AlertsHealth;
  deliveries(q?: { channel?: string; limit?: number }): Awaitable<DeliveryLogRow[]>;
}

/**
 * Everything the Alerts page shows, secret-free and formatted: channels (with which secrets are
 * set, read from the YAML tree), rules, windows (in force at `now`), and, while alerting runs,
 * mutes, the outbox and the newest 100 deliveries (of `channel` when given), answers masked.
 */
export async function overviewOf(
  config: Config,
  alerts: OverviewSource | undefined,
  opts: { now: number; channel?: string },
) {
  const tz = config.timezone;
  const secrets = channelSecrets(config.alerts.channels);
  const raw = alertsList(config.raw, "channels");
  const channel = opts.channel || undefined;
  const deliveries = alerts ? await alerts.deliveries({ channel, limit: 100 }) : [];
  return {
    running: alerts !== undefined,
    timeZone: tz,
    channels: config.alerts.channels.map((ch, i) => ({
      ...publicChannel(ch),
      set: channelFormOf(raw[i]).set,
    })),
    rules: config.alerts.rules.map((r) => ({
      channels: r.channels,
      states: r.states,
      filter: filterText(r),
      after: r.afterSeconds,
      resolved: r.resolved,
      remind: r.remindMinutes,
    })),
    windows: config.alerts.maintenance.map((w) => ({
      name: w.name,
      when: whenText(w, tz),
      filter: filterText(w),
      active: windowInForce(w, opts.now, tz),
    })),
    mutes: (alerts?.mutes() ?? []).map((m) => ({
      stream: m.name,
      until: m.until >= MUTE_FOREVER ? "until unmuted" : formatInZone(m.until, tz),
      note: m.note,
    })),
    outbox: alerts ? outboxJson(alerts.health(), config) : undefined,
    deliveries: deliveries.map((d) => ({
      time: formatInZone(d.ts, tz),
      channel: d.channel,
      stream: d.stream,
      event: d.event,
      ok: d.ok,
      status: d.status,
      answer: redactText(d.answer, secrets),
    })),
    channel,
  };
}
