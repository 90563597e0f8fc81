/** StreamPulse entry point: wiring only — load config, open store, create bus, start tasks. */

import { dirname } from "node:path";
import {
  checkCommand,
  configCommand,
  healthcheckCommand,
  helpText,
  parseCli,
  passwdCommand,
  schemaCommand,
  UsageError,
  validateCommand,
} from "./cli/mod.ts";
import {
  type Bus,
  createBus,
  createHealth,
  createLogger,
  createMetrics,
  createMonitor,
  createSupervisor,
  type Logger,
  type Monitor,
  parseLogLevel,
} from "./monitor/mod.ts";
import {
  type Config,
  ConfigError,
  configJsonSchemaText,
  type ConfigRead,
  createConfigHolder,
  databaseConfigSource,
  type FleetConfigLoad,
  ignoredKeysWarning,
  loadFleetConfig,
  parseConfig,
  readConfigFile,
  watchConfigFile,
  watchFleetConfig,
} from "./monitor/config/mod.ts";
import { createFleetNode, fleetLease, type FleetRuntime } from "./monitor/fleet/mod.ts";
import { createAlertsTask, maintenanceIntervals } from "./monitor/alerts/mod.ts";
import { createMediaTask, createProcessPool } from "./monitor/media/mod.ts";
import {
  createRetentionTask,
  isPostgresStore,
  openStoreFor,
  type Store,
} from "./monitor/store/mod.ts";
import { createConfigDoc, listenCurrent, readCurrent } from "./monitor/store/postgres/mod.ts";
import { createSlaReporter, createStatusView } from "./monitor/status/mod.ts";
import { selectProbe } from "./monitor/probes/mod.ts";
import { createMqttTask } from "./mqtt/mod.ts";
import { createApiApp } from "./web/api/mod.ts";
import { type Address, createWebApp, serveTask, type WebApp, type WebAppDeps } from "./web/mod.ts";

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
  // The example's first line points editors at ./config.schema.json: put it beside the file.
  const schema = `${dirname(path)}/config.schema.json`;
  await Deno.writeTextFile(schema, configJsonSchemaText(), { createNew: true }).catch(() => {});
  return await readConfigFile(path);
}

/** What {@link createStreamPulse} takes besides the paths; every default is production's. */
export interface StreamPulseDeps {
  logger: Logger;
  /** Reads the environment, e.g. STREAMPULSE_ADMIN_PASSWORD (default Deno.env.get). */
  env?: (key: string) => string | undefined;
  /**
   * Where the status API and the dashboard listen (default: `api:` and `web:` of the config in
   * force, followed across reloads); false serves neither (call `api.fetch`/`web.app.fetch`).
   */
  listen?: false | { api: () => Address; web: () => Address };
  /** Dashboard settings tests shorten: PBKDF2 iterations, the clock, a save's reload wait. */
  web?: Pick<WebAppDeps, "passwordIterations" | "now" | "reloadWaitMs">;
}

/** The built program: its parts, for tests and tools, and `run()`. */
export interface StreamPulse {
  /** The config in force. */
  config: () => Config;
  store: Store;
  bus: Bus;
  monitor: Monitor;
  web: WebApp;
  /**
   * Runs every task (engine, media, config watcher, servers, MQTT, retention) until `signal`
   * aborts; then ends previews and event streams, kills media children and closes the store.
   */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Builds the whole program from its files: reads (or creates) config.yaml, opens the store and
 * wires every part, in an order where nothing is used before it exists. Nothing runs until
 * `run()`. Throws ConfigError when the config is invalid. main.ts and the test harness both
 * build StreamPulse here.
 */
export async function createStreamPulse(
  paths: Paths,
  deps: StreamPulseDeps,
): Promise<StreamPulse> {
  const { logger } = deps;
  const { text: fileText, stamp: fileStamp } = await readOrCreateConfig(paths.config, logger);
  const fileConfig = parseConfig(fileText);
  // `--data-dir DIR` may name a folder that does not exist yet (the config may live elsewhere).
  for (const dir of new Set([paths.dataDir, dirname(paths.db)])) {
    await Deno.mkdir(dir, { recursive: true });
  }
  const nodeName = fileConfig.node.name;
  // `database:` in the node's file: PostgreSQL, shared with the fleet; else SQLite in the data dir.
  const store = await openStoreFor(
    { db: paths.db, database: fileConfig.database },
    { logger, node: nodeName },
  );
  // Fleet mode: the config in force is the database's shared document with this file's
  // node-local keys (database, node, api, web); the first node imports its file's streams.
  let initialText = fileText;
  let fleetLoad: FleetConfigLoad | undefined;
  const doc = isPostgresStore(store) ? createConfigDoc(store.sql, { node: nodeName }) : undefined;
  if (doc) {
    fleetLoad = await loadFleetConfig(doc, fileText);
    if (fleetLoad.imported) logger.info(`imported ${paths.config}'s streams into the database`);
    const warning = ignoredKeysWarning(paths.config, fleetLoad.ignored);
    if (warning) logger.warn(warning);
    initialText = fleetLoad.text;
  }
  // A single node's config is its file, parsed once above; a fleet node's is the merged document.
  const initial = fleetLoad ? parseConfig(initialText) : fileConfig;
  const bus = createBus((err) => logger.error(`event listener failed: ${String(err)}`));
  const supervisor = createSupervisor({ logger });
  // Set once the fleet node exists (it needs the monitor); until run() nothing asks it.
  let fleet: FleetRuntime | undefined;
  const monitor = createMonitor({
    store,
    bus,
    logger,
    selectProbe,
    maxConcurrent: initial.maxConcurrentChecks,
    restored: await store.lastStates(),
    // A fleet node checks nothing until its membership says which streams are its own.
    owned: doc ? new Set<string>() : null,
    mayAct: () => fleet?.mayAct() ?? !doc,
    node: doc ? nodeName : undefined,
  });
  monitor.applyStreams(initial.streams);
  const holder = createConfigHolder({
    path: paths.config,
    initial,
    logger,
    bus,
    onApply: (next) => {
      monitor.applyStreams(next.streams);
      fleet?.reassign();
    },
  });
  const config = holder.current;
  if (isPostgresStore(store)) {
    const sql = store.sql;
    fleet = createFleetNode({
      sql: store.control, // renewals on a pool of their own: never queued behind reads
      node: { name: nodeName, site: initial.node.site },
      lease: fleetLease(initial.node),
      streams: () => monitor.streams(),
      monitor: {
        setOwned(owned, fresh) {
          monitor.setOwned(owned, fresh);
          media.reassign(); // media checks follow the share (media is built below, used later)
        },
        observe: (name, status, node) => monitor.observe(name, status, node),
      },
      readCurrent: (seq) => readCurrent(sql, seq),
      listenCurrent: (onNotify, onListen) => listenCurrent(sql, onNotify, onListen),
      logger,
    });
  }
  const owns = fleet && ((name: string) => fleet!.mayAct() && fleet!.owns(name));
  // One pool for media checks and the dashboard's previews (its JSDoc has the sharing rule).
  const processes = createProcessPool({ max: initial.maxMediaProcesses });
  const media = createMediaTask({
    monitor,
    bus,
    logger,
    config,
    dataDir: paths.dataDir,
    pool: processes,
    owns: fleet && ((name: string) => fleet!.owns(name)),
  });
  const alerts = createAlertsTask({
    bus,
    store,
    config,
    logger,
    snapshot: media.snapshot,
    owns,
  });
  // The web's slice of alerting: the task's acks, mutes and tests, the store's log and incidents.
  const webAlerts = {
    ...alerts,
    deliveries: (q?: Parameters<Store["deliveries"]>[0]) => store.deliveries(q),
    incident: (id: number) => store.incident(id),
  };
  // One availability source: /api/status uptime_24h, the dashboard, /api/sla and /metrics.
  const sla = createSlaReporter({
    store,
    streams: () => monitor.streams(),
    maintenance: (name, from, to) => {
      const c = config();
      const s = c.streams.find((x) => x.name === name);
      return s ? maintenanceIntervals(c.alerts.maintenance, s, from, to, c.timezone) : [];
    },
  });
  const view = createStatusView({
    streams: () => monitor.streams(),
    status: (name) => monitor.status(name),
    availability: sla.availability,
    timeZone: () => config().timezone,
    picture: (name) => media.cadence(name),
  });
  const mqtt = createMqttTask({
    config: () => config().mqtt,
    view,
    bus,
    logger,
    streams: () => monitor.streams(),
    version: VERSION,
    baseUrl: () => config().alerts.baseUrl,
    snapshot: (name) => media.snapshot(name, "last"),
    node: fleet && { name: nodeName, owns },
  });
  // Subscribes to the bus now; results only flow once run() starts the monitor.
  const metrics = createMetrics({
    bus,
    mqttConnected: () => {
      const h = mqtt.health();
      return h.enabled ? h.connected : undefined;
    },
    media: () => media.cadenceFigures(),
    alerts: () => ({ counts: alerts.counts(), pending: alerts.health().pending }),
  });
  const health = createHealth({
    version: VERSION,
    tasks: () => supervisor.health(),
    db: () => store.health(),
    statuses: () => monitor.statuses(),
    streamCount: () => config().streams.length,
    config: () => holder.state(),
    mqtt: () => mqtt.health(),
    media: () => media.health(),
    alerts: () => alerts.health(),
    fleet: fleet && (() => fleet!.health()),
  });
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
    alerts: webAlerts,
    fleet: fleet && { node: nodeName, ownerOf: (name: string) => fleet!.ownerOf(name) },
  });
  const web = createWebApp({
    monitor,
    store,
    bus,
    view,
    api,
    config,
    configPath: paths.config,
    // Fleet mode: the dashboard edits the shared document in the database (every node applies it).
    configSource: doc ? databaseConfigSource(doc, { path: paths.config }) : undefined,
    logger,
    env: deps.env ?? ((k) => Deno.env.get(k)),
    processes,
    alerts: webAlerts,
    configState: () => holder.state(),
    snapshots: { load: media.snapshot, info: media.snapshotInfo },
    ...deps.web,
  });

  supervisor.add("monitor", (s) => monitor.run(s));
  supervisor.add("media", (s) => media.run(s));
  supervisor.add("config-watcher", (s) =>
    doc && fleetLoad
      ? watchFleetConfig(doc, {
        signal: s,
        path: paths.config,
        initial: fleetLoad,
        fileText,
        fileStamp,
        apply: (text) => void holder.apply(text),
        onFileError: (err) => holder.fileProblem(err),
        onDocError: (err) => logger.warn(`shared config: ${err.message}`),
      })
      : watchConfigFile(paths.config, {
        signal: s,
        initialText,
        initialStamp: fileStamp,
        onChange: (text) => void holder.apply(text),
        onError: (err) => holder.fileProblem(err), // logged there, shown in /api/health
      }));
  if (fleet) {
    const node = fleet;
    supervisor.add("fleet", async (s) => {
      await node.run(s);
    });
  }
  if (deps.listen !== false) {
    const at = deps.listen ?? { api: () => config().api, web: () => config().web };
    const path = "/api/status";
    supervisor.add(
      "api",
      serveTask({ name: "status API", fetch: api.fetch, address: at.api, bus, logger, path }),
    );
    supervisor.add(
      "web",
      serveTask({ name: "dashboard", fetch: web.app.fetch, address: at.web, bus, logger }),
    );
  }
  supervisor.add("mqtt", (s) => mqtt.run(s));
  supervisor.add("alerts", (s) => alerts.run(s));
  supervisor.add(
    "retention",
    createRetentionTask({ store, retentionDays: () => config().retentionDays, logger }),
  );
  const where = isPostgresStore(store)
    ? `database ${store.health().path}, node "${nodeName}"`
    : `db ${paths.db}`;
  logger.info(
    `StreamPulse ${VERSION}: ${initial.streams.length} streams, config ${paths.config}, ${where}`,
  );

  return {
    config,
    store,
    bus,
    monitor,
    web,
    async run(signal) {
      // Ends SSE streams and live previews first, so the dashboard's server can close.
      signal.addEventListener("abort", () => web.close(), { once: true });
      try {
        await supervisor.run(signal);
      } finally {
        web.close();
        // A clean stop hands this node's streams over at once (a kill waits for its lease),
        // after writing its last checks, so the node taking over continues from them.
        if (fleet && isPostgresStore(store)) await store.flush().catch(() => {});
        await fleet?.leave().catch((err) => logger.warn(`leaving the fleet: ${String(err)}`));
        await processes.killAll();
        metrics.close();
        await store.close();
        logger.info("stopped; database closed");
      }
    },
  };
}

/** Runs StreamPulse until `signal` aborts. Throws ConfigError when the initial config is invalid. */
export async function run(paths: Paths, logger: Logger, signal: AbortSignal): Promise<void> {
  const app = await createStreamPulse(paths, { logger });
  await app.run(signal);
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
      return await validateCommand(cli.target ?? cli.configPath, { strict: cli.strict });
    case "schema":
      return schemaCommand();
    case "healthcheck":
      return await healthcheckCommand(cli.configPath);
    case "passwd":
      return await passwdCommand(paths);
    case "config":
      return await configCommand(cli);
    case "run":
      return await runCommand(paths);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
