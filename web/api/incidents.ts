/** GET /api/incidents: every stream's incidents in a window, filtered, newest first. */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { formatInZoneMs, type Monitor } from "../../monitor/mod.ts";
import type { Incident } from "../../monitor/store/mod.ts";
import {
  FilterError,
  type IncidentLogStore,
  parseIncidentFilter,
  storeQuery,
} from "../incident_log.ts";

export type { IncidentLogStore };

/** Dependencies of {@link apiIncidentsRoutes}. */
export interface ApiIncidentsRoutesDeps {
  store: IncidentLogStore;
  /** Configured streams (their tags and sites). */
  monitor: Pick<Monitor, "streams">;
  /** Zone of the times written (config `timezone`). */
  timeZone: () => string;
  now?: () => number;
}

/** One incident as /api/incidents writes it (times with ms in the configured zone). */
export function incidentJson(i: Incident, timeZone: string) {
  return {
    id: i.id,
    stream: i.name,
    state: i.state,
    start: formatInZoneMs(i.start, timeZone),
    end: i.end === null ? null : formatInZoneMs(i.end, timeZone),
    duration_seconds: Math.round(i.durationMs / 1000),
    cause: i.cause,
    end_cause: i.endCause,
    ack: i.ack ? { time: formatInZoneMs(i.ack.ts, timeZone), note: i.ack.note } : null,
  };
}

/** A whole number from `min` to `max`, or the default when absent; 400 otherwise. */
function whole(value: string | undefined, field: string, min: number, max: number, dflt: number) {
  if (value === undefined || value === "") return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new HTTPException(400, {
      message: `Invalid "${field}": expected a whole number from ${min} to ${max}`,
    });
  }
  return n;
}

/**
 * `GET /api/incidents?from=&to=&range=&state=&stream=&tag=&site=&open=&limit=&offset=`: the
 * window defaults to the last 24 hours, `limit` to 100 (at most 10,000). Answers
 * `{from, to, incidents: [...]}`; a bad value is a 400 `{error}` naming it.
 */
export function apiIncidentsRoutes(deps: ApiIncidentsRoutesDeps): Hono {
  const now = deps.now ?? Date.now;
  const app = new Hono();
  app.get("/api/incidents", async (c) => {
    const query = c.req.query();
    const t = now();
    let filter;
    try {
      filter = parseIncidentFilter(query, t, deps.timeZone());
    } catch (err) {
      if (err instanceof FilterError) throw new HTTPException(400, { message: err.message });
      throw err;
    }
    const limit = whole(query.limit, "limit", 1, 10_000, 100);
    const offset = whole(query.offset, "offset", 0, 100_000, 0);
    const tz = deps.timeZone();
    const list = await deps.store.allIncidents(
      storeQuery(filter, deps.monitor.streams(), { limit, offset }),
    );
    return c.json({
      from: formatInZoneMs(filter.from, tz),
      to: formatInZoneMs(filter.to ?? t, tz),
      incidents: list.map((i) => incidentJson(i, tz)),
    });
  });
  return app;
}
