/** The status API (port 7000): /api/status, /api/streams, history, incidents and health. */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Config } from "../monitor/config.ts";
import type { Logger } from "../monitor/log.ts";
import type { Monitor } from "../monitor/monitor.ts";
import type { CheckRecord } from "../monitor/types.ts";
import { formatInZone } from "../monitor/time.ts";
import { historyEntry, statusEntry, streamEntry } from "./status_view.ts";

/** What the API reads from the store (the real one is monitor/store.ts). */
export interface ApiStore {
  history(name: string, q: { from?: number; to?: number; limit?: number }): CheckRecord[];
  incidents(
    name: string,
    q: { from?: number; to?: number; limit?: number },
  ): Array<{ state: string; start: number; end: number | null; cause: string }>;
  uptime(q: { since: number }): Map<string, { checks: number; ok: number; ratio: number | null }>;
}

/** Dependencies of {@link createApiApp}. */
export interface ApiDeps {
  monitor: Pick<Monitor, "streams" | "status" | "statuses" | "stats">;
  store: ApiStore;
  /** The config currently applied. */
  config: () => Config;
  /** Process health (tasks, config error, DB, MQTT) for /api/health. */
  health: () => Record<string, unknown> & { ok: boolean };
  now?: () => number;
  /** Where unexpected errors are logged. */
  logger: Pick<Logger, "error">;
  /** How long uptime figures are cached (default 30 s): they come from hourly rollups. */
  uptimeCacheMs?: number;
}

/** Parses a `from`/`to` query value: ISO-8601 or epoch milliseconds. */
function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new HTTPException(400, {
      message: `Invalid "${name}": expected an ISO-8601 time or epoch milliseconds, got "${
        value.slice(0, 40)
      }"`,
    });
  }
  return ms;
}

function parseLimit(value: string | undefined, max: number): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new HTTPException(400, {
      message: `Invalid "limit": expected a whole number from 1 to ${max}`,
    });
  }
  return n;
}

/** Creates the Hono app of the status API. Every error is JSON `{error}` with a fitting status. */
export function createApiApp(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.uptimeCacheMs ?? 30_000;
  let uptimeCache: { at: number; map: Map<string, { ratio: number | null }> } | undefined;
  const uptime24h = () => {
    const t = now();
    if (!uptimeCache || t - uptimeCache.at > cacheMs) {
      uptimeCache = { at: t, map: deps.store.uptime({ since: t - 86_400_000 }) };
    }
    return uptimeCache.map;
  };
  const findStream = (name: string) => {
    const s = deps.monitor.streams().find((x) => x.name === name);
    if (!s) throw new HTTPException(404, { message: `Unknown stream "${name.slice(0, 200)}"` });
    return s;
  };

  const app = new Hono();
  app.get("/api/status", (c) => {
    const tz = deps.config().timezone;
    const up = uptime24h();
    const body: Record<string, unknown> = {};
    for (const s of deps.monitor.streams()) {
      const st = deps.monitor.status(s.name);
      if (st) body[s.name] = statusEntry(s, st, tz, up.get(s.name)?.ratio ?? null);
    }
    return c.json(body);
  });
  app.get("/api/streams", (c) =>
    c.json(deps.monitor.streams().map((s) => streamEntry(s, deps.monitor.status(s.name)))));
  app.get("/api/streams/:name", (c) => {
    const s = findStream(c.req.param("name"));
    const st = deps.monitor.status(s.name)!;
    const tz = deps.config().timezone;
    return c.json({
      ...streamEntry(s, st),
      status: statusEntry(s, st, tz, uptime24h().get(s.name)?.ratio ?? null),
    });
  });
  app.get("/api/streams/:name/history", (c) => {
    const s = findStream(c.req.param("name"));
    const q = {
      from: parseTime(c.req.query("from"), "from"),
      to: parseTime(c.req.query("to"), "to"),
      limit: parseLimit(c.req.query("limit"), 10_000),
    };
    const tz = deps.config().timezone;
    return c.json(deps.store.history(s.name, q).map((r) => historyEntry(r, tz)));
  });
  app.get("/api/streams/:name/incidents", (c) => {
    const s = findStream(c.req.param("name"));
    const q = {
      from: parseTime(c.req.query("from"), "from"),
      to: parseTime(c.req.query("to"), "to"),
      limit: parseLimit(c.req.query("limit"), 1000),
    };
    const tz = deps.config().timezone;
    return c.json(deps.store.incidents(s.name, q).map((i) => ({
      state: i.state,
      start: formatInZone(i.start, tz),
      end: i.end === null ? null : formatInZone(i.end, tz),
      duration_seconds: Math.round(((i.end ?? now()) - i.start) / 1000),
      cause: i.cause,
    })));
  });
  app.get("/api/health", (c) => {
    const h = deps.health();
    // 503 only when the process cannot do its job (a task down, the DB broken); a rejected
    // config edit is reported in the body but the last good config keeps everything running.
    return c.json({ ...h, scheduler: deps.monitor.stats() }, h.ok ? 200 : 503);
  });
  app.notFound((c) => c.json({ error: `Not found: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return c.json({ error: err.message }, err.status);
    deps.logger.error(`API error on ${c.req.method} ${c.req.path}: ${err.message}`);
    return c.json({ error: "Internal error" }, 500);
  });
  return app;
}
