/**
 * Accessibility of every dashboard page: Chromium crawls the signed-in dashboard from its nav and
 * pages (real cameras behind it) and runs axe-core (npm:axe-core) on each page at desktop and phone
 * size, light and dark; no serious or critical violation may remain.
 */

import { createRequire } from "node:module";
import "axe-core";
import type { Page } from "puppeteer-core";
import { assert, assertEquals } from "../assert.ts";
import { startReplayServer } from "../fixtures/rtsp_replay.ts";
import { launchChromium } from "./chromium.ts";
import { startWebStack } from "./harness.ts";

const PASSWORD = "a long admin password";
const AXE = await Deno.readTextFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"));

/** Links not to follow: they end the session, change things, stream media or download files. */
const SKIP =
  /\/(logout|delete|toggle|preview|live\.mp4|snapshot\.jpg|thumb\.jpg)(\/|\?|$)|\.(csv|jpg|svg|json)(\?|$)|^\/api\//;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function axe(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE);
  return await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const r = await (globalThis as any).axe.run(document, {
      resultTypes: ["violations"],
    });
    // deno-lint-ignore no-explicit-any
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // deno-lint-ignore no-explicit-any
      nodes: v.nodes.slice(0, 3).map((n: any) => ({ target: n.target })),
    }));
  });
}

Deno.test("axe-core finds no serious or critical violation on any dashboard page, desktop and phone, light and dark", async () => {
  const cams = await startReplayServer();
  const stack = await startWebStack({
    env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD },
    config: `heartbeat_seconds: 2
streams:
  - {name: Moving, url: "${cams.url("/h264/moving")}", tags: [yard]}
  - {name: Black, url: "${cams.url("/h264/black")}", tags: [yard]}
  - {name: Dead, url: "rtsp://127.0.0.1:9/none", media: false}
`,
  });
  const chrome = await launchChromium();
  const shots = await Deno.makeTempDir({ prefix: "streampulse-axe-" });
  try {
    const page = await chrome.browser.newPage();
    await page.goto(`${stack.url}/login`);
    await page.type("input[name=password]", PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);
    assertEquals(new URL(page.url()).pathname, "/");
    await new Promise((r) => setTimeout(r, 3000)); // first checks in

    // Crawl: every same-origin page reachable from the dashboard (bounded).
    // The black camera's page first: its evidence pair is the richest stream page.
    const seen = new Set<string>(["/", "/streams/Black"]);
    const queue = ["/", "/streams/Black"];
    const pages: string[] = [];
    while (queue.length && pages.length < 40) {
      const path = queue.shift()!;
      const res = await page.goto(`${stack.url}${path}`, { waitUntil: "domcontentloaded" })
        .catch((err) => {
          throw new Error(`crawling ${path}: ${err.message}`);
        });
      if (!res || res.status() !== 200 || !res.headers()["content-type"]?.includes("text/html")) {
        continue;
      }
      pages.push(path);
      const links = await page.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href")!));
      for (const href of links) {
        const u = new URL(href, `${stack.url}${path}`);
        if (u.origin !== stack.url) continue;
        const p = u.pathname + u.search;
        if (SKIP.test(u.pathname) || SKIP.test(p) || seen.has(p)) continue;
        if (u.searchParams.has("sort")) continue; // the same page in another order
        // One stream's pages are enough: the other streams' pages have the same shape.
        const shape = (x: string) => x.replace(/\/streams\/(Moving|Black|Dead)\b/, "/streams/*");
        if ([...seen].some((s) => shape(s) === shape(p) && s !== p)) continue;
        seen.add(p);
        queue.push(p);
      }
    }
    assert(pages.length >= 5, `only ${pages.length} pages found: ${pages}`);

    const problems: string[] = [];
    for (const [w, h, scheme] of [[1440, 900, "light"], [390, 844, "dark"]] as const) {
      await page.setViewport({ width: w, height: h });
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      for (const path of pages) {
        // Live pages (event streams, previews) never reach "load": DOM ready, then hydration.
        await page.goto(`${stack.url}${path}`, { waitUntil: "domcontentloaded" }).catch((err) => {
          throw new Error(`${w}px ${path}: ${err.message}`);
        });
        await new Promise((r) => setTimeout(r, 300));
        for (const v of await axe(page)) {
          if (v.impact !== "serious" && v.impact !== "critical") continue;
          const where = v.nodes.map((n) => n.target.join(" ")).join(", ");
          problems.push(`${w}px ${scheme} ${path}: ${v.impact} ${v.id} (${v.help}) at ${where}`);
        }
        const name = `${w}-${scheme}${path.replace(/[^\w]+/g, "_")}`.slice(0, 80);
        await page.screenshot({ path: `${shots}/${name}.png` as `${string}.png` });
      }
    }
    console.log(`axe: ${pages.length} pages (${pages.join(" ")}); screenshots in ${shots}`);
    assertEquals(problems, []);
  } finally {
    await chrome.close();
    await stack.stop();
    await cams.close();
  }
});
