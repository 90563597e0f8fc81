/**
 * The status API (port 7000), composed: Host and token checks, then one route module per path
 * group, each `apiXRoutes(deps): Hono` named after its path, then one JSON `onError`.
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Bus, Logger, Monitor } from "../../monitor/mod.ts";
import type { Config } from "../../monitor/config/mod.ts";
import type { StatusView } from "../../monitor/status/mod.ts";
import type { WebAlerts } from "../context.ts";
import { hostGuard } from "../host_guard.ts";
import { apiAlertsRoutes } from "./alerts.ts";
import { apiHealthRoutes } from "./health.ts";
import { apiIncidentsRoutes, type IncidentLogStore } from "./incidents.ts";
import { metricsRoutes, type MetricsRoutesDeps } from "./metrics.ts";
import { apiSlaRoutes } from "./sla.ts";
import { apiSnapshotRoutes, type ApiSnapshotRoutesDeps } from "./snapshot.ts";
import { apiStatusRoutes } from "./status.ts";
import { type ApiStore, apiStreamsRoutes } from "./streams.ts";

/** Dependencies of {@link createApiApp}. */
export interface ApiAppDeps {
  monitor: Pick<Monitor, "streams" | "status" | "statuses" | "stats">;
  store: ApiStore & Partial<IncidentLogStore>;
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
  metrics: MetricsRoutesDeps["metrics"];
  /** Cached SLA reports, for /metrics and /api/sla. */
  sla: MetricsRoutesDeps["sla"];
  /** Stored JPEGs of the media task, for /api/streams/:name/snapshot.jpg. */
  snapshot?: ApiSnapshotRoutesDeps["snapshot"];
  /** Alerting: acks, mutes, the delivery log and GET /api/alerts (absent: not mounted). */
  alerts?: WebAlerts;
  /** Fleet mode: this node's name and each stream's owner, for the `node` label of /metrics. */
  fleet?: MetricsRoutesDeps["fleet"];
}

/** Compares tokens in constant time (over their SHA-256 digests, so lengths leak nothing). */
function tokenMatches(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
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
export function createApiApp(deps: ApiAppDeps): Hono {
  const now = deps.now ?? Date.now;
  const timeZone = () => deps.config().timezone;
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
  app.route("/", apiStatusRoutes({ view: deps.view, bus: deps.bus, now }));
  const { monitor, store } = deps;
  app.route("/", apiStreamsRoutes({ monitor, store, view: deps.view, timeZone, now }));
  app.route("/", apiHealthRoutes({ monitor, health: deps.health }));
  if (store.allIncidents) {
    app.route(
      "/",
      apiIncidentsRoutes({ store: { allIncidents: store.allIncidents }, monitor, timeZone, now }),
    );
  }
  app.route(
    "/",
    metricsRoutes({ monitor, store, metrics: deps.metrics, sla: deps.sla, now, fleet: deps.fleet }),
  );
  app.route("/", apiSlaRoutes({ sla: deps.sla, timeZone }));
  if (deps.snapshot) {
    const hasStream = (name: string) => deps.monitor.streams().some((s) => s.name === name);
    app.route("/", apiSnapshotRoutes({ snapshot: deps.snapshot, hasStream }));
  }
  if (deps.alerts) {
    app.route(
      "/",
      apiAlertsRoutes({
        alerts: deps.alerts,
        config: deps.config,
        hasStream: (name) => deps.monitor.streams().some((s) => s.name === name),
        // The token middleware above let this request through: with a token configured it
        // carried it; a signed-in dashboard session (CSRF-checked there) is trusted.
        mayWrite: (c) =>
          (c.env as Partial<ForwardedEnv> | undefined)?.trusted === true ||
          Boolean(deps.config().api.token),
        now,
      }),
    );
  }
  app.notFound((c) => c.json({ error: `Not found: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return c.json({ error: err.message }, err.status);
    deps.logger.error(`API error on ${c.req.method} ${c.req.path}: ${err.message}`);
    return c.json({ error: "Internal error" }, 500);
  });
  return app;
}
