/**
 * The one schema of config.yaml (zod): every key, its type, default and documentation. It drives
 * config.schema.json, the README's reference and the unknown-key warnings; the hand-written
 * readers keep the messages (value quoted, path named).
 */

import { z } from "zod";
import { alertsSchema } from "./schema_alerts.ts";
import { opt, port, text, whole } from "./schema_kit.ts";
import { defaultsSchema, streamSchema } from "./schema_streams.ts";
import { MAX_LEASE_SECONDS, MIN_LEASE_SECONDS, NODE_DEFAULTS } from "./node.ts";

/** The `api:` block. */
export const apiSchema = z.strictObject({
  host: opt(z.string(), "address the status API listens on", "0.0.0.0"),
  port: opt(port(), "port of the status API", 7000),
  token: opt(text(), "require `Authorization: Bearer <token>` on the status API (both ports)"),
  allowed_hosts: opt(
    z.array(z.string()),
    "DNS names port 7000 answers to; IPs and `localhost` always work, other `Host` names get 421",
    [],
  ),
}).meta({ description: "the status API (GET /api/status, /api/streams, /api/health)" });

/** The `web:` block. */
export const webSchema = z.strictObject({
  host: opt(z.string(), "address the dashboard listens on", "0.0.0.0"),
  port: opt(port(), "port of the dashboard", 8000),
}).meta({ description: "the dashboard" });

const leaseSeconds = () => z.number().min(MIN_LEASE_SECONDS).max(MAX_LEASE_SECONDS);

/** The `node:` block: this node of a fleet (read only with `database:`, harmless without). */
export const nodeSchema = z.strictObject({
  name: opt(text(), "the node's name in the fleet (unique)", { text: "the host's name" }),
  site: opt(
    text(),
    "the site whose streams (`streams[].site`) this node checks",
    NODE_DEFAULTS.site,
  ),
  lease_seconds: opt(
    leaseSeconds(),
    "seconds a node keeps its streams without renewing its lease (more than twice " +
      "`renew_seconds`); a dead node's streams move after this",
    NODE_DEFAULTS.leaseSeconds,
  ),
  renew_seconds: opt(
    leaseSeconds(),
    "seconds between lease renewals",
    NODE_DEFAULTS.renewSeconds,
  ),
}).meta({ description: "this node of a fleet (with `database:`); kept in the node's own file" });

/** The `preview:` block. */
export const previewSchema = z.strictObject({
  max_concurrent: opt(whole(0, 64), "live previews at once (0–64)", 2),
}).meta({ description: "the dashboard's live preview" });

const b = (about: string, def: boolean) => opt(z.boolean(), about, def);
const s = (about: string, def?: string) => opt(text(), about, def);

/** The `mqtt:` block: the Python release's keys plus StreamPulse's. */
export const mqttSchema = z.strictObject({
  enabled: b("publish to the broker", false),
  host: s("the broker's host", "localhost"),
  port: opt(port(), "TCP port", 1883),
  ws_port: opt(port(), "WebSocket port", 8000),
  tls_port: opt(port(), "TLS port", 8883),
  tls_ws_port: opt(port(), "TLS WebSocket port", 8884),
  use_tls: b("connect with TLS", false),
  use_websocket: b("connect over WebSocket", false),
  username: s("broker login"),
  password: s("broker password (a secret: never shown or logged)"),
  client_id: s("MQTT client id (absent: generated)"),
  topic: s("topic of the whole-status JSON (same body as GET /api/status)", "streampulse/status"),
  qos: opt(whole(0, 2), "QoS 0, 1 or 2", 0),
  retain: b("publish retained", false),
  interval_seconds: opt(
    z.number().min(0),
    "seconds between whole-status publishes (below 5 " +
      "is raised to 5)",
    10,
  ),
  tls_insecure: b("accept a self-signed broker certificate", false),
  ca_file: s("CA certificate file (PEM)"),
  cert_file: s("client certificate file (PEM)"),
  key_file: s("client key file (PEM)"),
  base_topic: s("prefix of the per-stream topics", "streampulse"),
  ha_discovery: b("publish Home Assistant discovery", false),
  discovery_prefix: s("Home Assistant discovery prefix", "homeassistant"),
  publish_on_change: b("publish a stream's state when it changes", true),
  api_status_url: s(
    "the Python release's key: accepted and ignored (StreamPulse publishes its " +
      "own state directly)",
  ),
}).meta({ description: "publishing to an MQTT broker" });

/** The whole of config.yaml. */
export const configSchema = z.strictObject({
  database: opt(
    z.string().regex(/^\s*postgres(ql)?:\/\//i),
    "PostgreSQL URL (`postgres://user:password@host:5432/db`): fleet mode, the streams and " +
      "settings live in the database; absent: SQLite in the data directory. A credential: " +
      "never shown. Kept in the node's own file",
  ),
  node: nodeSchema.nullable().optional(),
  heartbeat_seconds: opt(z.number().min(1).max(86400), "seconds between checks of each stream", 10),
  timezone: opt(
    text(),
    "IANA zone for the `ts`/`since` fields of the API (e.g. `Asia/Calcutta`)",
    "UTC",
  ),
  retention_days: opt(
    z.number().min(1).max(3650),
    "days of raw checks kept; hourly rollups are " +
      "kept 400 days",
    30,
  ),
  max_concurrent_checks: opt(whole(1, 10000), "most checks running at once, over all streams", 256),
  max_media_processes: opt(whole(1, 256), "most ffprobe/ffmpeg processes at once", {
    text: "the number of cores",
  }),
  api: apiSchema.nullable().optional(),
  web: webSchema.nullable().optional(),
  preview: previewSchema.nullable().optional(),
  defaults: defaultsSchema.nullable().optional(),
  streams: z.array(streamSchema).nullable().optional().meta({
    description: "the streams to check",
  }),
  mqtt: mqttSchema.nullable().optional(),
  alerts: alertsSchema.nullable().optional(),
}).meta({
  title: "StreamPulse config.yaml",
  description: "Configuration of StreamPulse, the stream-health monitor for IP cameras",
});

/** config.schema.json's text: the JSON Schema (draft-07, what editors read best) of config.yaml. */
export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", target: "draft-7" });
  return JSON.stringify(schema, null, 2) + "\n";
}
