/**
 * Bulk import in Debian's chromium on a real StreamPulse with a real camera: paste lines, the
 * preview (credentials masked, a duplicate skipped), import, the camera checked on the
 * dashboard; a Frigate config.yml uploaded; screenshots at 1440×900 and 390×844.
 */

import { createRequire } from "node:module";
import "axe-core";
import type { Page } from "puppeteer-core";
import { parseDocument } from "yaml";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { launchChromium } from "./chromium.ts";
import { startWebStack } from "./harness.ts";

const PASSWORD = "a long admin password";
const CAM_PW = "Brows3r-import-pw";

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const AXE = await Deno.readTextFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"));

/** axe-core's serious and critical violations on the page, as "id: help (targets)". */
async function axeSerious(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const r = await (globalThis as any).axe.run(document, { resultTypes: ["violations"] });
    // deno-lint-ignore no-explicit-any
    return r.violations.filter((v: any) => v.impact === "serious" || v.impact === "critical")
      // deno-lint-ignore no-explicit-any
      .map((v: any) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n: any) => n.target)})`);
  });
}

async function submit(page: Page, selector: string) {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return res;
}

/** The preview's rows as [name, status text]. */
const previewRows = (page: Page) =>
  page.$$eval(".import-table tbody tr", (trs) =>
    trs.map((tr) => [
      tr.querySelector("th")!.textContent!.trim(),
      tr.querySelector(".import-status")!.textContent!.trim(),
    ]));

Deno.test({
  name:
    "bulk import in chromium: paste, preview masked, duplicate skipped, import, checked; Frigate upload",
  async fn(t) {
    const shots = Deno.env.get("STREAMPULSE_SHOTS") ??
      await Deno.makeTempDir({ prefix: "streampulse-import-shots-" });
    await Deno.mkdir(shots, { recursive: true });
    const rtsp = await startRtspServer({ auth: "digest", user: "viewer", password: CAM_PW });
    const stack = await startWebStack({
      env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD },
      config: `# kept through the import
heartbeat_seconds: 1
streams:
  - {name: Till, url: "rtsp://127.0.0.1:9/till", media: false}
`,
    });
    const chrome = await launchChromium();
    try {
      const page = await chrome.browser.newPage();
      const wide = () => page.setViewport({ width: 1440, height: 900 });
      const phone = () => page.setViewport({ width: 390, height: 844, isMobile: true });
      const shot = (name: string) =>
        page.screenshot({ path: `${shots}/${name}.png` as `${string}.png`, fullPage: true });
      const noSecret = async (where: string) => {
        const html = await page.content();
        assert(!html.includes(CAM_PW), `the camera password is in the ${where} page`);
      };
      await wide();

      await t.step("the dashboard links to the import form", async () => {
        await page.goto(`${stack.url}/login`);
        await page.type("input[name=password]", PASSWORD);
        await submit(page, "form.stack button[type=submit]");
        await submit(page, "a[href='/streams/import']");
        assertEquals(new URL(page.url()).pathname, "/streams/import");
        await shot("01-import-form-1440");
        assertEquals(await axeSerious(page), []);
        await phone();
        await shot("01-import-form-390");
        assertEquals(await axeSerious(page), []);
        await wide();
      });

      await t.step("pasted lines give a preview with credentials masked", async () => {
        const text = [
          `Lobby ${rtsp.url("viewer", CAM_PW)} inside ground-floor`,
          "Till rtsp://127.0.0.1:9/elsewhere",
          `rtsp://admin:${CAM_PW}@127.0.0.1:9/back`,
          "Bad ftp://10.0.0.9/x",
        ].join("\n");
        await page.$eval("#import-text", (e, v) => (e as HTMLTextAreaElement).value = v, text);
        await submit(page, "#import-form button[type=submit]");
        assertEquals(new URL(page.url()).pathname, "/streams/import/preview");
        await noSecret("preview");
        const rows = await previewRows(page);
        assertEquals(rows.map((r) => r[0]), ["Lobby", "Till", "127.0.0.1:9/back", "Bad"]);
        assertEquals(rows[0][1], "new");
        assertEquals(rows[1][1], "duplicate (same name)");
        assertStringIncludes(rows[3][1], 'invalid: url scheme "ftp" is not supported');
        const urls = await page.$$eval(".import-url", (els) => els.map((e) => e.textContent));
        assertStringIncludes(urls[0]!, "rtsp://***@127.0.0.1:");
        assertEquals(
          await page.$eval("#import-preview button[type=submit]", (e) => e.textContent),
          "Import 2 cameras",
        );
        await shot("02-import-preview-1440");
        assertEquals(await axeSerious(page), []);
        await phone();
        await shot("02-import-preview-390");
        assertEquals(await axeSerious(page), []);
        await wide();
      });

      await t.step("importing writes config.yaml once and the camera comes up", async () => {
        await page.click("#pick-2"); // leave the dead bare URL out
        await submit(page, "#import-preview button[type=submit]");
        await noSecret("result");
        assertStringIncludes(await page.$eval("h1", (e) => e.textContent!), "Imported 1 camera");
        await shot("03-import-done-1440");
        assertEquals(await axeSerious(page), []);
        const text = await Deno.readTextFile(stack.configPath);
        assertStringIncludes(text, "# kept through the import");
        const names = (parseDocument(text).toJS().streams as Array<{ name: string }>)
          .map((s) => s.name);
        assertEquals(names, ["Till", "Lobby"]);
        await until("Lobby up", () => stack.monitor.status("Lobby")?.state === "up");
        await submit(page, "a.button[href='/']");
        await until(
          "Lobby's badge up on the dashboard",
          () =>
            page.evaluate(() =>
              [...document.querySelectorAll<HTMLElement>("tr[data-stream]")]
                .find((r) => r.dataset.stream === "Lobby")
                ?.querySelector<HTMLElement>(".badge")?.dataset.state === "up"
            ),
        );
        await noSecret("dashboard");
        await shot("04-dashboard-after-import-1440");
      });

      await t.step(
        "an uploaded Frigate config.yml previews with its placeholders flagged",
        async () => {
          await page.goto(`${stack.url}/streams/import`);
          await page.select("#import-format", "frigate");
          const input = await page.$("input#import-file");
          await input!.uploadFile(
            decodeURIComponent(
              new URL("../fixtures/import/frigate_config.yml", import.meta.url).pathname,
            ),
          );
          await submit(page, "#import-form button[type=submit]");
          const html = await page.content();
          for (const pw of ["Backyard-2024", "GaragePass9"]) assert(!html.includes(pw), pw);
          assertStringIncludes(html, "{FRIGATE_RTSP_PASSWORD} is a Frigate env substitution");
          const rows = await previewRows(page);
          assertEquals(rows.map((r) => r[0]), [
            "front_door",
            "backyard",
            "driveway",
            "garage",
            "doorbell",
          ]);
          await shot("05-import-frigate-1440");
          await phone();
          await shot("05-import-frigate-390");
          assertEquals(await axeSerious(page), []);
          const overflow = await page.evaluate(() =>
            document.documentElement.scrollWidth - document.documentElement.clientWidth
          );
          assert(overflow <= 1, `the phone preview scrolls sideways by ${overflow}px`);
        },
      );
      console.log(`screenshots: ${shots}`);
    } finally {
      await chrome.close();
      await stack.stop();
      await rtsp.stop();
    }
  },
});
