/** Routes of the CSV export: the form, and the download streamed from the store. */

import { Hono } from "hono";
import type { WebContext } from "../context.ts";
import { csvStream, parseExportTime } from "../csv.ts";
import type { WebEnv } from "../guard.ts";
import { ExportPage } from "../pages/mod.ts";

/** The export routes. */
export function exportRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps } = ctx;
  const app = new Hono<WebEnv>();
  app.get("/export", (c) => {
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const t = ctx.now();
    const names = deps.monitor.streams().map((s) => s.name);
    return ctx.page(
      c,
      { title: "Export", active: "export" },
      () =>
        ExportPage({
          names,
          from: day(t - 7 * 86_400_000),
          to: day(t),
          timezone: deps.config().timezone,
        }),
    );
  });
  app.get("/export.csv", (c) => {
    let from: number;
    let to: number;
    try {
      from = parseExportTime(c.req.query("from") ?? "", "from");
      to = parseExportTime(c.req.query("to") ?? "", "to", true);
    } catch (err) {
      return c.text((err as Error).message, 400);
    }
    const stream = c.req.query("stream") || undefined;
    const rows = deps.store.exportChecks({ names: stream ? [stream] : undefined, from, to });
    const file = `streampulse-${stream ? stream.replace(/[^\w.-]+/g, "_").slice(0, 60) : "all"}-${
      c.req.query("from")
    }-${c.req.query("to")}.csv`;
    return new Response(csvStream(rows, { timeZone: deps.config().timezone }), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${file.replace(/[^\w.-]/g, "_")}"`,
        "cache-control": "no-store",
      },
    });
  });
  return app;
}
