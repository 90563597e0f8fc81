/// <reference lib="dom" />
/**
 * `deno task bench --dashboard`: the dashboard with 1,000 streams in Debian's Chromium — time to
 * first paint, time to a complete live table, JS shipped (gzip), and one state change (a camera
 * killed) until it is visible. Figures printed beside the "today" figures; no assertions.
 */

import { launchChromium } from "../tests/web/chromium.ts";
import { startReplayServer } from "../tests/fixtures/rtsp_replay.ts";
import { startStreamPulse } from "../tests/fixtures/streampulse.ts";

const N = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 1000);
const PASSWORD = "a long admin password";
const ms = (x: number) => `${Math.round(x)} ms`;

const cams = await startReplayServer();
const probe = await startReplayServer();
let streams = "";
for (let i = 0; i < N; i++) {
  streams += `  - {name: "cam-${String(i).padStart(4, "0")}", url: "${
    cams.url("/h264/moving")
  }", media: false, tags: [site-${i % 10}]}\n`;
}
streams += `  - {name: "probe", url: "${
  probe.url("/h264/moving")
}", media: false, interval_seconds: 1, timeout_seconds: 1}\n`;
const sp = await startStreamPulse({
  config: `heartbeat_seconds: 10\napi: {port: {{API_PORT}}}\nstreams:\n${streams}`,
  env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: "warn" },
});
const base = `http://127.0.0.1:${sp.webPort}`;
const chrome = await launchChromium();
try {
  // Every stream checked once before measuring, so the table is in its steady state.
  await sp.until(
    async () => {
      const s = (await sp.get("/api/status")).body as Record<string, { state: string }>;
      return Object.values(s).filter((x) => x.state !== "unknown").length >= N + 1;
    },
    120_000,
    "every stream checked",
  );
  const page = await chrome.browser.newPage();
  await page.setViewport({ width: 1440, height: 900 });
  await page.goto(`${base}/login`);
  await page.type("input[name=password]", PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);

  // JS shipped: every script the dashboard page loads (entry and the chunks it imports), as the
  // server sends them (gzip).
  const loaded = new Set<string>();
  const onResponse = (r: { url(): string; request(): { resourceType(): string } }) => {
    if (r.request().resourceType() === "script") loaded.add(r.url());
  };
  page.on("response", onResponse);
  await page.goto(`${base}/`, { waitUntil: "networkidle2" }).catch(() => {});
  await page.waitForSelector(".link-live", { timeout: 60_000 });
  page.off("response", onResponse);
  let gzipBytes = 0;
  let rawBytes = 0;
  const cookies = (await page.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  for (const url of loaded) {
    const res = await fetch(url, { headers: { "accept-encoding": "gzip", cookie: cookies } });
    const body = new Uint8Array(await res.arrayBuffer()); // fetch decodes; length is raw
    rawBytes += body.length;
    gzipBytes += Number(res.headers.get("content-length") ?? 0) || body.length;
  }
  const seen = loaded;

  const rounds: { fcp: number; complete: number }[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await page.goto(`${base}/`, { waitUntil: "domcontentloaded" });
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll("[data-stream]").length >= n &&
        document.querySelector(".link-live") !== null,
      { timeout: 60_000, polling: 50 },
      N + 1,
    );
    const complete = performance.now() - t0;
    const fcp = await page.evaluate(() =>
      performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN
    );
    rounds.push({ fcp, complete });
  }

  // One state change: the probe camera killed → its badge shows down.
  const state = () =>
    page.evaluate(() => {
      const row = [...document.querySelectorAll<HTMLElement>("[data-stream]")]
        .find((r) => r.dataset.stream === "probe");
      return row?.querySelector<HTMLElement>("[data-state]")?.dataset.state ?? null;
    });
  let killToVisible = NaN;
  let apiDownAt = NaN;
  const killed = performance.now();
  await probe.close();
  for (let i = 0; i < 400; i++) {
    if (Number.isNaN(apiDownAt)) {
      const s = (await sp.get("/api/status")).body as Record<string, { state: string }>;
      if (s.probe?.state === "down") apiDownAt = performance.now() - killed;
    }
    if ((await state()) === "down") {
      killToVisible = performance.now() - killed;
      break;
    }
    await new Promise((res) => setTimeout(res, 25));
  }

  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`Dashboard bench: ${N} streams + 1 probe, Chromium 1440×900, 3 loads (median)`);
  console.log(`  first contentful paint            ${ms(med(rounds.map((x) => x.fcp)))}`);
  console.log(
    `  complete live table (${N + 1} rows, SSE live)  ${
      ms(med(rounds.map((x) => x.complete)))
    }   today: 1,400–1,500 ms`,
  );
  console.log(
    `  JS shipped                        ${(gzipBytes / 1024).toFixed(1)} KB gzip (${
      (rawBytes / 1024).toFixed(1)
    } KB raw, ${seen.size} files)   today: 13.6 KB gzip`,
  );
  console.log(
    `  camera killed → down in the API   ${ms(apiDownAt)} (interval 1 s, timeout 1 s, re-check)`,
  );
  console.log(`  camera killed → badge down        ${ms(killToVisible)}`);
  console.log(
    `  state change → visible            ${
      ms(killToVisible - apiDownAt)
    } (badge minus API; ±25 ms polling)`,
  );
} finally {
  await chrome.close();
  await sp.stop();
  await cams.close();
  await probe.close();
  await Deno.remove(sp.dir, { recursive: true }).catch(() => {});
}
