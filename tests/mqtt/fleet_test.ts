/** createMqttTask() as fleet nodes on a real mosquitto: owner-only states, per-node availability and discovery. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import type { BusEvents } from "../../monitor/mod.ts";
import { buildConnectOptions } from "../../mqtt/connection.ts";
import {
  createStateOwners,
  nodeAvailabilityTopic,
  nodeClientId,
  nodeLevel,
} from "../../mqtt/fleet.ts";
import { nodeDevicePayload, nodeDeviceTopic } from "../../mqtt/hub.ts";
import { type Mosquitto, MQTT_PASSWORD, MQTT_USER, startMosquitto } from "../fixtures/mosquitto.ts";
import { mqttConfig, startTask, subscriber, until } from "./helpers.ts";

type Task = ReturnType<typeof startTask>;

/** This node checked `name`: its status now says `message`, and a local result goes out. */
function check(t: Task, name: string, message: string) {
  const st = t.world.statuses.get(name)!;
  st.last = { ...st.last!, ts: Date.now(), message };
  t.world.bus.emit("result", { name, record: st.last, status: st });
}

/** This node decided a state change of `name` (published at once: `publish_on_change`). */
function change(t: Task, name: string, message: string) {
  const st = t.world.statuses.get(name)!;
  const ts = Date.now();
  Object.assign(st, { state: "down", since: ts, last: { ...st.last!, ok: false, ts, message } });
  t.world.bus.emit("state-change", {
    name,
    from: "up",
    to: "down",
    ts,
    cause: message,
    status: st,
  });
}

/** Another node's result for `name`, mirrored through the database (an event with origin). */
function mirror(t: Task, name: string, origin: string, message: string) {
  const st = t.world.statuses.get(name)!;
  st.last = { ...st.last!, ts: Date.now(), message };
  const e: BusEvents["result"] = { name, record: st.last, status: st, origin };
  t.world.bus.emit("result", e);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("nodeAvailabilityTopic() and nodeClientId() carry the node's name", () => {
  const cfg = { baseTopic: "sp", discoveryPrefix: "homeassistant" };
  assertEquals(nodeAvailabilityTopic(cfg, "site-a-1"), "sp/node/site-a-1/availability");
  assertEquals(nodeLevel("a/b+c#d"), "a_b_c_d");
  assertEquals(nodeClientId("Site A 1", "sp-client"), "sp-client-site_a_1");
  assert(/^streampulse-site-a-1-[0-9a-f]{8}$/.test(nodeClientId("site-a-1")));
  assertEquals(nodeDeviceTopic(cfg, "Site A 1"), "homeassistant/device/sp/_node_site_a_1/config");
  const dev = JSON.parse(
    nodeDevicePayload(cfg, "site-a-1", { version: "1", statusTopic: "s", qos: 1 }),
  );
  assertEquals([dev.dev.identifiers, dev.dev.via_device], [["sp__node_site-a-1"], "sp__hub"]);
  assertEquals(dev.cmps.status.state_topic, "sp/node/site-a-1/availability");
});

Deno.test("createStateOwners() follows the most recent event, and owns() while it holds", () => {
  let lease = true;
  const o = createStateOwners({ name: "a", owns: () => lease });
  assertEquals(o.publishes("cam"), false, "nothing checked here yet");
  assertEquals([o.local("cam"), o.local("cam")], [true, false], "gained once");
  assert(o.publishes("cam"));
  lease = false;
  assertEquals(o.publishes("cam"), false, "a fenced node publishes nothing");
  lease = true;
  o.remote("cam");
  assertEquals(o.publishes("cam"), false, "another node checked it");
  assertEquals(o.local("cam"), true, "taken back");
  o.keep(new Set());
  assertEquals(o.publishes("cam"), false, "removed from the config");
});

Deno.test("buildConnectOptions() gives a fleet node its own last will and client id", async () => {
  const b = { ports: { plain: 1883, ws: 8000, tls: 8883, tlsWs: 8884 } } as Mosquitto;
  const own = await buildConnectOptions(mqttConfig(b), { node: "site-a-1" });
  assertEquals(own.options.will?.topic, "sp/node/site-a-1/availability");
  assert(/^streampulse-site-a-1-[0-9a-f]{8}$/.test(own.options.clientId!), own.options.clientId);
  const shared = await buildConnectOptions(mqttConfig(b, { clientId: "cams" }), { node: "n2" });
  assertEquals(shared.options.clientId, "cams-n2", "one shared client_id, one id per node");
  const single = await buildConnectOptions(mqttConfig(b, { clientId: "cams" }));
  assertEquals([single.options.clientId, single.options.will?.topic], ["cams", "sp/availability"]);
});

Deno.test("createMqttTask() in a fleet: only the owner publishes a stream's state, a takeover publishes at once", async () => {
  const b = await startMosquitto();
  const all = await subscriber(b, ["sp/#"]);
  try {
    const cfg = mqttConfig(b, { intervalSeconds: 0.3 });
    const a = startTask(() => cfg, undefined, { node: { name: "node-a" } });
    const n2 = startTask(() => cfg, undefined, { node: { name: "node-b" } });
    await all.waitFor(
      (m) => m.topic === "sp/node/node-a/availability" && m.payload === "online",
      "a online",
    );
    await all.waitFor(
      (m) => m.topic === "sp/node/node-b/availability" && m.payload === "online",
      "b online",
    );
    await until(
      () => all.msgs.filter((m) => m.topic === "sp/status").length >= 4,
      "both publish status",
    );
    const states = (from = 0) => all.msgs.slice(from).filter((m) => m.topic.endsWith("/state"));
    assertEquals(states().length, 0, "no node checked anything: no state published");

    // node-a checks Front Door; node-b sees it mirrored.
    check(a, "Front Door", "from a");
    mirror(n2, "Front Door", "node-a", "from a (mirrored)");
    const first = await all.waitFor((m) => m.topic === "sp/front_door/state", "a's state");
    assertEquals(JSON.parse(first.payload).message, "from a");
    check(a, "Front Door", "from a again"); // a's status publish carries it at the next interval
    await all.waitFor(
      (m) => m.topic === "sp/front_door/state" && m.payload.includes("from a again"),
      "a's next",
    );

    // node-b takes over: its first own check publishes at once; node-a sees it and stops.
    const from = all.msgs.length;
    const t0 = Date.now();
    check(n2, "Front Door", "from b");
    const took = await all.waitFor(
      (m) => m.topic === "sp/front_door/state",
      "b's state",
      2000,
      from,
    );
    assertEquals(JSON.parse(took.payload).message, "from b");
    assert(took.at - t0 < 300, `the takeover published after ${took.at - t0} ms, not at once`);
    mirror(a, "Front Door", "node-b", "from b (mirrored)");
    check(a, "Back Yard", "a's other stream");
    await sleep(1000); // three status intervals
    const after = states(from);
    assert(after.some((m) => m.topic === "sp/back_yard/state"), "a keeps publishing its own");
    const front = after.filter((m) => m.topic === "sp/front_door/state");
    assertEquals(front.map((m) => JSON.parse(m.payload).message), ["from b"]);
    assert(!all.msgs.some((m) => m.topic === "sp/availability"), "no shared availability topic");
    assertStringIncludes(a.lines.join("\n"), "as streampulse-node-a-");

    await a.stop();
    await all.waitFor(
      (m) => m.topic === "sp/node/node-a/availability" && m.payload === "offline",
      "a offline",
    );
    const late = await subscriber(b, ["sp/node/+/availability"]);
    await until(() => late.msgs.length === 2, "both retained");
    assertEquals(
      Object.fromEntries(late.msgs.map((m) => [m.topic, m.payload])),
      { "sp/node/node-a/availability": "offline", "sp/node/node-b/availability": "online" },
    );
    await late.close();
    await n2.stop();
  } finally {
    await all.close();
    await b.stop();
  }
});

Deno.test("createMqttTask() in a fleet: a fenced node publishes no state, and drops what waited", async () => {
  const b = await startMosquitto();
  const all = await subscriber(b, ["sp/+/state"]);
  try {
    let lease = true;
    const cfg = mqttConfig(b, { intervalSeconds: 0.3 });
    const a = startTask(() => cfg, undefined, { node: { name: "a", owns: () => lease } });
    await until(() => a.task.health().connected, "connected");
    check(a, "Front Door", "before the lease lapsed");
    await all.waitFor((m) => m.payload.includes("before the lease lapsed"), "own state");
    lease = false;
    check(a, "Front Door", "while fenced");
    await sleep(800);
    assert(!all.msgs.some((m) => m.payload.includes("while fenced")), "fenced: nothing published");
    lease = true;
    await all.waitFor((m) => m.payload.includes("while fenced"), "published once the lease holds");
    // Broker gone: a state change waits in the outbox; the lease lapses before the broker is back.
    await b.kill();
    await until(() => !a.task.health().connected, "disconnected");
    change(a, "Front Door", "queued offline");
    assertEquals(a.task.health().queued, 1);
    lease = false;
    await b.restart();
    await until(() => a.task.health().connected, "reconnected", 8000);
    await sleep(800);
    assert(!all.msgs.some((m) => m.payload.includes("queued offline")), "stale: dropped");
    await a.stop();
  } finally {
    await all.close();
    await b.stop();
  }
});

Deno.test("createMqttTask() in a fleet: discovery goes by state freshness, each node has its device", async () => {
  const b = await startMosquitto();
  const ha = await subscriber(b, ["homeassistant/#"]);
  try {
    const cfg = mqttConfig(b, { intervalSeconds: 5, haDiscovery: true });
    const a = startTask(() => cfg, undefined, { node: { name: "node-a" } });
    const n2 = startTask(() => cfg, undefined, { node: { name: "node-b" } });
    const got = async (topic: string) =>
      JSON.parse((await ha.waitFor((m) => m.topic === topic && m.payload !== "", topic)).payload);
    const front = await got("homeassistant/device/sp/front_door/config");
    for (const c of Object.values(front.cmps) as Array<Record<string, unknown>>) {
      assertEquals(c.availability, undefined, `${c.unique_id}: no one process speaks for it`);
    }
    assertEquals(front.cmps.connectivity.expire_after, 30, "unavailable without a live owner");
    const hub = await got("homeassistant/device/sp/_streampulse/config");
    assertEquals(
      [hub.cmps.status.state_topic, hub.cmps.status.expire_after, hub.cmps.status.payload_on],
      ["sp/status", 15, "online"],
    );
    assertEquals([hub.cmps.streams_down.availability, hub.cmps.streams_down.expire_after], [
      undefined,
      15,
    ]);
    for (const n of ["node-a", "node-b"]) {
      const dev = await got(`homeassistant/device/sp/_node_${n}/config`);
      assertEquals(dev.cmps.status.state_topic, `sp/node/${n}/availability`);
    }
    await a.stop();
    await n2.stop();
    const retained = await retainedTopics(b, "homeassistant/#");
    assertEquals(retained.sort(), [
      "homeassistant/device/sp/_node_node-a/config",
      "homeassistant/device/sp/_node_node-b/config",
      "homeassistant/device/sp/_streampulse/config",
      "homeassistant/device/sp/back_yard/config",
      "homeassistant/device/sp/front_door/config",
    ]);
  } finally {
    await ha.close();
    await b.stop();
  }
});

Deno.test("the broker publishes a fleet node's own offline when its process is SIGKILLed", async () => {
  const b = await startMosquitto();
  const sub = await subscriber(b, ["sp/#"]);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", new URL("./fleet_node_proc.ts", import.meta.url).pathname]
      .concat(JSON.stringify(mqttConfig(b)), "site-a-1"),
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("connected")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("child exited before connecting");
      out += value;
    }
    reader.releaseLock();
    const topic = "sp/node/site-a-1/availability";
    await sub.waitFor((m) => m.topic === topic && m.payload === "online", "online");
    const from = sub.msgs.length;
    child.kill("SIGKILL");
    await sub.waitFor(
      (m) => m.topic === topic && m.payload === "offline",
      "the last will",
      3000,
      from,
    );
    assert(
      !sub.msgs.some((m) => m.topic === "sp/availability"),
      "the single-node topic is untouched",
    );
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already dead */ }
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await sub.close();
    await b.stop();
  }
});

/** Retained topics under `filter`, read by the mosquitto_sub CLI. */
async function retainedTopics(b: Mosquitto, filter: string): Promise<string[]> {
  const out = await new Deno.Command("mosquitto_sub", {
    args: ["-h", "127.0.0.1", "-p", String(b.ports.plain), "-u", MQTT_USER, "-P", MQTT_PASSWORD]
      .concat(["-t", filter, "--retained-only", "-v", "-W", "2"]),
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.includes(" "))
    .map((l) => l.slice(0, l.indexOf(" ")));
}
