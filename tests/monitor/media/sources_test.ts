import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { runMediaCheck } from "../../../monitor/media/check.ts";
import { createProcessPool } from "../../../monitor/media/process_pool.ts";
import { createSnapshotStore } from "../../../monitor/media/snapshots.ts";
import { validateJpeg } from "../../../monitor/probes/jpeg.ts";
import type { StreamConfig } from "../../../monitor/types.ts";
import { startMediaServer, testStream } from "../../fixtures/media_server.ts";
import { type RtspServer, startRtspServer } from "../../fixtures/rtsp.ts";

/** Runs one media check of each stream at once and returns the verdicts by name. */
async function checkAll(streams: StreamConfig[], dataDir: string) {
  const pool = createProcessPool({ max: 6 });
  const snapshots = createSnapshotStore(dataDir);
  const signal = AbortSignal.timeout(30_000);
  const out = await Promise.all(streams.map(async (s) => {
    const res = await runMediaCheck(s, { run: pool.run, signal, memory: {}, snapshots });
    assert(res, `no verdict for ${s.name}`);
    return [s.name, res.verdict] as const;
  }));
  return { verdicts: Object.fromEntries(out), snapshots };
}

function assertJpeg(bytes: Uint8Array | undefined, what: string) {
  assert(bytes, `no ${what} snapshot`);
  const check = validateJpeg(bytes);
  assert(check.valid, `${what} snapshot is not a JPEG`);
  assert(check.width <= 640, `${what} snapshot is ${check.width} px wide`);
}

Deno.test("runMediaCheck() judges GStreamer sources natively: moving, still, black, drifted, no RTP", async () => {
  const servers: RtspServer[] = [];
  const dir = await Deno.makeTempDir();
  try {
    // The drifted stream gets a server of its own: GStreamer's shared-media server misbehaves
    // when sessions of one mount start and tear down at once (TOOLCHAIN.md); sharing one gave
    // RTP before PLAY's answer, then a connection closed mid-window, in two CI runs.
    const [ball, ball2, smpte, black, noRtp] = await Promise.all([
      startRtspServer({ pattern: "ball" }),
      startRtspServer({ pattern: "ball" }),
      startRtspServer({ pattern: "smpte" }),
      startRtspServer({ pattern: "black" }),
      startRtspServer({ noRtp: true }),
    ]);
    servers.push(ball, ball2, smpte, black, noRtp);
    const { verdicts: v, snapshots } = await checkAll([
      testStream(ball.url(), { name: "ball" }),
      testStream(smpte.url(), { name: "smpte", freezeSeconds: 1 }),
      testStream(black.url(), { name: "black" }),
      testStream(ball2.url(), { name: "drift", expect: { width: 1920, height: 1080 } }),
      testStream(noRtp.url(), { name: "nortp", timeoutSeconds: 2 }),
    ], dir);

    assertEquals([v.ball.state, v.ball.message.split(",")[0]], ["up", "H264 320x240"]);
    const d = v.ball.details;
    assertEquals([d.codec, d.width, d.height, d.keyframe], ["h264", 320, 240, true]);
    assert(Math.abs(Number(d.fps) - 10) < 1.5, `fps ${d.fps}`);
    assert(Number(d.bitrateKbps) > 5, `bitrate ${d.bitrateKbps}`);
    // The native session's own facts, beyond what ffprobe gave.
    assertEquals([d.transport, d.keyframeIntervalSeconds, d.lost, d.path], [
      "tcp",
      1,
      0,
      undefined,
    ]);
    assert(
      Number(d.timeToFirstKeyframeMs) < 2000,
      `first keyframe after ${d.timeToFirstKeyframeMs}`,
    );

    assertEquals(v.smpte.state, "degraded");
    assertStringIncludes(v.smpte.message, "picture frozen for");
    assertEquals([v.black.state, v.black.message], ["degraded", "picture black"]);
    assertEquals([v.drift.state, v.drift.message], [
      "degraded",
      "resolution 320x240, expected 1920x1080",
    ]);
    assertEquals(v.nortp.state, "down");
    assertStringIncludes(v.nortp.message, "no video received");

    assertJpeg(await snapshots.load("ball", "last"), "ball last");
    assertJpeg(await snapshots.load("smpte", "failure"), "smpte failure");
    assertJpeg(await snapshots.load("black", "failure"), "black failure");
    assertEquals(await snapshots.load("smpte", "last"), undefined);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runMediaCheck() judges ffmpeg MJPEG and HLS sources", async () => {
  const server = await startMediaServer({ hls: true });
  const dir = await Deno.makeTempDir();
  try {
    const { verdicts: v, snapshots } = await checkAll([
      testStream(server.url("/mjpeg"), { name: "mjpeg" }),
      testStream(server.url("/hls/index.m3u8"), { name: "hls" }),
    ], dir);
    for (const [name, codec] of [["mjpeg", "mjpeg"], ["hls", "h264"]]) {
      const d = v[name].details;
      assertEquals([v[name].state, d.codec, d.width, d.height, d.keyframe], [
        "up",
        codec,
        320,
        240,
        true,
      ], `${name}: ${v[name].message}`);
      assert(Math.abs(Number(d.fps) - 10) < 2, `${name} fps ${d.fps}`);
      assert(Number(d.bitrateKbps) > 10, `${name} bitrate ${d.bitrateKbps}`);
      assertJpeg(await snapshots.load(name, "last"), `${name} last`);
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
