/** Tests of the pure MQTT topic and payload builders. */

import { assert, assertEquals } from "../assert.ts";
import type { StatusEntry } from "../../monitor/status/view.ts";
import * as D from "../../mqtt/discovery.ts";
import * as H from "../../mqtt/hub.ts";
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
  assertEquals(T.legacyDiscoveryTopics(cfg, "front_door"), [
    "homeassistant/binary_sensor/streampulse/front_door_connectivity/config",
    "homeassistant/sensor/streampulse/front_door_latency/config",
  ]);
  assertEquals(
    T.deviceTopic(cfg, "front_door"),
    "homeassistant/device/streampulse/front_door/config",
  );
  assertEquals(T.hubTopic(cfg), "homeassistant/device/streampulse/_streampulse/config");
  assertEquals(T.snapshotTopic(cfg, "front_door"), "streampulse/front_door/snapshot");
  assertEquals(T.nodeId({ ...cfg, baseTopic: "home/Cams" }), "home_cams");
  assertEquals(T.streamTopics({ ...cfg, haDiscovery: false }, "x"), ["streampulse/x/state"]);
  assertEquals(T.streamTopics(cfg, "x"), [
    "streampulse/x/state",
    "homeassistant/device/streampulse/x/config",
    "streampulse/x/snapshot",
  ]);
  assertEquals(T.ownedTopics(cfg, ["x"]).size, 4, "with the hub's config");
});

Deno.test("statePayload() carries state, status, latency, message, since, ts, details and problem", () => {
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
    problem: false,
  });
});

Deno.test("pictureProblem() is true only while degraded with media findings", () => {
  const e = (state: StatusEntry["state"], details: Record<string, unknown>) => ({ state, details });
  assertEquals(T.pictureProblem(e("degraded", { problems: ["picture frozen for 45 s"] })), true);
  assertEquals(T.pictureProblem(e("degraded", { problems: [] })), false);
  assertEquals(T.pictureProblem(e("degraded", { picture: { verified: false } })), false);
  assertEquals(T.pictureProblem(e("up", { problems: ["picture black"] })), false);
  assertEquals(T.pictureProblem(e("down", {})), false);
});

Deno.test("expireAfter() is three times the longer of the stream's and the MQTT interval", () => {
  assertEquals(D.expireAfter({ intervalSeconds: 60 }, 10), 180);
  assertEquals(D.expireAfter({ intervalSeconds: 5 }, 10), 30);
  assertEquals(D.expireAfter({ intervalSeconds: 2.5 }, 0.3), 8);
  assertEquals(D.expireAfter({ intervalSeconds: 60, enabled: false }, 10), undefined);
});

const info = {
  version: "1.2.3",
  baseUrl: "https://sp.example",
  statusTopic: "sp/status",
  qos: 1 as const,
};

Deno.test("streamDevicePayload() describes one device with four components", () => {
  const s = { name: "Front Door", slug: "front_door", expireAfter: 30 };
  const p = JSON.parse(D.streamDevicePayload(cfg, s, info));
  assertEquals(p.o, { name: "StreamPulse", sw: "1.2.3", url: "https://sp.example" });
  assertEquals(p.dev, {
    identifiers: ["streampulse_front_door"],
    name: "Front Door",
    manufacturer: "StreamPulse",
    model: "Stream monitor",
    sw_version: "1.2.3",
    via_device: "streampulse__hub",
    configuration_url: "https://sp.example/streams/Front%20Door",
  });
  const { connectivity: conn, latency: lat, picture: pic, snapshot: img } = p.cmps;
  for (const c of [conn, lat, pic]) {
    assertEquals(c.state_topic, "streampulse/front_door/state");
    assertEquals(c.expire_after, 30);
    assert(c.value_template.includes("value_json"));
  }
  for (const c of [conn, lat, pic, img]) {
    assertEquals(c.availability, [{
      topic: "streampulse/availability",
      payload_available: "online",
      payload_not_available: "offline",
    }]);
  }
  assertEquals([conn.p, conn.name, conn.device_class, conn.unique_id], [
    "binary_sensor",
    null,
    "connectivity",
    "streampulse_front_door_connectivity",
  ]);
  assertEquals([lat.p, lat.device_class, lat.unit_of_measurement, lat.entity_category], [
    "sensor",
    "duration",
    "ms",
    "diagnostic",
  ]);
  assertEquals([lat.unique_id, lat.suggested_display_precision], [
    "streampulse_front_door_latency",
    0,
  ]);
  assertEquals([pic.p, pic.device_class, pic.unique_id], [
    "binary_sensor",
    "problem",
    "streampulse_front_door_picture",
  ]);
  assertEquals([img.p, img.image_topic, img.content_type, img.unique_id], [
    "image",
    "streampulse/front_door/snapshot",
    "image/jpeg",
    "streampulse_front_door_snapshot",
  ]);
  const bare = JSON.parse(
    D.streamDevicePayload(cfg, { name: "X", slug: "x" }, { ...info, baseUrl: undefined }),
  );
  assertEquals([bare.dev.configuration_url, bare.o.url, bare.cmps.latency.expire_after], [
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("hubDevicePayload() is the via_device of every stream, its state the availability", () => {
  const p = JSON.parse(H.hubDevicePayload(cfg, info));
  assertEquals(p.dev.identifiers, ["streampulse__hub"]);
  assertEquals(p.dev.sw_version, "1.2.3");
  assertEquals(p.cmps.status.state_topic, "streampulse/availability");
  assertEquals([p.cmps.status.name, p.cmps.status.device_class], [null, "connectivity"]);
  assertEquals(p.cmps.streams_down.state_topic, "sp/status");
});
