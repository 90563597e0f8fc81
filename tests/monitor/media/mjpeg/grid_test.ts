import { assert, assertEquals } from "../../../assert.ts";
import { frameSize, jpegToGrey, jpegToGrid } from "../../../../monitor/media/mjpeg/mod.ts";
import {
  analyseFrames,
  GRID_HEIGHT,
  GRID_WIDTH,
  SAMPLE_HEIGHT,
  SAMPLE_WIDTH,
} from "../../../../monitor/media/frames.ts";
import { tinyJpeg } from "../../../fixtures/media_server.ts";

/** One JPEG of a lavfi source made by ffmpeg (`pixFmt` picks 4:2:0, 4:2:2 or grey). */
async function ffmpegJpeg(source: string, pixFmt = "yuvj420p"): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-v", "error", "-nostdin", "-f", "lavfi", "-i", source]
      .concat(["-frames:v", "1", "-pix_fmt", pixFmt, "-c:v", "mjpeg", "-q:v", "3"])
      .concat(["-f", "image2pipe", "-"]),
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  assert(out.success && out.stdout.length > 100, `ffmpeg made no JPEG of ${source}`);
  return out.stdout;
}

/** ffmpeg's own grey copy of a JPEG: what the ffmpeg sampler's filter gives. */
async function ffmpegGrey(jpeg: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-v", "error", "-f", "mjpeg", "-i", "pipe:0"]
      .concat(["-vf", `scale=${SAMPLE_WIDTH}:${SAMPLE_HEIGHT}:flags=area,format=gray`])
      .concat(["-f", "rawvideo", "pipe:1"]),
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(jpeg);
  await w.close();
  return (await child.output()).stdout;
}

Deno.test("jpegToGrey() gives the grey copy ffmpeg's area scaling gives, for 4:2:0, 4:2:2 and grey JPEGs", async () => {
  for (
    const [source, fmt] of [
      ["testsrc2=size=320x240", "yuvj420p"],
      ["testsrc2=size=1280x720", "yuvj422p"],
      ["smptebars=size=640x480", "gray"],
    ]
  ) {
    const jpeg = await ffmpegJpeg(source, fmt);
    const ours = jpegToGrey(jpeg);
    assert(ours.ok, `${source}: ${!ours.ok && ours.reason}`);
    const theirs = await ffmpegGrey(jpeg);
    assertEquals(theirs.length, SAMPLE_WIDTH * SAMPLE_HEIGHT);
    let diff = 0;
    for (let i = 0; i < theirs.length; i++) diff += Math.abs(ours.grey[i] - theirs[i]);
    const mean = diff / theirs.length;
    assert(mean < 4, `${source} ${fmt}: mean difference ${mean.toFixed(2)} of 255`);
  }
});

Deno.test("jpegToGrey() of a black JPEG is black by the frames.ts measures", async () => {
  const r = jpegToGrey(await ffmpegJpeg("color=black:size=320x240"));
  assert(r.ok);
  const stats = analyseFrames(r.grey);
  assertEquals(stats.frames, 1);
  assert(stats.darkRatio >= 0.98, `dark ratio ${stats.darkRatio}`);
  const grid = jpegToGrid(await ffmpegJpeg("testsrc2=size=320x240"));
  assert(grid instanceof Uint8Array && grid.length === GRID_WIDTH * GRID_HEIGHT);
});

Deno.test("jpegToGrey() refuses a picture over the pixel bound before decoding it", async () => {
  // A 20000×20000 frame header on a few bytes: refused from the header, nothing allocated.
  const giant = tinyJpeg(20000, 20000);
  const t0 = performance.now();
  const r = jpegToGrey(giant);
  assert(performance.now() - t0 < 100, "it decoded the giant");
  assertEquals(r, { ok: false, reason: "frame 20000x20000 too large to decode (limit 2.1 MP)" });
  assertEquals(frameSize(tinyJpeg(640, 480, { thumbnail: true })), { w: 640, h: 480 });
  const hd = await ffmpegJpeg("testsrc2=size=1920x1080");
  const small = jpegToGrey(hd, { maxPixels: 1280 * 720 });
  assert(!small.ok && small.reason.startsWith("frame 1920x1080 too large"), JSON.stringify(small));
});

Deno.test("jpegToGrey() says why for bytes that are no decodable JPEG", () => {
  const broken = jpegToGrey(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
  assert(!broken.ok && broken.reason.length > 0 && broken.reason.length < 200);
  const junk = jpegToGrey(new Uint8Array(5000).map((_, i) => i & 0xff));
  assert(!junk.ok);
});
