/** Server-rendered pages: untrusted text stays text, credentials stay masked, headers are strict. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { startWebStack } from "./harness.ts";
import { setupAndSignIn } from "./helpers.ts";

const XSS = "<img src=x onerror=alert(1)>";
const CONFIG = `heartbeat_seconds: 60
streams:
  - name: "${XSS}"
    url: "rtsp://user:hunter22@127.0.0.1:1/<script>"
    tags: ["<b>tag</b>"]
    enabled: false
  - name: "a/b?c#d"
    url: rtsp://127.0.0.1:1/x
    enabled: false
`;

Deno.test("a stream named <img src=x onerror=alert(1)> renders as text on every page", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG });
  try {
    s.store.recordCheck(XSS, {
      ts: Date.now(),
      ok: false,
      state: "down",
      latencyMs: 3,
      message: `<script>alert("m")</script>`,
      details: { "<k>": "<v>" },
    });
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const enc = encodeURIComponent(XSS);
    for (
      const path of [
        "/",
        `/streams/${enc}`,
        `/streams/${enc}/edit`,
        `/streams/${enc}/delete`,
        "/export",
      ]
    ) {
      const res = await c.get(path);
      assertEquals(res.status, 200, path);
      const html = await res.text();
      assert(!html.includes("<img src=x"), `${path} must not contain a raw <img>`);
      assert(!html.includes("<script>alert"), `${path} must not contain a raw <script>`);
      assert(!html.includes("<b>tag"), path);
      assertStringIncludes(html, "&lt;img src=x onerror=alert(1)>", path);
      if (path !== `/streams/${enc}/edit`) {
        assert(!html.includes("hunter22"), `${path} leaks the password`);
      }
    }
  } finally {
    await s.stop();
  }
});

Deno.test("names with / ? # route to their own stream page", async () => {
  const s = await startWebStack({ listen: false, config: CONFIG });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const res = await c.get(`/streams/${encodeURIComponent("a/b?c#d")}`);
    assertEquals(res.status, 200);
    assertStringIncludes(await res.text(), "<h1>a/b?c#d</h1>");
    const missing = await c.get("/streams/nope");
    assertEquals(missing.status, 404);
  } finally {
    await s.stop();
  }
});

Deno.test("pages carry a strict CSP and no-store; the empty dashboard explains how to start", async () => {
  const s = await startWebStack({ listen: false });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const res = await c.get("/");
    const csp = res.headers.get("content-security-policy")!;
    assertStringIncludes(csp, "script-src 'self'");
    assert(!csp.includes("unsafe-inline"));
    assertEquals(res.headers.get("x-frame-options"), "DENY");
    assertEquals(res.headers.get("cache-control"), "no-store");
    const html = await res.text();
    assertStringIncludes(html, "No streams yet");
    assertStringIncludes(html, 'href="/streams/new"');
    assert(!/<script>|<script [^>]*>[^<]/.test(html), "no inline script");
  } finally {
    await s.stop();
  }
});

Deno.test("the client bundle is served gzipped from memory with a content hash", async () => {
  const s = await startWebStack({ listen: false });
  try {
    const home = await s.web.app.request("http://localhost/setup");
    const src = /<script type="module" src="([^"]+)"/.exec(await home.text())![1];
    assert(/^\/static\/bundle\/client\.js\?v=[0-9a-f]{12}$/.test(src), src);
    const js = await s.web.app.request(`http://localhost${src}`, {
      headers: { "accept-encoding": "gzip" },
    });
    assertEquals(js.headers.get("content-encoding"), "gzip");
    assertStringIncludes(js.headers.get("content-type")!, "javascript");
    const again = await s.web.app.request(`http://localhost${src}`, {
      headers: { "if-none-match": js.headers.get("etag")! },
    });
    assertEquals(again.status, 304);
    await js.body?.cancel();
    assert(s.web.jsGzipBytes() < 60_000, `dashboard JS is ${s.web.jsGzipBytes()} bytes gzipped`);
  } finally {
    await s.stop();
  }
});

Deno.test("a dashboard row whose media checks are overdue carries the cue with its tooltip", async () => {
  // The dashboard's clock runs an hour ahead: every media stream's first check is long overdue.
  const s = await startWebStack({
    listen: false,
    now: () => Date.now() + 3_600_000,
    config: `heartbeat_seconds: 60
streams:
  - {name: cam, url: "rtsp://127.0.0.1:1/live"}
  - {name: plain, url: "rtsp://127.0.0.1:1/plain", media: false}
`,
  });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const rowOf = (html: string, name: string) =>
      new RegExp(`<tr[^>]*data-stream="${name}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? "";
    let html = "";
    for (let i = 0; i < 50 && !rowOf(html, "cam").includes("data-cue"); i++) {
      await new Promise((r) => setTimeout(r, 100)); // until the media task has its loops
      html = await (await c.get("/")).text();
    }
    const cam = rowOf(html, "cam");
    assertStringIncludes(cam, 'data-cue="overdue"');
    assertStringIncludes(cam, "picture check overdue");
    assertStringIncludes(cam, "Last good picture: never.");
    assert(!rowOf(html, "plain").includes("data-cue"), "a stream without media checks has none");
  } finally {
    await s.stop();
  }
});
