/** The camera grid (`GET /grid`) and its thumbnails (`GET /streams/:name/thumb.jpg`). */

import { Hono } from "hono";
import type { WebContext } from "../context.ts";
import type { WebEnv } from "../guard.ts";
import { GridPage } from "../pages/mod.ts";
import { createThumbs, type Thumbs } from "../thumbs.ts";

/** A year: a thumbnail URL carries its version (`v`), so its bytes never change. */
const IMMUTABLE = "private, max-age=31536000, immutable";

/** The grid routes; `thumbs` defaults to a 2,000-entry / 32 MiB cache of this app's own. */
export function gridRoutes(ctx: WebContext, thumbs: Thumbs = createThumbs()): Hono<WebEnv> {
  const { deps, rows, now } = ctx;
  const app = new Hono<WebEnv>();

  app.get("/grid", (c) =>
    ctx.page(c, { title: "Camera grid", active: "grid" }, () =>
      GridPage({
        rows: rows.all(),
        now: now(),
        timeZone: deps.config().timezone,
        q: c.req.query("q")?.slice(0, 200),
        state: c.req.query("state"),
        tag: c.req.query("tag")?.slice(0, 200),
        group: c.req.query("group"),
      })));

  // `?kind=last|failure&v=<version>`: the version is the snapshot's time (Row.snapLast or
  // snapFailure). With the current version the answer is cached for good; with none or an old
  // one it is revalidated (ETag), so a stale URL never pins an old picture.
  app.get("/streams/:name/thumb.jpg", async (c) => {
    const name = c.req.param("name");
    const kind = c.req.query("kind") ?? "last";
    if (kind !== "last" && kind !== "failure") {
      return c.text(`Unknown kind "${kind.slice(0, 40)}": use "last" or "failure"`, 400);
    }
    if (!deps.monitor.streams().some((s) => s.name === name)) {
      return c.text("Unknown stream", 404);
    }
    const snaps = deps.snapshots;
    const at = snaps?.info(name)[kind]?.at;
    const none = () => c.text(kind === "failure" ? "No failure snapshot" : "No snapshot yet", 404);
    if (!snaps || at === undefined) return none();
    let thumb;
    try {
      thumb = await thumbs.get(`${name}\n${kind}\n${at}`, () => snaps.load(name, kind));
    } catch (err) {
      deps.logger.warn(`thumbnail of "${name}" (${kind}): ${String(err).slice(0, 200)}`);
      return c.text("The snapshot cannot be decoded", 500);
    }
    if (!thumb) return none();
    c.header("ETag", thumb.etag);
    c.header("Cache-Control", c.req.query("v") === String(at) ? IMMUTABLE : "private, no-cache");
    if (c.req.header("If-None-Match") === thumb.etag) return c.body(null, 304);
    c.header("Content-Type", "image/jpeg");
    return c.body(thumb.jpeg);
  });
  return app;
}
