/**
 * Pages kept in Chromium's back/forward cache must not hold their event stream: with six
 * connections per host, the seventh dashboard load used to hang until the cache let go.
 */

import { assert } from "../assert.ts";
import { launchChromium } from "./chromium.ts";
import { startWebStack } from "./harness.ts";

const PASSWORD = "a long admin password";

Deno.test("the dashboard loaded ten times in a row, then back twice, still loads at once and is live", async () => {
  const stack = await startWebStack({
    env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD },
    config: `heartbeat_seconds: 2
streams:
  - {name: Dead, url: "rtsp://127.0.0.1:9/none", media: false}
`,
  });
  const chrome = await launchChromium();
  try {
    const page = await chrome.browser.newPage();
    await page.goto(`${stack.url}/login`);
    await page.type("input[name=password]", PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);
    for (let i = 0; i < 10; i++) {
      const t = Date.now();
      await page.goto(`${stack.url}/?q=${i}`, { waitUntil: "domcontentloaded", timeout: 10_000 });
      await page.waitForSelector(".link-live", { timeout: 10_000 });
      assert(Date.now() - t < 8000, `load ${i + 1} took ${Date.now() - t} ms`);
    }
    await page.goBack();
    await page.goBack();
    await page.waitForSelector(".link-live", { timeout: 10_000 });
    assert(new URL(page.url()).search === "?q=7", page.url());
  } finally {
    await chrome.close();
    await stack.stop();
  }
});
