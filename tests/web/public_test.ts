/** The public status page and badges: off by default, only chosen streams, no secret in any byte. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { badgeSvg, uptimeText, worstState } from "../../web/badges.ts";
import { parseGroups } from "../../web/public_settings.ts";
import { startWebStack } from "./harness.ts";
import { setupAndSignIn } from "./helpers.ts";

const ORIGIN = "http://localhost";
const CONFIG = `heartbeat_seconds: 2
streams:
  - {name: Front Door, url: "rtsp://user:hunter22@127.0.0.1:1/front", tags: [site-a]}
  - {name: Yard, url: "rtsp://cam:s3cretpw@127.0.0.2:1/yard", tags: [site-a], enabled: false}
  - {name: Private Office, url: "rtsp://boss:topsecret@127.0.0.3:1/office", tags: [private]}
  - {name: Gate, url: "rtsp://127.0.0.4:1/gate"}
`;

/** Throws unless `svg` is well-formed XML with an <svg> root (tags balanced, no stray `<`/`&`). */
function assertWellFormedSvg(svg: string) {
  assert(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), svg.slice(0, 80));
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z:-]+="(?:[^"<&]|&#\d+;)*")*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(svg))) {
    assertEquals(m.index, pos, `unparsable SVG near ${svg.slice(pos, pos + 40)}`);
    pos = re.lastIndex;
    if (m[5] !== undefined) {
      assert(!/&(?!#\d+;|amp;|lt;|gt;|quot;)/.test(m[5]), `bare & in ${m[5]}`);
      continue;
    }
    if (m[1]) assertEquals(stack.pop(), m[2], `unbalanced </${m[2]}>`);
    else if (!m[4]) stack.push(m[2]);
  }
  assertEquals(pos, svg.length, "trailing garbage");
  assertEquals(stack, [], "unclosed tags");
}

Deno.test("badgeSvg() escapes its texts into well-formed SVG", () => {
  const svg = badgeSvg(`<a href="x">&'`, "up", "#000");
  assertWellFormedSvg(svg);
  assert(!svg.includes("<a "), svg);
  assertEquals(uptimeText(0.99999), "99.99%");
  assertEquals(uptimeText(1), "100%");
  assertEquals(uptimeText(null), "no data");
  assertEquals(worstState(["up", "paused", "degraded"]), "degraded");
  assertEquals(worstState(["paused"]), "paused");
});

Deno.test("parseGroups() reads tags and names, and names the line of each problem", () => {
  const { groups, problems } = parseGroups("Site A: #site-a, Gate\n\nnocolon\nSite A: Gate\nB:");
  assertEquals(groups, [{ name: "Site A", slug: "site-a", tags: ["site-a"], streams: ["Gate"] }]);
  assertEquals(problems.length, 3);
  assertStringIncludes(problems[0], "Line 3");
  assertStringIncludes(problems[1], "twice");
  assertStringIncludes(problems[2], "lists nothing");
});

Deno.test("the public status page is off by default: /status and every badge answer 404", async () => {
  const s = await startWebStack({ config: CONFIG, listen: false });
  try {
    for (const p of ["/status", "/badge/site-a/state.svg", "/badge/site-a/uptime.svg"]) {
      const res = await s.web.app.request(`${ORIGIN}${p}`, { headers: { accept: "text/html" } });
      assertEquals(res.status, 404, p);
      await res.body?.cancel();
    }
  } finally {
    await s.stop();
  }
});

Deno.test("the public status page shows only chosen streams, and no URL, host, credential or cause", async () => {
  const s = await startWebStack({ config: CONFIG, listen: false });
  try {
    const admin = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const bad = await admin.post("/users/public", { enabled: "on", groups: "oops" });
    assertEquals(bad.status, 422);
    assertStringIncludes(await bad.text(), "Line 1");
    const saved = await admin.post("/users/public", {
      enabled: "on",
      groups: "Site A: #site-a\nEntry: Gate",
    });
    assertEquals(saved.status, 303);
    // Let the first checks fail, so causes (which name hosts) exist and must not leak.
    const end = Date.now() + 15_000;
    while (!s.monitor.status("Front Door")?.last && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert(s.monitor.status("Front Door")?.last, "Front Door was checked");

    const get = (p: string) => s.web.app.request(`${ORIGIN}${p}`);
    const page = await get("/status");
    assertEquals(page.status, 200);
    const html = await page.text();
    assertStringIncludes(html, "Front Door");
    assertStringIncludes(html, "Yard");
    assertStringIncludes(html, "paused", "a disabled stream is paused, never unknown");
    assertStringIncludes(html, "Gate");
    assert(!html.includes("Private Office"), "a stream of no public group stays hidden");
    assert(!html.includes('<nav aria-label="Main">'), "no dashboard navigation");

    const badges: Array<[string, string[]]> = [
      ["/badge/site-a/state.svg", ["Site A"]],
      ["/badge/site-a/uptime.svg?days=30", ["Site A 30d"]],
      ["/badge/site-a/uptime.svg?days=7", ["Site A 7d"]],
      ["/badge/entry/state.svg", ["Entry"]],
      ["/badge/site-a/Front%20Door/state.svg", ["Front Door"]],
      ["/badge/site-a/Yard/state.svg", ["Yard", "paused"]],
      ["/badge/entry/Gate/uptime.svg", ["Gate 30d"]],
    ];
    const bodies = [html];
    for (const [p, words] of badges) {
      const res = await get(p);
      assertEquals(res.status, 200, p);
      assertEquals(res.headers.get("content-type"), "image/svg+xml; charset=utf-8");
      assertEquals(res.headers.get("cache-control"), "public, max-age=60");
      const svg = await res.text();
      assertWellFormedSvg(svg);
      for (const w of words) assertStringIncludes(svg, `>${w}`, p);
      assert(
        />(up|down|degraded|unknown|paused|no data|[\d.]+%)<\/text><\/g><\/svg>$/.test(svg),
        svg,
      );
      bodies.push(svg);
    }
    for (
      const p of [
        "/badge/site-a/Private%20Office/state.svg", // configured, but in no public group
        "/badge/entry/Front%20Door/state.svg", // public, but not in this group
        "/badge/nope/state.svg",
      ]
    ) {
      const res = await get(p);
      assertEquals(res.status, 404, p);
      bodies.push(await res.text());
    }
    assertEquals((await get("/badge/site-a/uptime.svg?days=0")).status, 400);
    const all = bodies.join("\n");
    for (
      const secret of ["hunter22", "s3cretpw", "topsecret", "rtsp:", "127.0.0", "user:", "office"]
    ) {
      assert(!all.includes(secret), `"${secret}" in a public answer`);
    }
    // Turning it off closes everything again.
    assertEquals((await admin.post("/users/public", { groups: "Site A: #site-a" })).status, 303);
    assertEquals((await get("/status")).status, 404);
    assertEquals((await get("/badge/site-a/state.svg")).status, 404);
  } finally {
    await s.stop();
  }
});
