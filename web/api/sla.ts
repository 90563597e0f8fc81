/** GET /api/sla?days=N: time-weighted availability per stream and overall (Python-compatible). */

import { Hono } from "hono";
import { formatInZoneMs } from "../../monitor/mod.ts";
import type { SlaFigures, SlaReporter } from "../../monitor/status/mod.ts";

/** Dependencies of {@link apiSlaRoutes}. */
export interface ApiSlaRoutesDeps {
  /** SLA reports (cached, so repeated requests stay cheap with 1,000 streams). */
  sla: Pick<SlaReporter, "report" | "prepare">;
  /** Zone of the times written (default UTC). */
  timeZone?: () => string;
}

const MAX_DAYS = 400;

/**
 * The SLA figures as `/api/sla` writes them: `ratio` is "reachable" (up or degraded time over
 * observed time), `picture_ok_ratio` is "picture OK" (up time, degraded left out, over the same).
 */
function slaJson(f: SlaFigures) {
  return {
    ratio: f.ratio,
    picture_ok_ratio: f.pictureOkRatio,
    available_seconds: f.availableMs / 1000,
    down_seconds: f.downMs / 1000,
    degraded_seconds: f.degradedMs / 1000,
    observed_seconds: f.observedMs / 1000,
    maintenance_seconds: f.maintenanceMs / 1000,
  };
}

/** Parses `days`: a whole number 1–400, 30 when absent; an error message otherwise. */
export function parseDays(value: string | undefined): number | { error: string } {
  if (value === undefined || value === "") return 30;
  const n = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (n >= 1 && n <= MAX_DAYS) return n;
  return {
    error: `Invalid "days": expected a whole number from 1 to ${MAX_DAYS}, got "${
      value.slice(0, 40)
    }"`,
  };
}

/** The `GET /api/sla[?days=N]` route: 400 with JSON `{error}` for a bad `days`. */
export function apiSlaRoutes(deps: ApiSlaRoutesDeps): Hono {
  const app = new Hono();
  app.get("/api/sla", async (c) => {
    const days = parseDays(c.req.query("days"));
    if (typeof days !== "number") return c.json(days, 400);
    await deps.sla.prepare(days);
    const r = deps.sla.report(days);
    const tz = deps.timeZone?.() ?? "UTC";
    const streams: Record<string, ReturnType<typeof slaJson>> = {};
    for (const [name, f] of r.streams) streams[name] = slaJson(f);
    return c.json({
      days,
      from: formatInZoneMs(r.from, tz),
      to: formatInZoneMs(r.to, tz),
      streams,
      overall: slaJson(r.overall),
    });
  });
  return app;
}
