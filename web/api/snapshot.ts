/** GET /api/streams/:name/snapshot.jpg — the last good (or `?kind=failure`) frame of a stream. */

import { Hono } from "hono";

/** What {@link apiSnapshotRoutes} reads (the real one is the media task). */
export interface ApiSnapshotRoutesDeps {
  /** The stored JPEG, or undefined when the stream is unknown or has none yet. */
  snapshot(name: string, kind: "last" | "failure"): Promise<Uint8Array | undefined>;
  /** Tells an unknown stream from one without a snapshot yet (both are 404). */
  hasStream?(name: string): boolean;
}

/**
 * The `GET /api/streams/:name/snapshot.jpg[?kind=last|failure]` route: the JPEG with
 * `Cache-Control: no-store`, or JSON `{error}` — 404 for an unknown stream or no snapshot yet,
 * 400 for another `kind`.
 */
export function apiSnapshotRoutes(deps: ApiSnapshotRoutesDeps): Hono {
  const app = new Hono();
  app.get("/api/streams/:name/snapshot.jpg", async (c) => {
    const name = c.req.param("name");
    const shown = JSON.stringify(name.slice(0, 200));
    const kind = c.req.query("kind") ?? "last";
    if (kind !== "last" && kind !== "failure") {
      const got = JSON.stringify(kind.slice(0, 40));
      return c.json({ error: `Invalid "kind": expected last or failure, got ${got}` }, 400);
    }
    if (deps.hasStream && !deps.hasStream(name)) {
      return c.json({ error: `Unknown stream ${shown}` }, 404);
    }
    const jpeg = await deps.snapshot(name, kind);
    if (!jpeg) {
      const what = kind === "failure" ? "No failure snapshot" : "No snapshot";
      return c.json({ error: `${what} of stream ${shown} yet` }, 404);
    }
    return c.body(jpeg as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": "image/jpeg",
      "Cache-Control": "no-store",
      "Content-Length": String(jpeg.length),
    });
  });
  return app;
}
