/** Shared parts of the MQTT task tests: a config for the test broker, a recording subscriber, a task. */

import mqtt from "mqtt";
import type { MqttConfig } from "../../monitor/config/mqtt.ts";
import { createLogger } from "../../monitor/log.ts";
import { createMqttTask, type MqttTaskDeps } from "../../mqtt/publisher.ts";
import { type Mosquitto, MQTT_PASSWORD, MQTT_USER } from "../fixtures/mosquitto.ts";
import { staticWorld } from "../fixtures/mqtt_task_proc.ts";

/** One received message. */
export type Msg = {
  topic: string;
  payload: string;
  bytes: Uint8Array;
  retain: boolean;
  at: number;
};

/** Settings for the test broker's plain listener. */
export function mqttConfig(b: Mosquitto, over: Partial<MqttConfig> = {}): MqttConfig {
  return {
    enabled: true,
    host: "127.0.0.1",
    port: b.ports.plain,
    wsPort: b.ports.ws,
    tlsPort: b.ports.tls,
    tlsWsPort: b.ports.tlsWs,
    useTls: false,
    useWebsocket: false,
    username: MQTT_USER,
    password: MQTT_PASSWORD,
    topic: "sp/status",
    qos: 1,
    retain: false,
    intervalSeconds: 5,
    tlsInsecure: false,
    caFile: b.caFile,
    baseTopic: "sp",
    haDiscovery: false,
    discoveryPrefix: "homeassistant",
    publishOnChange: true,
    ...over,
  };
}

/** A real subscriber on the plain listener that records every message. */
export async function subscriber(b: Mosquitto, topics: string[]) {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.ports.plain}`, {
    username: MQTT_USER,
    password: MQTT_PASSWORD,
    reconnectPeriod: 100,
  });
  const msgs: Msg[] = [];
  client.on("message", (topic, p, packet) => {
    msgs.push({
      topic,
      payload: String(p),
      bytes: new Uint8Array(p),
      retain: packet.retain,
      at: Date.now(),
    });
  });
  await client.subscribeAsync(topics, { qos: 1 });
  const waitFor = async (pred: (m: Msg) => boolean, what: string, ms = 4000, from = 0) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = msgs.slice(from).find(pred);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no message ${what} within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    msgs,
    waitFor,
    publish: client.publishAsync.bind(client),
    close: () => client.endAsync(),
  };
}

/** Starts a task over a static world; `stop()` aborts it and awaits its clean exit. */
export function startTask(
  config: () => MqttConfig,
  names = ["Front Door", "Back Yard"],
  over: Partial<MqttTaskDeps> & { world?: ReturnType<typeof staticWorld> } = {},
) {
  const world = over.world ?? staticWorld(names);
  const lines: string[] = [];
  const deps: MqttTaskDeps = {
    config,
    view: world.view,
    bus: world.bus,
    streams: world.streams,
    logger: createLogger({ level: "debug", write: (l) => lines.push(l) }),
    initialBackoffMs: 100,
    ...over,
  };
  const task = createMqttTask(deps);
  const ctrl = new AbortController();
  const running = task.run(ctrl.signal);
  const stop = async () => {
    const t = Date.now();
    ctrl.abort();
    await running;
    return Date.now() - t;
  };
  return { task, world, lines, stop };
}

/** Waits until `cond()` holds. */
export async function until(cond: () => boolean, what: string, ms = 4000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
