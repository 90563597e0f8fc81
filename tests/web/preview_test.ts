/** Live preview: hardened ffmpeg arguments, frames from RTSP and MJPEG, slots, and clean ends. */

import { assert, assertEquals } from "../assert.ts";
import { createPreviews, inputArgs } from "../../web/preview.ts";
import type { StreamConfig } from "../../monitor/types.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { startMediaServer } from "../fixtures/media_server.ts";

const stream = (url: string): StreamConfig => ({
  name: "cam",
  url,
  enabled: true,
  intervalSeconds: 10,
  timeoutSeconds: 5,
  tags: [],
  tlsInsecure: false,
});

async function until(fn: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads until `n` JPEG start markers arrived; returns the bytes read. */
async function readFrames(body: ReadableStream<Uint8Array>, n: number): Promise<number> {
  const reader = body.getReader();
  let frames = 0;
  let bytes = 0;
  while (frames < n) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.length;
    for (let i = 0; i + 2 < value.length; i++) {
      if (value[i] === 0xff && value[i + 1] === 0xd8 && value[i + 2] === 0xff) frames++;
    }
  }
  await reader.cancel();
  return frames;
}

Deno.test("inputArgs() whitelists protocols and puts the URL last, after -i", () => {
  const a = inputArgs("rtsp://u:p@cam/live");
  assertEquals(a.slice(-2), ["-i", "rtsp://u:p@cam/live"]);
  assertEquals(a[a.indexOf("-protocol_whitelist") + 1], "rtsp,tcp");
  assertEquals(inputArgs("https://relay/x.m3u8").at(-1), "https://relay/x.m3u8");
  for (const bad of ["file:///etc/passwd", "-i", "concat:a|b", "pipe:0"]) {
    let threw = false;
    try {
      inputArgs(bad);
    } catch {
      threw = true;
    }
    assert(threw, bad);
  }
});

Deno.test("preview() transcodes RTSP to MJPEG and its ffmpeg ends when the client goes", async () => {
  const rtsp = await startRtspServer();
  const previews = createPreviews({ maxConcurrent: () => 1 });
  try {
    const ctrl = new AbortController();
    const res = await previews.preview(stream(rtsp.url()), ctrl.signal);
    assertEquals(res.headers.get("content-type"), "multipart/x-mixed-replace;boundary=ffmpeg");
    assertEquals(previews.active(), 1);
    const busy = await previews.preview(stream(rtsp.url()), new AbortController().signal);
    assertEquals(busy.status, 503, "one slot only");
    await busy.body?.cancel();
    assert((await readFrames(res.body!, 3)) >= 3, "frames arrive");
    await until(() => previews.active() === 0);
  } finally {
    previews.close();
    await until(() => previews.active() === 0);
    await rtsp.stop();
  }
});

Deno.test("preview() stops by itself after its time limit", async () => {
  const rtsp = await startRtspServer();
  const previews = createPreviews({ maxConcurrent: () => 2, maxMs: 1500 });
  try {
    const res = await previews.preview(stream(rtsp.url()), new AbortController().signal);
    const t = Date.now();
    await res.body!.pipeTo(new WritableStream());
    assert(Date.now() - t < 5000, "the body ended");
    await until(() => previews.active() === 0);
  } finally {
    previews.close();
    await rtsp.stop();
  }
});

Deno.test("preview() proxies an MJPEG camera and snapshot() grabs one JPEG", async () => {
  const media = await startMediaServer();
  const previews = createPreviews({ maxConcurrent: () => 2 });
  try {
    const res = await previews.preview(stream(media.url("/mjpeg")), new AbortController().signal);
    assert(res.headers.get("content-type")!.startsWith("multipart/x-mixed-replace"));
    assert((await readFrames(res.body!, 2)) >= 2);
    await until(() => previews.active() === 0);
    const snap = await previews.snapshot(stream(media.url("/mjpeg")), new AbortController().signal);
    assertEquals(snap.headers.get("content-type"), "image/jpeg");
    const jpeg = new Uint8Array(await snap.arrayBuffer());
    assertEquals([jpeg[0], jpeg[1]], [0xff, 0xd8]);
    assertEquals(previews.active(), 0);
  } finally {
    previews.close();
    await media.stop();
  }
});
