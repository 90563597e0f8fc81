/** The dashboard app (port 8000): wires auth, pages, islands' assets, SSE, previews and the API. */

import { Hono } from "hono";
import { compress } from "hono/compress";
import type { ForwardedEnv } from "./api/mod.ts";
import { createAuth } from "./auth.ts";
import { loadAssets } from "./bundle.ts";
import type { WebAppDeps, WebContext, WebStore } from "./context.ts";
import {
  csrfGuard,
  csrfToken,
  loadSession,
  requireSession,
  roleGuard,
  securityHeaders,
  type WebEnv,
} from "./guard.ts";
import { renderPage } from "./pages/mod.ts";
import { createPreviews } from "./preview.ts";
import { createRows } from "./rows.ts";
import {
  alertsRoutes,
  authRoutes,
  editorRoutes,
  exportRoutes,
  gridRoutes,
  importRoutes,
  incidentsRoutes,
  publicRoutes,
  settingsRoutes,
  streamRoutes,
  usersRoutes,
} from "./routes/mod.ts";
import { createEvents } from "./sse.ts";
import { configBanner } from "./stream_problems.ts";

export type { WebAppDeps, WebContext, WebStore } from "./context.ts";

/** The dashboard. */
export interface WebApp {
  app: Hono<WebEnv>;
  /** The first-run setup token while no admin password exists. */
  setupToken(): string | undefined;
  /** Gzipped bytes of the dashboard's JavaScript. */
  jsGzipBytes(): number;
  /** Live previews running (ffmpeg processes or proxies). */
  previews(): number;
  /** Ends every SSE stream and preview process. */
  close(): void;
}

/** The page banner's facts while store writes fail, else undefined. */
function dbTrouble(store: WebStore): { writeError: string; queued: number } | undefined {
  const h = store.health?.();
  return h?.writeError ? { writeError: h.writeError, queued: h.queued } : undefined;
}

/** Creates the dashboard app. Nothing listens: serve `app.fetch` with Deno.serve. */
export function createWebApp(deps: WebAppDeps): WebApp {
  const now = deps.now ?? Date.now;
  const secure = deps.secureCookies ?? false;
  const port = deps.config().web.port;
  const auth = createAuth({
    meta: deps.store,
    logger: deps.logger,
    env: deps.env,
    now,
    iterations: deps.passwordIterations,
    baseUrl: `http://localhost:${port}`,
  });
  const assets = loadAssets({ dir: deps.assetsDir, onMissing: (m) => deps.logger.warn(m) });
  const rows = createRows({
    monitor: deps.monitor,
    store: deps.store,
    now,
    picture: deps.view.picture,
    uptime: deps.view.uptime,
    snapshots: deps.snapshots?.info,
  });
  const events = createEvents({
    bus: deps.bus,
    rows,
    now,
    sessions: { alive: auth.sessionAlive, onEnd: auth.onSessionEnd },
  });
  // Previews run in the media checks' process pool, with `preview.max_concurrent` as their own cap.
  const previews = createPreviews({
    maxConcurrent: () => deps.config().preview.maxConcurrent,
    pool: deps.processes,
  });
  // Open event streams would keep an old listener alive when web.host/web.port change.
  let address = JSON.stringify(deps.config().web);
  const offAddress = deps.bus.on("config-reloaded", ({ config }) => {
    const next = JSON.stringify(config.web);
    if (next !== address) events.disconnectAll();
    address = next;
  });

  const ctx: WebContext = {
    deps,
    auth,
    assets,
    rows,
    events,
    previews,
    now,
    page(c, p, body, status = 200) {
      const csrf = csrfToken(c, secure);
      const html = renderPage({
        ...p,
        csrf,
        scriptUrl: assets.scriptUrl,
        cssUrl: assets.cssUrl,
        signedIn: c.get("session") !== undefined,
        role: c.get("session")?.role,
        dbTrouble: dbTrouble(deps.store),
        configTrouble: configBanner(deps.configState?.()),
      }, body(csrf, c.get("session")?.role ?? "admin"));
      c.header("Cache-Control", "no-store");
      return c.html(html, status as 200);
    },
    waitReload() {
      const offs: Array<() => void> = [];
      const done = new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deps.reloadWaitMs ?? 3000);
        const end = () => (clearTimeout(t), resolve());
        offs.push(deps.bus.on("config-reloaded", end), deps.bus.on("config-error", end));
      }).finally(() => offs.forEach((off) => off()));
      return { done };
    },
  };

  const app = new Hono<WebEnv>();
  app.use(securityHeaders());
  // Pages and JSON only: event streams and previews must not be buffered by a compressor.
  app.use(compress({ contentTypeFilter: /^(text\/html|application\/json)/ }));
  app.get("/static/*", (c) => assets.respond(c.req.path, c.req.raw.headers) ?? c.notFound());
  app.get("/healthz", (c) => c.text("ok"));
  app.use(loadSession(auth));
  app.use(csrfGuard());
  app.use(roleGuard()); // viewers: every write and editor refused here, for every route
  app.route("/", authRoutes(ctx, secure));
  // The status API is reachable here too: for a signed-in browser, or with the API's own
  // `api.token` check when one is configured. Without either it stays closed on this port.
  app.all(
    "/api/*",
    (c, next) =>
      c.get("session")
        ? deps.api.fetch(c.req.raw, { viaDashboard: true, trusted: true } satisfies ForwardedEnv)
        : deps.config().api.token
        ? deps.api.fetch(c.req.raw, { viaDashboard: true } satisfies ForwardedEnv) // token check
        : next(),
  );
  app.route("/", publicRoutes(ctx)); // /status and badges: no sign-in, 404 while off
  app.use(requireSession(auth));
  app.get("/events", (c) => events.handler(c, c.get("session")?.id));
  app.get("/whoami", (c) => c.body(null, 204));
  app.route("/", editorRoutes(ctx));
  app.route("/", importRoutes(ctx)); // before streamRoutes: /streams/import is no stream
  app.route("/", streamRoutes(ctx));
  app.route("/", settingsRoutes(ctx));
  app.route("/", alertsRoutes(ctx));
  app.route("/", exportRoutes(ctx));
  app.route("/", gridRoutes(ctx));
  app.route("/", incidentsRoutes(ctx));
  app.route("/", usersRoutes(ctx));
  app.notFound((c) => c.text(`Not found: ${c.req.path}`, 404));
  app.onError((err, c) => {
    deps.logger.error(`dashboard error on ${c.req.method} ${c.req.path}: ${err.message}`);
    return c.text("Internal error; see the server log", 500);
  });

  return {
    app,
    setupToken: () => auth.setupToken(),
    jsGzipBytes: () => assets.dashboardJsGzipBytes,
    previews: () => previews.active(),
    close() {
      offAddress();
      events.close();
      previews.close();
    },
  };
}
