/** parseConfig()'s `defaults:` beneath every stream, stream ids, and unknown-key warnings. */

import { assertEquals, assertThrows } from "../../assert.ts";
import { ConfigError, formatProblem, parseConfig } from "../../../monitor/config/mod.ts";
import { suggestKey } from "../../../monitor/config/mod.ts";

const problems = (text: string) =>
  assertThrows(() => parseConfig(text), ConfigError).problems.map(formatProblem);
const warnings = (text: string) => parseConfig(text).warnings.map(formatProblem);

Deno.test("parseConfig() puts defaults beneath each stream's own keys; tags are replaced, not merged", () => {
  const c = parseConfig(`heartbeat_seconds: 20
defaults:
  interval_seconds: 30
  media_check_seconds: 120
  tags: [site-a]
  expect: {codec: h264}
  rtsp_transport: tcp
streams:
  - {name: a, url: rtsp://h/a}
  - {name: b, url: rtsp://h/b, tags: [inside], interval_seconds: 5, expect: {width: 640}}
  - {name: c, url: rtsp://h/c, rtsp_transport: null}
`);
  const [a, b, cc] = c.streams;
  assertEquals([a.intervalSeconds, a.mediaCheckSeconds, a.tags, a.expect, a.rtspTransport], [
    30,
    120,
    ["site-a"],
    { codec: "h264" },
    "tcp",
  ]);
  assertEquals([b.intervalSeconds, b.tags, b.expect], [5, ["inside"], { width: 640 }]);
  assertEquals(cc.rtspTransport, undefined);
  assertEquals(c.warnings, []);
});

Deno.test("parseConfig() reports a problem of defaults once, at defaults.<key>", () => {
  assertEquals(
    problems(`defaults: {freeze_seconds: 0, url: rtsp://h/x, name: n}
streams:
  - {name: a, url: rtsp://h/a}
  - {name: b, url: rtsp://h/b}
`),
    [
      "defaults.name: cannot be set in defaults: each stream sets its own name",
      "defaults.url: cannot be set in defaults: each stream sets its own url",
      "defaults.freeze_seconds: must be at least 1, got 0",
    ],
  );
  assertEquals(
    warnings("defaults: {media_check_seconds: 2}\nstreams:\n- {name: a, url: rtsp://h/a}\n"),
    ["defaults.media_check_seconds: 2 is below the minimum, using 10"],
  );
});

Deno.test("parseConfig() reads stream ids and refuses a bad or duplicate one, naming both streams", () => {
  assertEquals(
    parseConfig("streams:\n- {name: a, url: rtsp://h/a, id: cam-1_A}\n").streams[0].id,
    "cam-1_A",
  );
  assertEquals(
    problems(`streams:
  - {name: Gate, url: rtsp://h/a, id: g1}
  - {name: Back Door, url: rtsp://h/b, id: g1}
  - {name: c, url: rtsp://h/c, id: "no spaces"}
  - {name: d, url: rtsp://h/d, id: ${"x".repeat(65)}}
`),
    [
      'streams[1] ("Back Door").id: duplicate id "g1" (also streams[0] ("Gate"))',
      'streams[2] ("c").id: must be 1–64 letters, digits, _ or -, got "no spaces"',
      `streams[3] ("d").id: must be 1–64 letters, digits, _ or -, got "${"x".repeat(57)}..."`,
    ],
  );
  assertEquals(problems("defaults: {id: x}\nstreams: []\n"), [
    "defaults.id: cannot be set in defaults: each stream sets its own id",
  ]);
});

Deno.test("parseConfig() warns about unknown keys everywhere, suggesting the key meant", () => {
  assertEquals(
    warnings(`heartbeat: 5
api: {prot: 7000}
web: {hots: x}
preview: {max_concurent: 1}
mqtt: {enable: true, api_status_url: "http://localhost:7000/api/status"}
defaults: {intervall_seconds: 5}
streams:
  - {name: Gate, url: rtsp://h/a, frezee_seconds: 3, expect: {codec: h264}, notes: x}
alerts:
  channels: [{name: p, type: ntfy, url: "https://n/x", prio: 3}]
  rules: [{channels: [p], state: [down]}]
`),
    [
      'alerts.channels[0].prio: unknown key — did you mean "priority"?',
      'alerts.rules[0].state: unknown key — did you mean "states"?',
      'api.prot: unknown key — did you mean "port"?',
      'web.hots: unknown key — did you mean "host"?',
      'preview.max_concurent: unknown key — did you mean "max_concurrent"?',
      'defaults.intervall_seconds: unknown key — did you mean "interval_seconds"?',
      'streams[0] ("Gate").frezee_seconds: unknown key — did you mean "freeze_seconds"?',
      'streams[0] ("Gate").notes: unknown key (ignored)',
      'mqtt.enable: unknown key — did you mean "enabled"?',
      'heartbeat: unknown key — did you mean "heartbeat_seconds"?',
    ],
  );
});

Deno.test("parseConfig() reports a problem once: the reader's message wins over the schema's", () => {
  assertEquals(problems("streams:\n- {name: a, url: rtsp://h/a, expect: {fps: 25}}\n"), [
    'streams[0] ("a").expect.fps: unknown key (use codec, width, height, min_fps)',
  ]);
  assertEquals(problems("streams: {name: x}\n"), ["streams: must be a list, got a mapping"]);
  assertEquals(warnings("Streams: []\nstreams: []\n"), [
    'Streams: unknown key (kept); "streams" is also set',
  ]);
});

Deno.test("suggestKey() finds near keys and not far ones", () => {
  const keys = ["freeze_seconds", "interval_seconds", "heartbeat_seconds", "enabled", "url"];
  assertEquals(suggestKey("frezee_seconds", keys), "freeze_seconds");
  assertEquals(suggestKey("Interval_Seconds", keys), "interval_seconds");
  assertEquals(suggestKey("intervalseconds", keys), "interval_seconds");
  assertEquals(suggestKey("heartbeat", keys), "heartbeat_seconds");
  assertEquals(suggestKey("enable", keys), "enabled");
  assertEquals(suggestKey("colour", keys), undefined);
  assertEquals(suggestKey("x".repeat(1000), keys), undefined);
});
