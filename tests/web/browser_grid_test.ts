/** The camera grid in Debian's chromium: real GStreamer cameras, failing frames, live tiles. */

import type { Page } from "puppeteer-core";
import { assert, assertEquals } from "../assert.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { launchChromium } from "./chromium.ts";
import { startWebStack } from "./harness.ts";

const PASSWORD = "a long admin password";

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What a tile shows: its badge, image kind, whether the image loaded, red border, caption. */
const tile = (page: Page, name: string) =>
  page.evaluate((n) => {
    const li = [...document.querySelectorAll<HTMLElement>("li.grid-tile")]
      .find((e) => e.dataset.stream === n);
    if (!li) return null;
    const img = li.querySelector<HTMLImageElement>("img");
    return {
      state: li.querySelector<HTMLElement>(".badge")?.dataset.state ?? null,
      kind: img?.dataset.kind ?? null,
      loaded: !!img && img.complete && img.naturalWidth > 0,
      width: img?.naturalWidth ?? 0,
      failing: li.classList.contains("grid-failing"),
      when: li.querySelector(".grid-when")?.textContent ?? null,
      cause: li.querySelector(".grid-cause")?.textContent ?? null,
    };
  }, name);

Deno.test("the camera grid in chromium: the failing frame of a black camera, the last good frame of a moving one, a killed camera's tile turns down live", async () => {
  const shots = await Deno.makeTempDir({ prefix: "streampulse-grid-" });
  const black = await startRtspServer({ pattern: "black" });
  const moving = await startRtspServer();
  const stack = await startWebStack({
    env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD },
    config: `heartbeat_seconds: 1
streams:
  - {name: Black cam, url: "${black.url()}", media_check_seconds: 10, tags: [yard]}
  - {name: Moving cam, url: "${moving.url()}", media_check_seconds: 10, tags: [yard]}
  - {name: Dead cam, url: "rtsp://127.0.0.1:9/none", media: false}
`,
  });
  const chrome = await launchChromium();
  try {
    const page = await chrome.browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
    await page.goto(`${stack.url}/login`);
    await page.type("input[name=password]", PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);
    await page.goto(`${stack.url}/grid`);
    await until(
      "the live link",
      async () => (await page.$eval(".link", (e) => e.textContent)) === "● Live",
    );

    await until("the black camera's failing frame", async () => {
      const t = await tile(page, "Black cam");
      return !!t && t.kind === "failure" && t.loaded;
    });
    await until("the moving camera's last good frame", async () => {
      const t = await tile(page, "Moving cam");
      return !!t && t.kind === "last" && t.loaded && t.state === "up";
    });
    const b = (await tile(page, "Black cam"))!;
    assert(b.failing, "red border on the failing frame");
    assert(/^Black since \d\d:\d\d$/.test(b.when ?? ""), `caption "${b.when}"`);
    assertEquals(b.state, "degraded");
    assert(b.width > 0 && b.width <= 320, `thumbnail ${b.width} px wide`);
    const dead = (await tile(page, "Dead cam"))!;
    assertEquals([dead.kind, dead.state], [null, "down"]);
    const order = await page.$$eval("li.grid-tile", (els) => els.map((e) => e.dataset.stream));
    assertEquals(order, ["Dead cam", "Black cam", "Moving cam"], "broken first");
    const html = await page.content();
    assert(!html.includes("rtsp://"), "no camera URL in the page");
    await page.screenshot({ path: `${shots}/grid-1440.png` });

    const before = await page.$eval(
      'li[data-stream="Moving cam"] img',
      (e) => e.getAttribute("src"),
    );
    await moving.kill();
    await until(
      "the killed camera's tile down",
      async () => (await tile(page, "Moving cam"))?.state === "down",
    );
    const after = await tile(page, "Moving cam");
    assert(after?.cause, "the cause shows on the tile");
    assertEquals(
      await page.$eval('li[data-stream="Moving cam"] img', (e) => e.getAttribute("src")),
      before,
      "the same snapshot version: no new image request",
    );

    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`${stack.url}/grid?state=down`);
    await until("the filtered grid", async () => (await page.$$("li.grid-tile")).length === 2);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= 390, `no sideways scroll on a phone (${wide} px)`);
    await page.screenshot({ path: `${shots}/grid-390.png`, fullPage: true });
    console.log(`grid screenshots in ${shots}`);
  } finally {
    await chrome.close();
    await stack.stop();
    await black.stop();
    await moving.stop();
  }
});
