/** The dashboard app (port 8000): wires auth, pages, islands' assets, SSE, previews and the API. */

import { Hono } from "hono";
import type { Context } from "hono";
import { compress } from "hono/compress";
import type { VNode } from "preact";
import type { ForwardedEnv } from "./api.ts";
import type { Bus } from "../monitor/bus.ts";
import type { Config } from "../monitor/config.ts";
import type { PreviewConfig } from "../monitor/config_web.ts";
import type { Logger } from "../monitor/log.ts";
import type { Monitor } from "../monitor/monitor.ts";
import type { StatusView } from "../monitor/status_view.ts";
import type { RollupRow } from "../monitor/store_reports.ts";
import type { CheckRecord } from "../monitor/types.ts";
import { createAuth, type MetaStore } from "./auth.ts";
import { type Assets, loadAssets } from "./bundle.ts";
import type { ExportRow } from "./csv.ts";
import {
  csrfGuard,
  csrfToken,
  loadSession,
  requireSession,
  securityHeaders,
  type WebEnv,
} from "./guard.ts";
import { type PageContext, renderPage } from "./pages/layout.tsx";
import { createPreviews, type Previews } from "./preview.ts";
import { createRows, type Rows, type RowsStore } from "./rows.ts";
import { authRoutes } from "./routes_auth.ts";
import { editorRoutes } from "./routes_editor.tsx";
import { exportRoutes } from "./routes_export.tsx";
import { settingsRoutes } from "./routes_settings.tsx";
import { streamRoutes } from "./routes_streams.tsx";
import { createEvents, type Events } from "./sse.ts";

/** What the dashboard reads and writes in the store (monitor/store.ts). */
export interface WebStore extends RowsStore, MetaStore {
  history(name: string, q: { from?: number; to?: number; limit?: number }): CheckRecord[];
  incidents(name: string, q: { from?: number; to?: number; limit?: number }): Array<
    {
      state: "down" | "degraded";
      start: number;
      end: number | null;
      durationMs: number;
      cause: string;
    }
  >;
  rollups(name: string, q: { from: number; to: number }): RollupRow[];
  exportChecks(q: { names?: string[]; from: number; to: number }): Iterable<ExportRow>;
  /** Write trouble for the page banner (Store.health); optional so read-only fakes need none. */
  health?(): { writeError: string | null; queued: number };
}

/** Dependencies of {@link createWebApp}. */
export interface WebDeps {
  monitor: Pick<Monitor, "streams" | "status" | "statuses" | "probeOnce">;
  store: WebStore;
  bus: Bus;
  view: StatusView;
  /** The status API app, mounted under /api/* here too. */
  api: { fetch: (req: Request, env?: unknown) => Response | Promise<Response> };
  config: () => Config;
  configPath: string;
  logger: Logger;
  /** Always mark cookies Secure (otherwise only for https requests). */
  secureCookies?: boolean;
  env?: (key: string) => string | undefined;
  now?: () => number;
  /** PBKDF2 iterations (default 600,000; tests use fewer). */
  passwordIterations?: number;
  /** How long a save waits for the watcher to apply config.yaml (default 3 s). */
  reloadWaitMs?: number;
  /** Folder of app.css and bundle/ (default web/static/). */
  assetsDir?: URL;
}

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

/** Shared by the route modules. */
export interface WebContext {
  deps: WebDeps;
  auth: ReturnType<typeof createAuth>;
  assets: Assets;
  rows: Rows;
  events: Events;
  previews: Previews;
  now: () => number;
  /** Renders a page with the layout (status 200 unless given). */
  page(
    c: Context<WebEnv>,
    ctx: Pick<PageContext, "title" | "active">,
    body: (csrf: string) => VNode,
    status?: number,
  ): Response;
  /** Resolves after the next config reload or rejection (or the wait limit). */
  waitReload(): { done: Promise<void> };
}

/** The page banner's facts while store writes fail, else undefined. */
function dbTrouble(store: WebStore): { writeError: string; queued: number } | undefined {
  const h = store.health?.();
  return h?.writeError ? { writeError: h.writeError, queued: h.queued } : undefined;
}

/** Creates the dashboard app. Nothing listens: serve `app.fetch` with Deno.serve. */
export function createWebApp(deps: WebDeps): WebApp {
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
  const rows = createRows({ monitor: deps.monitor, store: deps.store, now });
  const events = createEvents({
    bus: deps.bus,
    rows,
    now,
    sessions: { alive: auth.sessionAlive, onEnd: auth.onSessionEnd },
  });
  const previewConfig = () =>
    (deps.config() as Config & { preview?: PreviewConfig }).preview?.maxConcurrent ?? 2;
  const previews = createPreviews({ maxConcurrent: previewConfig });
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
        dbTrouble: dbTrouble(deps.store),
      }, body(csrf));
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
  app.use(requireSession(auth));
  app.get("/events", (c) => events.handler(c, c.get("session")?.id));
  app.get("/whoami", (c) => c.body(null, 204));
  app.route("/", editorRoutes(ctx));
  app.route("/", streamRoutes(ctx));
  app.route("/", settingsRoutes(ctx));
  app.route("/", exportRoutes(ctx));
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
