/** GET /api/streams[/:name[/history|/incidents]]: settings (URLs masked), status and history. */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  type CheckRecord,
  formatInZoneMs,
  type Monitor,
  parseQueryTime,
} from "../../monitor/mod.ts";
import { historyEntry, type StatusView, streamEntry } from "../../monitor/status/mod.ts";
import {
  type Awaitable,
  type Incident,
  incidentEntry,
  type RangeQuery,
} from "../../monitor/store/mod.ts";

/** What the API reads from the store: a slice of Store (incidents only as far as the entry needs). */
export interface ApiStore {
  history(name: string, q: RangeQuery): Awaitable<CheckRecord[]>;
  incidents(
    name: string,
    q: RangeQuery,
  ): Awaitable<Array<Pick<Incident, "state" | "start" | "end" | "cause">>>;
}

/** Dependencies of {@link apiStreamsRoutes}. */
export interface ApiStreamsRoutesDeps {
  monitor: Pick<Monitor, "streams" | "status">;
  store: ApiStore;
  /** Builds one stream's status entry (shared with /api/status and MQTT). */
  view: Pick<StatusView, "one">;
  /** Zone of the times written (config `timezone`). */
  timeZone: () => string;
  now?: () => number;
}

/** Parses a `from`/`to` query value: ISO-8601 (an unencoded `+` offset too) or epoch ms. */
function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = parseQueryTime(value);
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

/**
 * The stream routes of the API. An unknown name or a bad query value is thrown as an
 * `HTTPException` (404, 400) for the composing app's `onError` to answer as JSON `{error}`.
 */
export function apiStreamsRoutes(deps: ApiStreamsRoutesDeps): Hono {
  const now = deps.now ?? Date.now;
  const findStream = (name: string) => {
    const s = deps.monitor.streams().find((x) => x.name === name);
    if (!s) throw new HTTPException(404, { message: `Unknown stream "${name.slice(0, 200)}"` });
    return s;
  };
  const app = new Hono();
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
  app.get("/api/streams/:name/history", async (c) => {
    const s = findStream(c.req.param("name"));
    const q = rangeQuery(c.req.query(), 10_000);
    const tz = deps.timeZone();
    return c.json((await deps.store.history(s.name, q)).map((r) => historyEntry(r, tz)));
  });
  app.get("/api/streams/:name/incidents", async (c) => {
    const s = findStream(c.req.param("name"));
    const q = rangeQuery(c.req.query(), 1000);
    const tz = deps.timeZone();
    const t = now();
    // The shared entry writes whole seconds (the stream page shows it); the API adds the ms.
    return c.json(
      (await deps.store.incidents(s.name, q)).map((i) => ({
        ...incidentEntry(i, { timeZone: tz, now: t }),
        start: formatInZoneMs(i.start, tz),
        end: i.end === null ? null : formatInZoneMs(i.end, tz),
      })),
    );
  });
  return app;
}
