/** Bulk import over HTTP: preview masks credentials, duplicates skipped, one safe save, checks. */

import { parseDocument } from "yaml";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { startWebStack } from "./harness.ts";
import { clientOf, cookieOf, csrfOf, setupAndSignIn, signIn } from "./helpers.ts";

const CAM_PW = "Imp0rt-cam-pw";
const OTHER_PW = "fr1gate-Secret";

const CONFIG = `# shop cameras
heartbeat_seconds: 1
streams:
  # the till, keep this comment
  - name: Till
    url: rtsp://127.0.0.1:9/till   # dead on purpose
`;

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tokenOf = (html: string) => /name="_token" value="([^"]+)"/.exec(html)![1];
const versionOf = (html: string) => /name="_version" value="([^"]+)"/.exec(html)![1];

Deno.test("the import preview masks credentials, skips duplicates, saves once and the cameras get checked", async () => {
  const cam = await startRtspServer({ auth: "digest", user: "viewer", password: CAM_PW });
  const s = await startWebStack({ listen: false, config: CONFIG });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const form = await c.get("/streams/import");
    assertEquals(form.status, 200);
    assertStringIncludes(await form.text(), 'action="/streams/import/preview"');
    const lines = [
      `Lobby ${cam.url("viewer", CAM_PW)} inside ground`,
      `Till rtsp://127.0.0.1:9/other`, // same name as the existing stream
      `Till copy rtsp://127.0.0.1:9/till`, // same URL as the existing stream
      `rtsp://admin:${OTHER_PW}@127.0.0.1:9/back`, // a bare URL: name from host and path
      `Bad ftp://u:${OTHER_PW}@h/x`,
    ].join("\n");
    const res = await c.post("/streams/import/preview", { format: "auto", text: lines });
    assertEquals(res.status, 200);
    const html = await res.text();
    for (const pw of [CAM_PW, OTHER_PW]) assert(!html.includes(pw), `${pw} is in the preview`);
    assertStringIncludes(html, "rtsp://***@127.0.0.1:");
    const statuses = [...html.matchAll(/data-import-status="([^"]+)"/g)].map((m) => m[1]);
    assertEquals(statuses, ["new", "duplicate-name", "duplicate-url", "new", "invalid"]);
    assertStringIncludes(html, "duplicate (same name)");
    assertStringIncludes(html, "duplicate (same URL)");
    assertStringIncludes(html, "invalid: url scheme &quot;ftp&quot; is not supported");
    assertStringIncludes(html, "127.0.0.1:9/back");
    assertStringIncludes(html, "Import 2 cameras");
    const before = await Deno.readTextFile(s.configPath);
    assertEquals(before, CONFIG, "the preview wrote nothing");

    // A forged pick of a duplicate row is refused whole.
    const forged = await c.post("/streams/import/save", {
      _token: tokenOf(html),
      _version: versionOf(html),
      "pick.0": "on",
      "pick.1": "on",
    });
    assertEquals(forged.status, 422);
    assertEquals(await Deno.readTextFile(s.configPath), CONFIG);

    // Another sign-in cannot use the token.
    const second = await signIn(s.web.app, "correct horse");
    const cookie = cookieOf(second, "sp_session")!;
    const home = await s.web.app.request("http://localhost/", {
      headers: { cookie, accept: "text/html" },
    });
    const c2 = clientOf(s.web.app, cookie, csrfOf(await home.text()));
    const stolen = await c2.post("/streams/import/save", {
      _token: tokenOf(html),
      _version: versionOf(html),
      "pick.0": "on",
    });
    assertEquals(stolen.status, 410);
    await stolen.body?.cancel();

    const saved = await c.post("/streams/import/save", {
      _token: tokenOf(html),
      _version: versionOf(html),
      "pick.0": "on",
      "pick.3": "on",
    });
    assertEquals(saved.status, 200);
    const done = await saved.text();
    assertStringIncludes(done, "Imported 2 cameras");
    for (const pw of [CAM_PW, OTHER_PW]) assert(!done.includes(pw));
    const text = await Deno.readTextFile(s.configPath);
    assertStringIncludes(text, "# the till, keep this comment");
    assertStringIncludes(text, "# dead on purpose");
    const streams = parseDocument(text).toJS().streams as Array<Record<string, unknown>>;
    assertEquals(streams.map((x) => x.name), ["Till", "Lobby", "127.0.0.1:9/back"]);
    assertEquals(streams[1].url, cam.url("viewer", CAM_PW));
    assertEquals(streams[1].tags, ["inside", "ground"]);
    assert(/^[a-z2-7]{8}$/.test(String(streams[1].id)), `an id: ${streams[1].id}`);
    assert(streams[1].id !== streams[2].id);

    await until("Lobby up", () => s.monitor.status("Lobby")?.state === "up");
    await until(
      "the back camera checked",
      () => s.monitor.status("127.0.0.1:9/back") !== undefined,
    );

    // The batch is used up: importing it again is refused (expired or unknown).
    const again = await c.post("/streams/import/save", {
      _token: tokenOf(html),
      _version: versionOf(html),
      "pick.0": "on",
    });
    assertEquals(again.status, 410);
  } finally {
    await s.stop();
    await cam.stop();
  }
});

Deno.test("the import refuses a stale preview, bad input and uploads over 1 MiB, and reads uploaded files", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const fd = new FormData();
    fd.set("_csrf", c.csrf);
    fd.set("format", "go2rtc");
    const go2rtc = await Deno.readTextFile(
      new URL("../fixtures/import/go2rtc.yaml", import.meta.url),
    );
    fd.set("file", new File([go2rtc], "go2rtc.yaml", { type: "application/yaml" }));
    const up = await s.web.app.request("http://localhost/streams/import/preview", {
      method: "POST",
      headers: { cookie: c.cookie, origin: "http://localhost" },
      body: fd,
    });
    assertEquals(up.status, 200);
    const html = await up.text();
    for (const pw of ["HallPass77", "Porch%40Secret", "NurseryPw1", "cloudpass"]) {
      assert(!html.includes(pw), `${pw} is in the preview`);
    }
    assertStringIncludes(html, "Read as go2rtc: 7 cameras found");
    assertStringIncludes(html, "skipped go2rtc sources: exec:");

    // config.yaml changes between preview and import: nothing saved, a fresh preview.
    await Deno.writeTextFile(s.configPath, CONFIG + "# touched\n");
    const stale = await c.post("/streams/import/save", {
      _token: tokenOf(html),
      _version: versionOf(html),
      "pick.0": "on",
    });
    assertEquals(stale.status, 409);
    assertStringIncludes(await stale.text(), "config.yaml changed since this preview");
    assertEquals(await Deno.readTextFile(s.configPath), CONFIG + "# touched\n");

    const empty = await c.post("/streams/import/preview", { format: "auto", text: "  " });
    assertEquals(empty.status, 422);
    const bad = await c.post("/streams/import/preview", {
      format: "frigate",
      text: "cameras:\n  a: [rtsp://u:hunter22@h/x\n",
    });
    assertEquals(bad.status, 422);
    const badHtml = await bad.text();
    assertStringIncludes(badHtml, "not valid YAML at line");
    assert(!badHtml.includes("hunter22"));

    const big = new FormData();
    big.set("_csrf", c.csrf);
    big.set("file", new File(["rtsp://h/x\n".repeat(120_000)], "big.txt"));
    const tooBig = await s.web.app.request("http://localhost/streams/import/preview", {
      method: "POST",
      headers: { cookie: c.cookie, origin: "http://localhost" },
      body: big,
    });
    assertEquals(tooBig.status, 413);
    await tooBig.body?.cancel();
  } finally {
    await s.stop();
  }
});
