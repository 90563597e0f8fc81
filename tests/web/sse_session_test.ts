/** Case 5 over real sockets: an event stream ends with its session (logout, password change). */

import { assert, assertEquals } from "../assert.ts";
import { startWebStack } from "./harness.ts";
import { setupAndSignIn } from "./helpers.ts";
import { httpSignIn } from "./http.ts";

/** Opens `/events` with `cookie` and counts what arrives after `mark()`. */
async function openEvents(url: string, cookie: string) {
  const res = await fetch(`${url}/events`, { headers: { cookie } });
  assertEquals(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let ended = false;
  let events = 0;
  const pump = (async () => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        events += (value.match(/^event: /gm) ?? []).length;
      }
    } catch { /* cancelled */ }
    ended = true;
  })();
  while (!buf.includes("event: snapshot")) await new Promise((r) => setTimeout(r, 10));
  events = 0;
  return {
    /** Events received since the snapshot. */
    events: () => events,
    ended: () => ended,
    /** Waits until the stream ends or `ms` pass; true when it ended. */
    async waitEnd(ms: number) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise((r) => timer = setTimeout(r, ms));
      await Promise.race([pump, limit]);
      clearTimeout(timer);
      return ended;
    },
    async close() {
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}

/** Emits `n` config-error events, each of which every open stream receives. */
function emitMany(bus: { emit(e: "config-error", p: { message: string }): void }, n: number) {
  for (let i = 0; i < n; i++) bus.emit("config-error", { message: `event ${i}` });
}

Deno.test("POST /logout ends that session's open /events stream at once", async () => {
  const s = await startWebStack({ env: { STREAMPULSE_ADMIN_PASSWORD: "password1" } });
  try {
    const browser = await httpSignIn(s.url, "password1");
    const ev = await openEvents(s.url, browser.cookie);
    assertEquals((await browser.post("/logout", {})).status, 303);
    emitMany(s.bus, 38);
    const ended = await ev.waitEnd(3000);
    console.log(`after logout: ${ev.events()} events received, stream ended: ${ended}`);
    await ev.close();
    assertEquals(ev.events(), 0, "no event reaches a signed-out browser");
    assert(ended, "the stream is closed");
  } finally {
    await s.stop();
  }
});

Deno.test("a password change ends the other sessions' streams and keeps its own", async () => {
  const s = await startWebStack({});
  try {
    // Set the first password in process, then sign two browsers in over HTTP.
    await setupAndSignIn(s.web.app, s.web.setupToken()!, "password1");
    const mine = await httpSignIn(s.url, "password1");
    const other = await httpSignIn(s.url, "password1");
    const myEvents = await openEvents(s.url, mine.cookie);
    const otherEvents = await openEvents(s.url, other.cookie);
    const res = await mine.post("/settings/password", {
      current: "password1",
      password: "password2",
      confirm: "password2",
    });
    assertEquals(res.status, 200);
    await res.body?.cancel();
    emitMany(s.bus, 5);
    assert(await otherEvents.waitEnd(3000), "the other session's stream is closed");
    assertEquals(otherEvents.events(), 0);
    while (myEvents.events() < 5) await new Promise((r) => setTimeout(r, 10));
    assert(!myEvents.ended(), "the session that changed the password keeps its stream");
    await myEvents.close();
  } finally {
    await s.stop();
  }
});

Deno.test("an /events stream ends when its session expires", async () => {
  let t = Date.now();
  const s = await startWebStack({ env: { STREAMPULSE_ADMIN_PASSWORD: "password1" }, now: () => t });
  try {
    const browser = await httpSignIn(s.url, "password1");
    const ev = await openEvents(s.url, browser.cookie);
    t += 7 * 86_400_000 + 1; // unused for 7 days: the session is over
    emitMany(s.bus, 5);
    const ended = await ev.waitEnd(3000);
    console.log(`after expiry: ${ev.events()} events received, stream ended: ${ended}`);
    await ev.close();
    assertEquals(ev.events(), 0, "no event reaches an expired session");
    assert(ended, "the stream is closed");
  } finally {
    await s.stop();
  }
});
