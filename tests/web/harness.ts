/** An in-test StreamPulse built by main.ts's createStreamPulse(), on loopback and free ports. */

import { createStreamPulse } from "../../main.ts";
import { type Bus, createLogger, type Monitor } from "../../monitor/mod.ts";
import type { Config } from "../../monitor/config/mod.ts";
import type { SyncStore } from "../../monitor/store/mod.ts";
import type { WebApp } from "../../web/mod.ts";
import { freePort } from "../fixtures/rtsp.ts";

/** Options of {@link startWebStack}. */
export interface StackOptions {
  /** config.yaml text (default: no streams). */
  config?: string;
  env?: Record<string, string>;
  /** PBKDF2 iterations (default 1000 to keep tests fast; production uses 600,000). */
  iterations?: number;
  /** Serve over HTTP on free ports (default true); false: call `web.app.fetch` directly. */
  listen?: boolean;
  reloadWaitMs?: number;
  /** Reuse a folder (config.yaml and streams.db) of an earlier stack: a restart. */
  dir?: string;
  /** The dashboard listens on this port (default: a free one). */
  port?: number;
  /** The dashboard's clock (default Date.now), e.g. to let sessions expire. */
  now?: () => number;
}

/** A running stack. */
export interface Stack {
  web: WebApp;
  /** The stack's store: the harness never configures `database:`, so it is SQLite's. */
  store: SyncStore;
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

/** Waits until something answers HTTP at `url` (the supervisor starts the servers). */
async function untilListening(url: string, logs: () => string): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    const up = await fetch(url).then(async (r) => (await r.body?.cancel(), true), () => false);
    if (up) return;
    if (Date.now() > end) throw new Error(`nothing listens on ${url}\n${logs().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts the stack in a new temp dir, wired by the same function as main.ts. */
export async function startWebStack(opts: StackOptions = {}): Promise<Stack> {
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "streampulse-web-" });
  const configPath = `${dir}/config.yaml`;
  if (!opts.dir) {
    await Deno.writeTextFile(configPath, opts.config ?? "heartbeat_seconds: 1\nstreams: []\n");
  }
  let log = "";
  const logger = createLogger({ level: "debug", write: (line) => void (log += line + "\n") });
  const env = opts.env ?? {};
  const listen = opts.listen !== false;
  const ports = { web: opts.port ?? freePort(), api: freePort() };
  const app = await createStreamPulse(
    { config: configPath, db: `${dir}/streams.db`, dataDir: dir },
    {
      logger,
      env: (k) => env[k],
      listen: listen && {
        api: () => ({ host: "127.0.0.1", port: ports.api }),
        web: () => ({ host: "127.0.0.1", port: ports.web }),
      },
      web: {
        passwordIterations: opts.iterations ?? 1000,
        reloadWaitMs: opts.reloadWaitMs,
        now: opts.now,
      },
    },
  );
  const ctrl = new AbortController();
  const startedAt = Date.now();
  const running = app.run(ctrl.signal);
  const url = listen ? `http://127.0.0.1:${ports.web}` : "";
  const apiUrl = listen ? `http://127.0.0.1:${ports.api}` : "";
  const logs = () => log;
  if (listen) {
    await untilListening(`${url}/healthz`, logs);
    await untilListening(`${apiUrl}/api/health`, logs);
  }
  return {
    web: app.web,
    store: app.store as SyncStore, // SQLite (no `database:` in the harness's configs)
    bus: app.bus,
    monitor: app.monitor,
    dir,
    configPath,
    url,
    apiUrl,
    logs,
    config: app.config,
    async stop(stopOpts = {}) {
      // watchConfigFile() misses an abort that lands while it resolves the real path, before
      // its watcher exists (reported to the lead); give it that moment on very short tests.
      const age = Date.now() - startedAt;
      if (age < 200) await new Promise((r) => setTimeout(r, 200 - age));
      ctrl.abort();
      await running;
      if (!stopOpts.keepDir) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
