/** The MQTT editor's fields: every key of the `mqtt:` block, its form values, edit and test. */

import type { MqttConfig } from "../monitor/config/mod.ts";
import { buildConnectOptions, closeClient, connectOnce } from "../mqtt/mod.ts";
import { type Edit, editValues, numberOr } from "./config_edit.ts";

/** How a key is edited. */
export type FieldType = "bool" | "number" | "text" | "password" | "qos";

/** Every key of the `mqtt:` block, in the order of the example config. */
export const MQTT_FIELDS: Array<{ key: string; label: string; type: FieldType; hint?: string }> = [
  { key: "enabled", label: "Publish to MQTT", type: "bool" },
  { key: "host", label: "Broker host", type: "text" },
  { key: "port", label: "TCP port", type: "number" },
  { key: "ws_port", label: "WebSocket port", type: "number" },
  { key: "tls_port", label: "TLS port", type: "number" },
  { key: "tls_ws_port", label: "TLS WebSocket port", type: "number" },
  { key: "use_tls", label: "Use TLS", type: "bool" },
  { key: "use_websocket", label: "Use WebSocket", type: "bool" },
  { key: "username", label: "Username", type: "text" },
  { key: "password", label: "Password", type: "password", hint: "Write-only: leave blank to keep" },
  { key: "client_id", label: "Client id", type: "text", hint: "Blank: a random streampulse-… id" },
  { key: "topic", label: "Status topic", type: "text" },
  { key: "qos", label: "QoS", type: "qos" },
  { key: "retain", label: "Retain status messages", type: "bool" },
  { key: "interval_seconds", label: "Publish every (seconds, min 5)", type: "number" },
  { key: "tls_insecure", label: "Accept untrusted broker certificates", type: "bool" },
  { key: "ca_file", label: "CA file", type: "text" },
  { key: "cert_file", label: "Client certificate file", type: "text" },
  { key: "key_file", label: "Client key file", type: "text" },
  { key: "base_topic", label: "Base topic", type: "text" },
  { key: "ha_discovery", label: "Home Assistant discovery", type: "bool" },
  { key: "discovery_prefix", label: "Discovery prefix", type: "text" },
  { key: "publish_on_change", label: "Publish state changes at once", type: "bool" },
];

const camel = (key: string) => key.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

/** The value the form shows for a key ("" for unset text; never the password). */
export function mqttValue(cfg: MqttConfig, key: string): string | boolean {
  if (key === "password") return "";
  const v = (cfg as unknown as Record<string, unknown>)[camel(key)];
  if (typeof v === "boolean") return v;
  return v === undefined || v === null ? "" : String(v);
}

/**
 * The edit for a submitted MQTT form: only keys whose value differs from `current` are written
 * (so saving does not fill config.yaml with defaults). The password changes only when typed, or
 * is removed with `password_clear`.
 */
export function mqttEdit(body: Record<string, unknown>, current: MqttConfig): Edit {
  const entries: Array<[string[], unknown]> = [];
  const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string).trim() : "");
  for (const f of MQTT_FIELDS) {
    const before = mqttValue(current, f.key);
    let value: unknown;
    if (f.type === "bool") value = str(f.key) === "on" || str(f.key) === "true";
    else if (f.type === "password") {
      if (str("password_clear") === "on") value = null;
      else if (typeof body.password === "string" && body.password !== "") value = body.password;
      else continue;
    } else if (f.type === "number" || f.type === "qos") value = numberOr(str(f.key));
    else value = str(f.key) === "" ? null : str(f.key);
    if (f.type !== "password" && String(value ?? "") === String(before)) continue;
    entries.push([["mqtt", f.key], value]);
  }
  return editValues(entries);
}

/** Connects once with `cfg` (5 s at most) and disconnects cleanly: the "Test connection" button. */
export async function testMqtt(
  cfg: MqttConfig,
): Promise<{ ok: boolean; message: string; latencyMs: number }> {
  const start = performance.now();
  const ms = () => Math.round(performance.now() - start);
  try {
    const { url, options } = await buildConnectOptions(cfg);
    options.connectTimeout = 5000;
    const client = await connectOnce(cfg, url, options, { signal: AbortSignal.timeout(5000) });
    const latencyMs = ms();
    await closeClient(client, { availability: null, timeoutMs: 1000 });
    return { ok: true, message: `connected to ${url}`, latencyMs };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      message: message === "connect aborted" ? "timed out after 5 s" : message,
      latencyMs: ms(),
    };
  }
}
