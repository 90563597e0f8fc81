/** StreamPulse entry point: wiring only — load config, open store, create bus, start tasks. */

import { parseArgs } from "node:util";
import { dirname, join, resolve } from "node:path";
import { delay } from "./monitor/async.ts";
import { createBus } from "./monitor/bus.ts";
import { type Config, ConfigError, parseConfig } from "./monitor/config.ts";
import { watchConfigFile } from "./monitor/config_file.ts";
import { createLogger, type Logger, parseLogLevel } from "./monitor/log.ts";
import { createMonitor } from "./monitor/monitor.ts";
import { selectProbe } from "./monitor/probes/mod.ts";
import { createStatusView } from "./monitor/status_view.ts";
import { openStore } from "./monitor/store.ts";
import { createSupervisor } from "./monitor/supervisor.ts";
import { createApiApp } from "./web/api.ts";

/** The version reported by /api/health and `--version`. */
export const VERSION = "0.1.0";

const HELP = `StreamPulse ${VERSION} — stream-health monitor for IP cameras and video streams

Usage:
  deno task start [-- options]
  streampulse [run] [--config PATH] [--db PATH] [--data-dir DIR]

Options:
  --config PATH    config.yaml to use and watch (default ./config.yaml, env STREAMPULSE_CONFIG)
  --db PATH        SQLite database (default ./streams.db, env STREAMPULSE_DB)
  --data-dir DIR   folder holding config.yaml and streams.db (env STREAMPULSE_DATA_DIR)
  --help, --version

Example:
  streampulse --data-dir /host      # the Python release's /host/config.yaml and /host/streams.db
`;

/** Where the process keeps its files. */
export interface Paths {
  config: string;
  db: string;
}

/** Resolves paths from arguments, then environment, then defaults in the working directory. */
export function resolvePaths(args: string[], env: (k: string) => string | undefined): Paths {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string" },
      db: { type: "string" },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: false,
  });
  const dataDir = (values["data-dir"] as string | undefined) ?? env("STREAMPULSE_DATA_DIR") ?? ".";
  return {
    config: resolve(
      (values.config as string | undefined) ?? env("STREAMPULSE_CONFIG") ??
        join(dataDir, "config.yaml"),
    ),
    db: resolve(
      (values.db as string | undefined) ?? env("STREAMPULSE_DB") ??
        join(dataDir, "streams.db"),
    ),
  };
}

/** Reads config.yaml, creating it from the commented example when missing. */
async function readOrCreateConfig(path: string, logger: Logger): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const example = await Deno.readTextFile(new URL("./config.yaml", import.meta.url));
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, example, { createNew: true });
  logger.info(`created ${path} from the commented example`);
  return example;
}

/** Runs StreamPulse until `signal` aborts. Throws ConfigError when the initial config is invalid. */
export async function run(paths: Paths, logger: Logger, signal: AbortSignal): Promise<void> {
  const initialText = await readOrCreateConfig(paths.config, logger);
  let config: Config = parseConfig(initialText);
  const configState = { loadedAt: Date.now(), error: null as string | null, reloads: 0 };
  const secretsOf = (c: Config) => [c.mqtt.password, c.api.token].forEach(logger.addSecret);
  secretsOf(config);
  config.warnings.forEach((w) => logger.warn(`config: ${w}`));

  const store = openStore(paths.db, { logger });
  const bus = createBus((err) => logger.error(`event listener failed: ${String(err)}`));
  const monitor = createMonitor({
    store,
    bus,
    logger,
    selectProbe,
    maxConcurrent: config.maxConcurrentChecks,
  });
  monitor.applyStreams(config.streams);
  logger.info(
    `StreamPulse ${VERSION}: ${config.streams.length} streams, config ${paths.config}, db ${paths.db}`,
  );

  const applyText = (text: string) => {
    try {
      const next = parseConfig(text);
      secretsOf(next);
      next.warnings.forEach((w) => logger.warn(`config: ${w}`));
      config = next;
      configState.error = null;
      configState.loadedAt = Date.now();
      configState.reloads++;
      monitor.applyStreams(next.streams);
      logger.info(`config reloaded: ${next.streams.length} streams`);
      bus.emit("config-reloaded", { config: next });
    } catch (err) {
      const message = err instanceof ConfigError ? err.message : `Cannot load config: ${err}`;
      configState.error = message;
      logger.error(`${message} (keeping the last good config)`);
      bus.emit("config-error", { message });
    }
  };

  const supervisor = createSupervisor({ logger });
  const health = () => {
    const tasks = supervisor.health();
    let db: Record<string, unknown>;
    let dbOk = true;
    try {
      db = { ...store.health() };
    } catch (err) {
      dbOk = false;
      db = { error: String(err) };
    }
    const counts: Record<string, number> = { up: 0, degraded: 0, down: 0, unknown: 0 };
    for (const s of monitor.statuses()) counts[s.state]++;
    return {
      ok: dbOk && Object.values(tasks).every((t) => t.state === "running"),
      version: VERSION,
      tasks,
      config: {
        path: paths.config,
        loaded_at: new Date(configState.loadedAt).toISOString(),
        reloads: configState.reloads,
        error: configState.error,
        warnings: config.warnings,
      },
      db,
      streams: { total: config.streams.length, ...counts },
    };
  };
  const view = createStatusView({
    streams: () => monitor.streams(),
    status: (name) => monitor.status(name),
    uptime: (q) => store.uptime(q),
    timeZone: () => config.timezone,
  });
  const api = createApiApp({ monitor, store, view, config: () => config, health, logger });

  supervisor.add("monitor", (s) => monitor.run(s));
  supervisor.add("config-watcher", (s) =>
    watchConfigFile(paths.config, {
      signal: s,
      initialText,
      onChange: applyText,
      onError: (err) => logger.warn(`config file unreadable: ${err.message}`),
    }));
  supervisor.add("api", async (s) => {
    const { host, port } = config.api;
    const server = Deno.serve({
      hostname: host,
      port,
      signal: s,
      onListen: (a) => logger.info(`status API on http://${a.hostname}:${a.port}/api/status`),
    }, api.fetch);
    await server.finished;
  });
  supervisor.add("retention", async (s) => {
    while (!s.aborted) {
      // First pass a minute after start, then hourly; pruning runs in small batches.
      await delay(60_000, { signal: s });
      if (s.aborted) break;
      const pruned = await store.prune({ retentionDays: config.retentionDays, signal: s });
      if (pruned.checks > 0) logger.info(`retention: pruned ${pruned.checks} old checks`);
      await delay(3_540_000, { signal: s });
    }
  });
  try {
    await supervisor.run(signal);
  } finally {
    store.close();
    logger.info("stopped; database closed");
  }
}

if (import.meta.main) {
  const args = Deno.args[0] === "run" ? Deno.args.slice(1) : Deno.args;
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    Deno.exit(0);
  }
  if (args.includes("--version")) {
    console.log(`streampulse ${VERSION}`);
    Deno.exit(0);
  }
  const logger = createLogger({ level: parseLogLevel(Deno.env.get("LOG_LEVEL")) });
  const ctrl = new AbortController();
  const stop = (sig: string) => {
    if (ctrl.signal.aborted) return;
    logger.info(`${sig} received, stopping`);
    ctrl.abort();
    // The brief allows 5 s for a clean stop; never hang past it.
    setTimeout(() => {
      logger.error("shutdown took longer than 5 s; exiting");
      Deno.exit(1);
    }, 5000).unref?.();
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
  try {
    await run(resolvePaths(args, (k) => Deno.env.get(k)), logger, ctrl.signal);
    Deno.exit(0);
  } catch (err) {
    logger.error(err instanceof Error ? err.message : String(err));
    Deno.exit(err instanceof ConfigError ? 2 : 1);
  }
}
