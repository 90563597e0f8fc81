/**
 * The live preview in Debian's chromium on a real StreamPulse: a real GStreamer camera's H.264
 * plays through Media Source Extensions (fMP4, not transcoded), a dead camera says "connection
 * refused" at once; screenshots at 1440×900 and 390×844.
 */

import type { Page } from "puppeteer-core";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { secretForms, watchCommandLines } from "../fixtures/cmdline_watch.ts";
import { refusedPort } from "../fixtures/media_server.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { launchChromium } from "./chromium.ts";
import { startWebStack } from "./harness.ts";

const PASSWORD = "a long admin password";

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** ffmpeg fMP4 preview processes reading RTSP port `port` (directly or through a relay). */
async function mp4Processes(): Promise<string[]> {
  const out = await new Deno.Command("pgrep", {
    args: ["-a", "-f", "ffmpeg .*-c:v copy -f mp4"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean);
}

/** The preview `<video>`'s state: readyState, currentTime, size, and whether MSE feeds it. */
const videoState = (page: Page) =>
  page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>(".preview video");
    return v
      ? {
        ready: v.readyState,
        time: v.currentTime,
        width: v.videoWidth,
        mse: v.src.startsWith("blob:"),
      }
      : null;
  });

async function clickButton(page: Page, text: string) {
  const buttons = await page.$$(".preview button");
  for (const b of buttons) {
    if ((await b.evaluate((e) => e.textContent)) === text) return await b.click();
  }
  throw new Error(`no "${text}" button`);
}

Deno.test({
  name: "the live preview in chromium: H.264 via MSE from a real camera, a dead one says why",
  async fn(t) {
    const shots = Deno.env.get("STREAMPULSE_SHOTS") ??
      await Deno.makeTempDir({ prefix: "streampulse-preview-shots-" });
    await Deno.mkdir(shots, { recursive: true });
    const tag = crypto.randomUUID().slice(0, 8);
    const [user, secret] = [`cam${tag}`, `pw${tag}Zq`];
    const rtsp = await startRtspServer({
      auth: "digest",
      user,
      password: secret,
      pattern: "smpte",
    });
    const stack = await startWebStack({
      env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD },
      config: `heartbeat_seconds: 1
streams:
  - {name: Gate cam, url: "${rtsp.url(user, secret)}", timeout_seconds: 3, media: false}
  - {name: Dead cam, url: "rtsp://127.0.0.1:${refusedPort()}/live", timeout_seconds: 3, media: false}
`,
    });
    const chrome = await launchChromium();
    const watch = watchCommandLines(secretForms(user, secret), { ignore: /rtsp_server\.py/ });
    try {
      const page = await chrome.browser.newPage();
      await page.setViewport({ width: 1440, height: 900 });
      const logs: string[] = [];
      page.on("console", (m) => void logs.push(m.text()));
      page.on("pageerror", (e) => void logs.push(String(e)));
      const shot = (name: string) =>
        page.screenshot({ path: `${shots}/${name}.png` as `${string}.png`, fullPage: true });
      await page.goto(`${stack.url}/login`);
      await page.type("input[name=password]", PASSWORD);
      await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);

      await t.step("a real camera's H.264 plays through MSE and advances", async () => {
        await page.goto(`${stack.url}/streams/${encodeURIComponent("Gate cam")}`);
        assert(!(await page.content()).includes(secret), "no password in the page");
        await clickButton(page, "Live preview");
        await until(
          "the video to have data",
          async () => ((await videoState(page))?.ready ?? 0) >= 2,
        ).catch(async (err) => {
          const note = await page.$eval(".preview", (e) => e.textContent);
          const state = JSON.stringify(await videoState(page));
          throw new Error(`${err.message}: ${state} ${note} ${logs.join("; ")}`);
        });
        const first = (await videoState(page))!;
        assert(first.mse, "the <video> is fed by a MediaSource");
        assertEquals(first.width, 320, "the camera's own size: not transcoded");
        await until(
          "playback to advance",
          async () => (await videoState(page))!.time > first.time + 1,
        );
        assertStringIncludes(
          await page.$eval(".preview [role=status]", (e) => e.textContent!),
          "avc1.",
        );
        const procs = await mp4Processes();
        assertEquals(procs.length, 1, "one ffmpeg copies the stream");
        assert(!procs[0].includes(secret) && procs[0].includes("127.0.0.1"), "through the relay");
        await shot("preview-1440");
        await page.setViewport({ width: 390, height: 844 });
        await new Promise((r) => setTimeout(r, 500)); // the chart re-lays itself out
        await shot("preview-390");
        await page.setViewport({ width: 1440, height: 900 });
        await clickButton(page, "Stop");
        await until("ffmpeg to end", async () => (await mp4Processes()).length === 0, 10_000);
        await until("the preview slot to free", () => stack.web.previews() === 0, 5000);
      });

      await t.step("a dead camera says connection refused at once, no ffmpeg started", async () => {
        await page.goto(`${stack.url}/streams/${encodeURIComponent("Dead cam")}`);
        const t0 = Date.now();
        await clickButton(page, "Live preview");
        await page.waitForSelector(".preview-problem", { timeout: 5000 });
        const text = await page.$eval(".preview-problem", (e) => e.textContent!);
        assertEquals(text, "No picture: connection refused");
        assert(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
        assertEquals(await mp4Processes(), []);
        await shot("dead-1440");
        await page.setViewport({ width: 390, height: 844 });
        await shot("dead-390");
      });
      console.log(`screenshots: ${shots}`);
    } finally {
      const seen = await watch.stop();
      await chrome.close();
      await stack.stop();
      await rtsp.stop();
      assertEquals(seen.leaks, [], "a command line held the camera's credentials");
    }
  },
});
