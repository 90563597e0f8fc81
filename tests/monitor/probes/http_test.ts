/** Tests of the HTTP probe and the shared GET: statuses, sniffing, network errors, TLS, credentials. */

import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../assert.ts";
import { createHttpProbe } from "../../../monitor/probes/http.ts";
import { httpGet, splitCredentials } from "../../../monitor/probes/http_fetch.ts";
import { mjpegProbe } from "../../../monitor/probes/mjpeg.ts";
import { snapshotProbe } from "../../../monitor/probes/snapshot.ts";
import { hlsProbe } from "../../../monitor/probes/hls.ts";
import {
  refusedPort,
  startMediaServer,
  testContext,
  testStream,
  tinyJpeg,
} from "../../fixtures/media_server.ts";
import { startBadServer } from "../../fixtures/bad_tcp.ts";

const inspectors = [mjpegProbe, snapshotProbe, hlsProbe];
const httpProbe = createHttpProbe((ct) => inspectors.find((p) => p.contentTypes.includes(ct)));

Deno.test("httpProbe.check() is ok on 2xx/3xx and down with the status line otherwise", async () => {
  const server = await startMediaServer();
  try {
    const check = (path: string) =>
      httpProbe.check(testStream(server.url(path)), testContext(3000));
    const ok = await check("/html");
    assertEquals([ok.ok, ok.message, ok.details], [true, "HTTP 200", {
      httpStatus: 200,
      contentType: "text/html",
    }]);
    assertEquals((await check("/redirect/html")).message, "HTTP 200");
    assertEquals((await check("/status/204")).ok, true);
    const err = await check("/status/500");
    assertEquals([err.ok, err.message], [false, "HTTP 500 Internal Server Error"]);
    assertEquals((await check("/status/404")).message, "HTTP 404 Not Found");
  } finally {
    await server.stop();
  }
});

Deno.test("httpProbe.check() hands MJPEG, JPEG and HLS responses to their inspector", async () => {
  const server = await startMediaServer();
  try {
    const check = (path: string) =>
      httpProbe.check(testStream(server.url(path)), testContext(5000));
    const mjpeg = await check("/mjpeg");
    assert(mjpeg.ok && mjpeg.message.startsWith("MJPEG frame 320x240"), mjpeg.message);
    const jpeg = await check("/snapshot.jpg");
    assert(jpeg.ok && jpeg.message.startsWith("JPEG 320x240"), jpeg.message);
    const hls = await check("/hls-stalled/index.m3u8");
    assert(hls.ok && hls.message.startsWith("HLS live"), hls.message);
    assertEquals((await check("/notjpeg.jpg")).message, "invalid JPEG: no JPEG start marker (SOI)");
    assert(mjpeg.latencyMs > 0);
  } finally {
    await server.stop();
  }
});

Deno.test("httpProbe.check() times out on a server that never answers", async () => {
  const bad = startBadServer("silent");
  try {
    const r = await httpProbe.check(testStream(`http://127.0.0.1:${bad.port}/`), testContext(300));
    assertEquals([r.ok, r.message], [false, "timeout"]);
    assert(r.latencyMs >= 250 && r.latencyMs < 800, `took ${r.latencyMs} ms`);
  } finally {
    await bad.stop();
  }
});

Deno.test("httpProbe.check() says connection refused and never echoes credentials", async () => {
  const url = `http://admin:hunter22@127.0.0.1:${refusedPort()}/x`;
  const r = await httpProbe.check(testStream(url), testContext(2000));
  assertEquals([r.ok, r.message], [false, "connection refused"]);
  const bad = await httpProbe.check(testStream("http://admin:hunter22@[oops/"), testContext(2000));
  assertEquals(bad.ok, false);
  assertStringIncludes(bad.message, "Cannot parse URL");
  assert(!JSON.stringify([r, bad]).includes("hunter22"), bad.message);
});

Deno.test("splitCredentials() turns user info into a Basic header and strips it", () => {
  const { url, authorization } = splitCredentials("http://us%20er:p%40ss@cam.local:8080/a?b=1");
  assertEquals(url.href, "http://cam.local:8080/a?b=1");
  assertEquals(authorization, `Basic ${btoa("us er:p@ss")}`);
  assertEquals(splitCredentials("http://cam/").authorization, undefined);
});

/** A self-signed certificate for 127.0.0.1, made by openssl in a temp dir. */
async function selfSigned(): Promise<{ cert: string; key: string }> {
  const dir = await Deno.makeTempDir({ prefix: "streampulse-tls-" });
  try {
    const out = await new Deno.Command("openssl", {
      args: ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        .concat(["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .concat(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .concat(["-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`]),
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`openssl failed: ${new TextDecoder().decode(out.stderr)}`);
    return {
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("httpGet() verifies TLS by default and skips verification with tlsInsecure", async () => {
  const { cert, key } = await selfSigned();
  const frame = tinyJpeg(32, 24);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen: () => {} },
    (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/redirect") {
        return new Response(null, {
          status: 302,
          headers: { location: "/snap" },
        });
      }
      if (path === "/snap") {
        return new Response(frame, {
          headers: { "content-type": "image/jpeg" },
        });
      }
      if (path === "/whoami") return new Response(req.headers.get("authorization"));
      if (path === "/mjpeg") {
        const body = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(frame) });
        return new Response(body, {
          headers: { "content-type": "multipart/x-mixed-replace;boundary=x" },
        });
      }
      return new Response("hello");
    },
  );
  const base = `https://127.0.0.1:${server.addr.port}`;
  const insecure = { tlsInsecure: true };
  try {
    const strict = await httpProbe.check(testStream(`${base}/`), testContext(3000));
    assertEquals(strict.ok, false);
    assert(strict.message.startsWith("TLS handshake failed"), strict.message);

    const r = await httpProbe.check(testStream(`${base}/`, insecure), testContext(3000));
    assertEquals([r.ok, r.message], [true, "HTTP 200"]);
    const snap = await httpProbe.check(testStream(`${base}/redirect`, insecure), testContext(3000));
    assertEquals([snap.ok, snap.message], [true, `JPEG 32x24 (${frame.length} B)`]);
    const mjpeg = await mjpegProbe.check(testStream(`${base}/mjpeg`, insecure), testContext(3000));
    assertEquals([mjpeg.ok, mjpeg.message], [true, `MJPEG frame 32x24 (${frame.length} B)`]);

    const res = await httpGet(`https://u:p@127.0.0.1:${server.addr.port}/whoami`, {
      signal: AbortSignal.timeout(3000),
      tlsInsecure: true,
    });
    assertEquals([res.url, await res.text()], [`${base}/whoami`, `Basic ${btoa("u:p")}`]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("httpGet() with tlsInsecure still times out and reports refused connections", async () => {
  const bad = startBadServer("silent");
  try {
    const stream = testStream(`https://127.0.0.1:${bad.port}/`, { tlsInsecure: true });
    const r = await httpProbe.check(stream, testContext(300));
    assertEquals([r.ok, r.message], [false, "timeout"]);
    assert(r.latencyMs < 800, `took ${r.latencyMs} ms`);
  } finally {
    await bad.stop();
  }
  const refused = testStream(`https://127.0.0.1:${refusedPort()}/`, { tlsInsecure: true });
  assertEquals((await httpProbe.check(refused, testContext(2000))).message, "connection refused");
  await assertRejects(
    () => httpGet("https://127.0.0.1:1/", { signal: AbortSignal.abort(), tlsInsecure: true }),
    Error,
  );
});
