/**
 * The stream editor in Debian's chromium against a real StreamPulse and a real RTSP camera with
 * digest auth: the write-only password ("Test now" still uses the stored one), the banner after
 * breaking config.yaml on disk, saving one camera while another is broken, clone, bulk tags.
 */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { launchChromium } from "./chromium.ts";
import { startWebStack } from "./harness.ts";
import type { Page } from "puppeteer-core";

const ADMIN = "a long admin password";
const CAM_PASSWORD = "cam-s3cret";

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function submit(page: Page, selector = "form.stack button[type=submit]") {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return res;
}

Deno.test({
  name:
    "the stream editor in chromium: write-only password, broken config banner, clone, bulk tags",
  async fn(t) {
    const shots = await Deno.makeTempDir({ prefix: "streampulse-editor-shots-" });
    console.log(`screenshots: ${shots}`);
    const cam = await startRtspServer({ auth: "digest", user: "admin", password: CAM_PASSWORD });
    const config = `heartbeat_seconds: 2\nstreams:\n` +
      `  - name: Front Door\n    url: ${cam.url("admin", CAM_PASSWORD)}\n    tags: [outside]\n` +
      `  - name: Back Door\n    url: rtsp://127.0.0.1:9/back\n`;
    const stack = await startWebStack({ config, reloadWaitMs: 3000 });
    const chrome = await launchChromium();
    try {
      const page = await chrome.browser.newPage();
      const shot = async (name: string) => {
        for (const [w, h, tag] of [[1440, 900, "desktop"], [390, 844, "phone"]] as const) {
          await page.setViewport({ width: w, height: h });
          await page.screenshot({ path: `${shots}/${name}-${tag}.png`, fullPage: true });
        }
        await page.setViewport({ width: 1440, height: 900 });
      };
      const noSecret = async (where: string) => {
        const html = await page.content();
        assert(!html.includes(CAM_PASSWORD), `no camera password in the HTML of ${where}`);
      };

      await t.step("set up the admin account", async () => {
        await page.goto(`${stack.url}/`);
        const token = /setup token ([\w-]+)/.exec(stack.logs())![1];
        await page.type("input[name=token]", token);
        await page.type("input[name=password]", ADMIN);
        await page.type("input[name=confirm]", ADMIN);
        await submit(page);
        assertEquals(new URL(page.url()).pathname, "/");
      });

      await t.step(
        "the editor shows the URL with its user only; Test now uses the stored password",
        async () => {
          await page.goto(`${stack.url}/streams/Front%20Door/edit`);
          assertEquals(
            await page.$eval("#f-url", (e) => (e as HTMLInputElement).value),
            cam.url("admin"),
          );
          assertEquals(await page.$eval("#f-password", (e) => (e as HTMLInputElement).value), "");
          assertEquals(
            await page.$eval("#f-password", (e) => (e as HTMLInputElement).placeholder),
            "•••• set",
          );
          await noSecret("the editor");
          await page.click(".assist button");
          await until("the test result", async () =>
            /^(OK|Failed)/.test(
              await page.$eval(".assist output", (e) => e.textContent ?? ""),
            ));
          assertStringIncludes(await page.$eval(".assist output", (e) => e.textContent!), "OK");
          await noSecret("the editor after Test now");
          await shot("01-editor");
        },
      );

      await t.step("media and alert keys save; the password stays", async () => {
        await page.select("#f-rtsp_transport", "tcp");
        await page.type("#f-freeze_seconds", "45");
        await page.type("#f-site", "north");
        await submit(page, "#stream-form button[type=submit]");
        assertEquals(new URL(page.url()).pathname, "/streams/Front%20Door");
        const text = await Deno.readTextFile(stack.configPath);
        assertStringIncludes(text, `url: ${cam.url("admin", CAM_PASSWORD)}`);
        assertStringIncludes(text, "rtsp_transport: tcp");
        assertStringIncludes(text, "freeze_seconds: 45");
        assertStringIncludes(text, "site: north");
      });

      await t.step(
        "clone: prefilled '<name> copy', the stored password kept write-only",
        async () => {
          await page.goto(`${stack.url}/streams/Front%20Door/edit`);
          await Promise.all([page.waitForNavigation(), page.click(".editor-more a")]);
          assertEquals(
            await page.$eval("#f-name", (e) => (e as HTMLInputElement).value),
            "Front Door copy",
          );
          await noSecret("the clone form");
          await shot("02-clone");
          await submit(page, "#stream-form button[type=submit]");
          const text = await Deno.readTextFile(stack.configPath);
          assertStringIncludes(
            text,
            `name: Front Door copy\n    url: ${cam.url("admin", CAM_PASSWORD)}`,
          );
        },
      );

      await t.step("bulk tags: two cameras, one save", async () => {
        await page.goto(`${stack.url}/streams/tags`);
        await page.click('input[value="Front Door"]');
        await page.click('input[value="Back Door"]');
        await page.type("#f-add", "site-a");
        await page.type("#f-remove", "outside");
        await submit(page, "#tags-form button[type=submit]");
        assertStringIncludes(await page.$eval(".tags-saved", (e) => e.textContent!), "2 cameras");
        await shot("03-bulk-tags");
        const tags = Object.fromEntries(stack.monitor.streams().map((s) => [s.name, s.tags]));
        assertEquals(tags["Front Door"], ["site-a"]);
        assertEquals(tags["Back Door"], ["site-a"]);
      });

      await t.step("a broken config.yaml shows a banner; one camera still saves", async () => {
        const text = await Deno.readTextFile(stack.configPath);
        await Deno.writeTextFile(
          stack.configPath,
          text.replace("url: rtsp://127.0.0.1:9/back", "url: not a url"),
        );
        await until("the banner", async () => {
          await page.goto(`${stack.url}/`);
          return (await page.$("#config-trouble")) !== null;
        });
        assertStringIncludes(
          await page.$eval("#config-trouble", (e) => e.textContent!),
          "Back Door — URL: is not a URL",
        );
        await shot("04-banner");
        await page.goto(`${stack.url}/streams/Front%20Door%20copy/edit`);
        await page.$eval("#f-tags", (e) => (e as HTMLInputElement).value = "");
        await page.type("#f-tags", "spare");
        await submit(page, "#stream-form button[type=submit]");
        assertStringIncludes(
          await page.$eval(".editor-pending", (e) => e.textContent!),
          "It is not applied yet",
        );
        await noSecret("the saved-but-pending editor");
        await shot("05-saved-while-broken");
        assertStringIncludes(await Deno.readTextFile(stack.configPath), "tags: [ spare ]");
      });
    } finally {
      await chrome.close();
      await stack.stop();
      await cam.stop();
    }
  },
});
