/** A viewer in Debian's chromium: no edit controls, forged writes refused; the public page. */

import { createRequire } from "node:module";
import "axe-core";
import { assert, assertEquals } from "../assert.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { launchChromium } from "./chromium.ts";
import { startWebStack } from "./harness.ts";
import type { Page } from "puppeteer-core";

const ADMIN = "a long admin password";
const VIEWER = "a viewer password";
const SIZES = [[1440, 900], [390, 844]] as const;

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

async function signIn(page: Page, url: string, user: string, password: string) {
  await page.goto(`${url}/login`);
  if (user) await page.type("input[name=user]", user);
  await page.type("input[name=password]", password);
  const res = await submit(page, "form[action='/login'] button[type=submit]");
  assertEquals(
    new URL(page.url()).pathname,
    "/",
    `sign-in of "${user || "admin"}": ${res?.status()}`,
  );
}

/** Editing controls a person can see: posting forms (but sign-out) and editor links. */
const visibleEditControls = (page: Page) =>
  page.evaluate(() => {
    const shown = (e: Element) => (e as HTMLElement).offsetParent !== null;
    const forms = [...document.querySelectorAll("form")]
      .filter((f) => f.method === "post" && !f.action.endsWith("/logout") && shown(f))
      .map((f) => `form ${new URL(f.action).pathname}`);
    const links = [...document.querySelectorAll<HTMLAnchorElement>("a[href]")]
      .filter((a) =>
        /\/(new|edit|delete|clone|import)(\/|$)|^\/(users|settings|mqtt)/.test(
          new URL(a.href).pathname,
        ) && shown(a)
      )
      .map((a) => `link ${new URL(a.href).pathname}`);
    return [...forms, ...links];
  });

Deno.test({
  name:
    "a viewer in chromium sees no edit controls and a forged POST is refused; /status is public",
  async fn(t) {
    const shots = Deno.env.get("STREAMPULSE_SHOTS") ??
      await Deno.makeTempDir({ prefix: "streampulse-users-shots-" });
    await Deno.mkdir(shots, { recursive: true });
    console.log(`screenshots: ${shots}`);
    const cam = await startRtspServer({ auth: "digest", password: "camsecret" });
    const stack = await startWebStack({
      config: `heartbeat_seconds: 2\nstreams:\n` +
        `  - {name: Lobby cam, url: "${cam.url("user", "camsecret")}", tags: [lobby]}\n` +
        `  - {name: Dead cam, url: "rtsp://127.0.0.1:9/x", tags: [lobby]}\n`,
      env: { STREAMPULSE_ADMIN_PASSWORD: ADMIN },
    });
    const chrome = await launchChromium();
    const shot = async (p: Page, name: string) => {
      for (const [width, height] of SIZES) {
        await p.setViewport({ width, height });
        await p.screenshot({
          path: `${shots}/${name}-${width}.png` as `${string}.png`,
          fullPage: true,
        });
      }
      await p.setViewport({ width: 1440, height: 900 });
    };
    try {
      const adminCtx = await chrome.browser.createBrowserContext();
      const admin = await adminCtx.newPage();
      await t.step("the admin adds a viewer and turns the public page on", async () => {
        await signIn(admin, stack.url, "", ADMIN);
        await admin.goto(`${stack.url}/users`);
        await admin.type("#users-add input[name=name]", "lobby");
        await admin.type("#users-add input[name=password]", VIEWER);
        await submit(admin, "#users-add button[type=submit]");
        await admin.click("form[action='/users/public'] input[name=enabled]");
        await admin.type("form[action='/users/public'] textarea", "Lobby: #lobby");
        await submit(admin, "form[action='/users/public'] button[type=submit]");
        const html = await admin.content();
        assert(html.includes("lobby") && html.includes("/badge/lobby/state.svg"), "saved");
        assert(!html.includes(VIEWER), "no password in the page");
        await shot(admin, "01-users");
        assertEquals(await axeSerious(admin), [], "axe on /users");
      });

      const viewerCtx = await chrome.browser.createBrowserContext();
      const viewer = await viewerCtx.newPage();
      await t.step("the viewer signs in and sees no edit control on any page", async () => {
        await signIn(viewer, stack.url, "lobby", VIEWER);
        const nav = await viewer.$$eval(
          "nav[aria-label=Main] a",
          (as) => as.map((a) => a.textContent),
        );
        assert(
          !nav.includes("Add stream") && !nav.includes("Users") && !nav.includes("Settings"),
          String(nav),
        );
        for (
          const path of ["/", "/streams/Lobby%20cam", "/streams/Dead%20cam", "/alerts", "/export"]
        ) {
          const res = await viewer.goto(`${stack.url}${path}`);
          assertEquals(res?.status(), 200, path);
          assertEquals(await visibleEditControls(viewer), [], `edit controls on ${path}`);
          assertEquals(await axeSerious(viewer), [], `axe on ${path} as a viewer`);
        }
        await viewer.goto(`${stack.url}/`);
        await shot(viewer, "02-viewer-dashboard");
        await viewer.goto(`${stack.url}/streams/Lobby%20cam`);
        await shot(viewer, "03-viewer-stream");
      });

      await t.step("a forged POST from the viewer's page is refused, watching is not", async () => {
        const out = await viewer.evaluate(async () => {
          const csrf = document.querySelector<HTMLMetaElement>("meta[name=csrf-token]")!.content;
          const post = (path: string, body: Record<string, string>) =>
            fetch(path, {
              method: "POST",
              headers: {
                "x-csrf-token": csrf,
                "content-type": "application/x-www-form-urlencoded",
              },
              body: new URLSearchParams({ _csrf: csrf, ...body }),
              redirect: "manual",
            }).then((r) => r.status);
          return {
            toggle: await post("/streams/Lobby%20cam/toggle", { enabled: "false" }),
            test: await post("/streams/test", { name: "x", url: "rtsp://127.0.0.1:9/x" }),
            users: await post("/users", { name: "evil", password: "long enough" }),
            mute: await fetch("/api/streams/Lobby%20cam/mute", {
              method: "POST",
              headers: { "x-csrf-token": csrf, "content-type": "application/json" },
              body: JSON.stringify({ minutes: 60 }),
            }).then((r) => r.status),
            editor: await fetch("/streams/new").then((r) => r.status),
            snapshot: await fetch("/streams/Lobby%20cam/snapshot.jpg").then((r) => r.status),
          };
        });
        assertEquals(out, {
          toggle: 403,
          test: 403,
          users: 403,
          mute: 403,
          editor: 403,
          snapshot: 200,
        });
        assert(
          stack.config().streams.find((s) => s.name === "Lobby cam")?.enabled,
          "still enabled",
        );
      });

      await t.step("the public status page needs no sign-in and shows no URL", async () => {
        const anonCtx = await chrome.browser.createBrowserContext();
        const anon = await anonCtx.newPage();
        const res = await anon.goto(`${stack.url}/status`);
        assertEquals(res?.status(), 200);
        const html = await anon.content();
        assert(html.includes("Lobby cam") && html.includes("Dead cam"), "both streams listed");
        assert(!html.includes("camsecret") && !html.includes("rtsp:"), "no URL or credential");
        await shot(anon, "04-public-status");
        assertEquals(await axeSerious(anon), [], "axe on /status");
        await anon.setViewport({ width: 390, height: 844 });
        assertEquals(await axeSerious(anon), [], "axe on /status at 390×844");
        await anon.goto(`${stack.url}/login`);
        assertEquals(await axeSerious(anon), [], "axe on /login");
        const svg = await anon.goto(`${stack.url}/badge/lobby/state.svg`);
        assertEquals(svg?.headers()["content-type"], "image/svg+xml; charset=utf-8");
        await anon.setViewport({ width: 400, height: 120 });
        await anon.screenshot({ path: `${shots}/05-badge.png` });
        await anonCtx.close();
      });
      await viewerCtx.close();
      await adminCtx.close();
    } finally {
      await chrome.close();
      await stack.stop();
      await cam.stop();
    }
  },
});
