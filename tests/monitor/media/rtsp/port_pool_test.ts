/** The UDP port pool: even/odd pairs, the bound on pairs held, release on every path. */

import { assert, assertEquals } from "../../../assert.ts";
import { createUdpPortPool } from "../../../../monitor/media/rtsp/mod.ts";
import { freePort } from "../../../fixtures/rtsp.ts";

Deno.test("acquire() binds an even RTP port with RTCP one above, and release() frees both", async () => {
  const pool = createUdpPortPool({ pairs: 3 });
  const pairs = await Promise.all([1, 2, 3].map(() => pool.acquire("127.0.0.1")));
  try {
    for (const p of pairs) {
      assertEquals([p.rtpPort % 2, p.rtcpPort], [0, p.rtpPort + 1]);
      assertEquals((p.rtp.address() as { port: number }).port, p.rtpPort);
    }
    assertEquals(new Set(pairs.map((p) => p.rtpPort)).size, 3);
    assertEquals(pool.inUse, 3);
  } finally {
    await Promise.all(pairs.map((p) => p.release()));
    await pairs[0].release(); // twice is harmless
  }
  assertEquals(pool.inUse, 0);
});

Deno.test("acquire() waits for a free pair beyond the pool's size and gives up when its signal aborts", async () => {
  const pool = createUdpPortPool({ pairs: 1 });
  const held = await pool.acquire("127.0.0.1");
  const gaveUp = await pool.acquire("127.0.0.1", { signal: AbortSignal.timeout(100) })
    .then(() => false, (err) => err instanceof DOMException && err.name === "TimeoutError");
  assert(gaveUp, "rejected with the signal's reason");
  const waiting = pool.acquire("127.0.0.1");
  await held.release();
  const next = await waiting;
  assertEquals(pool.inUse, 1);
  await next.release();
  assertEquals(pool.inUse, 0);
});

Deno.test("acquire() with a basePort uses the fixed range and skips a port another program holds", async () => {
  let base = freePort() & ~1;
  if (base > 65000) base = 40000;
  const squatter = await new Promise<import("node:dgram").Socket>((resolve) => {
    import("node:dgram").then(({ default: dgram }) => {
      const s = dgram.createSocket("udp4");
      s.bind(base, "127.0.0.1", () => resolve(s));
    });
  });
  const pool = createUdpPortPool({ pairs: 2, basePort: base });
  try {
    const pair = await pool.acquire("127.0.0.1");
    assertEquals([pair.rtpPort, pair.rtcpPort], [base + 2, base + 3]);
    const none = await pool.acquire("127.0.0.1").then(() => "", (e: Error) => e.message);
    assert(none.includes("No free UDP port pair"), none);
    await pair.release();
    assertEquals(pool.inUse, 0);
  } finally {
    await new Promise<void>((r) => squatter.close(() => r()));
  }
});
