/** The loopback credential relay against scripted hostile cameras: auth, rewriting, limits. */

import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { openMediaRelay } from "../../../monitor/media/relay.ts";
import { rewritePlaylist } from "../../../monitor/media/relay_http.ts";
import { createOriginMap } from "../../../monitor/media/relay_origin.ts";
import { rawRequest, startScriptedCamera } from "../../fixtures/rtsp_scripted.ts";

const STALE = 'WWW-Authenticate: Digest realm="cam", nonce="n1", stale=true\r\n';

Deno.test("openMediaRelay() hands a URL without credentials back unchanged", async () => {
  const relay = openMediaRelay("rtsp://cam.example/live");
  assertEquals([relay.url, relay.relayed], ["rtsp://cam.example/live", false]);
  await relay.close();
});

Deno.test("openMediaRelay() answers a camera's 401 at most once per request, stale nonce or not", async () => {
  const cam = startScriptedCamera((_req, cseq) =>
    `RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\n${STALE}\r\n`
  );
  const relay = openMediaRelay(`rtsp://admin:s3cret-pw@127.0.0.1:${cam.port}/live`);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(relay.url).port) });
  try {
    assert(!relay.url.includes("s3cret") && !relay.url.includes("admin"), relay.url);
    for (const cseq of [1, 2]) {
      const res = await rawRequest(conn, `OPTIONS ${relay.url} RTSP/1.0\r\nCSeq: ${cseq}\r\n\r\n`);
      assertStringIncludes(res, "RTSP/1.0 401");
    }
    // Two requests from the child: each sent once bare and once answered, never more.
    assertEquals(cam.requests.length, 4);
    const target = `OPTIONS rtsp://127.0.0.1:${cam.port}/live RTSP/1.0`;
    assertEquals(cam.requests.map((r) => r.line), [target, target, target, target]);
    assertEquals(cam.requests.map((r) => r.head.includes("Authorization: Digest")), [
      false,
      true,
      true,
      true,
    ]);
    assertStringIncludes(cam.requests[1].head, `uri="rtsp://127.0.0.1:${cam.port}/live"`);
  } finally {
    conn.close();
    await relay.close();
    await cam.stop();
  }
});

Deno.test("openMediaRelay() moves Content-Base and a=control URLs to the relay, credentials dropped", async () => {
  let camPort = 0;
  const cam = startScriptedCamera((_req, cseq) => {
    const sdp = `v=0\r\nm=video 0 RTP/AVP 96\r\na=control:rtsp://127.0.0.1:${camPort}/live/t1\r\n`;
    return `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n` +
      `Content-Base: rtsp://admin:s3cret-pw@127.0.0.1:${camPort}/live/\r\n` +
      `Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`;
  });
  camPort = cam.port;
  const relay = openMediaRelay(`rtsp://admin:s3cret-pw@127.0.0.1:${cam.port}/live`);
  const base = relay.url.slice(0, -"/live".length);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(relay.url).port) });
  try {
    const res = await rawRequest(conn, `DESCRIBE ${relay.url} RTSP/1.0\r\nCSeq: 1\r\n\r\n`);
    assertStringIncludes(res, `Content-Base: ${base}/live/\r\n`);
    assertStringIncludes(res, `a=control:${base}/live/t1\r\n`);
    const body = res.slice(res.indexOf("\r\n\r\n") + 4);
    assertStringIncludes(res, `Content-Length: ${new TextEncoder().encode(body).length}\r\n`);
    assert(!res.includes("s3cret"), res);
  } finally {
    conn.close();
    await relay.close();
    await cam.stop();
  }
});

Deno.test("openMediaRelay() closes on an oversized camera head and a request outside its path", async () => {
  const cam = startScriptedCamera(() => `RTSP/1.0 200 OK\r\nX-Junk: ${"a".repeat(20_000)}\r\n\r\n`);
  const relay = openMediaRelay(`rtsp://admin:s3cret-pw@127.0.0.1:${cam.port}/live`);
  const port = Number(new URL(relay.url).port);
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    assertEquals(await rawRequest(conn, `OPTIONS ${relay.url} RTSP/1.0\r\nCSeq: 1\r\n\r\n`), "");
    conn.close();
    assertStringIncludes(relay.problem() ?? "", "larger than 16 KiB");
    const other = await Deno.connect({ hostname: "127.0.0.1", port });
    const guess = `OPTIONS rtsp://127.0.0.1:${port}/live RTSP/1.0\r\nCSeq: 1\r\n\r\n`;
    assertEquals(await rawRequest(other, guess), "", "no token, no relay");
    other.close();
    assertEquals(cam.requests.length, 1);
  } finally {
    await relay.close();
    await cam.stop();
  }
});

Deno.test("rewritePlaylist() sends every camera URI through the relay and leaves others absolute", () => {
  const map = createOriginMap(new URL("http://cam:8080/hls/index.m3u8"), "http://127.0.0.1:9/T");
  const text = [
    "#EXTM3U",
    '#EXT-X-KEY:METHOD=AES-128,URI="/keys/k1"',
    "#EXTINF:1,",
    "seg1.ts",
    "#EXTINF:1,",
    "http://user:pw@cam:8080/other/seg2.ts?x=1",
    "https://cdn.example/seg3.ts",
    "",
  ].join("\n");
  assertEquals(rewritePlaylist(text, "http://cam:8080/hls/index.m3u8", map).split("\n"), [
    "#EXTM3U",
    '#EXT-X-KEY:METHOD=AES-128,URI="http://127.0.0.1:9/T/keys/k1"',
    "#EXTINF:1,",
    "http://127.0.0.1:9/T/hls/seg1.ts",
    "#EXTINF:1,",
    "http://127.0.0.1:9/T/other/seg2.ts?x=1",
    "https://cdn.example/seg3.ts",
    "",
  ]);
  assertEquals(rewritePlaylist("not a playlist", "http://cam:8080/", map), "not a playlist");
});
