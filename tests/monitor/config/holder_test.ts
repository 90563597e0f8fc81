import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { createBus } from "../../../monitor/bus.ts";
import { parseConfig } from "../../../monitor/config/parse.ts";
import { createConfigHolder } from "../../../monitor/config/holder.ts";
import { createLogger } from "../../../monitor/log.ts";

Deno.test("createConfigHolder() applies valid edits and keeps the last good config on a bad one", () => {
  const lines: string[] = [];
  const bus = createBus();
  const events: string[] = [];
  bus.on("config-reloaded", (e) => events.push(`reloaded ${e.config.heartbeatSeconds}`));
  bus.on("config-error", (e) => events.push(`error ${e.message}`));
  const applied: number[] = [];
  const h = createConfigHolder({
    path: "/x/config.yaml",
    initial: parseConfig("heartbeat_seconds: 10\nmqtt: {password: hunter22}\n"),
    logger: createLogger({ write: (l) => lines.push(l) }),
    bus,
    onApply: (c) => applied.push(c.heartbeatSeconds),
  });
  assertEquals(h.apply("heartbeat_seconds: 20\n"), true);
  assertEquals(h.apply("heartbeat_seconds: soon\n"), false);
  assertEquals(h.current().heartbeatSeconds, 20);
  assertStringIncludes(h.state().error!, 'heartbeat_seconds: must be a number, got "soon"');
  assertEquals(h.apply("heartbeat_seconds: 30\n"), true);
  assertEquals(h.state().error, null);
  assertEquals(h.state().reloads, 2);
  assertEquals(applied, [20, 30]);
  assertEquals(events.map((e) => e.split(":")[0]), [
    "reloaded 20",
    "error Invalid config",
    "reloaded 30",
  ]);
  assertStringIncludes(lines.join("\n"), "keeping the last good config");
});

/** A holder over `initial`, with its log lines and config events. */
function holder(initial: string) {
  const lines: string[] = [];
  const events: string[] = [];
  const bus = createBus();
  bus.on("config-reloaded", (e) => events.push(`reloaded ${e.config.streams.length}`));
  bus.on("config-error", (e) => events.push(`error ${e.message}`));
  const h = createConfigHolder({
    path: "/x/config.yaml",
    initial: parseConfig(initial),
    logger: createLogger({ write: (l) => lines.push(l) }),
    bus,
    onApply: () => {},
  });
  return { h, lines, events };
}

const GUARDED = `api: {host: 127.0.0.1, port: 7001, token: tok-123456}
web: {host: 127.0.0.1, port: 8001}
streams:
- {name: a, url: rtsp://h/a}
- {name: b, url: rtsp://h/b}
`;

Deno.test("createConfigHolder() refuses a reload that drops api.token, api.host, or the api:/web: blocks", () => {
  const { h, lines, events } = holder(GUARDED);
  const cases: [string, string][] = [
    [GUARDED.replace(", token: tok-123456", ""), "api.token: was removed"],
    [GUARDED.replace("host: 127.0.0.1, port: 7001", "port: 7001"), "api.host: was removed"],
    [GUARDED.replace(/^api:.*\n/m, ""), "api: the block was removed"],
    [GUARDED.replace(/^web:.*\n/m, ""), "web: the block was removed"],
  ];
  for (const [text, problem] of cases) {
    assertEquals(h.apply(text), false, problem);
    assertStringIncludes(h.state().error!, problem);
    assertStringIncludes(h.state().error!, "restart");
    assertEquals(h.current().api.token, "tok-123456");
    assertEquals(h.current().api.host, "127.0.0.1");
  }
  assertEquals(h.state().file, "rejected");
  assertEquals(events.filter((e) => e.startsWith("error")).length, 4);
  assert(!lines.join("\n").includes("tok-123456"), "the token is never logged");
  // An explicit change (not a removal) applies.
  assertEquals(h.apply(GUARDED.replace("tok-123456", "tok-654321")), true);
  assertEquals([h.state().file, h.state().error], ["ok", null]);
});

Deno.test("createConfigHolder() applies a reload to 0 streams and says so in the log and state", () => {
  const { h, lines } = holder(GUARDED);
  assertEquals(h.apply(GUARDED.replace(/^streams:[\s\S]*$/m, "streams: []\n")), true);
  assertEquals(h.current().streams, []);
  assertStringIncludes(h.state().notice!, "removed all 2 streams");
  assertStringIncludes(lines.join("\n"), "removed all 2 streams");
  assertEquals(h.apply(GUARDED), true);
  assertEquals(h.state().notice, null);
});

Deno.test("createConfigHolder() shows a missing or unreadable file in its state and keeps the config", () => {
  const { h, events } = holder(GUARDED);
  h.fileProblem(new Deno.errors.NotFound("No such file or directory"));
  assertEquals(h.state().file, "missing");
  assertStringIncludes(h.state().error!, 'Config file "/x/config.yaml" is missing');
  assertStringIncludes(h.state().error!, "keeping the last good config, 2 streams");
  assertEquals(h.current().streams.length, 2);
  assertEquals(events.length, 1);
  assertEquals(h.apply(GUARDED), true);
  assertEquals([h.state().file, h.state().error], ["ok", null]);
});

Deno.test("createConfigHolder() applies a reload that drops a block which only repeated the defaults", () => {
  const { h } = holder("api:\n  port: 7000\nstreams: []\n");
  assertEquals(h.apply("api:\nstreams: []\n"), true);
  assertEquals(h.state().error, null);
});

Deno.test("createConfigHolder() keeps a rejected reload's problems as objects in its state and on the bus", () => {
  const bus = createBus();
  const heard: unknown[] = [];
  bus.on("config-error", (e) => heard.push(e.problems));
  const lines: string[] = [];
  const h = createConfigHolder({
    path: "/x/config.yaml",
    initial: parseConfig(GUARDED),
    logger: createLogger({ write: (l) => lines.push(l) }),
    bus,
    onApply: () => {},
  });
  assertEquals(h.apply(GUARDED.replace("rtsp://h/b", "ftp://h/b")), false);
  const bad = {
    path: "streams[1].url",
    message: 'scheme "ftp" is not supported (use rtsp, rtsps, http, https)',
    stream: "b",
  };
  assertEquals(h.state().problems, [bad]);
  assertStringIncludes(h.state().error!, `streams[1] ("b").url: ${bad.message}`);
  assertEquals(h.apply(GUARDED.replace(", token: tok-123456", "")), false);
  const refused = h.state().problems;
  assertEquals(refused.map((p) => p.path), ["api.token"]);
  assertStringIncludes(h.state().error!, `Refused config reload: api.token: ${refused[0].message}`);
  assertEquals(heard, [[bad], refused]);
  // Warnings are objects too, and logged as `path: message`.
  assertEquals(h.apply(GUARDED + "mqtt: {interval_seconds: 1}\n"), true);
  assertEquals(h.state().warnings, [
    { path: "mqtt.interval_seconds", message: "1 is below the minimum, using 5" },
  ]);
  assertStringIncludes(lines.join("\n"), "config: mqtt.interval_seconds: 1 is below the minimum");
});
