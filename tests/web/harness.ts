/** An in-test StreamPulse with the dashboard: real store, bus, monitor, config watcher, servers. */

import { type Bus, createBus } from "../../monitor/bus.ts";
import { type Config, ConfigError, parseConfig } from "../../monitor/config/parse.ts";
import { watchConfigFile } from "../../monitor/config/file.ts";
import { createLogger } from "../../monitor/log.ts";
import { createMetrics } from "../../monitor/metrics_registry.ts";
import { createMonitor, type Monitor } from "../../monitor/monitor.ts";
import { selectProbe } from "../../monitor/probes/mod.ts";
import { createSlaReporter } from "../../monitor/status/sla_report.ts";
import { createStatusView } from "../../monitor/status/view.ts";
import { openStore, type Store } from "../../monitor/store/mod.ts";
import { createApiApp } from "../../web/api/app.ts";
import { createWebApp, type WebApp, type WebStore } from "../../web/app.ts";
import type { ExportRow } from "../../web/csv.ts";

/** Options of {@link startWebStack}. */
export interface StackOptions {
  /** config.yaml text (default: no streams). */
  config?: string;
  env?: Record<string, string>;
  /** PBKDF2 iterations (default 1000 to keep tests fast; production uses 600,000). */
  iterations?: number;
  /** Serve over HTTP on a free port (default true). */
  listen?: boolean;
  reloadWaitMs?: number;
  /** Reuse a folder (config.yaml and streams.db) of an earlier stack: a restart. */
  dir?: string;
  /** Listen on this port (default: a free one). */
  port?: number;
  /** The dashboard's clock (default Date.now), e.g. to let sessions expire. */
  now?: () => number;
}

/** A running stack. */
export interface Stack {
  web: WebApp;
  store: WebStore & Store;
  /** The event bus (tests emit on it to drive the event stream). */
  bus: Bus;
  monitor: Monitor;
  dir: string;
  configPath: string;
  /** `http://127.0.0.1:<port>` (when listening). */
  url: string;
  /** The status API's own listener, `http://127.0.0.1:<port>` (when listening). */
  apiUrl: string;
  logs(): string;
  config(): Config;
  /** Stops everything; removes the folder unless `keepDir`. */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

/**
 * Adds the store methods the lead is adding to monitor/store.ts (rollups, exportChecks, meta)
 * when they are not there yet, built on the store's public reads. Real ones win when present.
 */
export function withWebMethods(store: Store, metaFile: string): WebStore & Store {
  const s = store as Store & Partial<WebStore>;
  const meta = new Map<string, string>();
  try {
    for (const [k, v] of Object.entries(JSON.parse(Deno.readTextFileSync(metaFile)))) {
      meta.set(k, v as string);
    }
  } catch { /* first start */ }
  const hourOf = (ts: number) => Math.floor(ts / 3_600_000) * 3_600_000;
  const extra: Partial<WebStore> = {
    getMeta: (k) => meta.get(k),
    setMeta: (k, v) => {
      meta.set(k, v);
      Deno.writeTextFileSync(metaFile, JSON.stringify(Object.fromEntries(meta)));
    },
    rollups(name, q) {
      const by = new Map<number, { checks: number; ok: number; lats: number[] }>();
      for (const r of store.history(name, { from: q.from, to: q.to, limit: 10_000 })) {
        const b = by.get(hourOf(r.ts)) ?? { checks: 0, ok: 0, lats: [] };
        b.checks++;
        if (r.ok) b.ok++;
        if (r.ok && Number.isFinite(r.latencyMs)) b.lats.push(r.latencyMs);
        by.set(hourOf(r.ts), b);
      }
      return [...by].sort((a, b) => a[0] - b[0]).map(([hour, b]) => ({
        hour,
        checks: b.checks,
        ok: b.ok,
        latMin: b.lats.length ? Math.min(...b.lats) : null,
        latAvg: b.lats.length ? b.lats.reduce((x, y) => x + y, 0) / b.lats.length : null,
        latMax: b.lats.length ? Math.max(...b.lats) : null,
      }));
    },
    *exportChecks(q) {
      for (const name of q.names ?? store.streamNames()) {
        const rows = store.history(name, { from: q.from, to: q.to, limit: 10_000 }).reverse();
        for (const r of rows) {
          yield {
            name,
            ts: r.ts,
            ok: r.ok,
            state: r.state,
            latencyMs: Number.isFinite(r.latencyMs) ? r.latencyMs : null,
            message: r.message,
          } satisfies ExportRow;
        }
      }
    },
  };
  for (const [k, v] of Object.entries(extra)) {
    if (typeof (s as unknown as Record<string, unknown>)[k] !== "function") {
      (s as unknown as Record<string, unknown>)[k] = v;
    }
  }
  return s as WebStore & Store;
}

/** Starts the stack in a new temp dir (wired like main.ts). */
export async function startWebStack(opts: StackOptions = {}): Promise<Stack> {
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "streampulse-web-" });
  const configPath = `${dir}/config.yaml`;
  if (!opts.dir) {
    await Deno.writeTextFile(configPath, opts.config ?? "heartbeat_seconds: 1\nstreams: []\n");
  }
  const text = await Deno.readTextFile(configPath);
  let log = "";
  const logger = createLogger({ level: "debug", write: (line) => void (log += line + "\n") });
  let config = parseConfig(text);
  const store = withWebMethods(openStore(`${dir}/streams.db`, { logger }), `${dir}/meta.json`);
  const bus = createBus((err) => logger.error(String(err)));
  const metrics = createMetrics({ bus });
  const monitor = createMonitor({
    store,
    bus,
    logger,
    selectProbe,
    maxConcurrent: 16,
    recheckDelayMs: 200,
  });
  monitor.applyStreams(config.streams);
  const view = createStatusView({
    streams: () => monitor.streams(),
    status: (n) => monitor.status(n),
    uptime: (q) => store.uptime(q),
    timeZone: () => config.timezone,
  });
  const api = createApiApp({
    monitor,
    store,
    view,
    config: () => config,
    health: () => ({ ok: true }),
    logger,
    metrics,
    sla: createSlaReporter({ store, streams: () => monitor.streams() }),
  });
  const env = opts.env ?? {};
  const web = createWebApp({
    monitor,
    store,
    bus,
    view,
    api,
    config: () => config,
    configPath,
    logger,
    env: (k) => env[k],
    passwordIterations: opts.iterations ?? 1000,
    reloadWaitMs: opts.reloadWaitMs,
    now: opts.now,
  });
  const ctrl = new AbortController();
  const startedAt = Date.now();
  const tasks: Promise<unknown>[] = [monitor.run(ctrl.signal)];
  tasks.push(watchConfigFile(configPath, {
    signal: ctrl.signal,
    initialText: text,
    debounceMs: 50,
    onChange: (t) => {
      try {
        config = parseConfig(t);
        monitor.applyStreams(config.streams);
        bus.emit("config-reloaded", { config });
      } catch (err) {
        const message = err instanceof ConfigError ? err.message : String(err);
        bus.emit("config-error", { message });
      }
    },
  }));
  let url = "";
  let apiUrl = "";
  if (opts.listen !== false) {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: opts.port ?? 0, signal: ctrl.signal, onListen: () => {} },
      web.app.fetch,
    );
    url = `http://127.0.0.1:${server.addr.port}`;
    ctrl.signal.addEventListener("abort", () => web.close(), { once: true });
    tasks.push(server.finished);
    const apiServer = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ctrl.signal, onListen: () => {} },
      api.fetch,
    );
    apiUrl = `http://127.0.0.1:${apiServer.addr.port}`;
    tasks.push(apiServer.finished);
  }
  return {
    web,
    store,
    bus,
    monitor,
    dir,
    configPath,
    url,
    apiUrl,
    logs: () => log,
    config: () => config,
    async stop(stopOpts = {}) {
      // watchConfigFile() misses an abort that lands while it resolves the real path, before
      // its watcher exists (reported to the lead); give it that moment on very short tests.
      const age = Date.now() - startedAt;
      if (age < 200) await new Promise((r) => setTimeout(r, 200 - age));
      web.close();
      ctrl.abort();
      await Promise.all(tasks);
      metrics.close();
      store.close();
      if (!stopOpts.keepDir) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
