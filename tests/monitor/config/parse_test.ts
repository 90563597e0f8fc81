import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { ConfigError, formatProblem, parseConfig } from "../../../monitor/config/parse.ts";

const COMPAT = new URL("../../fixtures/compat/v2.2/config.yaml", import.meta.url);

/** The problems of an invalid `text` as people read them (`path: message`). */
function problems(text: string): string[] {
  const err = assertThrows(() => parseConfig(text), ConfigError);
  return err.problems.map(formatProblem);
}

Deno.test("parseConfig() loads the Python release's config.yaml unchanged", async () => {
  const c = parseConfig(await Deno.readTextFile(COMPAT));
  assertEquals(c.heartbeatSeconds, 20);
  assertEquals(c.timezone, "Asia/Calcutta");
  assertEquals(c.streams.map((s) => [s.name, s.url, s.intervalSeconds]), [
    ["Testing streams", "http://158.58.130.148/mjpg/video.mjpg", 20],
  ]);
  assertEquals(c.mqtt.topic, "stream_monitor/status");
  assertEquals(c.mqtt.wsPort, 8000);
  assertEquals(c.mqtt.tlsWsPort, 8884);
  assertEquals(c.mqtt.enabled, false);
  assertEquals(
    c.raw.mqtt && (c.raw.mqtt as Record<string, unknown>).api_status_url,
    "http://localhost:7000/api/status",
  );
});

Deno.test("parseConfig() applies defaults to a file with only `streams: []`", () => {
  const c = parseConfig("streams: []\n");
  assertEquals(c.heartbeatSeconds, 10);
  assertEquals(c.timezone, "UTC");
  assertEquals(c.retentionDays, 30);
  assertEquals(c.api.port, 7000);
  assertEquals(c.streams, []);
});

Deno.test("parseConfig() keeps unknown keys", () => {
  const c = parseConfig("future_key: {a: 1}\nstreams:\n- name: a\n  url: rtsp://h/p\n  note: x\n");
  assertEquals(c.raw.future_key, { a: 1 });
  assertEquals((c.raw.streams as Record<string, unknown>[])[0].note, "x");
});

Deno.test("parseConfig() reads the new per-stream keys", () => {
  const c = parseConfig(`heartbeat_seconds: 15
streams:
- name: cam
  url: rtsps://h/p
  enabled: false
  interval_seconds: 30
  timeout_seconds: 2.5
  kind: rtsp
  tags: [garden, outside]
  tls_insecure: true
`);
  assertEquals(c.streams[0], {
    name: "cam",
    url: "rtsps://h/p",
    enabled: false,
    intervalSeconds: 30,
    timeoutSeconds: 2.5,
    kind: "rtsp",
    tags: ["garden", "outside"],
    tlsInsecure: true,
  });
});

Deno.test("parseConfig() names the YAML path of every problem", () => {
  const p = problems(`heartbeat_seconds: fast
timezone: Mars/Olympus
streams:
- name: ok
  url: rtsp://h/1
- name: bad scheme
  url: ftp://h/file
- name: ok
  url: rtsp://h/2
- url: rtsp://h/3
- name: weird
  url: rtsp://h/4
  kind: telnet
  timeout_seconds: -1
- just a string
api:
  port: 70000
mqtt:
  qos: 3
`);
  assertEquals(p, [
    'heartbeat_seconds: must be a number, got "fast"',
    'timezone: unknown time zone "Mars/Olympus"',
    "api.port: must be at most 65535, got 70000",
    'streams[1] ("bad scheme").url: scheme "ftp" is not supported (use rtsp, rtsps, http, https)',
    'streams[2] ("ok").name: duplicate name "ok" (also streams[0])',
    "streams[3].name: is required",
    'streams[4] ("weird").kind: "telnet" is not one of rtsp, mjpeg, snapshot, hls, http',
    'streams[4] ("weird").timeout_seconds: must be at least 0.1, got -1',
    'streams[5]: must be a mapping with name and url, got "just a string"',
    "mqtt.qos: must be at most 2, got 3",
  ]);
});

Deno.test("parseConfig() reports YAML syntax errors with their line", () => {
  const [p] = problems("heartbeat_seconds: 10\nstreams: [\n  - name: x\n");
  assert(p.startsWith("YAML syntax"), p);
  assert(/line \d+/.test(p), p);
});

Deno.test("parseConfig() rejects duplicate keys and non-list streams", () => {
  assert(problems("a: 1\na: 2\n")[0].startsWith("YAML syntax"));
  assertEquals(problems("streams: {name: x}"), ["streams: must be a list, got a mapping"]);
});

Deno.test("parseConfig() raises a low mqtt.interval_seconds to 5 with a warning", () => {
  const c = parseConfig("mqtt:\n  interval_seconds: 1\n");
  assertEquals(c.mqtt.intervalSeconds, 5);
  assertEquals(c.warnings, [
    { path: "mqtt.interval_seconds", message: "1 is below the minimum, using 5" },
  ]);
});

Deno.test("parseConfig() never echoes URL credentials in its messages", () => {
  const err = assertThrows(
    () => parseConfig("streams:\n- name: a\n  url: ftp://admin:s3cret@h/x\n"),
    ConfigError,
  );
  assert(!err.message.includes("s3cret"), err.message);
});

Deno.test("parseConfig() reads the media-check keys of a stream", () => {
  const c = parseConfig(`
max_media_processes: 4
streams:
  - name: cam
    url: rtsp://h/live
    media_check_seconds: 120
    freeze_seconds: 45
    expect: {codec: H264, width: 1920, height: 1080, min_fps: 10}
  - {name: off, url: rtsp://h/off, media: false}
  - {name: plain, url: rtsp://h/plain}
`);
  assertEquals(c.maxMediaProcesses, 4);
  const [cam, off, plain] = c.streams;
  assertEquals([cam.mediaCheckSeconds, cam.freezeSeconds, cam.expect], [120, 45, {
    codec: "H264",
    width: 1920,
    height: 1080,
    minFps: 10,
  }]);
  assertEquals(off.media, false);
  assertEquals(
    ["media", "mediaCheckSeconds", "freezeSeconds", "expect"].filter((k) => k in plain),
    [],
  );
  assert(!("maxMediaProcesses" in parseConfig("streams: []")));
});

Deno.test("parseConfig() names bad media keys with their YAML path", () => {
  assertEquals(
    problems(`
max_media_processes: 0
streams:
  - {name: a, url: rtsp://h/a}
  - name: b
    url: rtsp://h/b
    media: "yes"
    freeze_seconds: 0
    expect: {width: "x", height: 10.5, min_fps: -1, fps: 25}
`),
    [
      "max_media_processes: must be at least 1, got 0",
      'streams[1] ("b").media: must be true or false, got "yes"',
      'streams[1] ("b").freeze_seconds: must be at least 1, got 0',
      'streams[1] ("b").expect.fps: unknown key (use codec, width, height, min_fps)',
      'streams[1] ("b").expect.width: must be a whole number, got "x"',
      'streams[1] ("b").expect.height: must be a whole number, got 10.5',
      'streams[1] ("b").expect.min_fps: must be at least 0.1, got -1',
    ],
  );
});

Deno.test("parseConfig() raises a low media_check_seconds to 10 with a warning", () => {
  const c = parseConfig("streams:\n- {name: a, url: rtsp://h/a, media_check_seconds: 2}\n");
  assertEquals(c.streams[0].mediaCheckSeconds, 10);
  assertEquals(c.warnings, [{
    path: "streams[0].media_check_seconds",
    message: "2 is below the minimum, using 10",
    stream: "a",
  }]);
});

Deno.test("parseConfig() rejects an empty, comment-only or non-mapping document", () => {
  for (const text of ["", "\n\n", "# only a comment\n", "---\n", "~\n"]) {
    assertEquals(problems(text), [
      "(document): is empty (no keys, only blank lines or comments); " +
      "a config needs at least one of streams, api, web, mqtt, heartbeat_seconds, timezone",
    ], JSON.stringify(text));
  }
  assertEquals(problems("- name: a\n  url: rtsp://h/x\n"), [
    "(document): must be a mapping of keys such as streams: and api:, got a list",
  ]);
  assertEquals(problems("just some text\n"), [
    "(document): must be a mapping of keys such as streams: and api:, got text",
  ]);
});

Deno.test("parseConfig() rejects a document without any known top-level key, echoing nothing", () => {
  assertEquals(problems("foo: bar\n"), [
    "(document): has no known top-level key (found 1 unknown key); expected at least one of " +
    "streams, api, web, mqtt, heartbeat_seconds, timezone",
  ]);
  // /etc/shadow parses as a mapping whose keys hold the password hashes: none may be shown.
  const shadow = "root:$6$salt$SECRETHASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n";
  const p = problems(shadow);
  assertEquals(p.length, 1);
  assert(p[0].includes("found 2 unknown keys"), p[0]);
  for (const part of ["root", "SECRETHASH", "daemon", "99999"]) assert(!p[0].includes(part), p[0]);
});

Deno.test("parseConfig() rejects `stream:` when `streams:` is absent, and keeps other unknown keys", () => {
  assertEquals(problems("heartbeat_seconds: 5\nstream:\n- {name: a, url: rtsp://h/x}\n"), [
    'stream: unknown key; did you mean "streams"?',
  ]);
  assertEquals(problems("Streams: []\n"), ['Streams: unknown key; did you mean "streams"?']);
  const c = parseConfig("streams: []\nstream_notes: keep me\nheartbeat: x\n");
  assertEquals(c.raw.stream_notes, "keep me");
});

Deno.test("parseConfig() turns an unresolved YAML alias into a problem, not a crash", () => {
  assertEquals(problems("streams: *nothing\n"), [
    "(document): YAML: Unresolved alias (the anchor must be set before the alias): nothing",
  ]);
});

Deno.test("ConfigError carries each problem as {path, message} and joins them in its message", () => {
  const err = assertThrows(
    () => parseConfig("heartbeat_seconds: x\nretention_days: 0\n"),
    ConfigError,
  );
  assertEquals(err.problems, [
    { path: "heartbeat_seconds", message: 'must be a number, got "x"' },
    { path: "retention_days", message: "must be at least 1, got 0" },
  ]);
  assertEquals(
    err.message,
    'Invalid config: heartbeat_seconds: must be a number, got "x"; ' +
      "retention_days: must be at least 1, got 0",
  );
});

Deno.test("parseConfig() names the stream of a problem inside streams[i]", () => {
  const err = assertThrows(
    () =>
      parseConfig(`streams:
- name: garage
  url: rtsp://h/1
- name: garage
  url: rtsp://h/2
- name: shed
  url: ftp://h/file
- url: rtsp://h/3
- name: porch
  url: rtsp://h/4
  kind: telnet
  expect: {width: "x"}
- just a string
mqtt:
  qos: 3
`),
    ConfigError,
  );
  assertEquals(err.problems, [
    {
      path: "streams[1].name",
      message: 'duplicate name "garage" (also streams[0])',
      stream: "garage",
    },
    {
      path: "streams[2].url",
      message: 'scheme "ftp" is not supported (use rtsp, rtsps, http, https)',
      stream: "shed",
    },
    { path: "streams[3].name", message: "is required" },
    {
      path: "streams[4].kind",
      message: '"telnet" is not one of rtsp, mjpeg, snapshot, hls, http',
      stream: "porch",
    },
    {
      path: "streams[4].expect.width",
      message: 'must be a whole number, got "x"',
      stream: "porch",
    },
    { path: "streams[5]", message: 'must be a mapping with name and url, got "just a string"' },
    { path: "mqtt.qos", message: "must be at most 2, got 3" },
  ]);
});

Deno.test("parseConfig() gives a YAML syntax error no path: its text names line and column", () => {
  const err = assertThrows(() => parseConfig("a: b: c\n"), ConfigError);
  assertEquals(err.problems.length, 1);
  assertEquals(err.problems[0].path, "");
  assert(/^YAML syntax \(line \d+, column \d+\): /.test(err.problems[0].message));
});
