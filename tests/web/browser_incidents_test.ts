/**
 * The incident log in Debian's chromium on a real StreamPulse: a real camera killed and restarted
 * shows up as an ended incident, a dead one as ongoing; filter, ack from the log, CSV; screenshots
 * at 1440×900 and 390×844.
 */

import type { Page } from "puppeteer-core";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { launchChromium } from "./chromium.ts";
import { startWebStack } from "./harness.ts";

const PASSWORD = "a long admin password";

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function submit(page: Page, selector: string) {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return res;
}

/** The log's rows as [stream, state, end text]. */
const logRows = (page: Page) =>
  page.$$eval("table.incidents-table tbody tr", (trs) =>
    trs.map((tr) => [
      tr.querySelector("th")!.textContent!.trim(),
      tr.querySelector<HTMLElement>(".badge")?.dataset.state ?? "",
      tr.querySelector("td[data-label=End]")!.textContent!.trim(),
    ]));

Deno.test({
  name: "the incident log in chromium: a killed and restarted camera, filters, ack, CSV, phone",
  async fn(t) {
    const shots = Deno.env.get("STREAMPULSE_SHOTS") ??
      await Deno.makeTempDir({ prefix: "streampulse-incidents-shots-" });
    await Deno.mkdir(shots, { recursive: true });
    let rtsp = await startRtspServer();
    const port = rtsp.port;
    const stack = await startWebStack({
      env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD },
      config: `heartbeat_seconds: 1
timezone: Europe/Berlin
streams:
  - {name: Gate cam, url: "${
        rtsp.url("admin", "pw_GATE_SECRET")
      }", tags: [outdoor], site: north, timeout_seconds: 1, media: false}
  - {name: Dead cam, url: "rtsp://127.0.0.1:9/none", tags: [indoor], site: south, timeout_seconds: 1, media: false}
`,
    });
    const chrome = await launchChromium();
    const state = (name: string) => stack.monitor.status(name)?.state;
    try {
      const page = await chrome.browser.newPage();
      await page.setViewport({ width: 1440, height: 900 });
      const shot = (name: string) =>
        page.screenshot({ path: `${shots}/${name}.png` as `${string}.png`, fullPage: true });

      await t.step("a camera killed and started again leaves an ended incident", async () => {
        await until("Gate cam up", () => state("Gate cam") === "up");
        await rtsp.kill();
        await until("Gate cam down", () => state("Gate cam") === "down");
        rtsp = await startRtspServer({ port });
        await until("Gate cam up again", () => state("Gate cam") === "up");
        await until("Dead cam down", () => state("Dead cam") === "down");
      });

      await t.step("the log lists both incidents, newest first, from the nav", async () => {
        await page.goto(`${stack.url}/login`);
        await page.type("input[name=password]", PASSWORD);
        await submit(page, "form.stack button[type=submit]");
        await submit(page, "nav a[href='/incidents']");
        assertEquals(new URL(page.url()).pathname, "/incidents");
        const rows = await logRows(page);
        const gate = rows.find((r) => r[0] === "Gate cam");
        const dead = rows.find((r) => r[0] === "Dead cam");
        assert(gate && dead, JSON.stringify(rows));
        assertEquals(gate[1], "down");
        assert(!gate[2].startsWith("ongoing"), `Gate cam's incident ended: ${gate[2]}`);
        assert(dead[2].startsWith("ongoing"), `Dead cam's incident lasts: ${dead[2]}`);
        const text = await page.$eval("main", (m) => m.textContent!);
        assertStringIncludes(text, "connection refused");
        assertStringIncludes(text, "Times in Europe/Berlin");
        assert(!(await page.content()).includes("pw_GATE_SECRET"), "no camera password");
        await shot("incidents-1440");
      });

      await t.step("filters land in the URL and narrow the list", async () => {
        await page.select("select[name=stream]", "Gate cam");
        await submit(page, ".incidents-filters button[type=submit]");
        assertStringIncludes(page.url(), "stream=Gate+cam");
        assert((await logRows(page)).every((r) => r[0] === "Gate cam"));
        await page.click("input[name=open]");
        await submit(page, ".incidents-filters button[type=submit]");
        assertStringIncludes(page.url(), "open=1");
        assertEquals(await logRows(page), []);
        assertStringIncludes(await page.$eval(".empty", (e) => e.textContent!), "No incidents");
        await page.goto(`${stack.url}/incidents?stream=Gate+cam`);
      });

      await t.step("acknowledging from the log keeps the filter and shows the note", async () => {
        const form = "tr[id^=incident-] form.ack";
        await page.type(`${form} input[name=note]`, "Power cut at the gate, back at once");
        await submit(page, `${form} button[type=submit]`);
        const url = new URL(page.url());
        assertEquals(url.pathname, "/incidents");
        assertEquals(url.searchParams.get("stream"), "Gate cam");
        assert(url.hash.startsWith("#incident-"), url.hash);
        const note = await page.$eval(`${url.hash} .ack-note`, (e) => e.textContent);
        assertEquals(note, "Power cut at the gate, back at once");
        assertEquals(
          await page.$eval(`${url.hash} form.ack button`, (e) => e.textContent),
          "Update note",
        );
        const inc = stack.store.allIncidents({ names: ["Gate cam"] })[0];
        assertEquals(inc.ack?.note, "Power cut at the gate, back at once");
      });

      await t.step("the CSV link downloads the filtered incidents", async () => {
        const href = await page.$eval(
          "a.button[href^='/incidents.csv']",
          (a) => a.getAttribute("href")!,
        );
        assertEquals(href, "/incidents.csv?stream=Gate+cam");
        const csv = await page.evaluate(async (h) => await (await fetch(h)).text(), href);
        const lines = csv.trim().split("\r\n");
        assertEquals(lines.length, 2, csv);
        assertStringIncludes(lines[1], "Gate cam,down,");
        assertStringIncludes(lines[1], "Power cut at the gate");
      });

      await t.step(
        "on a phone every incident is one card with its cause, no sideways scroll",
        async () => {
          await page.setViewport({ width: 390, height: 844 });
          await page.goto(`${stack.url}/incidents`);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert(width <= 390, `page is ${width}px wide`);
          const causeVisible = await page.$eval("td[data-label=Cause]", (td) => {
            const r = td.getBoundingClientRect();
            return r.width > 0 && r.right <= 390 && td.textContent!.includes("connection refused");
          });
          assert(causeVisible, "the cause is shown inside the card");
          await shot("incidents-390");
          await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
          await shot("incidents-390-dark");
        },
      );
      console.log(`incident log screenshots in ${shots}`);
    } finally {
      await chrome.close();
      await stack.stop();
      await rtsp.stop();
    }
  },
});
