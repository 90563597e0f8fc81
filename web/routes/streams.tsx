/** Routes of the dashboard and the stream page: chart data, preview, enable/disable, delete. */

import { type Context, Hono } from "hono";
import { ConfigConflictError } from "../../monitor/config/mod.ts";
import type { StreamConfig } from "../../monitor/mod.ts";
import { MUTE_FOREVER } from "../alerts_view.ts";
import type { WebContext } from "../context.ts";
import { configSourceOf, deleteStream, saveEdit, toggleStream, versionOf } from "../config_edit.ts";
import type { WebEnv } from "../guard.ts";
import { DashboardPage, DeletePage, StreamPage, UnknownStreamPage } from "../pages/mod.ts";
import { seriesOf } from "../series.ts";
import { streamPageProps } from "./streams_page.ts";

/** The dashboard and stream routes. */
export function streamRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps, rows, now } = ctx;
  const app = new Hono<WebEnv>();
  const source = configSourceOf(deps);
  const read = () => source.read();
  const find = (name: string) => deps.monitor.streams().find((s) => s.name === name);
  const unknown = (c: Context<WebEnv>, name: string) =>
    ctx.page(c, { title: "Unknown stream" }, () => <UnknownStreamPage name={name} />, 404);

  app.get("/", (c) =>
    ctx.page(c, { title: "Dashboard", active: "dashboard" }, () =>
      DashboardPage({
        rows: rows.all(),
        now: now(),
        q: c.req.query("q"),
        state: c.req.query("state"),
        tag: c.req.query("tag"),
        sort: c.req.query("sort"),
        group: c.req.query("group"),
        tz: deps.config().timezone,
      })));

  app.get("/streams/:name", async (c) => {
    const name = c.req.param("name");
    const s = find(name);
    const row = rows.one(name);
    if (!s || !row) return unknown(c, name);
    const t = now();
    const props = await streamPageProps(ctx, s, row, { range: c.req.query("range"), t });
    return ctx.page(c, { title: name }, (csrf) => StreamPage(props(csrf)));
  });
  // Alerting: acknowledge an incident of this stream, mute or unmute its alerts.
  app.post("/streams/:name/incidents/:id/ack", async (c) => {
    const name = c.req.param("name");
    const id = Number(c.req.param("id"));
    const alerts = deps.alerts;
    const inc = alerts && Number.isSafeInteger(id) ? await alerts.incident(id) : undefined;
    if (!alerts || !inc || inc.name !== name) return c.text("No such incident", 404);
    const b = await c.req.parseBody();
    const note = typeof b.note === "string" ? b.note.trim() : "";
    if (note.length > 1000) return c.text("The note must be at most 1,000 characters", 400);
    await alerts.acknowledge(id, note);
    return c.redirect(`/streams/${encodeURIComponent(name)}#incidents`, 303);
  });
  app.post("/streams/:name/mute", async (c) => {
    const name = c.req.param("name");
    if (!find(name) || !deps.alerts) return unknown(c, name);
    const b = await c.req.parseBody();
    const span = typeof b.for === "string" ? b.for : "";
    const note = typeof b.note === "string" ? b.note.trim().slice(0, 1000) : "";
    const minutes = Number(span);
    const until = span === "unmute"
      ? null
      : span === "forever"
      ? MUTE_FOREVER
      : [60, 480, 1440].includes(minutes)
      ? now() + minutes * 60_000
      : undefined;
    if (until === undefined) {
      return c.text('Choose 60, 480 or 1440 minutes, "forever" or "unmute"', 400);
    }
    await deps.alerts.mute(name, until, note);
    return c.redirect(`/streams/${encodeURIComponent(name)}`, 303);
  });
  app.post("/streams/:name/toggle", async (c) => {
    const name = c.req.param("name");
    const b = await c.req.parseBody();
    const wait = ctx.waitReload();
    await saveEdit(
      source,
      toggleStream(name, b.enabled === "true"),
      versionOf(await read()),
    );
    await wait.done;
    return c.redirect(`/streams/${encodeURIComponent(name)}`, 303);
  });
  app.get("/streams/:name/delete", async (c) => {
    const name = c.req.param("name");
    if (!find(name)) return unknown(c, name);
    const version = versionOf(await read());
    return ctx.page(c, { title: `Delete ${name}` }, (csrf) => DeletePage({ name, csrf, version }));
  });
  app.post("/streams/:name/delete", async (c) => {
    const name = c.req.param("name");
    const b = await c.req.parseBody();
    const wait = ctx.waitReload();
    try {
      await saveEdit(
        source,
        deleteStream(name),
        typeof b._version === "string" ? b._version : "",
      );
    } catch (err) {
      if (!(err instanceof ConfigConflictError)) throw err;
      return ctx.page(c, { title: "Not deleted" }, () => (
        <section class="narrow">
          <p class="alert" role="alert">
            config.yaml changed on disk since the confirmation was shown, so nothing was deleted.
            {" "}
            <a href={`/streams/${encodeURIComponent(name)}/delete`}>Try again</a>
          </p>
        </section>
      ), 409);
    }
    await wait.done;
    return c.redirect("/", 303);
  });

  app.get("/streams/:name/series", async (c) => {
    const name = c.req.param("name");
    if (!find(name)) return c.json({ error: `Unknown stream "${name.slice(0, 200)}"` }, 404);
    return c.json(await seriesOf(deps.store, name, c.req.query("range") ?? "24h", now()));
  });
  const media = (what: "preview" | "live" | "snapshot") => (c: Context<WebEnv>) => {
    const s: StreamConfig | undefined = find(c.req.param("name") ?? "");
    if (!s) return c.text("Unknown stream", 404);
    // No request.signal here: Deno aborts it when a response completes (legacy behaviour); a
    // closed tab cancels the response body instead, which stops ffmpeg (see preview.ts).
    if (what === "live") return ctx.previews.live(s);
    return what === "preview" ? ctx.previews.preview(s) : ctx.previews.snapshot(s);
  };
  app.get("/streams/:name/preview", media("preview"));
  app.get("/streams/:name/live.mp4", media("live"));
  app.get("/streams/:name/preview/check", async (c) => {
    const s = find(c.req.param("name") ?? "");
    if (!s) return c.json({ ok: false, reason: "unknown stream" }, 404);
    c.header("cache-control", "no-store");
    return c.json(await ctx.previews.check(s, AbortSignal.timeout(20_000)));
  });
  // ?kind=last|failure: the media task's stored frame (the stream page's evidence; `v` is its
  // time, so a versioned URL may be cached); without kind: a fresh frame grabbed now.
  app.get("/streams/:name/snapshot.jpg", async (c) => {
    const kind = c.req.query("kind");
    if (kind === undefined) return media("snapshot")(c);
    const name = c.req.param("name");
    if (kind !== "last" && kind !== "failure") {
      return c.text('Choose kind "last" or "failure"', 400);
    }
    const jpeg = find(name) ? await deps.snapshots?.load(name, kind) : undefined;
    if (!jpeg) return c.text(find(name) ? "No stored frame yet" : "Unknown stream", 404);
    const cache = c.req.query("v") ? "private, max-age=86400, immutable" : "no-cache";
    return c.body(jpeg.slice().buffer, 200, {
      "content-type": "image/jpeg",
      "cache-control": cache,
    });
  });
  return app;
}
