/** GET /api/health: the process's health (tasks, config, DB, MQTT) and the scheduler's figures. */

import { Hono } from "hono";
import type { Monitor } from "../../monitor/mod.ts";

/** Dependencies of {@link apiHealthRoutes}. */
export interface ApiHealthRoutesDeps {
  monitor: Pick<Monitor, "stats">;
  /** Process health (tasks, config error, DB, MQTT). */
  health: () => Record<string, unknown> & { ok: boolean };
}

/**
 * The `GET /api/health` route: 503 only when the process cannot do its job (a task down, the DB
 * broken); a rejected config edit is reported in the body but the last good config keeps
 * everything running, so it stays 200.
 */
export function apiHealthRoutes(deps: ApiHealthRoutesDeps): Hono {
  const app = new Hono();
  app.get("/api/health", (c) => {
    const h = deps.health();
    return c.json({ ...h, scheduler: deps.monitor.stats() }, h.ok ? 200 : 503);
  });
  return app;
}
