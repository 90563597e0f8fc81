/** Launches Debian's chromium through puppeteer-core (never a downloaded browser) for tests. */

import puppeteer, { type Browser } from "puppeteer-core";

/** A running headless chromium with its own fresh profile. */
export interface Chromium {
  browser: Browser;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Flags that keep chromium quiet and offline (see /work/shared/TOOLCHAIN.md). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Starts `/usr/lib/chromium/chromium` (or `/usr/bin/chromium`) headless with a temp profile. */
export async function launchChromium(): Promise<Chromium> {
  const profile = await Deno.makeTempDir({ prefix: "streampulse-chromium-" });
  let executablePath = "/usr/lib/chromium/chromium";
  try {
    await Deno.stat(executablePath);
  } catch {
    executablePath = "/usr/bin/chromium";
  }
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir: profile,
    args: CHROMIUM_ARGS,
    defaultViewport: { width: 1280, height: 860 },
  });
  return {
    browser,
    async close() {
      await browser.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
