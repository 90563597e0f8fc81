/** One MQTT connection: URL and options from MqttConfig, clear errors, bounded close. */

import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { MqttConfig } from "../monitor/config/mod.ts";
import { nodeAvailabilityTopic, nodeClientId } from "./fleet.ts";
import { availabilityTopic, OFFLINE } from "./topics.ts";

/** The broker URL for a config, e.g. `wss://broker:8884/mqtt`. It never carries credentials. */
export function brokerUrl(cfg: MqttConfig): string {
  const host = cfg.host.includes(":") && !cfg.host.startsWith("[") ? `[${cfg.host}]` : cfg.host;
  if (cfg.useWebsocket) {
    return cfg.useTls ? `wss://${host}:${cfg.tlsWsPort}/mqtt` : `ws://${host}:${cfg.wsPort}/mqtt`;
  }
  return cfg.useTls ? `mqtts://${host}:${cfg.tlsPort}` : `mqtt://${host}:${cfg.port}`;
}

/** `host:port` of the listener a config uses, for error messages. */
export function brokerAddress(cfg: MqttConfig): string {
  const port = cfg.useWebsocket
    ? (cfg.useTls ? cfg.tlsWsPort : cfg.wsPort)
    : (cfg.useTls ? cfg.tlsPort : cfg.port);
  return `${cfg.host}:${port}`;
}

/** What {@link buildConnectOptions} may be given. */
export interface ConnectOptionsDeps {
  /** Client id used when `mqtt.client_id` is not set (default `streampulse-<random>`). */
  clientId?: string;
  /** Reads ca_file/cert_file/key_file (default Deno.readTextFile). */
  readFile?: (path: string) => Promise<string>;
  /**
   * This node's name in a fleet: a configured `mqtt.client_id` gets it appended
   * ({@link nodeClientId}; `clientId` should come from there too) and the last will goes to
   * `<base>/node/<name>/availability`.
   */
  node?: string;
}

/** Makes a client id like `streampulse-3f9a1c0b`. */
export function randomClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `streampulse-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The client id and last-will topic of a config, single StreamPulse or fleet node. */
function identity(cfg: MqttConfig, deps: ConnectOptionsDeps) {
  if (deps.node === undefined) {
    return {
      clientId: cfg.clientId ?? deps.clientId ?? randomClientId(),
      will: availabilityTopic(cfg),
    };
  }
  return {
    clientId: cfg.clientId
      ? nodeClientId(deps.node, cfg.clientId)
      : deps.clientId ?? nodeClientId(deps.node),
    will: nodeAvailabilityTopic(cfg, deps.node),
  };
}

/**
 * Builds the npm:mqtt URL and options. Reconnecting is off (`reconnectPeriod: 0`): the publisher
 * makes a fresh client per attempt, with its own backoff capped at 60 s. mqtt.js only knows a fixed
 * period, and a fresh client also picks up edited settings and drops whatever the old one still
 * held in its outgoing store, so nothing queues inside mqtt.js across an outage.
 * Throws an Error naming the setting and path when a certificate file cannot be read.
 */
export async function buildConnectOptions(
  cfg: MqttConfig,
  deps: ConnectOptionsDeps = {},
): Promise<{ url: string; options: IClientOptions }> {
  const read = deps.readFile ?? Deno.readTextFile;
  const file = async (key: string, path: string | undefined) => {
    if (!path) return undefined;
    let text: string;
    try {
      text = await read(path);
    } catch (err) {
      throw new Error(`Cannot read mqtt.${key} "${path}": ${(err as Error).message}`);
    }
    // Deno's TLS silently ignores a client cert/key it cannot parse: say so here instead.
    if (!text.includes("-----BEGIN ")) throw new Error(`mqtt.${key} "${path}" is not a PEM file`);
    return text;
  };
  const who = identity(cfg, deps);
  const options: IClientOptions = {
    clientId: who.clientId,
    username: cfg.username,
    password: cfg.password,
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    connectTimeout: 10_000,
    reconnectPeriod: 0,
    queueQoSZero: false,
    will: { topic: who.will, payload: OFFLINE, qos: 1, retain: true },
  };
  if (cfg.useTls) {
    options.rejectUnauthorized = !cfg.tlsInsecure;
    const [ca, cert, key] = await Promise.all([
      file("ca_file", cfg.caFile),
      file("cert_file", cfg.certFile),
      file("key_file", cfg.keyFile),
    ]);
    if (ca) options.ca = ca;
    if (cert) options.cert = cert;
    if (key) options.key = key;
  }
  return { url: brokerUrl(cfg), options };
}

const TLS_TRUST = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Turns an npm:mqtt or socket error into one sentence naming the broker and what to check. */
export function describeMqttError(err: unknown, cfg: MqttConfig): string {
  const e = err as { code?: string | number; message?: string };
  const msg = e?.message ?? String(err);
  const at = brokerAddress(cfg);
  // CONNACK codes: 4/5 (MQTT 3.1.1) and 134/135 (MQTT 5) are bad credentials / not authorized.
  if ([4, 5, 134, 135].includes(e?.code as number) || /not authorized|bad user/i.test(msg)) {
    return `not authorized by ${at} (check mqtt.username/password): ${msg}`;
  }
  if (e?.code === "ECONNREFUSED") return `connection refused by ${at}`;
  if (e?.code === "ENOTFOUND" || e?.code === "EAI_AGAIN") return `cannot resolve "${cfg.host}"`;
  if (e?.code === "ETIMEDOUT" || msg === "connack timeout") return `timed out connecting to ${at}`;
  if (typeof e?.code === "string" && TLS_TRUST.has(e.code)) {
    return `TLS certificate of ${at} rejected (${e.code}: ${msg}); ` +
      "set mqtt.ca_file, or mqtt.tls_insecure for testing";
  }
  if (cfg.useTls && /TLS|SSL|secure/i.test(msg)) {
    return `TLS handshake with ${at} failed (is it a TLS listener?): ${msg}`;
  }
  if (e?.code === "ECONNRESET") return `connection reset by ${at}: ${msg}`;
  return `${msg} (${at})`;
}

/**
 * Connects once. Resolves with the client after CONNACK; rejects with an Error carrying a
 * {@link describeMqttError} message, or when `signal` aborts. A failed client is ended at once.
 */
export function connectOnce(
  cfg: MqttConfig,
  url: string,
  options: IClientOptions,
  opts: { signal: AbortSignal; connect?: typeof mqtt.connect },
): Promise<MqttClient> {
  const { signal } = opts;
  const client = (opts.connect ?? mqtt.connect)(url, options);
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      client.off("connect", onConnect);
      client.off("error", onError);
      client.off("close", onClose);
      signal.removeEventListener("abort", onAbort);
    };
    const fail = (message: string) => {
      cleanup();
      client.end(true);
      reject(new Error(message));
    };
    const onConnect = () => {
      cleanup();
      resolve(client);
    };
    const onError = (err: Error) => fail(describeMqttError(err, cfg));
    const onClose = () => fail(`connection to ${brokerAddress(cfg)} closed before CONNACK`);
    const onAbort = () => fail("connect aborted");
    // npm:mqtt throws on an "error" event nobody listens to; late socket errors are expected.
    client.on("error", () => {});
    client.on("connect", onConnect);
    client.on("error", onError);
    client.on("close", onClose);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Ends a client within `timeoutMs`: when still connected, publishes `offline` (retained, QoS 1) to
 * `availability` (unless null), waits until the broker acknowledged every QoS 1/2 message, then
 * sends DISCONNECT, so the last will is not fired. A broker that does not answer in time gets its
 * socket destroyed instead.
 */
export async function closeClient(
  client: MqttClient,
  opts: { availability: string | null; timeoutMs: number },
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((r) => timer = setTimeout(r, opts.timeoutMs, "timeout"));
  if (client.connected && opts.availability) {
    client.publish(opts.availability, OFFLINE, { qos: 1, retain: true }, () => {});
  }
  const graceful = client.endAsync().catch(() => {});
  try {
    if ((await Promise.race([graceful, timeout])) === "timeout") client.stream?.destroy();
  } finally {
    clearTimeout(timer);
  }
}
