/** The stream, MQTT and settings editors: safe saves, loader messages, conflicts, secrets. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import {
  applyEdit,
  editStream,
  problemsByField,
  streamValuesFrom,
  tryEdit,
} from "../../web/config_edit.ts";
import { startWebStack } from "./harness.ts";
import { setupAndSignIn } from "./helpers.ts";

const CONFIG = `# top comment
heartbeat_seconds: 5  # seconds
streams:
  # the garage camera
  - name: garage
    url: rtsp://admin:s3cret@127.0.0.1:1/live   # keep me
    tags: [outside]
mqtt:
  enabled: false
  host: localhost
  port: 1883   # TCP
  password: brokerpw
`;

const form = (o: Record<string, string>) => ({
  enabled: "on",
  kind: "",
  interval: "",
  timeout: "",
  tags: "",
  ...o,
});

Deno.test("editStream() adds to `streams: []` as a block list and keeps comments", () => {
  const text = "# c1\nheartbeat_seconds: 10\nstreams: []\n# c2\nmqtt:\n  enabled: false\n";
  const out = applyEdit(
    text,
    editStream(streamValuesFrom(form({ name: "a", url: "rtsp://h/x", tags: "x, y" }))),
  );
  assertStringIncludes(out, "# c1");
  assertStringIncludes(out, "# c2");
  assertStringIncludes(out, "streams:\n  - name: a\n    url: rtsp://h/x\n    tags: [ x, y ]\n");
});

Deno.test("tryEdit() reports the config loader's own messages with YAML paths", () => {
  const { problems } = tryEdit(
    CONFIG,
    editStream(streamValuesFrom(form({ name: "b", url: "ftp://h/x", interval: "abc" }))),
  );
  assertEquals(problems, [
    {
      path: "streams[1].url",
      message: 'scheme "ftp" is not supported (use rtsp, rtsps, http, https)',
      stream: "b",
    },
    { path: "streams[1].interval_seconds", message: 'must be a number, got "abc"', stream: "b" },
  ]);
});

Deno.test("problemsByField() places a problem by its structured path, never by its text", () => {
  const got = problemsByField([
    // The text claims streams[0].url; the path says streams[1].interval_seconds: the path wins.
    { path: "streams[1].interval_seconds", message: "streams[0].url: decoy", stream: "b" },
    { path: "streams[1].tags", message: "must be a list of strings, got a mapping" },
    { path: "streams[1]", message: "must be a mapping with name and url, got 1" },
    // No path: only the text mentions a stream, so it belongs to no field.
    { path: "", message: "streams[1].url: YAML syntax lookalike" },
    { path: "streams[10].url", message: "is required" },
    { path: "streams[1].media_check_seconds", message: 'must be a number, got "x"' },
    { path: "streams[1].expect.width", message: "must be a whole number, got 1.5" },
  ], 1);
  assertEquals(got, {
    fields: {
      interval: "b — Check every: streams[0].url: decoy",
      tags: "Stream 2 — Tags: must be a list of strings, got a mapping",
      name: "Stream 2: must be a mapping with name and url, got 1",
      media_check_seconds: 'Stream 2 — Media check every: must be a number, got "x"',
      expect_width: "Stream 2 — Expected width: must be a whole number, got 1.5",
    },
    other: [
      "streams[1].url: YAML syntax lookalike",
      "Stream 11 — URL: is required",
    ],
  });
  const two = problemsByField([
    { path: "streams[0].url", message: "is required" },
    { path: "streams[0].url", message: "second" },
  ], 0);
  assertEquals(two.fields, { url: "Stream 1 — URL: is required; Stream 1 — URL: second" });
});

Deno.test("the stream editor saves with the safe writer, keeps comments and applies at once", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const page = await (await c.get("/streams/garage/edit")).text();
    assert(!page.includes("s3cret"), "the password is write-only, in no part of the page");
    assertStringIncludes(page, 'value="rtsp://admin@127.0.0.1:1/live"', "the URL keeps its user");
    assertStringIncludes(page, 'placeholder="•••• set"');
    const version = /name="_version" value="([^"]+)"/.exec(page)![1];
    const bad = await c.post(
      "/streams/validate",
      form({ name: "garage", url: "nope", _original: "garage" }),
    );
    assertEquals(await bad.json(), {
      fields: { url: "garage — URL: is not a URL (expected e.g. rtsp://host/path)" },
      other: [],
    });
    const res = await c.post(
      "/streams/save",
      form({
        _version: version,
        _original: "garage",
        name: "garage 2",
        url: "rtsp://admin@127.0.0.1:1/live",
        tags: "outside, east",
      }),
    );
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/streams/garage%202");
    const text = await Deno.readTextFile(s.configPath);
    for (
      const kept of ["# top comment", "# seconds", "# the garage camera", "# keep me", "# TCP"]
    ) {
      assertStringIncludes(text, kept);
    }
    assertStringIncludes(text, "name: garage 2");
    assertStringIncludes(text, "url: rtsp://admin:s3cret@127.0.0.1:1/live", "password kept");
    assertStringIncludes(text, "tags: [ outside, east ]");
    assertEquals(
      s.monitor.streams().map((x) => x.name),
      ["garage 2"],
      "applied without waiting for a poll",
    );
    const streamPage = await (await c.get("/streams/garage%202")).text();
    assert(!streamPage.includes("s3cret"), "the stream page masks credentials");
    assertStringIncludes(streamPage, "rtsp://***@127.0.0.1:1/live");
  } finally {
    await s.stop();
  }
});

Deno.test("saving over a config.yaml changed on disk is refused with 409 and nothing is lost", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG, reloadWaitMs: 300 });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const page = await (await c.get("/streams/new")).text();
    const version = /name="_version" value="([^"]+)"/.exec(page)![1];
    const edited = CONFIG.replace("heartbeat_seconds: 5", "heartbeat_seconds: 7");
    await Deno.writeTextFile(s.configPath, edited);
    const res = await c.post(
      "/streams/save",
      form({ _version: version, name: "new one", url: "rtsp://127.0.0.1:1/x" }),
    );
    assertEquals(res.status, 409);
    const html = await res.text();
    assertStringIncludes(html, "changed on disk");
    assertStringIncludes(html, 'value="new one"', "the user's values are kept in the form");
    assertEquals(await Deno.readTextFile(s.configPath), edited);
  } finally {
    await s.stop();
  }
});

Deno.test("an invalid stream is refused with 422 and the loader's message beside the field", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG, reloadWaitMs: 300 });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const page = await (await c.get("/streams/new")).text();
    const version = /name="_version" value="([^"]+)"/.exec(page)![1];
    const res = await c.post(
      "/streams/save",
      form({ _version: version, name: "garage", url: "rtsp://127.0.0.1:1/x" }),
    );
    assertEquals(res.status, 422);
    assertStringIncludes(
      await res.text(),
      'data-problem-for="name" id="p-name">' +
        "garage — Name: duplicate name &quot;garage&quot; (also streams[0])</p>",
      "the problem sits in the name field's slot",
    );
    assertEquals(await Deno.readTextFile(s.configPath), CONFIG);
    // Inline validation of an edit: the problem of the edited stream (streams[0], by its path)
    // goes to the URL field, and nothing to the others.
    const v = await c.post(
      "/streams/validate",
      form({ name: "garage", url: "ftp://h/x", interval: "0.5", _original: "garage" }),
    );
    assertEquals(await v.json(), {
      fields: {
        url: 'garage — URL: scheme "ftp" is not supported (use rtsp, rtsps, http, https)',
        interval: "garage — Check every: must be at least 1, got 0.5",
        password: "garage — Password: the address changed from rtsp://127.0.0.1:1 to ftp://h: " +
          "type the password again (a stored password is never sent to a new address), " +
          "or tick Remove password",
      },
      other: [],
    });
  } finally {
    await s.stop();
  }
});

Deno.test("disable, then delete a stream through the forms", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG, reloadWaitMs: 1000 });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    assertEquals((await c.post("/streams/garage/toggle", { enabled: "false" })).status, 303);
    assertStringIncludes(await Deno.readTextFile(s.configPath), "enabled: false");
    assertEquals(s.monitor.streams()[0].enabled, false);
    const confirm = await (await c.get("/streams/garage/delete")).text();
    const version = /name="_version" value="([^"]+)"/.exec(confirm)![1];
    const res = await c.post("/streams/garage/delete", { _version: version });
    assertEquals(res.headers.get("location"), "/");
    const text = await Deno.readTextFile(s.configPath);
    assert(!text.includes("name: garage"), text);
    assertStringIncludes(text, "# top comment");
    assertEquals(s.monitor.streams().length, 0);
  } finally {
    await s.stop();
  }
});

Deno.test("the MQTT editor never shows the password and keeps it when left blank", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG, reloadWaitMs: 1000 });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const page = await (await c.get("/mqtt")).text();
    assert(!page.includes("brokerpw"), "write-only password");
    for (
      const key of [
        "host",
        "port",
        "ws_port",
        "tls_port",
        "tls_ws_port",
        "use_tls",
        "use_websocket",
        "username",
        "client_id",
        "topic",
        "qos",
        "retain",
        "interval_seconds",
        "tls_insecure",
        "ca_file",
        "cert_file",
        "key_file",
        "base_topic",
        "ha_discovery",
        "discovery_prefix",
        "publish_on_change",
      ]
    ) {
      assertStringIncludes(page, `name="${key}"`);
    }
    const version = /name="_version" value="([^"]+)"/.exec(page)![1];
    const bad = await c.post("/mqtt/validate", { host: "localhost", port: "99999", topic: "a/#" });
    const problems = await bad.json();
    assertEquals(problems.fields.port, "mqtt.port: must be at most 65535, got 99999");
    assertEquals(problems.fields.topic, 'mqtt.topic: must not contain wildcards, got "a/#"');
    const res = await c.post("/mqtt", {
      _version: version,
      host: "broker.local",
      port: "1884",
      ws_port: "8000",
      tls_port: "8883",
      tls_ws_port: "8884",
      topic: "streampulse/status",
      qos: "1",
      interval_seconds: "10",
      base_topic: "streampulse",
      discovery_prefix: "homeassistant",
      publish_on_change: "on",
      password: "",
    });
    assertEquals(res.status, 303);
    const text = await Deno.readTextFile(s.configPath);
    assertStringIncludes(text, "host: broker.local");
    assertStringIncludes(text, "port: 1884 # TCP");
    assertStringIncludes(text, "qos: 1");
    assertStringIncludes(text, "password: brokerpw");
    assert(!text.includes("ws_port"), "unchanged defaults are not written");
    const test = await c.post("/mqtt/test", {
      host: "127.0.0.1",
      port: "1",
      topic: "t",
      base_topic: "b",
      interval_seconds: "10",
      ws_port: "8000",
      tls_port: "8883",
      tls_ws_port: "8884",
      qos: "0",
      discovery_prefix: "x",
    });
    const result = await test.json();
    assertEquals(result.ok, false);
    assertStringIncludes(result.message, "127.0.0.1:1");
  } finally {
    await s.stop();
  }
});

Deno.test("settings save heartbeat, time zone and retention; bad zones get the loader's message", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG, reloadWaitMs: 1000 });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const page = await (await c.get("/settings")).text();
    assertStringIncludes(page, '<option value="Europe/Berlin">');
    const version = /name="_version" value="([^"]+)"/.exec(page)![1];
    const v = await (await c.post("/settings/validate", {
      heartbeat: "5",
      timezone: "Mars/Base",
      retention: "30",
    })).json();
    assertEquals(v, { fields: { timezone: 'timezone: unknown time zone "Mars/Base"' }, other: [] });
    const res = await c.post("/settings", {
      _version: version,
      heartbeat: "15",
      timezone: "Asia/Kolkata",
      retention: "60",
    });
    assertEquals(res.status, 303);
    const text = await Deno.readTextFile(s.configPath);
    assertStringIncludes(text, "heartbeat_seconds: 15 # seconds");
    assertStringIncludes(text, "timezone: Asia/Kolkata");
    assertStringIncludes(text, "retention_days: 60");
    assertEquals(s.config().timezone, "Asia/Kolkata");
  } finally {
    await s.stop();
  }
});

Deno.test("changing the admin password needs the current one and ends other sessions", async () => {
  const s = await startWebStack({ listen: false });
  try {
    const a = await setupAndSignIn(s.web.app, s.web.setupToken()!, "first password");
    const { signIn, cookieOf, clientOf, csrfOf } = await import("./helpers.ts");
    const other = cookieOf(await signIn(s.web.app, "first password"), "sp_session")!;
    const wrong = await a.post("/settings/password", {
      current: "nope",
      password: "second password",
      confirm: "second password",
    });
    assertEquals(wrong.status, 400);
    const ok = await a.post("/settings/password", {
      current: "first password",
      password: "second password",
      confirm: "second password",
    });
    assertEquals(ok.status, 200);
    assertEquals((await a.get("/")).status, 200, "this session stays");
    const b = clientOf(s.web.app, other, "");
    assertEquals((await b.get("/")).status, 303, "the other session ended");
    assertEquals((await signIn(s.web.app, "second password")).status, 303);
    void csrfOf;
  } finally {
    await s.stop();
  }
});
