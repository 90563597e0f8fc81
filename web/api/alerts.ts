/**
 * The alerting part of the status API: POST /api/incidents/:id/ack, POST /api/streams/:name/mute,
 * GET /api/alerts/deliveries and GET /api/alerts (channels without secrets, rules, windows with
 * `active`, mutes, outbox health).
 */

import type { Context, MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { Config } from "../../monitor/config/mod.ts";
import { formatInZone, redactText } from "../../monitor/mod.ts";
import {
  channelSecrets,
  incidentJson,
  MUTE_FOREVER,
  muteJson,
  outboxJson,
  publicChannel,
  publicRule,
  windowInForce,
} from "../alerts_view.ts";
import type { WebAlerts } from "../context.ts";

/** Dependencies of {@link apiAlertsRoutes}. */
export interface ApiAlertsRoutesDeps {
  alerts: WebAlerts;
  config: () => Config;
  hasStream: (name: string) => boolean;
  /**
   * True when the request may write: it came from a signed-in dashboard session (whose CSRF
   * check passed) or carried the configured `api.token` (checked before this module).
   */
  mayWrite: (c: Context) => boolean;
  now: () => number;
}

/** Longest acknowledgement or mute note. */
export const MAX_NOTE = 1000;
/** Longest mute: a year (use `{forever: true}` for "until unmuted"). */
const MAX_MUTE_MINUTES = 525_600;
const bad = (message: string) => new HTTPException(400, { message });

/** Reads a JSON object body: 415 for another type, 400 for bad JSON or a non-object. */
async function jsonObject(c: Context): Promise<Record<string, unknown>> {
  const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    throw new HTTPException(415, { message: "Send the body as Content-Type: application/json" });
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw bad("The body is not valid JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw bad("The body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

/** The optional `note`: a string of at most 1,000 characters. */
function noteOf(body: Record<string, unknown>): string {
  const note = body.note ?? "";
  if (typeof note !== "string") throw bad('"note" must be a string');
  if (note.length > MAX_NOTE) throw bad(`"note" must be at most ${MAX_NOTE} characters`);
  return note;
}

/**
 * The mute a body asks for: `{minutes}`, `{until: ISO}`, `{forever: true}` or `{unmute: true}`
 * (exactly one); the `until` ms, or null to unmute.
 */
export function muteUntil(body: Record<string, unknown>, now: number): number | null {
  const given = ["minutes", "until", "forever", "unmute"].filter((k) => body[k] !== undefined);
  if (given.length !== 1) {
    throw bad('Give exactly one of "minutes", "until", "forever" or "unmute"');
  }
  const { minutes, until, forever, unmute } = body;
  if (unmute !== undefined) {
    if (unmute !== true) throw bad('"unmute" must be true');
    return null;
  }
  if (forever !== undefined) {
    if (forever !== true) throw bad('"forever" must be true');
    return MUTE_FOREVER;
  }
  if (minutes !== undefined) {
    if (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes < 1) {
      throw bad('"minutes" must be a whole number of at least 1');
    }
    if (minutes > MAX_MUTE_MINUTES) throw bad(`"minutes" must be at most ${MAX_MUTE_MINUTES}`);
    return now + minutes * 60_000;
  }
  const ms = typeof until === "string" && /\d{4}-\d{2}-\d{2}T/.test(until)
    ? Date.parse(until)
    : NaN;
  if (!Number.isFinite(ms)) {
    throw bad('"until" must be an ISO-8601 time, e.g. 2025-12-01T08:00:00Z');
  }
  if (ms <= now) throw bad('"until" must be in the future');
  if (ms > now + MAX_MUTE_MINUTES * 60_000) throw bad('"until" must be within a year');
  return ms;
}

/** The routes; mounted by createApiApp() when alerting runs. Errors go to its onError. */
export function apiAlertsRoutes(deps: ApiAlertsRoutesDeps): Hono {
  const { alerts } = deps;
  const tz = () => deps.config().timezone;
  const app = new Hono();
  const writes: MiddlewareHandler = async (c, next) => {
    if (!deps.mayWrite(c)) {
      throw new HTTPException(403, {
        message: "Writes need api.token: set it in config.yaml and send Authorization: Bearer",
      });
    }
    await next();
  };
  const limit = bodyLimit({
    maxSize: 16 * 1024,
    onError: (c) => c.json({ error: "The body is larger than 16 KiB" }, 413),
  });

  app.post("/api/incidents/:id/ack", writes, limit, async (c) => {
    const raw = c.req.param("id");
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id)) throw bad(`Invalid incident id "${raw.slice(0, 40)}"`);
    const note = noteOf(await jsonObject(c));
    const inc = await alerts.acknowledge(id, note);
    if (!inc) throw new HTTPException(404, { message: `Unknown incident ${id}` });
    return c.json(incidentJson(inc, tz()));
  });

  app.post("/api/streams/:name/mute", writes, limit, async (c) => {
    const name = c.req.param("name");
    if (!deps.hasStream(name)) {
      throw new HTTPException(404, { message: `Unknown stream "${name.slice(0, 200)}"` });
    }
    const body = await jsonObject(c);
    const note = noteOf(body);
    const until = muteUntil(body, deps.now());
    await alerts.mute(name, until, note);
    const m = alerts.mutes().find((x) => x.name === name);
    return c.json(m ? { muted: true, ...muteJson(m, tz()) } : { muted: false, stream: name });
  });

  app.get("/api/alerts/deliveries", async (c) => {
    const q = c.req.query("limit");
    const n = q === undefined || q === "" ? 100 : Number(q);
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      throw bad('Invalid "limit": expected a whole number from 1 to 1000');
    }
    const channel = c.req.query("channel") || undefined;
    const secrets = channelSecrets(deps.config().alerts.channels);
    return c.json(
      (await alerts.deliveries({ channel, limit: n })).map((d) => ({
        ts: formatInZone(d.ts, tz()),
        channel: d.channel,
        stream: d.stream,
        event: d.event,
        key: d.key,
        attempt: d.attempt,
        ok: d.ok,
        status: d.status,
        answer: redactText(d.answer, secrets),
      })),
    );
  });

  app.get("/api/alerts", (c) => {
    const config = deps.config();
    const now = deps.now();
    return c.json({
      channels: config.alerts.channels.map(publicChannel),
      rules: config.alerts.rules.map(publicRule),
      maintenance: config.alerts.maintenance.map((w) => ({
        name: w.name,
        streams: w.streams,
        tags: w.tags,
        sites: w.sites,
        ...(w.cron ? { cron: w.cron, minutes: w.minutes } : {}),
        ...(w.from !== undefined ? { from: formatInZone(w.from, config.timezone) } : {}),
        ...(w.to !== undefined ? { to: formatInZone(w.to, config.timezone) } : {}),
        active: windowInForce(w, now, config.timezone),
      })),
      mutes: alerts.mutes().map((m) => muteJson(m, config.timezone)),
      outbox: outboxJson(alerts.health(), config),
    });
  });
  return app;
}
