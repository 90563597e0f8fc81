/** The status API (port 7000): /api/status, /api/streams, history, incidents and health. */

import { createHash, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Bus, CheckRecord, Logger, Monitor } from "../../monitor/mod.ts";
import type { Config } from "../../monitor/config/mod.ts";
import { type MetricsRouteDeps, registerMetricsRoutes } from "./metrics.ts";
import { hostGuard } from "../host_guard.ts";
import { registerSnapshotRoutes, type SnapshotDeps } from "./snapshot.ts";
import { historyEntry, type StatusView, streamEntry } from "../../monitor/status/mod.ts";
import { type Incident, incidentEntry, type RangeQuery } from "../../monitor/store/mod.ts";

/** What the API reads from the store: a slice of Store (incidents only as far as the entry needs). */
export interface ApiStore {
  history(name: string, q: RangeQuery): CheckRecord[];
  incidents(
    name: string,
    q: RangeQuery,
  ): Array<Pick<Incident, "state" | "start" | "end" | "cause">>;
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
  /** Builds status entries (shared with MQTT). */
  view: StatusView;
  /** State changes and reloads drop the cached /api/status body at once. */
  bus?: Bus;
  /** StreamPulse's own counters, for /metrics. */
  metrics: MetricsRouteDeps["metrics"];
  /** Cached SLA reports, for /metrics and /api/sla. */
  sla: MetricsRouteDeps["sla"];
  /** Stored JPEGs of the media task, for /api/streams/:name/snapshot.jpg. */
  snapshot?: SnapshotDeps["snapshot"];
}

/** Compares tokens in constant time (over their SHA-256 digests, so lengths leak nothing). */
function tokenMatches(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
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

/** The `from`, `to` and `limit` of a history-style query, validated (400 on bad values). */
function rangeQuery(query: Record<string, string>, maxLimit: number) {
  return {
    from: parseTime(query.from, "from"),
    to: parseTime(query.to, "to"),
    limit: parseLimit(query.limit, maxLimit),
  };
}

/** What the dashboard passes as `env` when it forwards its `/api/*` requests to this app. */
export interface ForwardedEnv {
  /** Set by the dashboard on every request it forwards: the Host check was its business. */
  viaDashboard: true;
  /** A signed-in admin: no API token needed. */
  trusted?: boolean;
}

const forwarded = (env: unknown) =>
  (env as Partial<ForwardedEnv> | undefined)?.viaDashboard === true;

/**
 * Creates the Hono app of the status API. Every error is JSON `{error}` with a fitting status.
 * Requests on its own port must name an IP, localhost or an `api.allowed_hosts` entry in Host
 * (421 otherwise), so a DNS-rebinding page cannot read the unauthenticated API.
 */
export function createApiApp(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const findStream = (name: string) => {
    const s = deps.monitor.streams().find((x) => x.name === name);
    if (!s) throw new HTTPException(404, { message: `Unknown stream "${name.slice(0, 200)}"` });
    return s;
  };

  const app = new Hono();
  app.use("*", hostGuard(() => deps.config().api.allowedHosts, forwarded));
  // Optional `api.token`: read-only, but status and stream names can still be private. Accepted
  // as `Authorization: Bearer <token>` (or `?token=` for tools that cannot set headers).
  app.use("*", async (c, next) => {
    const token = deps.config().api.token;
    // The dashboard forwards a signed-in admin's /api requests with `env.trusted` set.
    if (!token || (c.env as Partial<ForwardedEnv> | undefined)?.trusted === true) {
      return await next();
    }
    const auth = c.req.header("authorization") ?? "";
    const given = auth.startsWith("Bearer ") ? auth.slice(7) : c.req.query("token") ?? "";
    if (!tokenMatches(given, token)) {
      return c.json(
        { error: "Missing or wrong API token (send Authorization: Bearer <api.token>)" },
        401,
        {
          "www-authenticate": 'Bearer realm="StreamPulse"',
        },
      );
    }
    await next();
  });
  // The whole-status body is rebuilt at most once a second: with thousands of streams it is the
  // API's costliest answer. A state change or reload drops it at once, so only latencies and
  // check times can be up to 1 s old (live pages use the event stream).
  let statusCache: { at: number; body: string } | undefined;
  for (const ev of ["state-change", "config-reloaded"] as const) {
    deps.bus?.on(ev, () => statusCache = undefined);
  }
  app.get("/api/status", (c) => {
    const t = now();
    if (!statusCache || t - statusCache.at >= 1000 || t < statusCache.at) {
      statusCache = { at: t, body: deps.view.allJson() };
    }
    return c.body(statusCache.body, 200, { "content-type": "application/json" });
  });
  app.get(
    "/api/streams",
    (c) => c.json(deps.monitor.streams().map((s) => streamEntry(s, deps.monitor.status(s.name)))),
  );
  app.get("/api/streams/:name", (c) => {
    const s = findStream(c.req.param("name"));
    return c.json({
      ...streamEntry(s, deps.monitor.status(s.name)),
      status: deps.view.one(s.name),
    });
  });
  app.get("/api/streams/:name/history", (c) => {
    const s = findStream(c.req.param("name"));
    const q = rangeQuery(c.req.query(), 10_000);
    const tz = deps.config().timezone;
    return c.json(deps.store.history(s.name, q).map((r) => historyEntry(r, tz)));
  });
  app.get("/api/streams/:name/incidents", (c) => {
    const s = findStream(c.req.param("name"));
    const q = rangeQuery(c.req.query(), 1000);
    const tz = deps.config().timezone;
    return c.json(
      deps.store.incidents(s.name, q).map((i) => incidentEntry(i, { timeZone: tz, now: now() })),
    );
  });
  app.get("/api/health", (c) => {
    const h = deps.health();
    // 503 only when the process cannot do its job (a task down, the DB broken); a rejected
    // config edit is reported in the body but the last good config keeps everything running.
    return c.json({ ...h, scheduler: deps.monitor.stats() }, h.ok ? 200 : 503);
  });
  registerMetricsRoutes(app, {
    monitor: deps.monitor,
    metrics: deps.metrics,
    sla: deps.sla,
    store: deps.store,
    now,
    timeZone: () => deps.config().timezone,
  });
  if (deps.snapshot) {
    registerSnapshotRoutes(app, {
      snapshot: deps.snapshot,
      hasStream: (name) => deps.monitor.streams().some((s) => s.name === name),
    });
  }
  app.notFound((c) => c.json({ error: `Not found: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return c.json({ error: err.message }, err.status);
    deps.logger.error(`API error on ${c.req.method} ${c.req.path}: ${err.message}`);
    return c.json({ error: "Internal error" }, 500);
  });
  return app;
}
