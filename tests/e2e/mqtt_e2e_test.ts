import mqtt from "mqtt";
import { assert, assertEquals } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { MQTT_PASSWORD, MQTT_USER, startMosquitto } from "../fixtures/mosquitto.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { startStreamPulse } from "../fixtures/streampulse.ts";

/** A real subscriber collecting every message per topic. */
async function subscribe(port: number, topics: string[]) {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    username: MQTT_USER,
    password: MQTT_PASSWORD,
    reconnectPeriod: 0,
  });
  const seen: { topic: string; payload: string; at: number }[] = [];
  client.on("message", (topic, payload) => {
    seen.push({ topic, payload: payload.toString(), at: Date.now() });
  });
  await client.subscribeAsync(topics, { qos: 1 });
  const wait = async (pred: (m: { topic: string; payload: string }) => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const m = seen.find(pred);
      if (m) return m;
      await delay(20);
    }
    throw new Error(`no matching message in ${ms} ms; saw ${JSON.stringify(seen.slice(-5))}`);
  };
  return { seen, wait, close: () => client.endAsync() };
}

Deno.test("StreamPulse publishes state changes, follows mqtt: edits, and the broker says offline after SIGKILL", async () => {
  const broker = await startMosquitto();
  const rtsp = await startRtspServer();
  const mqttBlock = (topic: string) =>
    `mqtt:
  enabled: true
  host: 127.0.0.1
  port: ${broker.ports.plain}
  username: ${MQTT_USER}
  password: "${MQTT_PASSWORD}"
  topic: ${topic}
  interval_seconds: 5
  base_topic: sp
`;
  const head = `heartbeat_seconds: 1
api: {port: {{API_PORT}}}
streams:
- {name: Front Door, url: "${rtsp.url()}"}
`;
  const sub = await subscribe(broker.ports.plain, ["sp/#", "legacy/#", "renamed/#"]);
  const sp = await startStreamPulse({ config: head + mqttBlock("legacy/status") });
  try {
    await sub.wait((m) => m.topic === "sp/availability" && m.payload === "online");
    await sub.wait((m) =>
      m.topic === "sp/front_door/state" && JSON.parse(m.payload).state === "up"
    );
    // The Python project's whole-status topic, same body as GET /api/status.
    const status = await sub.wait((m) =>
      m.topic === "legacy/status" && JSON.parse(m.payload)["Front Door"].status === "ok"
    );
    assertEquals(JSON.parse(status.payload)["Front Door"].state, "up");
    // A killed stream server arrives as a down state on the per-stream topic.
    await rtsp.kill();
    const t0 = Date.now();
    const down = await sub.wait((m) =>
      m.topic === "sp/front_door/state" && JSON.parse(m.payload).state === "down"
    );
    assert(Date.now() - t0 < 5000, `down after ${Date.now() - t0} ms`);
    assertEquals(JSON.parse(down.payload).message, "connection refused");
    // An edit of the mqtt: block applies without a restart.
    const text = await Deno.readTextFile(sp.configPath);
    await Deno.writeTextFile(
      sp.configPath,
      text.replace("topic: legacy/status", "topic: renamed/status"),
    );
    await sub.wait((m) => m.topic === "renamed/status", 8000);
    const health = (await sp.get("/api/health")).body as { mqtt: { connected: boolean } };
    assertEquals(health.mqtt.connected, true);
    // A crash: the broker delivers the last will.
    await sp.kill();
    await sub.wait((m) => m.topic === "sp/availability" && m.payload === "offline");
    for (const m of sub.seen) assert(!m.payload.includes(MQTT_PASSWORD), `password in ${m.topic}`);
  } finally {
    await sp.kill();
    await sub.close();
    await rtsp.stop();
    await broker.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});
