/** Media sessions against real peers: GStreamer's RTSP server (Digest, TCP) and scripted cameras. */

import { assert, assertEquals } from "../../../assert.ts";
import { createRtspMediaSampler, createUdpPortPool } from "../../../../monitor/media/rtsp/mod.ts";
import { startRtspServer } from "../../../fixtures/rtsp.ts";
import { startMediaCamera } from "../../../fixtures/rtsp_media_camera.ts";
import { startScriptedCamera } from "../../../fixtures/rtsp_scripted.ts";
import { watchCommandLines } from "../../../fixtures/cmdline_watch.ts";
import { ffmpegDecode } from "../rtp/real_rtp.ts";
import {
  childrenDuring,
  ctxOf,
  h264Capture,
  h265Capture,
  isH264KeyPacket,
  streamOf,
} from "./harness.ts";

Deno.test("sample() reads 320x240 H.264 at 10 fps and a decodable keyframe from GStreamer over TCP with Digest", async () => {
  const server = await startRtspServer({ auth: "digest", user: "viewer", password: "s3cret-pw" });
  const sampler = createRtspMediaSampler();
  const memory = {};
  try {
    const watch = watchCommandLines(["s3cret-pw"], { ignore: /rtsp_server\.py/ });
    const { value, children } = await childrenDuring(() =>
      sampler.sample(streamOf(server.url("viewer", "s3cret-pw")), ctxOf(memory))
    );
    const report = await watch.stop();
    const { result, media } = value;
    assert(result.ok, result.message);
    assert(media, "a media sample");
    assertEquals(media.problem, undefined);
    assertEquals([media.ok, media.transport, media.codec], [true, "tcp", "H264"]);
    assertEquals([media.width, media.height], [320, 240]);
    assert(media.fps !== null && Math.abs(media.fps - 10) < 0.5, `fps ${media.fps}`);
    assert(media.keyframeCount >= 1 && media.keyframes.length >= 1);
    assert(media.timeToFirstKeyframeMs !== null && media.timeToFirstKeyframeMs < 2000);
    assert((media.bitrateKbps ?? 0) > 0 && media.lostPackets === 0);
    assertEquals(memory, { rtspTransport: "tcp" });
    assertEquals(children, [], "no child process during the session");
    assertEquals(report.leaks, []);
    const decoded = await ffmpegDecode("h264", media.keyframes[0].data);
    assertEquals([decoded.ok, decoded.frames, decoded.size], [true, 1, "320x240"]);
  } finally {
    await server.stop();
  }
});

Deno.test("sample() says authentication failed and runs no media session on a wrong password", async () => {
  const server = await startRtspServer({ auth: "digest", user: "viewer", password: "s3cret-pw" });
  try {
    const { result, media } = await createRtspMediaSampler().sample(
      streamOf(server.url("viewer", "wrong")),
      ctxOf(),
    );
    assertEquals([result.ok, result.message, media], [false, "authentication failed", undefined]);
  } finally {
    await server.stop();
  }
});

Deno.test("sample() reads H.265 from real x265 RTP over UDP", async () => {
  const cam = startMediaCamera(await h265Capture());
  const ports = createUdpPortPool({ pairs: 2 });
  try {
    const { result, media } = await createRtspMediaSampler({ ports }).sample(
      streamOf(cam.url, { rtspTransport: "udp" }),
      ctxOf(),
    );
    assert(result.ok, result.message);
    assertEquals([media?.ok, media?.transport, media?.codec], [true, "udp", "H265"]);
    assertEquals([media?.width, media?.height, media?.fps], [320, 240, 10]);
    assert((media?.keyframes[0]?.data.length ?? 0) > 100);
    const decoded = await ffmpegDecode("hevc", media!.keyframes[0].data);
    assertEquals([decoded.ok, decoded.size], [true, "320x240"]);
    assertEquals(ports.inUse, 0);
    assertEquals(cam.requests.map((r) => r.split(" ")[0]).slice(-3), ["SETUP", "PLAY", "TEARDOWN"]);
  } finally {
    await cam.stop();
  }
});

Deno.test("sample() says no video received when PLAY is answered and nothing arrives, on both transports", async () => {
  const cam = startMediaCamera({ ...(await h264Capture()), behaviour: "silent" });
  const memory = {};
  try {
    const { result, media } = await createRtspMediaSampler().sample(
      streamOf(cam.url),
      ctxOf(memory),
      { window: { noDataMs: 600 } },
    );
    assert(result.ok);
    assertEquals([media?.ok, media?.cause, media?.problem], [
      false,
      "no-video",
      "no video received",
    ]);
    assertEquals(media?.attempts, [
      { transport: "tcp", outcome: "no-video" },
      { transport: "udp", outcome: "no-video" },
    ]);
    assertEquals(cam.transports, ["tcp", "udp"]);
    assertEquals(cam.requests.filter((r) => r.startsWith("TEARDOWN")).length, 2);
    assertEquals(memory, {}, "nothing worked: nothing remembered");
  } finally {
    await cam.stop();
  }
});

Deno.test("sample() says stream stopped mid-window when packets stop after three pictures", async () => {
  const cam = startMediaCamera({ ...(await h264Capture()), stopAfterFrames: 3 });
  try {
    const { media } = await createRtspMediaSampler().sample(streamOf(cam.url), ctxOf(), {
      window: { stallMs: 500 },
    });
    assertEquals([media?.ok, media?.cause], [false, "stopped"]);
    assertEquals(media?.problem, "stream stopped mid-window");
    assertEquals([media?.frames, media?.keyframeCount, media?.width], [3, 1, 320]);
    assert((media?.windowMs ?? 0) < 1500, `window ${media?.windowMs} ms`);
  } finally {
    await cam.stop();
  }
});

Deno.test("sample() keeps the pictures a server sends before its PLAY answer (a shared GStreamer stream)", async () => {
  const cam = startMediaCamera({
    ...(await h264Capture()),
    stopAfterFrames: 3,
    picturesBeforePlayAnswer: 3,
  });
  try {
    const { media } = await createRtspMediaSampler().sample(streamOf(cam.url), ctxOf(), {
      window: { stallMs: 500 },
    });
    assertEquals(media?.problem, "stream stopped mid-window");
    assertEquals([media?.frames, media?.keyframeCount, media?.width], [3, 1, 320]);
  } finally {
    await cam.stop();
  }
});

Deno.test("sample() says garbage RTP for valid headers around random payloads", async () => {
  const cam = startMediaCamera({ ...(await h264Capture()), behaviour: "garbage" });
  try {
    const { result, media } = await createRtspMediaSampler().sample(streamOf(cam.url), ctxOf());
    assert(result.ok);
    assertEquals([media?.ok, media?.cause], [false, "garbage"]);
    assert(media?.problem?.startsWith("garbage RTP: "), media?.problem);
    assert((media?.problems.length ?? 0) > 0);
  } finally {
    await cam.stop();
  }
});

Deno.test("sample() says no keyframe within the window when only P-frames arrive", async () => {
  const cam = startMediaCamera({ ...(await h264Capture()), drop: isH264KeyPacket });
  try {
    const { media } = await createRtspMediaSampler().sample(streamOf(cam.url), ctxOf(), {
      window: { windowMs: 1500 },
    });
    assertEquals([media?.ok, media?.cause, media?.problem], [
      false,
      "no-keyframe",
      "no keyframe within 2 s",
    ]);
    assert((media?.frames ?? 0) >= 10 && media?.keyframes.length === 0);
  } finally {
    await cam.stop();
  }
});

Deno.test("sample() with rtsp_transport tcp on a UDP-only server says 461 unsupported transport", async () => {
  const cam = startMediaCamera({ ...(await h264Capture()), udpOnly: true });
  const memory = {};
  try {
    const forced = await createRtspMediaSampler().sample(
      streamOf(cam.url, { rtspTransport: "tcp" }),
      ctxOf(memory),
    );
    assertEquals([forced.media?.cause, forced.media?.problem], [
      "unsupported-transport",
      "461 unsupported transport",
    ]);
    const auto = await createRtspMediaSampler().sample(streamOf(cam.url), ctxOf(memory));
    assertEquals([auto.media?.ok, auto.media?.transport], [true, "udp"]);
    assertEquals(memory, { rtspTransport: "udp" });
  } finally {
    await cam.stop();
  }
});

Deno.test("sample() in auto mode falls back to UDP when TCP delivers nothing, on the same connection", async () => {
  const cam = startMediaCamera({ ...(await h264Capture()), silentTcp: true });
  const memory = {};
  try {
    const { media } = await createRtspMediaSampler().sample(streamOf(cam.url), ctxOf(memory), {
      window: { noDataMs: 500 },
    });
    assertEquals(media?.attempts, [
      { transport: "tcp", outcome: "no-video" },
      { transport: "udp", outcome: "ok" },
    ]);
    assertEquals([media?.ok, media?.width], [true, 320]);
    assertEquals(memory, { rtspTransport: "udp" });
    assertEquals(cam.requests.filter((r) => r.startsWith("OPTIONS")).length, 1, "one connection");
  } finally {
    await cam.stop();
  }
});

Deno.test("sample() ends at once when its signal aborts mid-window and frees its UDP ports", async () => {
  const cam = startMediaCamera({ ...(await h264Capture()), behaviour: "silent" });
  const ports = createUdpPortPool({ pairs: 1 });
  const ac = new AbortController();
  try {
    const started = performance.now();
    setTimeout(() => ac.abort(new Error("stream removed")), 300);
    const { media } = await createRtspMediaSampler({ ports }).sample(
      streamOf(cam.url, { rtspTransport: "udp" }),
      ctxOf({}, ac.signal),
    );
    assert(performance.now() - started < 1000, "ended promptly");
    assertEquals([media?.ok, media?.cause], [false, "timeout"]);
    assertEquals(ports.inUse, 0);
  } finally {
    await cam.stop();
  }
});

Deno.test("sample() clips and redacts a hostile SETUP answer and refuses a control URL that would split the request line", async () => {
  const sdp = (control: string) =>
    `v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:${control}\r\n`;
  let control = "track1";
  const cam = startScriptedCamera((req, cseq) => {
    const method = req.line.split(" ")[0];
    if (method === "DESCRIBE") {
      const body = sdp(control);
      return `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    }
    if (method === "SETUP") {
      return `RTSP/1.0 500 ${"leak-pw-9 \u0007".repeat(1000)}\r\nCSeq: ${cseq}\r\n\r\n`;
    }
    return `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n\r\n`;
  });
  const url = `rtsp://viewer:leak-pw-9@127.0.0.1:${cam.port}/live`;
  try {
    const first = await createRtspMediaSampler().sample(streamOf(url), ctxOf());
    assertEquals(first.media?.cause, "setup-failed");
    const problem = first.media?.problem ?? "";
    assert(problem.startsWith("SETUP answered RTSP 500 "), problem);
    assert(problem.length <= 120 && !problem.includes("leak-pw-9"), problem);
    control = "a b\u0000c";
    const second = await createRtspMediaSampler().sample(streamOf(url), ctxOf());
    assertEquals([second.media?.cause, second.media?.problem], [
      "setup-failed",
      "unusable a=control URL in SDP",
    ]);
    assert(cam.requests.every((r) => !r.line.includes("a b")));
  } finally {
    await cam.stop();
  }
});

Deno.test("childrenDuring() sees a child process started meanwhile", async () => {
  const { children } = await childrenDuring(() =>
    new Deno.Command("true", { args: ["x"] }).output()
  );
  assertEquals(children, ["true x"]);
  const after = await childrenDuring(() => Promise.resolve(1));
  assertEquals(after.children, []);
});
