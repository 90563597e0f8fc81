/** Routes of the incident log: the page, its CSV download and acknowledging from it. */

import { Hono } from "hono";
import { formatInZone } from "../../monitor/mod.ts";
import type { Incident } from "../../monitor/store/mod.ts";
import type { WebContext } from "../context.ts";
import type { WebEnv } from "../guard.ts";
import {
  FilterError,
  filterParams,
  incidentCsv,
  type IncidentFilter,
  parseIncidentFilter,
  RANGES,
  storeQuery,
  toLocalInput,
} from "../incident_log.ts";
import { IncidentsPage } from "../pages/mod.ts";

/** Incidents per page of the log. */
const PAGE = 50;
/** The deepest page (the store skips at most 100,000 rows). */
const MAX_PAGE = 2000;

/** Where an ack form may send the browser back to: this log only, never another site. */
export function safeBack(back: unknown): string {
  return typeof back === "string" && /^\/incidents(?:[?#][^\\]*)?$/.test(back) &&
      back.length <= 2000
    ? back
    : "/incidents";
}

const withQuery = (path: string, p: URLSearchParams) => {
  const q = p.toString();
  return q ? `${path}?${q}` : path;
};

/** The incident log routes. */
export function incidentsRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps } = ctx;
  const app = new Hono<WebEnv>();
  const parse = (query: Record<string, string>): IncidentFilter | FilterError => {
    try {
      return parseIncidentFilter(query, ctx.now(), deps.config().timezone);
    } catch (err) {
      if (err instanceof FilterError) return err;
      throw err;
    }
  };

  app.get("/incidents", async (c) => {
    const query = c.req.query();
    const parsed = parse(query);
    const error = parsed instanceof FilterError ? parsed.message : undefined;
    const f = parsed instanceof FilterError ? parseIncidentFilter({}, ctx.now()) : parsed;
    const page = Math.min(MAX_PAGE, Math.max(1, Math.floor(Number(query.page)) || 1));
    const tz = deps.config().timezone;
    const streams = deps.monitor.streams();
    const found = await deps.store.allIncidents(
      storeQuery(f, streams, { limit: PAGE + 1, offset: (page - 1) * PAGE }),
    );
    const params = filterParams(f);
    const pageHref = (n: number) => {
      const p = new URLSearchParams(params);
      if (n > 1) p.set("page", String(n));
      return withQuery("/incidents", p);
    };
    const configured = new Set(streams.map((s) => s.name));
    const row = (i: Incident) => ({
      id: i.id,
      stream: i.name,
      configured: configured.has(i.name),
      state: i.state,
      start: formatInZone(i.start, tz),
      end: i.end === null ? null : formatInZone(i.end, tz),
      durationMs: i.durationMs,
      cause: i.cause,
      endCause: i.endCause,
      ack: i.ack ? { time: formatInZone(i.ack.ts, tz), note: i.ack.note } : null,
    });
    const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort((a, b) => a.localeCompare(b));
    return ctx.page(c, { title: "Incidents", active: "incidents" }, (csrf) =>
      IncidentsPage({
        rows: found.slice(0, PAGE).map(row),
        form: {
          range: f.range,
          state: f.state ?? "",
          stream: f.stream ?? "",
          tag: f.tag ?? "",
          site: f.site ?? "",
          open: f.open,
          from: f.fromText !== undefined ? toLocalInput(f.from, tz) : "",
          to: f.to !== undefined ? toLocalInput(f.to, tz) : "",
        },
        streams: sorted(streams.map((s) => s.name)),
        tags: sorted(streams.flatMap((s) => s.tags)),
        sites: sorted(streams.flatMap((s) => (s.site ? [s.site] : []))),
        ranges: Object.keys(RANGES),
        timezone: tz,
        csrf,
        page,
        older: found.length > PAGE && page < MAX_PAGE ? pageHref(page + 1) : undefined,
        newer: page > 1 ? pageHref(page - 1) : undefined,
        csvHref: withQuery("/incidents.csv", params),
        apiHref: withQuery("/api/incidents", params),
        back: pageHref(page),
        canAck: deps.alerts !== undefined,
        error,
      }), error ? 400 : 200);
  });

  app.get("/incidents.csv", async (c) => {
    const f = parse(c.req.query());
    if (f instanceof FilterError) return c.text(f.message, 400);
    const list = await deps.store.allIncidents(
      storeQuery(f, deps.monitor.streams(), { limit: 10_000 }),
    );
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const file = `streampulse-incidents-${day(f.from)}-${day(f.to ?? ctx.now())}.csv`;
    return c.body(incidentCsv(list, deps.config().timezone), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${file}"`,
      "cache-control": "no-store",
    });
  });

  // The same acknowledge() as the stream page's form; any incident, open or ended, takes a note.
  app.post("/incidents/:id/ack", async (c) => {
    const id = Number(c.req.param("id"));
    const alerts = deps.alerts;
    if (!alerts) return c.text("Alerting is not configured: incidents cannot be acknowledged", 404);
    if (!Number.isSafeInteger(id) || !(await alerts.incident(id))) {
      return c.text(`No incident with id "${c.req.param("id").slice(0, 40)}"`, 404);
    }
    const b = await c.req.parseBody();
    const note = typeof b.note === "string" ? b.note.trim() : "";
    if (note.length > 1000) return c.text("The note must be at most 1,000 characters", 400);
    await alerts.acknowledge(id, note);
    const back = safeBack(b.back).split("#")[0];
    return c.redirect(`${back}#incident-${id}`, 303);
  });
  return app;
}
