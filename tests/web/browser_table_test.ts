/// <reference lib="dom" />
/**
 * The dashboard table in Debian's chromium against main.ts with 23 streams (two replay servers,
 * a dead port, a paused one): broken first, sort, group by host, the host-outage banner, URL
 * state across reload and back, no-script sorting, and the phone layout (one line per camera).
 */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { startReplayServer } from "../fixtures/rtsp_replay.ts";
import { launchChromium } from "./chromium.ts";
import { startTarget } from "./target.ts";
import type { Page } from "puppeteer-core";

const PASSWORD = "a long admin password";
const pad = (n: number) => String(n).padStart(2, "0");

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stream names in table order. */
const names = (page: Page) =>
  page.$$eval("tr[data-stream]", (els) => els.map((e) => (e as HTMLElement).dataset.stream!));

/** Each row's badge state, by name. */
const states = (page: Page) =>
  page.$$eval("tr[data-stream]", (els) =>
    Object.fromEntries(
      els.map((e) => [
        (e as HTMLElement).dataset.stream!,
        e.querySelector<HTMLElement>(".badge")?.dataset.state ?? "",
      ]),
    ));

async function submit(page: Page, selector = "form.stack button[type=submit]") {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return res;
}

Deno.test({
  name: "the dashboard table: broken first, sort, group by host, outage banner, URL state, phone",
  async fn(t) {
    const keep = Deno.env.get("STREAMPULSE_SHOTS");
    const shots = keep ?? await Deno.makeTempDir({ prefix: "streampulse-table-shots-" });
    await Deno.mkdir(shots, { recursive: true });
    const yard = await startReplayServer();
    const gate = await startReplayServer();
    const line = (name: string, url: string, extra = "") =>
      `  - {name: "${name}", url: "${url}", media: false${extra}}\n`;
    let streams = "";
    for (let i = 1; i <= 12; i++) {
      streams += line(`Yard ${pad(i)}`, yard.url(`/h264/moving/y${i}`), ", tags: [yard]");
    }
    for (let i = 1; i <= 9; i++) {
      streams += line(`Gate ${pad(i)}`, gate.url(`/h264/moving/g${i}`), ", tags: [gate]");
    }
    streams += line("Dead cam", "rtsp://127.0.0.1:9/x");
    streams += line("Paused cam", yard.url("/h264/moving/p"), ", enabled: false");
    const stack = await startTarget(
      `heartbeat_seconds: 1\ntimezone: Europe/Berlin\n{{WEB}}streams:\n${streams}`,
    );
    const chrome = await launchChromium();
    let gateClosed = false;
    try {
      const page = await chrome.browser.newPage();
      await page.setViewport({ width: 1440, height: 900 });
      const shot = (name: string) =>
        page.screenshot({ path: `${shots}/${name}.png` as `${string}.png`, fullPage: true });
      const url = () => new URL(page.url());

      await t.step("sign in through first-run setup", async () => {
        await page.goto(`${stack.url}/`);
        const token = /setup token ([\w-]+)/.exec(stack.logs())![1];
        await page.type("input[name=token]", token);
        await page.type("input[name=password]", PASSWORD);
        await page.type("input[name=confirm]", PASSWORD);
        await submit(page);
        assertEquals(url().pathname, "/");
      });

      await t.step(
        "broken first: the dead stream on top, the paused one paused, never unknown",
        async () => {
          await until("every stream checked", async () => {
            const s = await states(page);
            return s["Dead cam"] === "down" && s["Yard 01"] === "up" &&
              Object.values(s).filter((v) => v === "up").length === 21;
          });
          const order = await names(page);
          assertEquals(order.length, 23);
          assertEquals(order[0], "Dead cam");
          assertEquals(order[1], "Paused cam", "paused comes before up");
          assertEquals(order.slice(2, 5), ["Gate 01", "Gate 02", "Gate 03"]);
          assertEquals((await states(page))["Paused cam"], "paused");
          assertEquals(
            await page.$("[data-count=unknown]").then((e) => e?.evaluate((b) => b.textContent)),
            "0",
          );
          assertEquals(await page.$eval("[data-count=paused]", (b) => b.textContent), "1");
          assertEquals(await page.$eval("[data-count=down]", (b) => b.textContent), "1");
          assertEquals(
            await page.$eval("th[aria-sort]", (e) => [e.textContent, e.getAttribute("aria-sort")]),
            ["State ▲", "ascending"],
          );
          await shot("01-broken-first-1440");
        },
      );

      await t.step("clicking a header sorts by it, a second click reverses it", async () => {
        await page.click("thead a.table-sort[href*='sort=name']");
        await until("sorted by name", async () =>
          (await names(page))[0] === "Dead cam" &&
          (await names(page))[1] === "Gate 01");
        assertEquals(url().search, "?sort=name");
        assertEquals(
          await page.$eval("th[aria-sort]", (e) => [e.textContent, e.getAttribute("aria-sort")]),
          ["Stream ▲", "ascending"],
        );
        await page.click("th[aria-sort] a");
        await until("reversed", async () => (await names(page))[0] === "Yard 12");
        assertEquals(url().search, "?sort=-name");
        assertEquals(
          await page.$eval("th[aria-sort]", (e) => e.getAttribute("aria-sort")),
          "descending",
        );
        await page.goBack();
        await until("back to ascending", async () => (await names(page))[1] === "Gate 01");
        assertEquals(url().search, "?sort=name");
      });

      await t.step("group by host, then killing one replay server raises the banner", async () => {
        await page.select("select.table-group-by", "host");
        await until(
          "three host groups",
          async () => (await page.$$("tr.table-group")).length === 3,
        );
        assertEquals(url().search, "?sort=name&group=host");
        const heads = await page.$$eval("tr.table-group", (els) => els.map((e) => e.textContent));
        assertStringIncludes(heads[0]!, "127.0.0.1:9");
        assertStringIncludes(heads.join("|"), `127.0.0.1:${yard.port} (13)`);
        await gate.close();
        gateClosed = true;
        const banner = `.table-outages li[data-host="127.0.0.1:${gate.port}"]`;
        await until(
          "the outage banner with all nine",
          async () =>
            (await page.$eval(banner, (e) => e.textContent!).catch(() => "")).includes(
              " 9 streams",
            ),
          30_000,
        );
        const text = await page.$eval(
          `.table-outages li[data-host="127.0.0.1:${gate.port}"]`,
          (e) => e.textContent!,
        );
        assert(
          new RegExp(`^127\\.0\\.0\\.1:${gate.port}: 9 streams down since \\d\\d:\\d\\d$`).test(
            text,
          ),
          text,
        );
        const berlin = new Intl.DateTimeFormat("en-GB", {
          timeZone: "Europe/Berlin",
          hour: "2-digit",
          minute: "2-digit",
          hourCycle: "h23",
        }).format(Date.now());
        const [h, m] = berlin.split(":").map(Number);
        const [bh, bm] = text.slice(-5).split(":").map(Number);
        assert(Math.abs((h * 60 + m) - (bh * 60 + bm)) % 1440 <= 2, `${text} is Berlin time`);
        await until(
          "the gate group first",
          async () =>
            (await page.$eval("tr.table-group", (e) => e.textContent!)).includes(`${gate.port}`),
        );
        // Collapsing a group hides its rows and says so.
        await page.click("tr.table-group button");
        assertEquals(
          await page.$eval("tr.table-group button", (b) => b.getAttribute("aria-expanded")),
          "false",
        );
        assertEquals((await names(page)).filter((n) => n.startsWith("Gate")).length, 0);
        await page.click("tr.table-group button");
        await shot("02-group-host-outage-1440");
      });

      await t.step("state filter and search land in the URL, survive reload and back", async () => {
        await page.type("input[type=search]", "gate");
        await until("searched", async () => (await names(page)).length === 9);
        await until(
          "nine down",
          async () => (await page.$eval("[data-count=down]", (b) => b.textContent)) === "9",
        );
        assertEquals(await page.$eval("[data-count=all]", (b) => b.textContent), "9");
        assertEquals(await page.$eval("[data-count=down]", (b) => b.textContent), "9");
        assertEquals(await page.$eval("[data-count=up]", (b) => b.textContent), "0");
        await page.click("button.count-down");
        const want = "?state=down&q=gate&sort=name&group=host";
        await until("the URL", () => url().search === want);
        assertEquals(
          await page.$eval(".table-grid-link", (a) => a.getAttribute("href")),
          `/grid${want}`,
        );
        await page.reload();
        await until("restored", async () => (await names(page)).length === 9);
        assertEquals(
          await page.$eval("input[type=search]", (e) => (e as HTMLInputElement).value),
          "gate",
        );
        assertEquals(
          await page.$eval("button.count-down", (b) => b.getAttribute("aria-pressed")),
          "true",
        );
        assertEquals(
          await page.$eval("select.table-group-by", (e) => (e as HTMLSelectElement).value),
          "host",
        );
        await page.goBack();
        await until(
          "the filter off again",
          async () =>
            (await page.$eval("button.count-down", (b) => b.getAttribute("aria-pressed"))) ===
              "false",
        );
        assertEquals(url().searchParams.get("state"), null);
        assertEquals(url().searchParams.get("q"), "gate");
      });

      await t.step("without script the server sorts and groups from the URL too", async () => {
        const p2 = await chrome.browser.newPage();
        await p2.setJavaScriptEnabled(false);
        await p2.goto(`${stack.url}/?sort=-name`);
        const order = await names(p2);
        assertEquals(order.slice(0, 2), ["Yard 12", "Yard 11"]);
        const html = await p2.content();
        assert(!html.includes("rtsp://"), "no stream URL in the page");
        await p2.close();
      });

      await t.step(
        "phone: one line per camera with state, name and cause; nav on one line",
        async () => {
          await page.goto(`${stack.url}/`);
          await page.setViewport({ width: 390, height: 844 });
          await until("rows", async () => (await names(page)).length === 23);
          const boxes = await page.$$eval("tr[data-stream]", (els) =>
            els.map((e) => {
              const r = e.getBoundingClientRect();
              const msg = e.querySelector(".table-cause .msg")!.getBoundingClientRect();
              const badge = e.querySelector(".badge")!.getBoundingClientRect();
              return { h: r.height, w: r.width, msgW: msg.width, badgeX: badge.x, x: r.x };
            }));
          for (const b of boxes) {
            assert(b.h < 44, `a row is ${b.h}px high`);
            assert(b.msgW > 20, "the cause is visible");
            assert(b.w <= 390);
          }
          const nav = await page.$$eval(
            ".top nav > *",
            (els) => els.map((e) => Math.round(e.getBoundingClientRect().top)),
          );
          assert(Math.max(...nav) - Math.min(...nav) <= 4, `nav items on one line: ${nav}`);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert(width <= 390, `the page is ${width}px wide`);
          await shot("03-phone-390");
          await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
          await shot("04-phone-390-dark");
        },
      );
      console.log(`table screenshots in ${shots}`);
    } finally {
      await chrome.close();
      await stack.stop();
      await yard.close();
      if (!gateClosed) await gate.close();
      if (!keep) await Deno.remove(shots, { recursive: true }).catch(() => {});
    }
  },
});
