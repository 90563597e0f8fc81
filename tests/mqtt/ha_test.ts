/** Home Assistant discovery, the image topic and availability across reloads, on a real mosquitto. */

import jpeg from "jpeg-js";
import mqtt from "mqtt";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import type { BusEvents } from "../../monitor/mod.ts";
import { type Mosquitto, MQTT_PASSWORD, MQTT_USER, startMosquitto } from "../fixtures/mosquitto.ts";
import { staticWorld } from "../fixtures/mqtt_task_proc.ts";
import { makeJpeg } from "../fixtures/providers.ts";
import { mqttConfig, startTask, subscriber, until } from "./helpers.ts";

const LEGACY = [
  "homeassistant/binary_sensor/sp/front_door_connectivity/config",
  "homeassistant/sensor/sp/front_door_latency/config",
];

/** Retained messages under `topic` as `mosquitto_sub` (the CLI) prints them: topic → payload. */
async function retainedViaCli(b: Mosquitto, topic: string): Promise<Map<string, string>> {
  const out = await new Deno.Command("mosquitto_sub", {
    args: ["-h", "127.0.0.1", "-p", String(b.ports.plain), "-u", MQTT_USER, "-P", MQTT_PASSWORD]
      .concat(["-t", topic, "--retained-only", "-v", "-W", "2"]),
    stdout: "piped",
    stderr: "null",
  }).output();
  const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.includes(" "));
  return new Map(lines.map((l) => [l.slice(0, l.indexOf(" ")), l.slice(l.indexOf(" ") + 1)]));
}

const result = (name: string) => ({ name } as unknown as BusEvents["result"]);

Deno.test("createMqttTask() publishes device-based discovery and migrates the legacy topics", async () => {
  const b = await startMosquitto();
  const old = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.ports.plain}`, {
    username: MQTT_USER,
    password: MQTT_PASSWORD,
  });
  for (const t of LEGACY) await old.publishAsync(t, '{"name":"old"}', { qos: 1, retain: true });
  await old.endAsync();
  const ha = await subscriber(b, ["homeassistant/#"]);
  try {
    const world = staticWorld(["Front Door", "Back Yard"]);
    world.streams()[1].id = "cam-back"; // ids name the device, whatever the stream is called
    const delays: number[] = [];
    const cfg = mqttConfig(b, { haDiscovery: true, intervalSeconds: 5 });
    const t = startTask(() => cfg, [], {
      world,
      version: "9.9.9",
      baseUrl: () => "https://sp.example/",
      haBirthDelayMs: () => (delays.push(300), 300),
    });
    const device = (slug: string) => `homeassistant/device/sp/${slug}/config`;
    const got = async (topic: string) =>
      JSON.parse((await ha.waitFor((m) => m.topic === topic && m.payload !== "", topic)).payload);
    const front = await got(device("front_door"));
    assertEquals(front.o, { name: "StreamPulse", sw: "9.9.9", url: "https://sp.example" });
    assertEquals(front.dev, {
      identifiers: ["sp_front_door"],
      name: "Front Door",
      manufacturer: "StreamPulse",
      model: "Stream monitor",
      sw_version: "9.9.9",
      via_device: "sp__hub",
      configuration_url: "https://sp.example/streams/Front%20Door",
    });
    const { connectivity: conn, latency: lat, picture: pic, snapshot: img } = front.cmps;
    assertEquals([conn.p, conn.name, conn.device_class], ["binary_sensor", null, "connectivity"]);
    assertEquals(
      conn.unique_id,
      "sp_front_door_connectivity",
      "the same id as before: history kept",
    );
    assertEquals([lat.unique_id, lat.device_class, lat.unit_of_measurement], [
      "sp_front_door_latency",
      "duration",
      "ms",
    ]);
    assertEquals([lat.entity_category, lat.suggested_display_precision], ["diagnostic", 0]);
    assertEquals([pic.device_class, pic.unique_id], ["problem", "sp_front_door_picture"]);
    assertEquals([img.p, img.image_topic, img.content_type], [
      "image",
      "sp/front_door/snapshot",
      "image/jpeg",
    ]);
    for (const c of [conn, lat, pic]) {
      assertEquals([c.state_topic, c.expire_after], ["sp/front_door/state", 30]); // 3 × 10 s
    }
    for (const c of [conn, lat, pic, img]) {
      assertEquals(c.availability, [{
        topic: "sp/availability",
        payload_available: "online",
        payload_not_available: "offline",
      }]);
    }
    const back = await got(device("cam-back"));
    assertEquals([back.dev.name, back.dev.identifiers, back.cmps.connectivity.unique_id], [
      "Back Yard",
      ["sp_cam-back"],
      "sp_cam-back_connectivity",
    ]);
    assertEquals(back.cmps.connectivity.state_topic, "sp/cam-back/state");
    const hub = await got("homeassistant/device/sp/_streampulse/config");
    assertEquals([hub.dev.identifiers, hub.cmps.status.state_topic], [
      ["sp__hub"],
      "sp/availability",
    ]);
    for (const topic of LEGACY) {
      const i = ha.msgs.findIndex((m) => m.topic === topic && m.payload.includes("migrate"));
      assert(i >= 0, `asked Home Assistant to migrate ${topic}`);
      assertEquals(JSON.parse(ha.msgs[i].payload), { migrate_discovery: true });
      await ha.waitFor((m) => m.topic === topic && m.payload === "" && m.retain === false, topic);
      const cleared = ha.msgs.findIndex((m, j) => j > i && m.topic === topic && m.payload === "");
      const config = ha.msgs.findIndex((m) => m.topic === device("front_door"));
      assert(i < config && config < cleared, "migrate, then the device config, then clear");
    }
    const retained = await retainedViaCli(b, "homeassistant/#");
    assertEquals([...retained.keys()].sort(), [
      "homeassistant/device/sp/_streampulse/config",
      device("cam-back"),
      device("front_door"),
    ]);
    assertEquals(
      JSON.parse(retained.get(device("front_door"))!).cmps.latency.device_class,
      "duration",
    );

    const from = ha.msgs.length;
    const born = Date.now();
    await ha.publish("homeassistant/status", "online");
    const again = await ha.waitFor((m) => m.topic === device("front_door"), "again", 3000, from);
    assert(again.at - born >= 250, `republished after ${again.at - born} ms, not the 300 ms delay`);
    assertEquals(delays, [300]);

    world.setStreams(["Front Door"]);
    t.world.bus.emit("config-reloaded", { config: {} as never });
    await ha.waitFor((m) => m.topic === device("cam-back") && m.payload === "", "cleared");
    await t.stop();
    for (const m of ha.msgs) assert(!m.payload.includes("cam-pw-"), `no credential in ${m.topic}`);
  } finally {
    await ha.close();
    await b.stop();
  }
});

Deno.test("createMqttTask() publishes the last good snapshot as a retained JPEG, bounded", async () => {
  const b = await startMosquitto();
  const sub = await subscriber(b, ["sp/+/snapshot"]);
  try {
    const picture = makeJpeg(64, 48, 3);
    const loads: string[] = [];
    const snapshot = (name: string) => {
      loads.push(name);
      return Promise.resolve(name === "Front Door" ? picture : new Uint8Array(300 * 1024));
    };
    const t = startTask(() => mqttConfig(b, { haDiscovery: true }), undefined, { snapshot });
    await until(() => t.task.health().connected, "connected");
    t.world.bus.emit("result", result("Front Door"));
    t.world.bus.emit("result", result("Back Yard"));
    const m = await sub.waitFor((m) => m.topic === "sp/front_door/snapshot", "the JPEG");
    assertEquals(m.bytes, picture);
    const decoded = jpeg.decode(m.bytes);
    assertEquals([decoded.width, decoded.height], [64, 48]);
    t.world.bus.emit("result", result("Front Door")); // within the minute: not read again
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(loads.sort(), ["Back Yard", "Front Door"]);
    assert(!sub.msgs.some((m) => m.topic === "sp/back_yard/snapshot"), "over 256 KiB: skipped");
    const late = await subscriber(b, ["sp/front_door/snapshot"]);
    const r = await late.waitFor(() => true, "retained");
    assertEquals([r.retain, r.bytes], [true, picture]);
    await late.close();
    await t.stop();
  } finally {
    await sub.close();
    await b.stop();
  }
});

Deno.test("createMqttTask() publishes offline before a reload to a wrong password, and says why", async () => {
  const b = await startMosquitto();
  const sub = await subscriber(b, ["sp/availability"]);
  try {
    let cfg = mqttConfig(b);
    const t = startTask(() => cfg);
    await sub.waitFor((m) => m.payload === "online", "online");
    const from = sub.msgs.length;
    cfg = { ...cfg, password: "wrong-password" };
    t.world.bus.emit("config-reloaded", { config: {} as never });
    await sub.waitFor((m) => m.payload === "offline", "offline", 3000, from);
    await until(() => t.task.health().lastError?.includes("not authorized") ?? false, "lastError");
    const h = t.task.health();
    assertEquals([h.enabled, h.connected], [true, false]);
    assertStringIncludes(h.lastError!, "check mqtt.username/password");
    const late = await subscriber(b, ["sp/availability"]);
    const r = await late.waitFor(() => true, "the retained availability");
    assertEquals([r.retain, r.payload], [true, "offline"]);
    await late.close();
    // The old client said DISCONNECT (no last will): this offline is StreamPulse's own publish.
    assertEquals(sub.msgs.slice(from).map((m) => m.payload), ["offline"]);
    cfg = { ...cfg, password: MQTT_PASSWORD };
    t.world.bus.emit("config-reloaded", { config: {} as never });
    await sub.waitFor((m) => m.payload === "online", "online again", 4000, from);
    await t.stop();
    assert(!t.lines.join("\n").includes("wrong-password"), "the password never reaches the log");
  } finally {
    await sub.close();
    await b.stop();
  }
});
