/** Tests of the MJPEG probe against ffmpeg's MJPEG stream and misbehaving servers. */

import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { createMjpegProbe, mjpegProbe } from "../../../monitor/probes/mjpeg.ts";
import {
  refusedPort,
  startMediaServer,
  testContext,
  testStream,
  tinyJpeg,
} from "../../fixtures/media_server.ts";
import { startBadServer } from "../../fixtures/bad_tcp.ts";

Deno.test("mjpegProbe.check() is ok on ffmpeg's MJPEG stream and says the frame size", async () => {
  const server = await startMediaServer();
  try {
    const r = await mjpegProbe.check(testStream(server.url("/mjpeg")), testContext(5000));
    assert(r.ok, r.message);
    assert(/^MJPEG frame 320x240 \(\d+ kB\)$/.test(r.message), r.message);
    assertEquals(r.details.boundary, "ffmpeg");
    assertEquals(r.details.contentType, "multipart/x-mixed-replace");
    assertEquals([r.details.httpStatus, r.details.width, r.details.height], [200, 320, 240]);
    assert((r.details.frameBytes as number) > 1000);
  } finally {
    await server.stop();
  }
});

Deno.test("mjpegProbe.check() is down on HTTP errors and wrong content types", async () => {
  const server = await startMediaServer();
  try {
    const check = (path: string) =>
      mjpegProbe.check(testStream(server.url(path)), testContext(3000));
    const notFound = await check("/status/404");
    assertEquals([notFound.ok, notFound.message], [false, "HTTP 404 Not Found"]);
    const html = await check("/html");
    assertEquals([html.ok, html.message], [false, "unexpected content type text/html"]);
  } finally {
    await server.stop();
  }
});

Deno.test("mjpegProbe.check() gives up on endless garbage at the byte bound", async () => {
  const server = await startMediaServer();
  try {
    const r = await mjpegProbe.check(testStream(server.url("/mjpeg-garbage")), testContext(5000));
    assertEquals([r.ok, r.message], [false, "no JPEG frame within 4 MiB"]);
    const small = createMjpegProbe({ maxBytes: 100_000 });
    const r2 = await small.check(testStream(server.url("/mjpeg-garbage")), testContext(5000));
    assertEquals(r2.message, "no JPEG frame within 100 kB");
  } finally {
    await server.stop();
  }
});

Deno.test("mjpegProbe.check() times out waiting for a frame that never comes", async () => {
  const server = await startMediaServer();
  try {
    const r = await mjpegProbe.check(testStream(server.url("/mjpeg-silent")), testContext(400));
    assertEquals([r.ok, r.message], [false, "timeout waiting for a frame"]);
    assert(r.latencyMs < 1000, `took ${r.latencyMs} ms`);
  } finally {
    await server.stop();
  }
});

Deno.test("mjpegProbe.check() reports timeouts and refused connections", async () => {
  const bad = startBadServer("silent");
  try {
    const stream = testStream(`http://user:secret@127.0.0.1:${bad.port}/video.mjpg`);
    const r = await mjpegProbe.check(stream, testContext(300));
    assertEquals([r.ok, r.message], [false, "timeout"]);
    assert(r.latencyMs < 800, `took ${r.latencyMs} ms`);
  } finally {
    await bad.stop();
  }
  const refused = testStream(`http://user:secret@127.0.0.1:${refusedPort()}/video.mjpg`);
  const r = await mjpegProbe.check(refused, testContext(2000));
  assertEquals([r.ok, r.message], [false, "connection refused"]);
});

Deno.test("mjpegProbe.inspect() finds a frame split across chunks and skips a thumbnail", async () => {
  const enc = new TextEncoder();
  const jpeg = tinyJpeg(640, 480, { thumbnail: true });
  const all = new Uint8Array([...enc.encode("--b\r\nContent-Type: image/jpeg\r\n\r\n"), ...jpeg]);
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < all.length; i += 7) c.enqueue(all.slice(i, i + 7));
    }, // never closed: the probe must stop on its own
  });
  const res = new Response(body, {
    headers: { "content-type": 'multipart/x-mixed-replace; boundary="b"' },
  });
  const r = await mjpegProbe.inspect(res, testStream("http://cam/"), testContext(1000));
  assertEquals([r.ok, r.message], [true, `MJPEG frame 640x480 (${jpeg.length} B)`]);
  assertEquals([r.details.boundary, r.details.frameBytes], ["b", jpeg.length]);
});

Deno.test("mjpegProbe.inspect() says when the stream ends before a frame", async () => {
  const res = new Response("--b\r\n\r\n\xff\xd8", {
    headers: { "content-type": "multipart/x-mixed-replace;boundary=b" },
  });
  const r = await mjpegProbe.inspect(res, testStream("http://cam/"), testContext(1000));
  assertEquals(r.ok, false);
  assertStringIncludes(r.message, "stream ended before a complete JPEG frame");
});

Deno.test("mjpegProbe.inspect() stops at the signal even when the body ignores it", async () => {
  const res = new Response(new ReadableStream<Uint8Array>(), {
    headers: { "content-type": "multipart/x-mixed-replace;boundary=b" },
  });
  const r = await mjpegProbe.inspect(res, testStream("http://cam/"), testContext(200));
  assertEquals([r.ok, r.message], [false, "timeout waiting for a frame"]);
});
