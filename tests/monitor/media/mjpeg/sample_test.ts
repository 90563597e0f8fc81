import { assert, assertEquals, assertStringIncludes } from "../../../assert.ts";
import { sampleMjpeg } from "../../../../monitor/media/mjpeg/mod.ts";
import { judgeMedia } from "../../../../monitor/media/expect.ts";
import { validateJpeg } from "../../../../monitor/probes/mod.ts";
import type { HttpMediaSample } from "../../../../monitor/media/http_sample.ts";
import { startMjpegSources } from "../../../fixtures/mjpeg_sources.ts";
import { startVlcMjpeg, VLC_BOUNDARY } from "../../../fixtures/vlc_mjpeg.ts";
import { createMjpegReader } from "../../../../monitor/media/mjpeg/mod.ts";

const stream = (url: string) => ({ url, tlsInsecure: false });

/** judgeMedia's picture verdict for a sample, as the media check would ask for it. */
function picture(s: HttpMediaSample, freezeSeconds = 1) {
  return judgeMedia({ facts: s.facts, sample: s.picture, memory: {}, freezeSeconds, latencyMs: 1 })
    .picture;
}

Deno.test("sampleMjpeg() measures ffmpeg's mpjpeg: 320x240, ~10 fps, grids, the camera's JPEG", async () => {
  const src = await startMjpegSources();
  try {
    const s = await sampleMjpeg(stream(src.url("/lavfi/moving")), {
      signal: AbortSignal.timeout(10_000),
      windowMs: 2000,
    });
    assertEquals(s.problem, undefined);
    assertEquals([s.facts.codec, s.facts.width, s.facts.height], ["mjpeg", 320, 240]);
    assert(s.facts.fps! > 8.5 && s.facts.fps! < 11.5, `fps ${s.facts.fps}`);
    assert(s.facts.frames >= 18 && s.facts.frames <= 23, `${s.facts.frames} frames`);
    assert(s.facts.bitrateKbps! > 100, `bitrate ${s.facts.bitrateKbps}`);
    assertEquals(s.grids.length, 2);
    assert(validateJpeg(s.snapshot!).valid, "the snapshot is no JPEG");
    assertEquals(picture(s), "ok");
    assert(s.picture!.lastChangeIndex === 1, "testsrc2 moves between first and last frame");
  } finally {
    await src.stop();
  }
});

Deno.test("sampleMjpeg() judges a black source black and a still card frozen through the grid", async () => {
  const src = await startMjpegSources();
  try {
    const opts = () => ({ signal: AbortSignal.timeout(10_000), windowMs: 2000, decodeFrames: 3 });
    const black = await sampleMjpeg(stream(src.url("/lavfi/black")), opts());
    const still = await sampleMjpeg(stream(src.url("/lavfi/still")), opts());
    assertEquals([black.grids.length, still.grids.length], [3, 3]);
    assertEquals(picture(black), "black");
    assertEquals(picture(still), "frozen");
    // Not frozen yet with a freeze limit beyond what one 2 s window can show.
    assertEquals(picture(still, 30), "ok");
  } finally {
    await src.stop();
  }
});

/** Reads `frames` JPEGs from `url`: their sizes, the Content-Lengths declared, the part count. */
async function capture(url: string, frames: number) {
  const res = await fetch(url);
  const reader = res.body!.getReader();
  const sizes: number[] = [];
  const mjpeg = createMjpegReader({ onFrame: (f) => sizes.push(f.bytes.length) });
  let text = "";
  while (sizes.length < frames) {
    const { value, done } = await reader.read();
    if (done) break;
    mjpeg.push(value, 0);
    text += new TextDecoder("latin1").decode(value);
  }
  await reader.cancel();
  // Parts whose JPEG ended in what was read: count boundaries up to the last frame's EOI.
  const upTo = text.lastIndexOf("\xff\xd9") + 2;
  const head = text.slice(0, upTo);
  const declared = [...head.matchAll(/Content-Length: (\d+)/gi)].map((m) => Number(m[1]));
  const boundaries = head.split(`--${VLC_BOUNDARY}`).length - 1;
  return { frames: sizes, declared, boundaries };
}

Deno.test("sampleMjpeg() finds every VLC frame despite its lying Content-Length: fps ≈ 15, not 25", async () => {
  const vlc = await startVlcMjpeg({ fps: 15 });
  try {
    // The peer really lies: to a client joining a running stream, VLC's first part header
    // carries another frame's Content-Length (VLC's very first client gets honest ones).
    const lies: string[] = [];
    for (let attempt = 0; attempt < 4 && lies.length < 2; attempt++) {
      const got = await capture(vlc.url, 6);
      assertEquals(got.frames.length, got.boundaries, "a part without its frame, or more");
      if (got.declared[0] !== got.frames[0]) lies.push(`${got.declared[0]} ≠ ${got.frames[0]}`);
    }
    assert(lies.length >= 1, "VLC told the truth every time: this test would prove nothing");

    for (let i = 0; i < 2; i++) {
      const s = await sampleMjpeg(stream(vlc.url), {
        signal: AbortSignal.timeout(10_000),
        windowMs: 3000,
      });
      assertEquals(s.problem, undefined);
      assertEquals([s.facts.width, s.facts.height], [320, 240]);
      assert(s.facts.fps! >= 13.5 && s.facts.fps! <= 16.5, `fps ${s.facts.fps} (expected ≈ 15)`);
      assert(s.facts.frames >= 38, `${s.facts.frames} frames in 3 s`);
      assertEquals(picture(s), "ok");
      console.log(
        `VLC: ${s.facts.frames} frames, ${s.facts.fps} fps over ${s.facts.spanSeconds} s`,
      );
    }
  } finally {
    await vlc.stop();
  }
});

Deno.test("sampleMjpeg() gives a clear, bounded problem for a 100 MB frame, garbage and a 100k boundary", async () => {
  const src = await startMjpegSources();
  try {
    const run = (path: string) =>
      sampleMjpeg(stream(src.url(path)), { signal: AbortSignal.timeout(10_000), windowMs: 2000 });
    const huge = await run("/huge");
    assertEquals(huge.problem, "frame larger than 4 MiB without an end marker (EOI)");
    assertEquals(huge.facts.packets, 0);
    const garbage = await run("/garbage");
    assertEquals(garbage.problem, "no complete JPEG frame within 4194304 bytes");
    const header = await run("/boundary-header");
    assert(header.problem !== undefined && header.problem.length < 200, String(header.problem));
    assertStringIncludes(header.problem!, "boundary");
    // Long boundary lines in the body are junk between frames: the frames are still found.
    const body = await run("/boundary-body");
    assertEquals(body.problem, undefined);
    assert(body.facts.frames >= 15, `${body.facts.frames} frames`);
    // The bound is what the sampler reads, 4 MiB plus the chunk that crossed it. (What the server
    // managed to write also counts the kernel's socket buffers, up to tcp_wmem + tcp_rmem: not ours.)
    for (const [path, s] of [["/huge", huge], ["/garbage", garbage]] as const) {
      const mib = (s.readBytes ?? Infinity) / (1024 * 1024);
      assert(mib <= 5, `${path}: the sampler read ${mib.toFixed(1)} MiB`);
      assert(src.served(path) < 100 * 1024 * 1024, `${path}: the whole body was sent`);
    }
  } finally {
    await src.stop();
  }
});

Deno.test("sampleMjpeg() reads a steady lying-Content-Length stream and a refused one", async () => {
  const src = await startMjpegSources();
  try {
    const s = await sampleMjpeg(stream(src.url("/lying")), {
      signal: AbortSignal.timeout(10_000),
      windowMs: 1500,
    });
    assertEquals(s.problem, undefined);
    assert(s.facts.fps! > 8.5 && s.facts.fps! < 11.5, `fps ${s.facts.fps}`);
    const missing = await sampleMjpeg(stream(src.url("/nothing")), {
      signal: AbortSignal.timeout(5000),
    });
    assertEquals(missing.problem, "HTTP 404 Not Found");
    const early = await sampleMjpeg(stream(src.url("/lavfi/moving")), {
      signal: AbortSignal.timeout(1),
    });
    assertEquals([early.facts.packets, early.grids.length], [0, 0]);
    assert(early.problem !== undefined);
  } finally {
    await src.stop();
  }
});
