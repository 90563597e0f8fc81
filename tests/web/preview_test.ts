/** Live preview: hardened ffmpeg arguments, frames from RTSP and MJPEG, slots, and clean ends. */

import { assert, assertEquals, assertStringIncludes, assertThrows } from "../assert.ts";
import { inputArgs, MediaUrlError } from "../../monitor/media/input.ts";
import { createProcessPool } from "../../monitor/media/process_pool.ts";
import { createPreviews } from "../../web/preview.ts";
import type { StreamConfig } from "../../monitor/types.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { startMediaServer } from "../fixtures/media_server.ts";
import { secretForms, watchCommandLines } from "../fixtures/cmdline_watch.ts";
import { refusedPort } from "../fixtures/media_server.ts";
import { initSegmentLength, videoOfInit } from "../../web/mp4_init.ts";

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

const alive = (pid: number) => {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
};

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

/** Top-level MP4 boxes of a body: reads until a `moof` and an `mdat` arrived (or `maxBytes`). */
async function readMp4(body: ReadableStream<Uint8Array>, maxBytes = 4 << 20) {
  const reader = body.getReader();
  let bytes = new Uint8Array(0);
  const boxes: Array<{ type: string; at: number; size: number }> = [];
  let at = 0;
  while (!boxes.some((b) => b.type === "mdat") && bytes.length < maxBytes) {
    const { value, done } = await reader.read();
    if (done) break;
    const next = new Uint8Array(bytes.length + value.length);
    next.set(bytes);
    next.set(value, bytes.length);
    bytes = next;
    while (at + 8 <= bytes.length) {
      const size = new DataView(bytes.buffer).getUint32(at);
      const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
      if (size < 8 || at + size > bytes.length) break;
      boxes.push({ type, at, size });
      at += size;
    }
  }
  await reader.cancel();
  return { bytes, boxes };
}

/** Asserts an fMP4 of H.264: ftyp, moov (avc1 with the header's codec), moof, mdat of NAL units. */
async function assertH264Mp4(res: Response) {
  assertEquals(res.status, 200, res.status === 200 ? "" : await res.clone().text());
  const codec = res.headers.get("x-preview-codec") ?? "";
  assert(/^avc1\.[0-9a-f]{6}$/.test(codec), `codec string ${codec}`);
  assertEquals(res.headers.get("content-type"), `video/mp4; codecs="${codec}"`);
  const { bytes, boxes } = await readMp4(res.body!);
  const types = boxes.map((b) => b.type);
  assertEquals(types.slice(0, 2), ["ftyp", "moov"]);
  assertEquals(types.slice(2, 4), ["moof", "mdat"]);
  const init = bytes.subarray(0, initSegmentLength(bytes));
  assertEquals(videoOfInit(init), { entry: "avc1", codec });
  // The mdat holds length-prefixed H.264 NAL units as the camera sent them (x264: an IDR first).
  const mdat = boxes.find((b) => b.type === "mdat")!;
  const view = new DataView(bytes.buffer, mdat.at + 8);
  const kinds: number[] = [];
  for (let p = 0; p + 5 <= mdat.size - 8 && kinds.length < 16;) {
    const len = view.getUint32(p);
    kinds.push(bytes[mdat.at + 8 + p + 4] & 0x1f);
    p += 4 + len;
  }
  assert(kinds.length > 0 && kinds.every((k) => k >= 1 && k <= 12), `NAL types ${kinds}`);
  assert(kinds.includes(5), `an IDR slice in the first fragment (${kinds})`);
}

Deno.test("inputArgs() used by preview refuses a URL with credentials and odd schemes", () => {
  const opts = { source: "rtsp", ioTimeoutSeconds: 5 } as const;
  const a = inputArgs("rtsp://cam/live", opts);
  assertEquals(a.slice(-2), ["-i", "rtsp://cam/live"]);
  assertEquals(a[a.indexOf("-protocol_whitelist") + 1], "rtsp,tcp");
  for (const bad of ["rtsp://u:p@cam/live", "file:///etc/passwd", "-i", "concat:a|b", "pipe:0"]) {
    assertThrows(() => inputArgs(bad, opts), MediaUrlError);
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

Deno.test("preview(), live() and snapshot() of password-protected cameras keep the password off every command line", async () => {
  const tag = crypto.randomUUID().slice(0, 8);
  const [user, password] = [`cam${tag}`, `pw${tag}Zq`];
  const rtsp = await startRtspServer({ auth: "digest", user, password });
  const media = await startMediaServer({ auth: { user, password } });
  const previews = createPreviews({ maxConcurrent: () => 2 });
  // The test camera is started with its password in its own arguments; it is not under test.
  const watch = watchCommandLines(secretForms(user, password), { ignore: /rtsp_server\.py/ });
  try {
    const live = await previews.preview(stream(rtsp.url(user, password)));
    assert((await readFrames(live.body!, 3)) >= 3, "frames arrive through the preview");
    await until(() => previews.active() === 0);
    await assertH264Mp4(await previews.live(stream(rtsp.url(user, password))));
    await until(() => previews.active() === 0);
    const at = (path: string) => media.url(path).replace("://", `://${user}:${password}@`);
    for (const url of [rtsp.url(user, password), at("/auth/mjpeg"), at("/auth/snapshot.jpg")]) {
      const snap = await previews.snapshot(stream(url));
      assertEquals(snap.status, 200, `snapshot of ${url.replace(password, "***")}`);
      const jpeg = new Uint8Array(await snap.arrayBuffer());
      assertEquals([jpeg[0], jpeg[1]], [0xff, 0xd8]);
    }
  } finally {
    const seen = await watch.stop();
    previews.close();
    await until(() => previews.active() === 0);
    await Promise.all([rtsp.stop(), media.stop()]);
    assert(seen.media.length > 0, `the watcher saw no ffmpeg in ${seen.sweeps} sweeps`);
    assertEquals(seen.leaks, [], "a command line held the credentials");
  }
});

Deno.test("preview() runs its ffmpeg in the media process pool: counted there, killed on abort and close()", async () => {
  const rtsp = await startRtspServer();
  const pool = createProcessPool({ max: 2 });
  const previews = createPreviews({ maxConcurrent: () => 4, pool });
  try {
    const ctrl = new AbortController();
    const res = await previews.preview(stream(rtsp.url()), ctrl.signal);
    assertEquals(res.status, 200);
    const [pid] = pool.pids();
    assertEquals([pool.stats().running, pool.stats().streaming, pool.pids().length], [1, 1, 1]);
    assert(alive(pid), "ffmpeg runs");
    // Two slots: previews may hold one, the other stays for media checks.
    const refused = await previews.preview(stream(rtsp.url()));
    assertEquals(refused.status, 503);
    assertStringIncludes(await refused.text(), "media process slot");
    assertEquals((await pool.run("true", [], { timeoutMs: 5000 })).code, 0, "a check still runs");
    ctrl.abort();
    await until(() => pool.stats().running === 0);
    assert(!alive(pid), "aborting the preview killed its ffmpeg");
    assertEquals([previews.active(), pool.stats().streaming], [0, 0]);
    await res.body?.cancel();

    const again = await previews.preview(stream(rtsp.url()));
    const [pid2] = pool.pids();
    assert(alive(pid2));
    previews.close();
    await until(() => pool.stats().running === 0);
    assert(!alive(pid2), "close() killed its ffmpeg");
    assert(pool.stats().killed >= 2);
    await again.body?.cancel();

    const before = pool.stats().started;
    const snap = await previews.snapshot(stream(rtsp.url()));
    assertEquals(
      [snap.status, pool.stats().started],
      [200, before + 1],
      "snapshot ran in the pool",
    );
    await snap.body?.cancel();
  } finally {
    previews.close();
    await until(() => pool.stats().running === 0);
    await rtsp.stop();
  }
});

Deno.test("preview(), live() and check() say at once why a camera fails: refused, auth, 404", async () => {
  const tag = crypto.randomUUID().slice(0, 8);
  const rtsp = await startRtspServer({ auth: "digest", user: "u", password: `pw${tag}` });
  const pool = createProcessPool({ max: 2 });
  const previews = createPreviews({ maxConcurrent: () => 2, pool });
  try {
    const cases: Array<[string, string]> = [
      [`rtsp://127.0.0.1:${refusedPort()}/live`, "connection refused"],
      [rtsp.url("u", "wrong"), "authentication failed"],
      [rtsp.url("u", `pw${tag}`).replace("/live", "/nothing-here"), "not found (404)"],
    ];
    for (const [url, reason] of cases) {
      const t = Date.now();
      assertEquals(await previews.check(stream(url)), { ok: false, reason });
      for (const res of [await previews.preview(stream(url)), await previews.live(stream(url))]) {
        assertEquals([res.status, await res.text()], [502, reason]);
      }
      assert(Date.now() - t < 5000, `${reason} took ${Date.now() - t} ms (timeout is 5 s)`);
    }
    assertEquals(pool.stats().started, 0, "no ffmpeg started for a failing camera");
    assertEquals(previews.active(), 0);
    assertEquals(await previews.check(stream(rtsp.url("u", `pw${tag}`))), { ok: true });
  } finally {
    previews.close();
    await rtsp.stop();
  }
});

Deno.test("live() streams the camera's own H.264 as fMP4 (ftyp, moov, moof, mdat) and ends its ffmpeg", async () => {
  const rtsp = await startRtspServer({ pattern: "smpte" });
  const pool = createProcessPool({ max: 2 });
  const previews = createPreviews({ maxConcurrent: () => 1, pool });
  try {
    const res = await previews.live(stream(rtsp.url()));
    assertEquals([previews.active(), pool.stats().streaming], [1, 1]);
    const [pid] = pool.pids();
    const busy = await previews.live(stream(rtsp.url()));
    assertEquals(busy.status, 503, "preview.max_concurrent counts live() too");
    await busy.body?.cancel();
    await assertH264Mp4(res); // cancels the body: the client went
    await until(() => pool.stats().running === 0);
    assert(!alive(pid), "ffmpeg ended with the client");
    assertEquals(previews.active(), 0);
  } finally {
    previews.close();
    await until(() => pool.stats().running === 0);
    await rtsp.stop();
  }
});

Deno.test("live() answers 415 for an MJPEG camera (the island then uses preview())", async () => {
  const media = await startMediaServer();
  const previews = createPreviews({ maxConcurrent: () => 2 });
  try {
    const res = await previews.live(stream(media.url("/mjpeg")));
    assertEquals(res.status, 415);
    assertStringIncludes(await res.text(), "MJPEG");
    assertEquals(previews.active(), 0);
  } finally {
    previews.close();
    await media.stop();
  }
});
