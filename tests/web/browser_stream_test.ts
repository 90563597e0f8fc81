/** The stream page in Chromium on real GStreamer cameras: summary, evidence, why down, band, phone. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { freePort, startRtspServer } from "../fixtures/rtsp.ts";
import { launchChromium } from "./chromium.ts";
import { startWebStack } from "./harness.ts";
import type { Page } from "puppeteer-core";

const PASSWORD = "a long admin password";

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Opens a stream page and returns the text of `selector` ("" when absent). */
async function textOn(page: Page, url: string, selector: string): Promise<string> {
  await page.goto(url);
  return await page.$eval(selector, (e) => e.textContent ?? "").catch(() => "");
}

Deno.test({
  name: "the stream page in chromium: summary line, evidence pair, why down, state band, phone",
  async fn(t) {
    const shots = await Deno.makeTempDir({ prefix: "streampulse-stream-shots-" });
    const moving = await startRtspServer({ pattern: "ball" });
    const black = await startRtspServer({ pattern: "black" });
    const config = (switchUrl: string) =>
      `heartbeat_seconds: 1\ntimezone: Europe/Berlin\nstreams:\n` +
      `  - {name: Moving, url: "${moving.url()}", interval_seconds: 5}\n` +
      `  - {name: Turns black, url: "${switchUrl}", interval_seconds: 5}\n` +
      `  - {name: Dead, url: "rtsp://127.0.0.1:${freePort()}/x", interval_seconds: 5}\n`;
    const stack = await startWebStack({
      env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD },
      config: config(moving.url()),
    });
    const chrome = await launchChromium();
    const page = await chrome.browser.newPage();
    const at = (name: string) => `${stack.url}/streams/${encodeURIComponent(name)}`;
    const shot = (name: string) =>
      page.screenshot({ path: `${shots}/${name}.png` as `${string}.png`, fullPage: true });
    try {
      await page.setViewport({ width: 1440, height: 900 });
      await page.goto(`${stack.url}/login`);
      await page.type("input[name=password]", PASSWORD);
      await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);

      await t.step("a moving camera's summary line and state sentence", async () => {
        let line = "";
        await until("the summary line", async () => {
          line = await textOn(page, at("Moving"), ".stream-summary");
          return line.includes("fps");
        });
        assert(
          /^H\.264 320×240 · [\d.]+ fps · \d+ kbit\/s · keyframe every [\d.]+ s · TCP$/.test(line),
          line,
        );
        assertStringIncludes(
          await page.$eval(".stream-state-line", (e) => e.textContent!),
          "Up for",
        );
        const raw = await page.$eval(".stream-raw", (e) => e.textContent!);
        assertEquals(raw.includes("undefined"), false);
        assertStringIncludes(raw, "RTSP status");
        assert((await page.$$(".stream-raw li")).length >= 1, "tracks as a list");
        await page.waitForSelector(".plot canvas", { timeout: 15_000 });
        const band = await page.$$eval(
          ".stream-band rect",
          (rs) => rs.map((r) => r.getAttribute("data-state")),
        );
        assert(band.includes("up"), `band ${band}`);
        await shot("1440-moving");
      });

      await t.step(
        "a camera that turns black shows last good vs failing frame with times",
        async () => {
          await until("its good frame", async () => {
            await page.goto(at("Turns black"));
            return (await page.$$(".stream-frame-good img")).length === 1;
          });
          const text = await Deno.readTextFile(stack.configPath);
          await Deno.writeTextFile(
            stack.configPath,
            text.replace(
              moving.url() + '", interval_seconds: 5}\n  - {name: Dead',
              moving.url() + '", interval_seconds: 5}\n  - {name: Dead',
            ).replace(
              `name: Turns black, url: "${moving.url()}"`,
              `name: Turns black, url: "${black.url()}"`,
            ),
          );
          await until("its failing frame", async () => {
            await page.goto(at("Turns black"));
            return (await page.$$(".stream-frame-bad img")).length === 1;
          });
          const caps = await page.$$eval(
            ".stream-frame figcaption",
            (fs) => fs.map((f) => f.textContent!),
          );
          assertEquals(caps.length, 2);
          assert(/✓ Good.*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(caps[0]), caps[0]);
          assert(/✗ Bad.*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(caps[1]), caps[1]);
          await until(
            "both images loaded",
            () =>
              page.$$eval(
                ".stream-frame img",
                (is) => is.every((i) => (i as HTMLImageElement).naturalWidth > 0),
              ),
          );
          assertStringIncludes(
            await page.$eval(".stream-state-line", (e) => e.textContent!),
            "picture black",
          );
          await until("a degraded stretch on the band", async () => {
            await page.goto(at("Turns black"));
            const states = await page.$$eval(
              ".stream-band rect",
              (rs) => rs.map((r) => r.getAttribute("data-state")),
            );
            return states.includes("degraded");
          });
          const cells = await page.$$eval(
            ".stream-page td, .stream-page .stream-band-ends",
            (ts) => ts.map((t) => t.textContent!),
          );
          assertEquals(
            cells.some((c) => /T\d\d:\d\d|Z$|[+-]\d\d:\d\d$/.test(c)),
            false,
            "no ISO times",
          );
          await shot("1440-black");
        },
      );

      await t.step("a dead camera says why instead of an empty chart", async () => {
        await until(
          "it is down",
          async () => (await textOn(page, at("Dead"), ".stream-why")).includes("Down for"),
        );
        const why = await page.$eval(".stream-why", (e) => e.textContent!);
        assertStringIncludes(why, "connection refused");
        assertStringIncludes(why, "Last good check");
        assertStringIncludes(why, "never");
        assertEquals((await page.$$(".plot")).length, 0);
        await shot("1440-dead");
      });

      await t.step("on a phone the page does not scroll sideways", async () => {
        await page.setViewport({ width: 390, height: 844 });
        for (const name of ["Dead", "Moving", "Turns black"]) {
          // The DOM and styles are what this measures (a dead camera's page keeps loading).
          await page.goto(at(name), { waitUntil: "domcontentloaded" });
          await page.waitForSelector(".stream-state");
          const [sw, iw] = await page.evaluate(
            () => [document.documentElement.scrollWidth, innerWidth],
          );
          assert(sw <= iw, `${name}: scrollWidth ${sw} > ${iw}`);
          await shot(`390-${name.replace(/\W+/g, "-")}`);
        }
      });
      console.log(`stream page screenshots in ${shots}`);
    } finally {
      await chrome.close();
      await stack.stop();
      await moving.stop();
      await black.stop();
    }
  },
});
