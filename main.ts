/** StreamPulse entry point: wiring only — load config, open store, create bus, start tasks. */

import { dirname } from "node:path";
import {
  checkCommand,
  healthcheckCommand,
  helpText,
  parseCli,
  passwdCommand,
  UsageError,
  validateCommand,
} from "./cli/mod.ts";
import {
  createBus,
  createLogger,
  createMetrics,
  createMonitor,
  createSupervisor,
  type Logger,
  parseLogLevel,
} from "./monitor/mod.ts";
import {
  ConfigError,
  type ConfigRead,
  createConfigHolder,
  parseConfig,
  readConfigFile,
  watchConfigFile,
} from "./monitor/config/mod.ts";
import { createMediaTask } from "./monitor/media/mod.ts";
import { createRetentionTask } from "./monitor/store/mod.ts";
import { createSlaReporter, createStatusView } from "./monitor/status/mod.ts";
import { selectProbe } from "./monitor/probes/mod.ts";
import { openStore } from "./monitor/store/mod.ts";
import { createMqttTask } from "./mqtt/mod.ts";
import { createApiApp } from "./web/api/mod.ts";
import { createWebApp, serveTask } from "./web/mod.ts";

/** The version reported by /api/health and `--version`. */
export const VERSION = "0.1.0";

/** Where the process keeps its files. */
export interface Paths {
  config: string;
  db: string;
  dataDir: string;
}

/**
 * Reads config.yaml (size limit, strict UTF-8: ConfigError otherwise), creating it from the
 * commented example when missing.
 */
async function readOrCreateConfig(path: string, logger: Logger): Promise<ConfigRead> {
  try {
    return await readConfigFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const example = await Deno.readTextFile(new URL("./config.yaml", import.meta.url));
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, example, { createNew: true });
  logger.info(`created ${path} from the commented example`);
  return await readConfigFile(path);
}

/** Runs StreamPulse until `signal` aborts. Throws ConfigError when the initial config is invalid. */
export async function run(paths: Paths, logger: Logger, signal: AbortSignal): Promise<void> {
  const { text: initialText, stamp: initialStamp } = await readOrCreateConfig(paths.config, logger);
  const initial = parseConfig(initialText);
  // `--data-dir DIR` may name a folder that does not exist yet (the config may live elsewhere).
  for (const dir of new Set([paths.dataDir, dirname(paths.db)])) {
    await Deno.mkdir(dir, { recursive: true });
  }
  const store = openStore(paths.db, { logger });
  const bus = createBus((err) => logger.error(`event listener failed: ${String(err)}`));
  // Subscribed before the monitor starts so no result or reload goes uncounted.
  const metrics = createMetrics({
    bus,
    mqttConnected: () => {
      const h = mqttTask.health();
      return h.enabled ? h.connected : undefined;
    },
  });
  const monitor = createMonitor({
    store,
    bus,
    logger,
    selectProbe,
    maxConcurrent: initial.maxConcurrentChecks,
  });
  monitor.applyStreams(initial.streams);
  const holder = createConfigHolder({
    path: paths.config,
    initial,
    logger,
    bus,
    onApply: (next) => monitor.applyStreams(next.streams),
  });
  const config = holder.current;
  logger.info(
    `StreamPulse ${VERSION}: ${initial.streams.length} streams, config ${paths.config}, db ${paths.db}`,
  );

  const supervisor = createSupervisor({ logger });
  const health = () => {
    const tasks = supervisor.health();
    let db: Record<string, unknown>;
    let dbOk = true;
    try {
      const h = store.health();
      db = { ...h };
      dbOk = h.writeError === null; // failing writes (locked, disk full) make the process unhealthy
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
      config: holder.state(),
      db,
      streams: { total: config().streams.length, ...counts },
      // A broker outage shows here but never makes the process unhealthy.
      mqtt: mqttTask.health(),
      media: media.health(),
    };
  };
  const view = createStatusView({
    streams: () => monitor.streams(),
    status: (name) => monitor.status(name),
    uptime: (q) => store.uptime(q),
    timeZone: () => config().timezone,
  });
  const mqttTask = createMqttTask({
    config: () => config().mqtt,
    view,
    bus,
    logger,
    streams: () => monitor.streams(),
  });
  const media = createMediaTask({
    monitor,
    bus,
    logger,
    config,
    dataDir: paths.dataDir,
  });
  const sla = createSlaReporter({ store, streams: () => monitor.streams() });
  const api = createApiApp({
    monitor,
    store,
    view,
    bus,
    config,
    health,
    logger,
    metrics,
    sla,
    snapshot: media.snapshot,
  });

  const web = createWebApp({
    monitor,
    store,
    bus,
    view,
    api,
    config,
    configPath: paths.config,
    logger,
    env: (k) => Deno.env.get(k),
  });

  supervisor.add("monitor", (s) => monitor.run(s));
  supervisor.add("media", (s) => media.run(s));
  supervisor.add("config-watcher", (s) =>
    watchConfigFile(paths.config, {
      signal: s,
      initialText,
      initialStamp,
      onChange: (text) => void holder.apply(text),
      onError: (err) => holder.fileProblem(err), // logged there, shown in /api/health
    }));
  supervisor.add(
    "api",
    serveTask({
      name: "status API",
      fetch: api.fetch,
      address: () => config().api,
      bus,
      logger,
      path: "/api/status",
    }),
  );
  supervisor.add("web", (s) => {
    // Ends SSE streams and live-preview ffmpeg processes, so the server can close.
    s.addEventListener("abort", () => web.close(), { once: true });
    return serveTask({
      name: "dashboard",
      fetch: web.app.fetch,
      address: () => config().web,
      bus,
      logger,
    })(s);
  });
  supervisor.add("mqtt", (s) => mqttTask.run(s));
  supervisor.add(
    "retention",
    createRetentionTask({ store, retentionDays: () => config().retentionDays, logger }),
  );
  try {
    await supervisor.run(signal);
  } finally {
    store.close();
    logger.info("stopped; database closed");
  }
}

/** Runs until SIGINT/SIGTERM; returns the exit code. */
async function runCommand(paths: Paths): Promise<number> {
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
    }, 5000);
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
  try {
    await run(paths, logger, ctrl.signal);
    return 0;
  } catch (err) {
    logger.error(err instanceof Error ? err.message : String(err));
    return err instanceof ConfigError ? 2 : 1;
  }
}

/** Dispatches a command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(argv, (k) => Deno.env.get(k));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`streampulse: ${err.message}`);
    return 2;
  }
  const paths = { config: cli.configPath, db: cli.dbPath, dataDir: cli.dataDir };
  switch (cli.command) {
    case "help":
      console.log(helpText(VERSION));
      return 0;
    case "version":
      console.log(`streampulse ${VERSION}`);
      return 0;
    case "check":
      return await checkCommand({ ...cli, url: cli.target! });
    case "validate":
      return await validateCommand(cli.target ?? cli.configPath);
    case "healthcheck":
      return await healthcheckCommand(cli.configPath);
    case "passwd":
      return await passwdCommand(paths);
    case "run":
      return await runCommand(paths);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
