/** createMqttTask() against a real mosquitto (four listeners, password auth) and a real subscriber. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import type { MqttConfig } from "../../monitor/config/mqtt.ts";
import { buildConnectOptions, describeMqttError } from "../../mqtt/connection.ts";
import { type Mosquitto, MQTT_PASSWORD, startMosquitto } from "../fixtures/mosquitto.ts";
import { mqttConfig, startTask, subscriber, until } from "./helpers.ts";

Deno.test("createMqttTask() delivers the status topic over TCP, WebSocket, TLS and TLS-WebSocket", async () => {
  const b = await startMosquitto();
  const sub = await subscriber(b, ["t/#"]);
  try {
    const transports = [
      { useTls: false, useWebsocket: false, url: `mqtt://127.0.0.1:${b.ports.plain}` },
      { useTls: false, useWebsocket: true, url: `ws://127.0.0.1:${b.ports.ws}/mqtt` },
      { useTls: true, useWebsocket: false, url: `mqtts://127.0.0.1:${b.ports.tls}` },
      { useTls: true, useWebsocket: true, url: `wss://127.0.0.1:${b.ports.tlsWs}/mqtt` },
    ];
    for (const [i, tr] of transports.entries()) {
      const cfg = mqttConfig(b, { ...tr, topic: `t/${i}`, baseTopic: `t/base${i}` });
      const t = startTask(() => cfg);
      const m = await sub.waitFor((m) => m.topic === `t/${i}`, `on t/${i} via ${tr.url}`);
      assertEquals(JSON.parse(m.payload), t.world.view.all());
      const h = t.task.health();
      assertEquals([h.enabled, h.connected, h.url, h.lastError], [true, true, tr.url, null]);
      assert(await t.stop() < 1500, "stops promptly");
      assert(!t.lines.join("\n").includes(MQTT_PASSWORD), "password never logged");
    }
  } finally {
    await sub.close();
    await b.stop();
  }
});

Deno.test("createMqttTask() names a wrong password, an untrusted TLS cert and a refused port", async () => {
  const b = await startMosquitto();
  try {
    const refused = await startMosquitto();
    const refusedPort = refused.ports.plain;
    await refused.stop();
    const tasks = [
      startTask(() => mqttConfig(b, { password: "wrong-password" })),
      startTask(() => mqttConfig(b, { useTls: true, caFile: undefined })),
      startTask(() => mqttConfig(b, { port: refusedPort })),
    ];
    await until(() => tasks.every((t) => t.task.health().lastError !== null), "errors");
    const [auth, tls, down] = tasks.map((t) => t.task.health());
    assert(!auth.connected && !tls.connected && !down.connected);
    assertStringIncludes(auth.lastError!, `not authorized by 127.0.0.1:${b.ports.plain}`);
    assertStringIncludes(auth.lastError!, "mqtt.username/password");
    assertStringIncludes(tls.lastError!, `TLS certificate of 127.0.0.1:${b.ports.tls} rejected`);
    assertStringIncludes(down.lastError!, `connection refused by 127.0.0.1:${refusedPort}`);
    for (const t of tasks) await t.stop();
    const log = tasks[0].lines.join("\n");
    assertStringIncludes(log, "not authorized");
    assert(!log.includes("wrong-password"), "the password is redacted from the log");
  } finally {
    await b.stop();
  }
});

Deno.test("createMqttTask() publishes a state change retained on <base>/<slug>/state within 1 s", async () => {
  const b = await startMosquitto();
  const all = await subscriber(b, ["#"]);
  try {
    const t = startTask(() => mqttConfig(b, { intervalSeconds: 0.3, haDiscovery: true }));
    await all.waitFor((m) => m.topic === "sp/availability" && m.payload === "online", "online");
    const st = t.world.statuses.get("Front Door")!;
    const from = all.msgs.length;
    const ts = Date.now();
    Object.assign(st, { state: "down", since: ts, last: { ...st.last!, ok: false, ts } });
    const emitted = Date.now();
    t.world.bus.emit("state-change", {
      name: "Front Door",
      from: "up",
      to: "down",
      ts,
      cause: "connection refused",
      status: st,
    });
    const m = await all.waitFor(
      (m) => m.topic === "sp/front_door/state" && JSON.parse(m.payload).state === "down",
      "with the new state",
      2000,
      from,
    );
    assert(m.at - emitted < 1000, `arrived after ${m.at - emitted} ms`);
    const late = await subscriber(b, ["sp/+/state"]);
    const r = await late.waitFor((m) => m.topic === "sp/front_door/state", "retained");
    await late.close();
    assertEquals([r.retain, JSON.parse(r.payload).state], [true, "down"]);
    const statuses = () => all.msgs.filter((m) => m.topic === "sp/status");
    await until(() => statuses().length >= 3, "the status topic every interval (0.3 s)", 2000);
    assertEquals(JSON.parse(statuses().at(-1)!.payload), t.world.view.all());
    await t.stop();
    await all.waitFor((m) => m.topic === "sp/availability" && m.payload === "offline", "offline");
    assert(all.msgs.some((m) => m.topic.startsWith("homeassistant/")), "discovery was checked too");
    for (const m of all.msgs) {
      assert(!m.payload.includes(MQTT_PASSWORD) && !m.payload.includes("cam-pw-"), m.topic);
    }
  } finally {
    await all.close();
    await b.stop();
  }
});

Deno.test("createMqttTask() publishes each alert event on <base>/alerts, not retained", async () => {
  const b = await startMosquitto();
  const all = await subscriber(b, ["sp/alerts"]);
  try {
    const t = startTask(() => mqttConfig(b, { intervalSeconds: 30 }));
    await until(() => t.task.health().connected, "connected");
    const since = Date.UTC(2026, 11, 1, 12);
    t.world.bus.emit("alert", {
      alert: {
        key: `host:cam:554@${since}:down`,
        event: "down",
        stream: "cam:554",
        state: "down",
        cause: "connection refused",
        since,
        ts: since + 10_000,
        streams: [
          { name: "Front Door", state: "down", cause: "connection refused", since, tags: [] },
          { name: "Back Yard", state: "down", cause: "connection refused", since, tags: [] },
        ],
        group: { by: "host", key: "cam:554" },
        links: {},
      },
    });
    const m = await all.waitFor((m) => m.topic === "sp/alerts", "on sp/alerts");
    const p = JSON.parse(m.payload);
    assertEquals([m.retain, p.event, p.stream, p.since, p.streams.length, p.group.by], [
      false,
      "down",
      "cam:554",
      "2026-12-01T12:00:00.000Z",
      2,
      "host",
    ]);
    await t.stop();
    const late = await subscriber(b, ["sp/alerts"]);
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(late.msgs.length, 0, "an alert is not retained");
    await late.close();
  } finally {
    await all.close();
    await b.stop();
  }
});

Deno.test("createMqttTask() applies a changed mqtt config without a restart, and disabling", async () => {
  const b = await startMosquitto();
  const sub = await subscriber(b, ["#"]);
  try {
    let cfg = mqttConfig(b);
    const t = startTask(() => cfg);
    await sub.waitFor((m) => m.topic === "sp/status", "on the first topic");
    cfg = mqttConfig(b, { topic: "sp/new-status", useWebsocket: true });
    const changed = Date.now();
    t.world.bus.emit("config-reloaded", { config: {} as never });
    const m = await sub.waitFor((m) => m.topic === "sp/new-status", "on the new topic", 2000);
    assert(m.at - changed < 2000, `took ${m.at - changed} ms`);
    assertEquals(t.task.health().url, `ws://127.0.0.1:${b.ports.ws}/mqtt`);
    const from = sub.msgs.length;
    cfg = { ...cfg, enabled: false };
    t.world.bus.emit("config-reloaded", { config: {} as never });
    await sub.waitFor(
      (m) => m.topic === "sp/availability" && m.payload === "offline",
      "x",
      2000,
      from,
    );
    await until(() => !t.task.health().enabled, "disabled");
    assertEquals([t.task.health().connected, t.task.health().url], [false, null]);
    await t.stop();
  } finally {
    await sub.close();
    await b.stop();
  }
});

Deno.test("createMqttTask() keeps the latest payload per topic offline, then republishes all", async () => {
  const b = await startMosquitto();
  const sub = await subscriber(b, ["sp/#"]);
  try {
    const names = Array.from({ length: 1000 }, (_, i) => `Camera ${i + 1}`);
    const t = startTask(() => mqttConfig(b), names);
    await until(() => t.task.health().connected && t.task.health().queued === 0, "all sent");
    await b.kill();
    await until(() => !t.task.health().connected, "seeing the broker gone");
    const st = t.world.statuses.get("Camera 7")!;
    for (const to of ["down", "up", "down"] as const) {
      const from = st.state;
      Object.assign(st, { state: to, since: Date.now() });
      t.world.bus.emit("state-change", { name: st.name, from, to, ts: 0, cause: "", status: st });
    }
    assertEquals(t.task.health().queued, 1, "one topic, latest payload only");
    const from = sub.msgs.length;
    await b.restart();
    await sub.waitFor((m) => m.topic === "sp/availability" && m.payload === "online", "online");
    const states = () => new Set(sub.msgs.slice(from).filter((m) => m.topic.endsWith("/state")));
    await until(
      () => new Set([...states()].map((m) => m.topic)).size === 1000,
      "1000 states",
      5000,
    );
    const cam7 = [...states()].filter((m) => m.topic === "sp/camera_7/state");
    assertEquals(cam7.map((m) => JSON.parse(m.payload).state), ["down"]);
    assertEquals(t.task.health().queued, 0);
    assertStringIncludes(t.task.health().lastError!, "lost");
    await t.stop();
  } finally {
    await sub.close();
    await b.stop();
  }
});

Deno.test("the broker publishes offline when a process running createMqttTask() is SIGKILLed", async () => {
  const b = await startMosquitto();
  const sub = await subscriber(b, ["sp/availability"]);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-lock",
      new URL("../fixtures/mqtt_task_proc.ts", import.meta.url).pathname,
    ]
      .concat(JSON.stringify(mqttConfig(b))),
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
    await sub.waitFor((m) => m.payload === "online", "online");
    const from = sub.msgs.length;
    child.kill("SIGKILL");
    await sub.waitFor((m) => m.payload === "offline", "offline (last will)", 3000, from);
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

Deno.test("buildConnectOptions() sets the URL, last will and TLS files without credentials in the URL", async () => {
  const ports = { plain: 1883, ws: 8000, tls: 8883, tlsWs: 8884 };
  const b = { ports, caFile: "/ca.pem" } as Mosquitto;
  const files: Record<string, string> = {
    "/ca.pem": "-----BEGIN CERTIFICATE-----\nx",
    "/k": "junk",
  };
  const readFile = (p: string) =>
    p in files ? Promise.resolve(files[p]) : Promise.reject(new Error("No such file"));
  const cases: Array<[Partial<MqttConfig>, string]> = [
    [{}, "mqtt://127.0.0.1:1883"],
    [{ useWebsocket: true }, "ws://127.0.0.1:8000/mqtt"],
    [{ useTls: true }, "mqtts://127.0.0.1:8883"],
    [{ useTls: true, useWebsocket: true, host: "::1" }, "wss://[::1]:8884/mqtt"],
  ];
  for (const [over, url] of cases) {
    const r = await buildConnectOptions(mqttConfig(b, over), { clientId: "sp-test", readFile });
    assertEquals(r.url, url);
    assertEquals(r.options.will, {
      topic: "sp/availability",
      payload: "offline",
      qos: 1,
      retain: true,
    });
    assertEquals([r.options.clientId, r.options.reconnectPeriod, r.options.queueQoSZero], [
      "sp-test",
      0,
      false,
    ]);
    assertEquals(r.options.ca, over.useTls ? files["/ca.pem"] : undefined);
  }
  const insecure = await buildConnectOptions(mqttConfig(b, { useTls: true, tlsInsecure: true }), {
    readFile,
  });
  assertEquals(insecure.options.rejectUnauthorized, false);
  assert(/^streampulse-[0-9a-f]{8}$/.test(insecure.options.clientId!));
  for (
    const [over, text] of [
      [{ certFile: "/missing" }, 'Cannot read mqtt.cert_file "/missing": No such file'],
      [{ keyFile: "/k" }, 'mqtt.key_file "/k" is not a PEM file'],
    ] as const
  ) {
    const err = await buildConnectOptions(mqttConfig(b, { useTls: true, ...over }), { readFile })
      .catch((e: Error) => e);
    assertEquals((err as Error).message, text);
  }
});

Deno.test("describeMqttError() says what failed and where", () => {
  const b = { ports: { plain: 1883, ws: 8000, tls: 8883, tlsWs: 8884 } } as Mosquitto;
  const cfg = mqttConfig(b, { host: "broker.lan" });
  const say = (err: unknown, c = cfg) => describeMqttError(err, c);
  assertStringIncludes(say({ code: 134, message: "Bad User Name or Password" }), "not authorized");
  assertEquals(
    say({ code: "ECONNREFUSED", message: "x" }),
    "connection refused by broker.lan:1883",
  );
  assertEquals(say({ code: "ENOTFOUND", message: "x" }), 'cannot resolve "broker.lan"');
  assertEquals(say(new Error("connack timeout")), "timed out connecting to broker.lan:1883");
  assertStringIncludes(
    say({ code: "DEPTH_ZERO_SELF_SIGNED_CERT", message: "self-signed" }, { ...cfg, useTls: true }),
    "TLS certificate of broker.lan:8883 rejected",
  );
});
