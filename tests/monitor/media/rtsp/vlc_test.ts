/** Media sessions against VLC's RTSP server, which offers RTP over UDP only (TCP gets 461). */

import { assert, assertEquals } from "../../../assert.ts";
import { createRtspMediaSampler, createUdpPortPool } from "../../../../monitor/media/rtsp/mod.ts";
import { startVlcRtsp, vlcTestFile } from "../../../fixtures/vlc.ts";
import { childrenDuring, ctxOf, streamOf } from "./harness.ts";

Deno.test("sample() in auto mode falls back to UDP on VLC's 461, is up with codec facts and remembers UDP", async () => {
  const vlc = await startVlcRtsp(await vlcTestFile("h264"));
  const ports = createUdpPortPool({ pairs: 4 });
  const sampler = createRtspMediaSampler({ ports });
  const memory: Record<string, unknown> = {};
  try {
    const { value: first, children } = await childrenDuring(() =>
      sampler.sample(streamOf(vlc.url), ctxOf(memory))
    );
    assert(first.result.ok, first.result.message);
    const m = first.media!;
    assertEquals(m.attempts, [
      { transport: "tcp", outcome: "unsupported-transport" },
      { transport: "udp", outcome: "ok" },
    ]);
    assertEquals([m.ok, m.transport, m.codec, m.width, m.height], [true, "udp", "H264", 320, 240]);
    assert(m.fps !== null && Math.abs(m.fps - 10) < 0.5, `fps ${m.fps}`);
    assert(m.keyframes.length >= 1 && m.keyframes[0].data.length > 1000);
    assertEquals(memory.rtspTransport, "udp");
    assertEquals(children, [], "no child process during the session");
    // Next time UDP goes first: one SETUP, no 461 round trip.
    const second = await sampler.sample(streamOf(vlc.url), ctxOf(memory));
    assertEquals(second.media?.attempts, [{ transport: "udp", outcome: "ok" }]);
    assertEquals(ports.inUse, 0);
  } finally {
    await vlc.stop();
  }
});

Deno.test("sample() reads H.265 facts from VLC serving an x265 file over UDP", async () => {
  const vlc = await startVlcRtsp(await vlcTestFile("h265"));
  try {
    const { result, media } = await createRtspMediaSampler().sample(
      streamOf(vlc.url, { rtspTransport: "udp" }),
      ctxOf(),
    );
    assert(result.ok, result.message);
    assertEquals([media?.ok, media?.codec, media?.width, media?.height], [true, "H265", 320, 240]);
    assert(media?.keyframes[0]?.data.length, "an H.265 keyframe kept");
  } finally {
    await vlc.stop();
  }
});
