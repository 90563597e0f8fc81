/** Reads the `mqtt:` block, compatible with the Python project's keys plus StreamPulse's new ones. */

import { Checker, type YamlMap } from "./check.ts";

/** The `mqtt:` settings after validation and defaults. */
export interface MqttConfig {
  enabled: boolean;
  host: string;
  port: number;
  wsPort: number;
  tlsPort: number;
  tlsWsPort: number;
  useTls: boolean;
  useWebsocket: boolean;
  username?: string;
  password?: string;
  clientId?: string;
  /** Topic of the whole-status JSON (same body as GET /api/status). */
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** Seconds between whole-status publishes; never below 5. */
  intervalSeconds: number;
  tlsInsecure: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  baseTopic: string;
  haDiscovery: boolean;
  discoveryPrefix: string;
  publishOnChange: boolean;
}

/** Minimum publish interval; lower values are raised with a warning (as the Python project did). */
export const MQTT_MIN_INTERVAL_SECONDS = 5;

/**
 * Validates the `mqtt:` block. `api_status_url` is accepted and ignored: StreamPulse's MQTT task
 * reads the engine's state directly instead of polling its own API.
 */
export function parseMqttConfig(value: unknown, c: Checker, path = "mqtt"): MqttConfig {
  const m: YamlMap = c.map(value, path);
  const s = (k: string) => c.string(m, k, path);
  let interval = c.number(m, "interval_seconds", path, { fallback: 10, min: 0 });
  if (interval < MQTT_MIN_INTERVAL_SECONDS) {
    c.warn(`${path}.interval_seconds`, `${interval} is below the minimum, using 5`);
    interval = MQTT_MIN_INTERVAL_SECONDS;
  }
  const qos = c.number(m, "qos", path, { fallback: 0, min: 0, max: 2, integer: true }) as 0 | 1 | 2;
  const enabled = c.bool(m, "enabled", path, false);
  const host = s("host") ?? "localhost";
  if (enabled && !host.trim()) c.error(`${path}.host`, "must not be empty when mqtt is enabled");
  const topic = s("topic") ?? "streampulse/status";
  if (/[#+]/.test(topic)) c.error(`${path}.topic`, `must not contain wildcards, got "${topic}"`);
  const baseTopic = (s("base_topic") ?? "streampulse").replace(/\/+$/, "");
  if (/[#+]/.test(baseTopic) || !baseTopic) {
    c.error(`${path}.base_topic`, `must be a topic without wildcards, got "${baseTopic}"`);
  }
  return {
    enabled,
    host,
    port: c.port(m, "port", path, 1883),
    wsPort: c.port(m, "ws_port", path, 8000),
    tlsPort: c.port(m, "tls_port", path, 8883),
    tlsWsPort: c.port(m, "tls_ws_port", path, 8884),
    useTls: c.bool(m, "use_tls", path, false),
    useWebsocket: c.bool(m, "use_websocket", path, false),
    username: s("username") || undefined,
    password: s("password") || undefined,
    clientId: s("client_id") || undefined,
    topic,
    qos,
    retain: c.bool(m, "retain", path, false),
    intervalSeconds: interval,
    tlsInsecure: c.bool(m, "tls_insecure", path, false),
    caFile: s("ca_file") || undefined,
    certFile: s("cert_file") || undefined,
    keyFile: s("key_file") || undefined,
    baseTopic,
    haDiscovery: c.bool(m, "ha_discovery", path, false),
    discoveryPrefix: s("discovery_prefix") ?? "homeassistant",
    publishOnChange: c.bool(m, "publish_on_change", path, true),
  };
}
