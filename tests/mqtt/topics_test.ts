/** Tests of the pure MQTT topic and payload builders. */

import { assert, assertEquals } from "../assert.ts";
import type { StatusEntry } from "../../monitor/status/view.ts";
import * as T from "../../mqtt/topics.ts";

const cfg = { baseTopic: "streampulse", discoveryPrefix: "homeassistant", haDiscovery: true };

Deno.test("baseSlug() keeps [a-z0-9_-], lowercases and folds accents", () => {
  assertEquals(T.baseSlug("Front Door"), "front_door");
  assertEquals(T.baseSlug("Café Entrée #2"), "cafe_entree_2");
  assertEquals(T.baseSlug("cam-1/main+sub"), "cam-1_main_sub");
  assertEquals(T.baseSlug("  __Garage__ "), "garage");
  assertEquals(T.baseSlug("###"), "stream");
  assertEquals(T.baseSlug("カメラ"), "stream");
});

Deno.test("slugMap() resolves collisions deterministically, whatever the order", () => {
  const names = ["Cam 1", "cam_1", "CAM 1", "Other"];
  const a = T.slugMap(names);
  const b = T.slugMap([...names].reverse());
  assertEquals([...a.entries()].sort(), [...b.entries()].sort());
  assertEquals(a.get("cam_1"), "cam_1", "the name that already is a slug keeps it");
  assertEquals(a.get("Other"), "other");
  const slugs = [...a.values()];
  assertEquals(new Set(slugs).size, slugs.length, "unique");
  for (const s of slugs) assert(/^[a-z0-9_-]+$/.test(s), s);
  assert(a.get("Cam 1")!.startsWith("cam_1_") && a.get("CAM 1")!.startsWith("cam_1_"));
});

Deno.test("slugMap() picks the smallest name when none is its own slug", () => {
  const m = T.slugMap(["Yard", "YARD"]);
  assertEquals(m.get("YARD"), "yard");
  assert(m.get("Yard")!.startsWith("yard_"));
});

Deno.test("topic builders follow <base>/<slug>/state and <prefix>/<component>/<node>/…/config", () => {
  assertEquals(T.stateTopic(cfg, "front_door"), "streampulse/front_door/state");
  assertEquals(T.availabilityTopic(cfg), "streampulse/availability");
  assertEquals(T.haStatusTopic(cfg), "homeassistant/status");
  assertEquals(T.discoveryTopics(cfg, "front_door"), {
    connectivity: "homeassistant/binary_sensor/streampulse/front_door_connectivity/config",
    latency: "homeassistant/sensor/streampulse/front_door_latency/config",
  });
  assertEquals(T.nodeId({ ...cfg, baseTopic: "home/Cams" }), "home_cams");
  assertEquals(T.streamTopics({ ...cfg, haDiscovery: false }, "x"), ["streampulse/x/state"]);
  assertEquals(T.streamTopics(cfg, "x").length, 3);
});

Deno.test("statePayload() carries state, status, latency, message, since, ts, details only", () => {
  const entry: StatusEntry = {
    ts: "2025-01-01T00:00:00Z",
    status: "fail",
    latency: 12,
    message: "connection refused",
    state: "down",
    since: "2025-01-01T00:00:00Z",
    kind: "rtsp",
    enabled: true,
    uptime_24h: 0.5,
    details: { code: "ECONNREFUSED" },
  };
  assertEquals(JSON.parse(T.statePayload(entry)), {
    state: "down",
    status: "fail",
    latency: 12,
    message: "connection refused",
    since: "2025-01-01T00:00:00Z",
    ts: "2025-01-01T00:00:00Z",
    details: { code: "ECONNREFUSED" },
  });
});

Deno.test("discoveryPayloads() describe one device with a connectivity and a latency entity", () => {
  const p = T.discoveryPayloads(cfg, "front_door", "Front Door");
  const conn = JSON.parse(p.connectivity);
  const lat = JSON.parse(p.latency);
  for (const c of [conn, lat]) {
    assertEquals(c.state_topic, "streampulse/front_door/state");
    assertEquals(c.availability_topic, "streampulse/availability");
    assertEquals([c.payload_available, c.payload_not_available], ["online", "offline"]);
    assertEquals(c.device, {
      identifiers: ["streampulse_front_door"],
      name: "Front Door",
      manufacturer: "StreamPulse",
      model: "Stream monitor",
    });
    assert(c.value_template.includes("value_json"));
  }
  assertEquals(conn.unique_id, "streampulse_front_door_connectivity");
  assertEquals(conn.device_class, "connectivity");
  assertEquals([conn.payload_on, conn.payload_off], ["ON", "OFF"]);
  assertEquals(lat.unique_id, "streampulse_front_door_latency");
  assertEquals([lat.unit_of_measurement, lat.state_class], ["ms", "measurement"]);
  assert(!p.connectivity.includes("://") && !p.latency.includes("://"), "no URLs");
});
