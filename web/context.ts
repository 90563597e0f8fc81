/** What the dashboard's route modules share: its dependencies, the store slice, the context. */

import type { Context } from "hono";
import type { VNode } from "preact";
import type { Bus, Logger, Monitor } from "../monitor/mod.ts";
import type { DeliveryResult } from "../monitor/alerts/mod.ts";
import type { ChannelConfig, Config, ConfigSource, ConfigState } from "../monitor/config/mod.ts";
import type { StatusView } from "../monitor/status/mod.ts";
import type {
  Awaitable,
  DeliveryLogRow,
  Incident,
  Mute,
  Store,
  StoreHealth,
} from "../monitor/store/mod.ts";
import type { AlertsHealth } from "./alerts_view.ts";
import type { Auth } from "./auth.ts";
import type { Assets } from "./bundle.ts";
import type { WebEnv } from "./guard.ts";
import type { PageContext } from "./pages/mod.ts";
import type { PreviewPool, Previews } from "./preview.ts";
import type { Rows } from "./rows.ts";
import type { Events } from "./sse.ts";

/**
 * What the dashboard reads and writes in the store: a slice of the one Store interface (rows'
 * history and uptime, sessions' settings, the stream page, charts and the CSV export).
 */
export type WebStore =
  & Pick<
    Store,
    "history" | "incidents" | "uptime" | "rollups" | "exportChecks" | "getMeta" | "setMeta"
  >
  & Pick<Store, "allIncidents"> // the incident log (/incidents)
  & {
    /** Write trouble for the page banner (Store.health); optional so read-only fakes need none. */
    health?(): Pick<StoreHealth, "writeError" | "queued">;
  };

/**
 * What the dashboard and the status API use of alerting: a slice of the alerts task
 * (acknowledge, mute, mutes, test, maintenance, health) and of the store (the delivery log and
 * incidents by id). main.ts passes one object built from both.
 */
export interface WebAlerts {
  /** Acknowledges an incident with a note (≤ 1,000 chars); undefined for an unknown id. */
  acknowledge(id: number, note: string): Promise<Incident | undefined>;
  /** Mutes a stream until `until` (ms since the epoch), or unmutes it (null). */
  mute(name: string, until: number | null, note: string): Promise<void>;
  /** Mutes in force now. */
  mutes(): Mute[];
  /** Sends a test alert through a configured channel (by name) or an unsaved channel config. */
  test(channel: string | ChannelConfig): Promise<DeliveryResult>;
  /** The name of the maintenance window covering a stream now, if any. */
  maintenance(name: string): string | undefined;
  /** The outbox's state. */
  health(): AlertsHealth;
  /** The delivery log, newest first (Store.deliveries). */
  deliveries(q?: { channel?: string; limit?: number }): Awaitable<DeliveryLogRow[]>;
  /** The incident with this id (Store.incident). */
  incident(id: number): Awaitable<Incident | undefined>;
}

/** Dependencies of {@link createWebApp}. */
export interface WebAppDeps {
  monitor: Pick<Monitor, "streams" | "status" | "statuses" | "probeOnce">;
  store: WebStore;
  bus: Bus;
  view: StatusView;
  /** The status API app, mounted under /api/* here too. */
  api: { fetch: (req: Request, env?: unknown) => Response | Promise<Response> };
  config: () => Config;
  configPath: string;
  /**
   * Where the dashboard's edits go (default: config.yaml at `configPath`); in fleet mode the
   * shared document in the database (databaseConfigSource).
   */
  configSource?: ConfigSource;
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
  /**
   * The media checks' process pool, which previews' ffmpeg runs in (default: a pool of the
   * previews' own, for tests without media checks).
   */
  processes?: PreviewPool;
  /** The config holder's state (/api/health `config`): a banner on every page while it is bad. */
  configState?: () => Pick<ConfigState, "file" | "error" | "problems" | "warnings">;
  /** Alerting (absent: the Alerts page shows the config only, acks and mutes are unavailable). */
  alerts?: WebAlerts;
  /** The media task's stored snapshots, for the grid's thumbnails (absent: placeholder tiles). */
  snapshots?: WebSnapshots;
}

/** The media task's stored snapshots as the grid reads them (MediaTask.snapshot, snapshotInfo). */
export interface WebSnapshots {
  /** The stored JPEG of a configured stream, or undefined. */
  load(name: string, kind: "last" | "failure"): Promise<Uint8Array | undefined>;
  /** When each snapshot was written (ms since the epoch), absent when there is none. */
  info(name: string): { last?: { at: number }; failure?: { at: number } };
}

/** Shared by the route modules. */
export interface WebContext {
  deps: WebAppDeps;
  auth: Auth;
  assets: Assets;
  rows: Rows;
  events: Events;
  previews: Previews;
  now: () => number;
  /**
   * Renders a page with the layout (status 200 unless given). `body` gets the CSRF token and the
   * role, so a page can leave out what a viewer may not use (web/guard.ts refuses it anyway).
   */
  page(
    c: Context<WebEnv>,
    ctx: Pick<PageContext, "title" | "active">,
    body: (csrf: string, role: "admin" | "viewer") => VNode,
    status?: number,
  ): Response;
  /** Resolves after the next config reload or rejection (or the wait limit). */
  waitReload(): { done: Promise<void> };
}
