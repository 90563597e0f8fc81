/** Tests that the RTSP probe answers a hostile server's endless 401s a bounded number of times. */

import { assert, assertEquals } from "../../assert.ts";
import { rtspProbe } from "../../../monitor/probes/rtsp.ts";
import type { ProbeContext, StreamConfig } from "../../../monitor/types.ts";
import { type HostileRtspMode, startHostileRtspServer } from "../../fixtures/rtsp_hostile.ts";

function stream(url: string): StreamConfig {
  return {
    name: "hostile",
    url,
    enabled: true,
    intervalSeconds: 10,
    timeoutSeconds: 5,
    tags: [],
    tlsInsecure: false,
  };
}

function ctx(): ProbeContext {
  return { signal: new AbortController().signal, timeoutMs: 5000, memory: {}, now: Date.now };
}

for (const mode of ["stale", "fresh"] as HostileRtspMode[]) {
  Deno.test(`rtspProbe.check() sends a few requests to a server that always answers 401 ${mode}`, async () => {
    const srv = startHostileRtspServer(mode);
    try {
      const res = await rtspProbe.check(stream(srv.url), ctx());
      const sent = srv.requests();
      console.log(`${mode}: ${sent} requests in one check, "${res.message}"`);
      assertEquals([res.ok, res.message], [false, "authentication failed"]);
      assert(sent <= 4, `one check sent ${sent} requests`);
    } finally {
      await srv.stop();
    }
  });
}

Deno.test("rtspProbe.check() still re-answers one stale nonce", async () => {
  const srv = startHostileRtspServer("stale-once");
  try {
    const res = await rtspProbe.check(stream(srv.url), ctx());
    assertEquals([res.ok, res.message], [true, "RTSP 200, H264 video"]);
    // OPTIONS, its answer (stale 401), the re-answer (200), then DESCRIBE with the same nonce.
    assertEquals(srv.requests(), 4);
  } finally {
    await srv.stop();
  }
});
