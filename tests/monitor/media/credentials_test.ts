/** Media checks against cameras that need a password: the verdict is right, and no child's
 * command line (what any local user sees with `ps -eo args`) ever holds the credentials. */

import { assert, assertEquals } from "../../assert.ts";
import { runMediaCheck } from "../../../monitor/media/check.ts";
import { type CommandRunner, createProcessPool } from "../../../monitor/media/process_pool.ts";
import type { StreamConfig } from "../../../monitor/types.ts";
import { secretForms, watchCommandLines } from "../../fixtures/cmdline_watch.ts";
import { startMediaServer, testStream } from "../../fixtures/media_server.ts";
import { startRtspServer } from "../../fixtures/rtsp.ts";
import { startMediaCamera } from "../../fixtures/rtsp_media_camera.ts";
import { h264Capture } from "./rtsp/harness.ts";

/** The test camera is started with its password in its own arguments; it is not under test. */
const CAMERA = /rtsp_server\.py/;

function credentials() {
  const tag = crypto.randomUUID().slice(0, 8);
  return { user: `cam${tag}`, password: `pw${tag}Zq` };
}

/**
 * Runs one media check of `stream` with the real process pool while every command line on the
 * machine is watched; returns the verdict, the argument lists given to ffprobe/ffmpeg, and what
 * the watcher saw.
 */
async function checkWatched(stream: StreamConfig, secrets: string[]) {
  const pool = createProcessPool({ max: 2 });
  const argv: string[][] = [];
  const run: CommandRunner = (cmd, args, o) => {
    argv.push([cmd, ...args]);
    return pool.run(cmd, args, o);
  };
  const watch = watchCommandLines(secrets, { ignore: CAMERA, parent: Deno.pid });
  try {
    const res = await runMediaCheck(stream, {
      run,
      signal: AbortSignal.timeout(30_000),
      memory: {},
    });
    assert(res, "no verdict");
    return { verdict: res.verdict, argv, seen: await watch.stop() };
  } finally {
    await watch.stop();
    await pool.killAll();
  }
}

/**
 * Asserts the check handed the stream to no child: the ffprobe/ffmpeg runner (which takes a
 * URL, through the relay) was not used, and no command line seen held a URL or a secret. With
 * `decoders`, the watcher must have seen the decode pool's ffmpeg (stdin only) at work.
 */
function assertNoLeak(
  r: Awaited<ReturnType<typeof checkWatched>>,
  o: { decoders: boolean },
) {
  assertEquals(r.argv, [], "the native path ran ffprobe/ffmpeg on the stream");
  if (o.decoders) {
    assert(r.seen.media.length > 0, `the watcher saw no ffmpeg in ${r.seen.sweeps} sweeps`);
  }
  const urls = r.seen.media.filter((l) => /rtsps?:\/\/|https?:\/\//.test(l));
  assertEquals(urls, [], "a decoder was given a URL");
  assertEquals(r.seen.leaks, [], "a command line held the credentials");
}

for (const auth of ["digest", "basic"] as const) {
  Deno.test(`runMediaCheck() reads an RTSP ${auth} camera without credentials on any command line`, async () => {
    const { user, password } = credentials();
    const camera = await startRtspServer({ auth, user, password });
    try {
      const secrets = secretForms(user, password);
      const r = await checkWatched(testStream(camera.url(user, password)), secrets);
      assertNoLeak(r, { decoders: true });
      assertEquals(r.verdict.state, "up", r.verdict.message);
      const d = r.verdict.details;
      assertEquals([d.codec, d.width, d.height, d.keyframe], ["h264", 320, 240, true]);
      assertEquals((d.picture as Record<string, unknown>)?.verified, true);
    } finally {
      await camera.stop();
    }
  });
}

Deno.test("runMediaCheck() with a wrong RTSP password says authentication failed", async () => {
  const { user, password } = credentials();
  const camera = await startRtspServer({ auth: "digest", user, password });
  try {
    const secrets = secretForms(user, "wrong-pass");
    const r = await checkWatched(testStream(camera.url(user, "wrong-pass")), secrets);
    assertEquals(r.argv, []);
    assertEquals(r.seen.leaks, []);
    assertEquals([r.verdict.state, r.verdict.message.includes("authentication failed")], [
      "down",
      true,
    ], r.verdict.message);
  } finally {
    await camera.stop();
  }
});

Deno.test("runMediaCheck() reads MJPEG and HLS behind HTTP Basic without credentials on any command line", async () => {
  const { user, password } = credentials();
  const media = await startMediaServer({ hls: true, auth: { user, password } });
  try {
    const secrets = secretForms(user, password);
    const at = (path: string) => media.url(path).replace("://", `://${user}:${password}@`);
    const mjpeg = await checkWatched(testStream(at("/auth/mjpeg"), { kind: "mjpeg" }), secrets);
    assertNoLeak(mjpeg, { decoders: false }); // jpeg-js: no child at all
    assertEquals(mjpeg.verdict.state, "up", mjpeg.verdict.message);
    assertEquals([mjpeg.verdict.details.codec, mjpeg.verdict.details.width], ["mjpeg", 320]);
    const hls = await checkWatched(testStream(at("/auth/hls/index.m3u8")), secrets);
    assertNoLeak(hls, { decoders: true });
    assertEquals(hls.verdict.state, "up", hls.verdict.message);
    assertEquals([hls.verdict.details.codec, hls.verdict.details.width], ["h264", 320]);
  } finally {
    await media.stop();
  }
});

Deno.test("runMediaCheck() falls back to ffprobe via the relay for a codec the native path lacks, without credentials on its command line", async () => {
  const { user, password } = credentials();
  const { packets } = await h264Capture();
  // MPEG-4 Part 2 has no depacketiser here: the session ends "unsupported-codec".
  const camera = startMediaCamera({ sdpMedia: ["a=rtpmap:96 MP4V-ES/90000"], packets });
  try {
    const secrets = secretForms(user, password);
    const url = camera.url.replace("://", `://${user}:${password}@`);
    const r = await checkWatched(testStream(url), secrets);
    assertEquals(r.argv[0]?.[0], "ffprobe", "the fallback did not run");
    for (const args of r.argv) {
      assertEquals(secrets.filter((s) => args.some((a) => a.includes(s))), [], args.join(" "));
      assert(!args.some((a) => a.includes(`:${camera.port}`)), "ffprobe got the camera itself");
    }
    assertEquals(r.seen.leaks, [], "a command line held the credentials");
    assertEquals(r.verdict.details.path, "ffmpeg");
  } finally {
    await camera.stop();
  }
});
