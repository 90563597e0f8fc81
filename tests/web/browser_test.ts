/** The dashboard in Debian's chromium: sign-in, live updates, editors, XSS, CSRF, preview, CSV. */

import { parseDocument, type YAMLSeq } from "yaml";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { launchChromium } from "./chromium.ts";
import { startTarget } from "./target.ts";
import type { Page } from "puppeteer-core";

const XSS = "<img src=x onerror=alert(1)>";
const PASSWORD = "a long admin password";

/** ffmpeg preview processes reading `port` (the RTSP fixture's). */
async function previewProcesses(port: number): Promise<number> {
  const out = await new Deno.Command("pgrep", {
    args: ["-f", `ffmpeg .*127\\.0\\.0\\.1:${port}/live .*(mpjpeg|-f mp4)`],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean).length;
}

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The state of a stream's badge on the dashboard, or null when its row is missing. */
const badge = (page: Page, name: string) =>
  page.evaluate((n) => {
    const row = [...document.querySelectorAll<HTMLElement>("tr[data-stream]")]
      .find((r) => r.dataset.stream === n);
    return row?.querySelector<HTMLElement>(".badge")?.dataset.state ?? null;
  }, name);

async function submit(page: Page, selector = "form.stack button[type=submit]") {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return res;
}

Deno.test({
  name: "the dashboard in chromium: setup, login, live badges, editors, XSS, CSRF, preview, CSV",
  async fn(t) {
    const keep = Deno.env.get("STREAMPULSE_SHOTS");
    const shots = keep ?? await Deno.makeTempDir({ prefix: "streampulse-shots-" });
    await Deno.mkdir(shots, { recursive: true });
    const rtspA = await startRtspServer();
    const rtspB = await startRtspServer();
    // The real main.ts once it serves the dashboard, else the in-test stack (tests/web/target.ts).
    let stack = await startTarget(
      `heartbeat_seconds: 1\n{{WEB}}streams:\n  - name: "${XSS}"\n    url: rtsp://127.0.0.1:9/x\n` +
        `  - name: Preview cam\n    url: ${rtspB.url()}\n    tags: [lobby]\n`,
    );
    const chrome = await launchChromium();
    const dialogs: string[] = [];
    const figures: Record<string, number> = {};
    try {
      const page = await chrome.browser.newPage();
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        d.dismiss().catch(() => {});
      });
      const shot = (p: Page, name: string) =>
        p.screenshot({ path: `${shots}/${name}.png` as `${string}.png`, fullPage: true });
      const path = () => new URL(page.url()).pathname;

      await t.step("first-run setup asks for the token from the log", async () => {
        await page.goto(`${stack.url}/`);
        assertEquals(path(), "/setup");
        await shot(page, "01-setup");
        const token = /setup token ([\w-]+)/.exec(stack.logs())![1];
        await page.type("input[name=token]", "wrong-token");
        await page.type("input[name=password]", PASSWORD);
        await page.type("input[name=confirm]", PASSWORD);
        await submit(page);
        assertStringIncludes(await page.$eval(".alert", (e) => e.textContent!), "not valid");
        await page.$eval("input[name=token]", (e) => (e as HTMLInputElement).value = "");
        await page.type("input[name=token]", token);
        await page.type("input[name=password]", PASSWORD);
        await page.type("input[name=confirm]", PASSWORD);
        await submit(page);
        assertEquals(path(), "/");
      });

      await t.step("the XSS stream name renders as text and no dialog fires", async () => {
        await page.waitForSelector("tr[data-stream]");
        await until(
          "the live link",
          async () => (await page.$eval(".link", (e) => e.textContent)) === "● Live",
        );
        const names = await page.$$eval("tbody th a", (els) => els.map((e) => e.textContent));
        assertEquals(names, [XSS, "Preview cam"]);
        assertEquals(await page.$$eval("img", (els) => els.length), 0);
        await until("Preview cam up", async () => (await badge(page, "Preview cam")) === "up");
        await until("the XSS stream down", async () => (await badge(page, XSS)) === "down");
        await shot(page, "02-dashboard");
      });

      await t.step("sign out, a wrong password is refused, the right one signs in", async () => {
        await submit(page, "form[action='/logout'] button");
        assertEquals(path(), "/login");
        await page.type("input[name=password]", "not it");
        const res = await submit(page);
        assertEquals(res!.status(), 401);
        assertStringIncludes(await page.$eval(".alert", (e) => e.textContent!), "Wrong password");
        await shot(page, "03-login-wrong");
        await page.type("input[name=password]", PASSWORD);
        await submit(page);
        assertEquals(path(), "/");
      });

      await t.step("repeated wrong passwords are rate-limited", async () => {
        const ctx = await chrome.browser.createBrowserContext();
        const other = await ctx.newPage();
        try {
          await other.goto(`${stack.url}/login`);
          let status = 0;
          for (let i = 0; i < 6; i++) {
            await other.type("input[name=password]", `guess ${i}`);
            const [res] = await Promise.all([
              other.waitForNavigation(),
              other.click("form.stack button"),
            ]);
            status = res!.status();
          }
          assertEquals(status, 429);
          assertStringIncludes(
            await other.$eval(".alert", (e) => e.textContent!),
            "Too many failed attempts",
          );
          await shot(other, "04-rate-limited");
        } finally {
          await ctx.close();
        }
        await page.reload();
        assertEquals(path(), "/", "the signed-in browser is not affected");
      });

      await t.step(
        "adding a stream through the form: Test now, save, it appears and turns up",
        async () => {
          await page.goto(`${stack.url}/streams/new`);
          await page.type("#f-name", "Lobby cam");
          await page.type("#f-url", "ftp://nope");
          await page.waitForFunction(() =>
            document.querySelector("#p-url")?.textContent?.includes("not supported")
          );
          await page.$eval("#f-url", (e) => (e as HTMLInputElement).value = "");
          await page.type("#f-url", rtspA.url());
          await page.waitForFunction(() => document.querySelector("#p-url")?.textContent === "");
          await page.click(".assist button");
          await page.waitForSelector("output.ok", { timeout: 10_000 });
          assertStringIncludes(await page.$eval("output", (e) => e.textContent!), "OK");
          await shot(page, "05-editor-test-now");
          await submit(page, "#stream-form button[type=submit]");
          assertEquals(decodeURIComponent(path()), "/streams/Lobby cam");
          await page.goto(`${stack.url}/`);
          await until("Lobby cam up", async () => (await badge(page, "Lobby cam")) === "up");
          assertStringIncludes(await Deno.readTextFile(stack.configPath), "name: Lobby cam");
        },
      );

      await t.step("killing its server turns the badge down without a reload", async () => {
        await page.evaluate(() => (globalThis as unknown as { marker: number }).marker = 42);
        const t0 = Date.now();
        await rtspA.kill();
        await until(
          "Lobby cam down",
          async () => (await badge(page, "Lobby cam")) === "down",
          20_000,
        );
        figures.killToDownMs = Date.now() - t0;
        assertEquals(
          await page.evaluate(() => (globalThis as unknown as { marker: number }).marker),
          42,
        );
        await shot(page, "06-down-live");
      });

      await t.step("editing config.yaml on disk: the page follows", async () => {
        const doc = parseDocument(await Deno.readTextFile(stack.configPath));
        (doc.get("streams", true) as YAMLSeq).items.push(
          doc.createNode({ name: "From disk", url: "rtsp://127.0.0.1:9/disk", tags: ["yard"] }),
        );
        await Deno.writeTextFile(stack.configPath, doc.toString());
        await until("the new row", async () => (await badge(page, "From disk")) !== null);
        assertEquals(
          await page.evaluate(() => (globalThis as unknown as { marker: number }).marker),
          42,
        );
        await page.type("input[type=search]", "disk");
        await until("the filter", async () => (await page.$$("tbody tr")).length === 1);
        await shot(page, "07-config-on-disk-filtered");
      });

      await t.step(
        "after a server restart the page reconnects by itself and catches up",
        async () => {
          await page.$eval("input[type=search]", (e) => (e as HTMLInputElement).value = "");
          await page.goto(`${stack.url}/`);
          await until(
            "live",
            async () => (await page.$eval(".link", (e) => e.textContent)) === "● Live",
          );
          await page.evaluate(() => (globalThis as unknown as { marker: number }).marker = 7);
          const port = Number(new URL(stack.url).port);
          const old = stack;
          await stack.stop({ keepDir: true });
          await until(
            "the page to notice",
            async () => (await page.$eval(".link", (e) => e.textContent)) !== "● Live",
          );
          await shot(page, "08a-server-down");
          const doc = parseDocument(await Deno.readTextFile(stack.configPath));
          (doc.get("streams", true) as YAMLSeq).items.push(
            doc.createNode({ name: "Added while down", url: "rtsp://127.0.0.1:9/down" }),
          );
          await Deno.writeTextFile(stack.configPath, doc.toString());
          const t0 = Date.now();
          stack = await old.restart();
          assertEquals(Number(new URL(stack.url).port), port);
          await until(
            "the new stream",
            async () => (await badge(page, "Added while down")) !== null,
            15_000,
          );
          figures.restartToCaughtUpMs = Date.now() - t0;
          await until(
            "live again",
            async () => (await page.$eval(".link", (e) => e.textContent)) === "● Live",
          );
          assertEquals(
            await page.evaluate(() => (globalThis as unknown as { marker: number }).marker),
            7,
          );
        },
      );

      await t.step("a form post without the CSRF token is refused", async () => {
        const before = await Deno.readTextFile(stack.configPath);
        await page.evaluate(() => {
          const f = document.createElement("form");
          f.method = "post";
          f.action = "/streams/save";
          for (
            const [k, v] of [["name", "Sneaky"], ["url", "rtsp://127.0.0.1/x"], ["_version", "x"]]
          ) {
            const i = document.createElement("input");
            i.name = k;
            i.value = v;
            f.append(i);
          }
          document.body.append(f);
          f.submit();
        });
        const res = await page.waitForNavigation();
        assertEquals(res!.status(), 403);
        assertEquals(await Deno.readTextFile(stack.configPath), before);
      });

      await t.step(
        "stream page: chart, and a preview whose ffmpeg ends when the page closes",
        async () => {
          const p2 = await chrome.browser.newPage();
          p2.on("dialog", (d) => (dialogs.push(d.message()), d.dismiss().catch(() => {})));
          await p2.goto(`${stack.url}/streams/${encodeURIComponent("Preview cam")}`);
          await p2.waitForSelector(".plot canvas", { timeout: 10_000 });
          const buttons = await p2.$$(".preview button");
          await buttons[0].click();
          await p2.waitForFunction(
            // The live picture (MSE video, or the MJPEG transcode), not the stored snapshot.
            () =>
              [...document.querySelectorAll<HTMLImageElement>(".preview img")]
                .some((i) => i.src.includes("/preview") && i.naturalWidth > 0) ||
              (document.querySelector(".preview video") as HTMLVideoElement | null)?.readyState! >=
                2,
            {
              timeout: 15_000,
            },
          );
          assertEquals(await previewProcesses(rtspB.port), 1);
          if (stack.previews() !== undefined) assertEquals(stack.previews(), 1);
          await shot(p2, "08-stream-page-preview");
          await p2.close();
          await until(
            "ffmpeg to end",
            async () => (await previewProcesses(rtspB.port)) === 0,
            10_000,
          );
          await until("the preview slot to free", () => (stack.previews() ?? 0) === 0, 5000);
        },
      );

      await t.step("CSV export of a range", async () => {
        await page.goto(`${stack.url}/export`);
        await shot(page, "09-export");
        const day = new Date().toISOString().slice(0, 10);
        const csv = await page.evaluate(
          (d) =>
            fetch(`/export.csv?stream=${encodeURIComponent("Lobby cam")}&from=${d}&to=${d}`).then((
              r,
            ) => r.text()),
          day,
        );
        const lines = csv.trim().split("\r\n");
        assertEquals(lines[0], "stream,time,epoch_ms,ok,state,latency_ms,message");
        assert(lines.length > 2, csv);
        assert(lines.slice(1).every((l) => l.startsWith("Lobby cam,")));
        assert(
          lines.some((l) => l.includes(",true,up,")) && lines.some((l) => l.includes(",false,")),
        );
      });

      await t.step(
        "MQTT editor and settings render; the browser's time zone is offered",
        async () => {
          await page.goto(`${stack.url}/mqtt`);
          await page.waitForSelector("#mqtt-form");
          await shot(page, "12-mqtt");
          await page.goto(`${stack.url}/settings`);
          await page.waitForFunction(() =>
            !document.querySelector<HTMLButtonElement>(".island button")?.disabled
          );
          await page.$eval("#f-timezone", (e) => (e as HTMLInputElement).value = "");
          await page.click(".island button");
          const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
          assertEquals(await page.$eval("#f-timezone", (e) => (e as HTMLInputElement).value), zone);
          await shot(page, "13-settings");
        },
      );

      await t.step("readable on a phone and in dark mode", async () => {
        await page.goto(`${stack.url}/`);
        await page.setViewport({ width: 390, height: 844 });
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
        await page.waitForSelector("tr[data-stream]");
        await shot(page, "10-phone-dark");
        await page.goto(`${stack.url}/streams/new`);
        await page.keyboard.press("Tab");
        await page.keyboard.press("Tab");
        await shot(page, "11-phone-dark-editor-focus");
        await page.goto(`${stack.url}/streams/${encodeURIComponent("Preview cam")}`);
        await page.waitForSelector(".plot canvas");
        await shot(page, "14-phone-dark-stream");
      });
      assertEquals(dialogs, [], "no script dialog ever opened");
      console.log(`${stack.kind}: figures ${JSON.stringify(figures)}; screenshots in ${shots}`);
    } finally {
      await chrome.close();
      await stack.stop();
      await rtspA.kill();
      await rtspB.stop();
      if (!keep) await Deno.remove(shots, { recursive: true }).catch(() => {});
    }
  },
});
