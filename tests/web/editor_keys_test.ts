/** The stream editor's media, transport and alert keys, write-only password, clone, bulk tags. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { applyEdit, editStream, streamValuesFrom } from "../../web/config_edit.ts";
import { resolvePassword, withoutPassword } from "../../web/stream_form.ts";
import { configBanner } from "../../web/stream_problems.ts";
import { startWebStack } from "./harness.ts";
import { setupAndSignIn } from "./helpers.ts";

const CONFIG = `heartbeat_seconds: 5
streams:
  - name: Front Door
    url: rtsp://admin:s3cr%40t@127.0.0.1:1/live
    tags: [outside]
  - name: Back Door
    url: rtsp://127.0.0.1:1/back
`;

const version = (html: string) => /name="_version" value="([^"]+)"/.exec(html)![1];

Deno.test("editStream() writes media, expect, rtsp_transport, site and parent; blanks remove them", () => {
  const v = streamValuesFrom({
    name: "Back Door",
    url: "rtsp://127.0.0.1:1/back",
    enabled: "on",
    media: "off",
    media_check_seconds: "120",
    freeze_seconds: "45",
    expect_codec: "h264",
    expect_width: "1920",
    expect_height: "1080",
    expect_min_fps: "12.5",
    rtsp_transport: "tcp",
    site: "north",
    parent: "Front Door",
  });
  const out = applyEdit(CONFIG, editStream(v, "Back Door"));
  for (
    const line of [
      "media: false",
      "media_check_seconds: 120",
      "freeze_seconds: 45",
      "rtsp_transport: tcp",
      "site: north",
      "parent: Front Door",
      "expect:\n      codec: h264\n      width: 1920\n      height: 1080\n      min_fps: 12.5",
    ]
  ) assertStringIncludes(out, line);
  const blank = streamValuesFrom({ name: "Back Door", url: "rtsp://127.0.0.1:1/back" });
  const back = applyEdit(out, editStream(blank, "Back Door"));
  for (const key of ["media", "freeze_seconds", "rtsp_transport", "site", "parent", "expect"]) {
    assert(!back.includes(`    ${key}:`), `${key} removed:\n${back}`);
  }
});

Deno.test("resolvePassword() keeps, replaces, removes, and never sends a stored password elsewhere", () => {
  const stored = "rtsp://admin:s3cr%40t@cam:554/live";
  assertEquals(withoutPassword(stored), "rtsp://admin@cam:554/live");
  const url = "rtsp://admin@cam:554/live";
  assertEquals(resolvePassword({ url }, stored), { url: stored });
  assertEquals(resolvePassword({ url, password: "n@w" }, stored), {
    url: "rtsp://admin:n%40w@cam:554/live",
  });
  assertEquals(resolvePassword({ url, removePassword: true }, stored), { url });
  const moved = resolvePassword({ url: "rtsp://admin@evil:554/live" }, stored);
  assertStringIncludes(
    moved.problem!,
    "the address changed from rtsp://cam:554 to rtsp://evil:554",
  );
  assertEquals(
    resolvePassword({ url: "rtsp://cam/x", password: "p" }).problem?.slice(0, 16),
    "needs a user nam",
  );
});

Deno.test("configBanner() words the holder's problems; nothing while the file is in force", () => {
  assertEquals(configBanner({ file: "ok", error: null, problems: [] }), undefined);
  const b = configBanner({
    file: "rejected",
    error: "Invalid reload",
    problems: [{ path: "streams[1].url", message: "is not a URL", stream: "Back Door" }],
  })!;
  assertEquals(b.problems, ["Back Door — URL: is not a URL"]);
  assertStringIncludes(b.message, "keeps running the last good config");
});

Deno.test("the editor shows every key, never the password, and clones with the stored password", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG, reloadWaitMs: 1000 });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const page = await (await c.get("/streams/Front%20Door/edit")).text();
    for (
      const name of [
        "media",
        "media_check_seconds",
        "freeze_seconds",
        "expect_codec",
        "expect_width",
        "expect_height",
        "expect_min_fps",
        "rtsp_transport",
        "site",
        "parent",
        "password",
        "remove_password",
      ]
    ) assertStringIncludes(page, `name="${name}"`);
    assert(!page.includes("s3cr"), "no password anywhere in the HTML");
    assertStringIncludes(page, '<option value="Back Door">Back Door</option>');
    const clone = await (await c.get("/streams/new?clone=Front%20Door")).text();
    assert(!clone.includes("s3cr"), "no password in the clone form");
    assertStringIncludes(clone, 'value="Front Door copy"');
    assertStringIncludes(clone, 'name="_clone_of" value="Front Door"');
    const res = await c.post("/streams/save", {
      _version: version(clone),
      _clone_of: "Front Door",
      name: "Front Door copy",
      url: "rtsp://admin@127.0.0.1:1/live",
      enabled: "on",
      tags: "outside",
    });
    assertEquals(res.status, 303);
    const text = await Deno.readTextFile(s.configPath);
    assertStringIncludes(
      text,
      "name: Front Door copy\n    url: rtsp://admin:s3cr%40t@127.0.0.1:1/live",
    );
    assertEquals(s.monitor.streams().length, 3);
  } finally {
    await s.stop();
  }
});

Deno.test("saving one camera works while another is broken, and the banner names the broken one", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG, reloadWaitMs: 1500 });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const wait = new Promise((r) => s.bus.on("config-error", r));
    const broken = CONFIG.replace("url: rtsp://127.0.0.1:1/back", "url: nope");
    await Deno.writeTextFile(s.configPath, broken);
    await wait;
    const home = await (await c.get("/settings")).text();
    assertStringIncludes(home, 'id="config-trouble"');
    assertStringIncludes(home, "Back Door — URL: is not a URL");
    const form = await (await c.get("/streams/Front%20Door/edit")).text();
    const res = await c.post("/streams/save", {
      _version: version(form),
      _original: "Front Door",
      name: "Front Door",
      url: "rtsp://admin@127.0.0.1:1/live",
      enabled: "on",
      tags: "outside, east",
    });
    assertEquals(res.status, 200);
    const html = await res.text();
    assertStringIncludes(html, "Saved Front Door to config.yaml. It is not applied yet");
    assert(!html.includes("s3cr"));
    const text = await Deno.readTextFile(s.configPath);
    assertStringIncludes(text, "tags: [ outside, east ]");
    assertStringIncludes(text, "url: nope", "the other camera is left as it was");
    // An edit with a problem of its own is refused, naming the camera and field.
    const bad = await c.post("/streams/save", {
      _version: version(html),
      _original: "Front Door",
      name: "Front Door",
      url: "rtsp://admin@127.0.0.1:1/live",
      interval: "abc",
    });
    assertEquals(bad.status, 422);
    assertStringIncludes(await bad.text(), "Front Door — Check every: must be a number");
    // A YAML syntax error: nothing can be saved, and the page says why.
    await Deno.writeTextFile(s.configPath, CONFIG + "  - name: [oops\n");
    const now = await Deno.readTextFile(s.configPath);
    const form2 = await (await c.get("/streams/new")).text();
    const syn = await c.post("/streams/save", {
      _version: version(form2),
      name: "X",
      url: "rtsp://127.0.0.1:1/x",
    });
    assertEquals(syn.status, 422);
    assertStringIncludes(await syn.text(), "YAML syntax error");
    assertEquals(await Deno.readTextFile(s.configPath), now);
  } finally {
    await s.stop();
  }
});

Deno.test("bulk tags add and remove tags on the chosen cameras in one save", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG, reloadWaitMs: 1000 });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const page = await (await c.get("/streams/tags")).text();
    assertStringIncludes(page, 'value="Back Door"');
    const body = new URLSearchParams([
      ["_csrf", c.csrf],
      ["_version", version(page)],
      ["stream", "Front Door"],
      ["stream", "Back Door"],
      ["add", "site-a, east"],
      ["remove", "outside"],
    ]);
    const res = await s.web.app.request("/streams/tags", {
      method: "POST",
      body,
      headers: {
        cookie: c.cookie,
        origin: "http://localhost",
        "content-type": "application/x-www-form-urlencoded",
      },
    });
    assertEquals(res.status, 200);
    assertStringIncludes(await res.text(), "Saved the tags of 2 cameras.");
    const text = await Deno.readTextFile(s.configPath);
    assertEquals(text.match(/tags: \[ site-a, east \]/g)?.length, 2, text);
    assertEquals(s.monitor.streams().map((x) => x.tags), [["site-a", "east"], ["site-a", "east"]]);
    const none = await c.post("/streams/tags", { _version: version(page), add: "x" });
    assertEquals(none.status, 422);
  } finally {
    await s.stop();
  }
});

Deno.test("configBanner() shows the warnings of a config in force (a typo'd key) softly, and problems as an alert", () => {
  const warn = configBanner({
    file: "ok",
    error: null,
    problems: [],
    warnings: [{
      path: "streams[0].frezee_seconds",
      stream: "Gate",
      message: 'unknown key — did you mean "freeze_seconds"?',
    }],
  });
  assertEquals(warn?.warning, true);
  assertStringIncludes(warn!.message, "1 warning");
  assertStringIncludes(warn!.problems[0], "freeze_seconds");
  assertEquals(configBanner({ file: "ok", error: null, problems: [], warnings: [] }), undefined);
  const bad = configBanner({
    file: "invalid",
    error: "x",
    problems: [{ path: "streams[0].url", message: "is not a URL", stream: "Gate" }],
  });
  assertEquals(bad?.warning, undefined);
});
