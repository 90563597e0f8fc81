/** Tests of the probe registry: kind selection from URLs and forced kinds, content-type lookup. */

import { assert, assertEquals } from "../../assert.ts";
import {
  createProbeRegistry,
  inspectorFor,
  kindOf,
  probes,
  selectProbe,
} from "../../../monitor/probes/mod.ts";
import { type Probe, PROBE_KINDS, type ProbeKind } from "../../../monitor/types.ts";
import { startMediaServer, testContext, testStream } from "../../fixtures/media_server.ts";

Deno.test("kindOf() picks the probe kind from the URL", () => {
  const cases: [string, ProbeKind][] = [
    ["rtsp://admin:pw@cam/stream1", "rtsp"],
    ["RTSPS://cam:322/live", "rtsp"],
    ["https://cdn.example/live/index.m3u8", "hls"],
    ["http://cam/live/INDEX.M3U8?token=abc", "hls"],
    ["http://cam/axis-cgi/mjpg/video.cgi", "mjpeg"],
    ["http://cam/video.mjpg", "mjpeg"],
    ["http://cam/stream.mjpeg", "mjpeg"],
    ["http://cam/cgi-bin/faststream.jpg?stream=full", "mjpeg"],
    ["http://cam/videostream.cgi?user=a", "mjpeg"],
    ["http://cam/image.jpg", "snapshot"],
    ["http://cam/still.JPEG", "snapshot"],
    ["http://cam/cgi-bin/snapshot.cgi", "snapshot"],
    ["http://cam/snap.cgi?chn=1", "snapshot"],
    ["http://cam/axis-cgi/jpg/image.cgi", "snapshot"],
    ["http://cam/", "http"],
    ["https://cam/status", "http"],
    ["http://cam/page?file=x.m3u8", "http"],
    ["not a url", "http"],
  ];
  for (const [url, kind] of cases) assertEquals(kindOf({ url }), kind, url);
});

Deno.test("kindOf() honours a forced kind", () => {
  assertEquals(kindOf({ url: "http://cam/image.jpg", kind: "mjpeg" }), "mjpeg");
  assertEquals(kindOf({ url: "rtsp://cam/", kind: "http" }), "http");
});

Deno.test("selectProbe() returns the registry's probe for the kind", () => {
  for (const kind of PROBE_KINDS) assertEquals(probes[kind].kind, kind);
  assertEquals(selectProbe({ url: "rtsp://cam/" }), probes.rtsp);
  assertEquals(selectProbe(testStream("http://cam/a.m3u8")), probes.hls);
  assertEquals(selectProbe(testStream("http://cam/a.m3u8", { kind: "snapshot" })), probes.snapshot);
  const fake: Probe = { kind: "rtsp", check: () => Promise.reject(new Error("unused")) };
  const registry = createProbeRegistry({ rtsp: fake });
  assertEquals(selectProbe({ url: "rtsp://cam/" }, registry), fake);
  assertEquals(registry.http, probes.http);
});

Deno.test("inspectorFor() matches content types without parameters or case", () => {
  assertEquals(inspectorFor("multipart/x-mixed-replace;boundary=ffmpeg"), probes.mjpeg);
  assertEquals(inspectorFor("Image/JPEG"), probes.snapshot);
  assertEquals(inspectorFor("application/vnd.apple.mpegurl"), probes.hls);
  assertEquals(inspectorFor("application/x-mpegURL; charset=utf-8"), probes.hls);
  assertEquals(inspectorFor("audio/mpegurl"), probes.hls);
  assertEquals(inspectorFor("text/html"), undefined);
  assertEquals(inspectorFor(null), undefined);
});

Deno.test("probes.http sniffs a URL that does not tell its kind", async () => {
  const server = await startMediaServer();
  try {
    const check = (path: string) =>
      probes.http.check(testStream(server.url(path)), testContext(5000));
    const mjpeg = await check("/mjpeg");
    assert(mjpeg.ok && mjpeg.message.startsWith("MJPEG frame"), mjpeg.message);
    const snap = await check("/snapshot.jpg");
    assert(snap.ok && snap.message.startsWith("JPEG 320x240"), snap.message);
    const hls = await check("/hls-stalled/index.m3u8");
    assert(hls.ok && hls.message.startsWith("HLS live"), hls.message);
    assertEquals((await check("/html")).message, "HTTP 200");
  } finally {
    await server.stop();
  }
});
