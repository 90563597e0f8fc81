/** GET /api/status: every stream's status entry, the API's costliest body, rebuilt once a second. */

import { Hono } from "hono";
import type { Bus } from "../../monitor/mod.ts";
import type { StatusView } from "../../monitor/status/mod.ts";

/** Dependencies of {@link apiStatusRoutes}. */
export interface ApiStatusRoutesDeps {
  /** Builds status entries (shared with MQTT). */
  view: Pick<StatusView, "allJson">;
  /** State changes and reloads drop the cached body at once. */
  bus?: Pick<Bus, "on">;
  now?: () => number;
}

/**
 * The `GET /api/status` route. The whole-status body is rebuilt at most once a second: with
 * thousands of streams it is the API's costliest answer. A state change or reload drops it at
 * once, so only latencies and check times can be up to 1 s old (live pages use the event stream).
 */
export function apiStatusRoutes(deps: ApiStatusRoutesDeps): Hono {
  const now = deps.now ?? Date.now;
  const app = new Hono();
  let cache: { at: number; body: string } | undefined;
  for (const ev of ["state-change", "config-reloaded"] as const) {
    deps.bus?.on(ev, () => cache = undefined);
  }
  app.get("/api/status", (c) => {
    const t = now();
    if (!cache || t - cache.at >= 1000 || t < cache.at) {
      cache = { at: t, body: deps.view.allJson() };
    }
    return c.body(cache.body, 200, { "content-type": "application/json" });
  });
  return app;
}
