/** The MQTT task: status, per-stream states, availability and Home Assistant discovery. */

import type { MqttClient } from "mqtt";
import { type Bus, type BusEvents, delay, type Logger } from "../monitor/mod.ts";
import type { MqttConfig } from "../monitor/config/mod.ts";
import type { StatusEntry, StatusView } from "../monitor/status/mod.ts";
import {
  brokerUrl,
  buildConnectOptions,
  closeClient,
  connectOnce,
  describeMqttError,
  randomClientId,
} from "./connection.ts";
import {
  type DiscoveryInfo,
  EXPIRE_FACTOR,
  expireAfter,
  streamDevicePayload,
} from "./discovery.ts";
import { createStateOwners, type FleetNode, nodeAvailabilityTopic, nodeClientId } from "./fleet.ts";
import { hubDevicePayload, nodeDevicePayload, nodeDeviceTopic } from "./hub.ts";
import { createOutbox } from "./outbox.ts";
import { createSnapshotFeed } from "./snapshots.ts";
import * as T from "./topics.ts";

/** A configured stream as the MQTT task reads it (a slice of StreamConfig). */
export interface MqttStream {
  name: string;
  /** Stable identity: when set, the topic slug and Home Assistant ids come from it, not the name. */
  id?: string;
  intervalSeconds?: number;
  enabled?: boolean;
}

/** What {@link createMqttTask} reads. */
export interface MqttTaskDeps {
  /** The current `mqtt:` settings (re-read on every `config-reloaded`). */
  config: () => MqttConfig;
  view: StatusView;
  bus: Bus;
  logger: Logger;
  /** The configured streams, in config order. */
  streams: () => MqttStream[];
  /** StreamPulse's version, for discovery's `sw_version` and origin (default "unknown"). */
  version?: string;
  /** The dashboard's public URL (`alerts.base_url`) for `configuration_url`; undefined: none. */
  baseUrl?: () => string | undefined;
  /** A stream's last good JPEG for the Home Assistant image entity; absent: no image topic. */
  snapshot?: (name: string) => Promise<Uint8Array | undefined>;
  /** Delay before republishing discovery on Home Assistant's birth (default random 0–5 s). */
  haBirthDelayMs?: () => number;
  now?: () => number;
  /** First reconnect delay (default 500 ms), doubled per failed attempt up to 60 s. */
  initialBackoffMs?: number;
  /** Most topics kept while offline (default 10,000, at least 4 per stream); oldest dropped. */
  maxQueued?: number;
  /** Reads ca_file/cert_file/key_file (default Deno.readTextFile). */
  readFile?: (path: string) => Promise<string>;
  /**
   * This node when StreamPulse runs as a fleet; undefined: a single StreamPulse (its topics, last
   * will and client id as always). A fleet node publishes the state of the streams it checks
   * only (events with `origin` are another node's: see createStateOwners in fleet.ts), its own
   * `online`/`offline` and last will on `<base>/node/<name>/availability`, with the node in its
   * client id; Home Assistant's entities go by the freshness of their state (see discovery.ts).
   */
  node?: FleetNode;
}

/** The MQTT part of `/api/health`. */
export interface MqttHealth {
  enabled: boolean;
  connected: boolean;
  /** Broker URL without credentials; null while disabled. */
  url: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  lastConnectedAt: string | null;
  /** Topics waiting for the connection (only the latest payload per topic is kept). */
  queued: number;
}

/** A supervised task; see {@link createMqttTask}. */
export interface MqttTask {
  /** Runs until `signal` aborts, then publishes `offline` and disconnects (within ~1 s). */
  run(signal: AbortSignal): Promise<void>;
  health(): MqttHealth;
}

const MAX_BACKOFF_MS = 60_000;
const CLOSE_TIMEOUT_MS = 1000;
/** Home Assistant asks for a random delay so that its birth does not meet every device at once. */
const HA_BIRTH_MAX_DELAY_MS = 5000;
/** Home Assistant's request to hand a single-component entity over to a device-based config. */
const MIGRATE = JSON.stringify({ migrate_discovery: true });

/**
 * Creates the MQTT task. A broker that is down never affects the monitor: publishes made while
 * disconnected keep only the latest payload per topic, and every connect publishes the current
 * state of everything at once. A changed `mqtt:` block restarts the connection with the new settings.
 * Per-stream states go out retained on every state change (unless `publish_on_change: false`) and,
 * when they changed, with each interval's status publish, which keeps HA's latency sensor current.
 * In a fleet (`deps.node`) every node publishes the whole status (each shows the whole fleet) and
 * the hub's discovery, but a stream's state and snapshot only its owner: the node whose own check
 * came last, from its first check on (a takeover publishes the state at once), while `owns` holds.
 */
export function createMqttTask(deps: MqttTaskDeps): MqttTask {
  const { view, bus, logger } = deps;
  const now = deps.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const fleet = deps.node;
  const owners = fleet ? createStateOwners(fleet) : undefined;
  const clientId = fleet ? nodeClientId(fleet.name) : randomClientId();
  /** Whether this process publishes the stream's state (always, unless a fleet node). */
  const publishes = (name: string) => owners?.publishes(name) ?? true;
  const availability = (c: MqttConfig) =>
    fleet ? nodeAvailabilityTopic(c, fleet.name) : T.availabilityTopic(c);
  const h = { enabled: false, connected: false, url: null as string | null };
  const last = { lastError: null as string | null, lastErrorAt: null as string | null };
  let lastConnectedAt: string | null = null;
  let cfg: MqttConfig | undefined; // the running settings while enabled
  let configKey = "";
  let reload: AbortController | undefined;
  let owned = new Set<string>(); // retained per-stream topics published for the current streams
  let slugCache = { list: null as unknown, map: new Map<string, string>() };

  const migrated = new Set<string>(); // `<broker> <legacy topic>` cleared by this process
  let birthTimer: ReturnType<typeof setTimeout> | undefined;
  const feed = createSnapshotFeed({
    load: (name) => deps.snapshot?.(name) ?? Promise.resolve(undefined),
    now,
    debug: (m) => logger.debug(m),
  });

  /** Stream name → topic slug, from the stream's `id` when it has one, else from its name. */
  const slugs = () => {
    const list = deps.streams();
    if (list !== slugCache.list) {
      const byKey = T.slugMap(list.map((s) => s.id ?? s.name));
      slugCache = { list, map: new Map(list.map((s) => [s.name, byKey.get(s.id ?? s.name)!])) };
    }
    return slugCache.map;
  };
  const info = (c: MqttConfig): DiscoveryInfo => ({
    version: deps.version ?? "unknown",
    baseUrl: deps.baseUrl?.()?.replace(/\/+$/, "") || undefined,
    statusTopic: c.topic,
    qos: c.qos,
    // Every node publishes the whole status each interval: stale after EXPIRE_FACTOR missed ones.
    ...(fleet
      ? { fleet: { statusExpireAfter: Math.ceil(EXPIRE_FACTOR * c.intervalSeconds) } }
      : {}),
  });
  /** Every retained topic these settings publish (a fleet node's own device too). */
  const ownedTopics = (c: MqttConfig) => {
    const topics = T.ownedTopics(c, slugs().values());
    if (fleet && c.haDiscovery) topics.add(nodeDeviceTopic(c, fleet.name));
    return topics;
  };
  const backoff = (attempt: number) =>
    Math.min(MAX_BACKOFF_MS, (deps.initialBackoffMs ?? 500) * 2 ** attempt);
  const noteError = (msg: string) => {
    if (msg !== last.lastError) logger.warn(`mqtt: ${msg}`);
    else logger.debug(`mqtt: ${msg}`);
    Object.assign(last, { lastError: msg, lastErrorAt: iso() });
  };
  const out = createOutbox({
    limit: () => Math.max(deps.maxQueued ?? 10_000, 4 * slugs().size + 8), // a connect queues all
    onError: (topic, err) => logger.debug(`mqtt: publish to ${topic} failed: ${err.message}`),
  });

  const publishStates = (c: MqttConfig, all: Record<string, StatusEntry>) => {
    for (const [name, slug] of slugs()) {
      const e = all[name];
      if (e && publishes(name)) out.sendOnce(T.stateTopic(c, slug), T.statePayload(e), c.qos);
    }
  };
  /** Publishes one stream's current state when this process publishes it. */
  const publishState = (name: string) => {
    const slug = slugs().get(name);
    const entry = cfg && slug && publishes(name) ? view.one(name) : undefined;
    if (cfg && slug && entry) out.sendOnce(T.stateTopic(cfg, slug), T.statePayload(entry), cfg.qos);
  };
  /** Another fleet node checked the stream: stop publishing it, and drop what waits for it. */
  const lose = (name: string) => {
    owners?.remote(name);
    const slug = slugs().get(name);
    if (cfg && slug) out.drop(T.stateTopic(cfg, slug));
  };
  /** The hub's and the current streams' discovery; empty retained payloads for removed ones. */
  const publishStreams = (c: MqttConfig) => {
    const next = ownedTopics(c);
    owners?.keep(new Set(slugs().keys()));
    if (c.haDiscovery) {
      const i = info(c);
      out.sendOnce(T.hubTopic(c), hubDevicePayload(c, i), c.qos);
      if (fleet) {
        out.sendOnce(nodeDeviceTopic(c, fleet.name), nodeDevicePayload(c, fleet.name, i), c.qos);
      }
      for (const s of deps.streams()) {
        const slug = slugs().get(s.name)!;
        const expire = expireAfter(s, c.intervalSeconds);
        const p = streamDevicePayload(c, { name: s.name, slug, expireAfter: expire }, i);
        out.sendOnce(T.deviceTopic(c, slug), p, c.qos);
      }
    }
    for (const topic of owned) {
      if (next.has(topic)) continue;
      out.forget(topic);
      out.send(topic, "", c.qos, true);
    }
    owned = next;
  };
  const publishStatus = (c: MqttConfig) => {
    const all = view.all();
    publishStates(c, all);
    out.send(c.topic, view.allJson(), c.qos, c.retain);
  };
  /**
   * Legacy single-component configs of the current streams, once per process and topic: with
   * discovery on, Home Assistant is first asked to migrate each entity to the device config
   * (published right after), then, like with discovery off, the old topic is cleared.
   */
  const legacyTopics = (c: MqttConfig) =>
    [...slugs().values()].flatMap((slug) => T.legacyDiscoveryTopics(c, slug))
      .filter((t) => !migrated.has(`${brokerUrl(c)} ${t}`));

  const onStateChange = (e: BusEvents["state-change"]) => {
    if (e.origin !== undefined) return lose(e.name);
    const gained = owners?.local(e.name) ?? false; // a takeover publishes whatever the setting
    if (cfg?.publishOnChange || gained) publishState(e.name);
  };
  const onAlert = ({ alert }: BusEvents["alert"]) => {
    if (cfg) out.send(T.alertsTopic(cfg), T.alertPayload(alert), cfg.qos, false);
  };
  const onReload = () => {
    const next = deps.config();
    logger.addSecret(next.password);
    if (JSON.stringify(next) !== configKey) reload?.abort();
    else if (cfg) {
      publishStreams(cfg);
      publishStates(cfg, view.all());
    }
  };
  const onResult = ({ name, origin }: BusEvents["result"]) => {
    if (origin !== undefined) return lose(name);
    if (owners?.local(name)) publishState(name); // this node took the stream over
    const slug = slugs().get(name);
    if (!cfg?.haDiscovery || !deps.snapshot || !slug || !publishes(name)) return;
    void feed.offer(name, T.snapshotTopic(cfg, slug), out.client, cfg.qos);
  };
  const onMessage = (
    c: MqttConfig,
    cl: MqttClient,
    topic: string,
    payload: unknown,
    r: boolean,
  ) => {
    // A retained "online" is an old birth message, not Home Assistant starting now.
    if (topic !== T.haStatusTopic(c) || r || String(payload) !== "online" || birthTimer) return;
    const wait = Math.max(
      0,
      (deps.haBirthDelayMs ?? (() => Math.random() * HA_BIRTH_MAX_DELAY_MS))(),
    );
    logger.info(
      `mqtt: Home Assistant came online; publishing discovery again in ${Math.round(wait)} ms`,
    );
    birthTimer = setTimeout(() => {
      birthTimer = undefined;
      if (out.client !== cl) return; // that connection is gone; the next one publishes all
      try {
        out.forget();
        feed.reset();
        publishStreams(c);
        publishStates(c, view.all());
      } catch (err) {
        logger.error(`mqtt: republishing for Home Assistant failed: ${String(err)}`);
      }
    }, wait);
  };

  /** Publishes everything on a fresh connection, then the periodic status until it ends. */
  const serve = async (c: MqttConfig, cl: MqttClient, stop: AbortSignal) => {
    const lost = new AbortController();
    cl.on("error", (err) => noteError(describeMqttError(err, c)));
    cl.on("close", () => lost.abort());
    cl.on("message", (topic, payload, packet) => onMessage(c, cl, topic, payload, packet.retain));
    try {
      out.forget();
      feed.reset();
      const legacy = legacyTopics(c);
      if (c.haDiscovery) { for (const t of legacy) cl.publish(t, MIGRATE, { qos: 1 }, () => {}); }
      out.send(availability(c), T.ONLINE, 1, true);
      publishStreams(c);
      publishStatus(c); // all kept first, replacing what queued while offline; then flushed
      // A fleet node may have lost streams while offline: what it kept for them is stale now.
      for (const [name, slug] of owners ? slugs() : []) {
        if (!publishes(name)) out.drop(T.stateTopic(c, slug));
      }
      out.client = cl;
      out.flush();
      for (const t of legacy) out.send(t, "", 1, true), migrated.add(`${brokerUrl(c)} ${t}`);
      h.connected = true;
      lastConnectedAt = iso();
      if (c.haDiscovery) cl.subscribe(T.haStatusTopic(c), { qos: 0 }, () => {});
      const s = AbortSignal.any([stop, lost.signal]);
      while (!s.aborted) {
        await delay(c.intervalSeconds * 1000, { signal: s });
        if (!s.aborted) publishStatus(c);
      }
    } finally {
      clearTimeout(birthTimer);
      birthTimer = undefined;
      out.client = undefined;
      h.connected = false;
    }
  };

  /** Connects with backoff and serves until `stop` aborts (shutdown or changed settings). */
  const session = async (c: MqttConfig, stop: AbortSignal) => {
    let attempt = 0;
    while (!stop.aborted) {
      let cl: MqttClient;
      try {
        const { url, options } = await buildConnectOptions(c, {
          clientId,
          readFile: deps.readFile,
          node: fleet?.name,
        });
        cl = await connectOnce(c, url, options, { signal: stop });
      } catch (err) {
        if (!stop.aborted) noteError((err as Error).message);
        await delay(backoff(attempt++), { signal: stop });
        continue;
      }
      const since = now();
      logger.info(`mqtt: connected to ${brokerUrl(c)} as ${cl.options.clientId}`);
      try {
        await serve(c, cl, stop);
      } catch (err) {
        cl.end(true); // e.g. the status view threw: the supervisor restarts the task
        throw err;
      }
      if (stop.aborted) return await retire(c, cl);
      cl.end(true);
      noteError(`connection to ${brokerUrl(c)} lost; reconnecting`);
      if (now() - since > 10_000) attempt = 0; // a connection that held resets the backoff
      await delay(backoff(attempt++), { signal: stop });
    }
  };

  /**
   * Disconnects cleanly. When the next settings still use this broker, topics they no longer
   * publish (e.g. discovery turned off, a new base topic) are cleared first. `offline` is always
   * published before the DISCONNECT: the next settings may fail to connect (a wrong password), and
   * a retained `online` would then claim a StreamPulse that is not there. The next connection
   * publishes `online` again.
   */
  const retire = async (c: MqttConfig, cl: MqttClient) => {
    const next = deps.config();
    const same = reload?.signal.aborted && next.enabled && brokerUrl(next) === brokerUrl(c);
    if (same && cl.connected) {
      const keep = ownedTopics(next);
      for (const t of owned) if (!keep.has(t)) cl.publish(t, "", { qos: 1, retain: true });
    }
    await closeClient(cl, { availability: availability(c), timeoutMs: CLOSE_TIMEOUT_MS });
    logger.info(`mqtt: disconnected from ${brokerUrl(c)}`);
  };

  return {
    async run(signal) {
      const offs = [
        bus.on("state-change", onStateChange),
        bus.on("config-reloaded", onReload),
        bus.on("alert", onAlert),
        bus.on("result", onResult),
      ];
      try {
        while (!signal.aborted) {
          const c = deps.config();
          logger.addSecret(c.password);
          configKey = JSON.stringify(c);
          reload = new AbortController();
          const stop = AbortSignal.any([signal, reload.signal]);
          cfg = c.enabled ? c : undefined;
          Object.assign(h, { enabled: c.enabled, url: c.enabled ? brokerUrl(c) : null });
          out.clear();
          owned = new Set();
          if (c.enabled) await session(c, stop);
          else await new Promise((r) => stop.aborted ? r(0) : stop.addEventListener("abort", r));
        }
      } finally {
        offs.forEach((off) => off());
        cfg = undefined;
      }
    },
    health: () => ({ ...h, ...last, lastConnectedAt, queued: out.size }),
  };
}
