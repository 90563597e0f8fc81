/** Tests of the RTSP probe against the real GStreamer server, bad TCP servers and canned replies. */

import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { createRtspProbe, rtspProbe } from "../../../monitor/probes/rtsp.ts";
import type { ProbeContext, ProbeResult, StreamConfig } from "../../../monitor/types.ts";
import { startBadServer } from "../../fixtures/bad_tcp.ts";
import { freePort, startRtspServer } from "../../fixtures/rtsp.ts";

const USER = "viewer";
// Characters that must be percent-encoded in the URL and decoded before answering the challenge.
const PASSWORD = "p@ss:w0rd/%x";

function stream(url: string, extra: Partial<StreamConfig> = {}): StreamConfig {
  return {
    name: "cam",
    url,
    enabled: true,
    intervalSeconds: 10,
    timeoutSeconds: 5,
    tags: [],
    tlsInsecure: false,
    ...extra,
  };
}

function ctx(timeoutMs = 3000, signal = new AbortController().signal): ProbeContext {
  return { signal, timeoutMs, memory: {}, now: Date.now };
}

/** Fails when the result mentions the password or the user name anywhere. */
function assertNoSecrets(res: ProbeResult): void {
  const text = JSON.stringify(res);
  for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), USER]) {
    assert(!text.includes(secret), `result leaks "${secret}": ${text}`);
  }
}

Deno.test("rtspProbe.check() judges an open GStreamer server", async (t) => {
  const srv = await startRtspServer({ pattern: "smpte" });
  try {
    await t.step("check() reports ok with the H264 codec", async () => {
      const res = await rtspProbe.check(stream(srv.url()), ctx());
      assertEquals([res.ok, res.message], [true, "RTSP 200, H264 video"]);
      assertEquals(res.details.rtspStatus, 200);
      assertEquals(res.details.videoCodec, "H264");
      assertEquals(res.details.server, "GStreamer RTSP server");
      assertEquals((res.details.tracks as { codec: string }[])[0].codec, "H264");
    });
    await t.step("check() reports a wrong path as path not found", async () => {
      const res = await rtspProbe.check(stream(srv.url().replace("/live", "/nope")), ctx());
      assertEquals([res.ok, res.message, res.details.rtspStatus], [false, "path not found", 404]);
    });
    await t.step("check() reports rtsps:// to a plain server as a TLS failure", async () => {
      const res = await rtspProbe.check(stream(srv.url().replace("rtsp:", "rtsps:")), ctx());
      assert(!res.ok);
      assert(res.message.startsWith("TLS handshake failed: "), res.message);
    });
    await t.step("check() of a silent server does not delay a concurrent good check", async () => {
      const bad = startBadServer("silent");
      try {
        let goodDoneAt = 0;
        const started = performance.now();
        const [slow, good] = await Promise.all([
          rtspProbe.check(stream(`rtsp://127.0.0.1:${bad.port}/live`), ctx(1500)),
          rtspProbe.check(stream(srv.url()), ctx(1500)).then((r) => {
            goodDoneAt = performance.now() - started;
            return r;
          }),
        ]);
        assertEquals([good.ok, slow.ok, slow.message], [true, false, "timeout"]);
        assert(goodDoneAt < 500, `good check took ${goodDoneAt} ms`);
        assert(slow.latencyMs >= 1450 && slow.latencyMs < 2000, `timeout at ${slow.latencyMs}`);
      } finally {
        await bad.stop();
      }
    });
  } finally {
    await srv.stop();
  }
});

for (const auth of ["digest", "basic"] as const) {
  Deno.test(`rtspProbe.check() answers ${auth} authentication`, async (t) => {
    const srv = await startRtspServer({ auth, user: USER, password: PASSWORD });
    try {
      await t.step("check() with the right password is ok", async () => {
        const memory = {};
        for (let i = 0; i < 2; i++) { // the second run may reuse remembered Basic auth
          const res = await rtspProbe.check(stream(srv.url(USER, PASSWORD)), { ...ctx(), memory });
          assertEquals([res.ok, res.message], [true, "RTSP 200, H264 video"]);
          assertNoSecrets(res);
        }
      });
      await t.step("check() with a wrong password fails authentication", async () => {
        const res = await rtspProbe.check(stream(srv.url(USER, "wrong-pass")), ctx());
        assertEquals([res.ok, res.message, res.details.rtspStatus], [
          false,
          "authentication failed",
          401,
        ]);
        assert(!JSON.stringify(res).includes("wrong-pass"));
      });
      await t.step("check() without credentials fails authentication", async () => {
        const res = await rtspProbe.check(stream(srv.url()), ctx());
        assertEquals([res.ok, res.message], [false, "authentication failed"]);
      });
    } finally {
      await srv.stop();
    }
  });
}

Deno.test("rtspProbe.check() passes DESCRIBE on a media that never sends RTP", async () => {
  const srv = await startRtspServer({ noRtp: true, pattern: "black" });
  try {
    const res = await rtspProbe.check(stream(srv.url()), ctx());
    assertEquals([res.ok, res.details.videoCodec], [true, "H264"]);
  } finally {
    await srv.stop();
  }
});

Deno.test("rtspProbe.check() names network failures", async () => {
  const refused = await rtspProbe.check(stream(`rtsp://127.0.0.1:${freePort()}/x`), ctx());
  assertEquals([refused.ok, refused.message], [false, "connection refused"]);
  const dns = await rtspProbe.check(stream(`rtsp://${USER}:pw@nonexistent.invalid/x`), ctx());
  assertEquals([dns.ok, dns.message], [false, "DNS lookup failed"]);
  assertNoSecrets(dns);
  const scheme = await rtspProbe.check(stream("http://127.0.0.1/x"), ctx());
  assertEquals(scheme.message, 'unsupported URL scheme "http:" for the RTSP probe');
});

Deno.test("rtspProbe.check() fails fast and clearly on bad TCP servers", async () => {
  const cases = [
    ["garbage", "invalid RTSP response: not RTSP/1.0"],
    ["close", "connection closed by server"],
  ] as const;
  for (const [mode, message] of cases) {
    const bad = startBadServer(mode);
    try {
      const res = await rtspProbe.check(stream(`rtsp://127.0.0.1:${bad.port}/x`), ctx(1500));
      assertEquals([res.ok, res.message], [false, message], mode);
      assert(res.latencyMs < 500, `${mode} took ${res.latencyMs} ms`);
    } finally {
      await bad.stop();
    }
  }
});

Deno.test("rtspProbe.check() stops at once when the caller aborts", async () => {
  const bad = startBadServer("silent");
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("stream removed")), 100);
    const res = await rtspProbe.check(
      stream(`rtsp://127.0.0.1:${bad.port}/x`),
      ctx(5000, ac.signal),
    );
    assertEquals([res.ok, res.message], [false, "stream removed"]);
    assert(res.latencyMs < 1000, `abort took ${res.latencyMs} ms`);
  } finally {
    await bad.stop();
  }
});

/**
 * A scripted RTSP server: answers the n-th request with `replies[n]` (a function of the request
 * text), closing the connection after replies wrapped in {@link closing}.
 */
function scripted(replies: ((req: string) => string)[]) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: string[] = [];
  const serveConn = async (conn: Deno.Conn) => {
    const buf = new Uint8Array(8192);
    let text = "";
    try {
      for (;;) {
        const end = text.indexOf("\r\n\r\n");
        if (end < 0) {
          const n = await conn.read(buf);
          if (n === null) return;
          text += new TextDecoder().decode(buf.subarray(0, n));
          continue;
        }
        const req = text.slice(0, end + 4);
        text = text.slice(end + 4);
        requests.push(req);
        const reply = (replies[requests.length - 1] ?? replies[replies.length - 1])(req);
        const close = reply.endsWith(CLOSE);
        await conn.write(new TextEncoder().encode(close ? reply.slice(0, -CLOSE.length) : reply));
        if (close) return;
      }
    } catch {
      /* closed */
    } finally {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  };
  const loop = (async () => {
    const tasks: Promise<void>[] = [];
    try {
      for await (const conn of listener) tasks.push(serveConn(conn));
    } catch { /* closed */ }
    await Promise.all(tasks);
  })();
  return {
    url: `rtsp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${
      (listener.addr as Deno.NetAddr).port
    }/cam?ch=1#frag`,
    requests,
    async stop() {
      listener.close();
      await loop;
    },
  };
}

const CLOSE = "\u0000close";
const closing = (f: (req: string) => string) => (req: string) => f(req) + CLOSE;
const cseq = (req: string) => /CSeq: (\d+)/.exec(req)?.[1];
const ok = (extra = "", body = "") => (req: string) =>
  `RTSP/1.0 200 OK\r\nCSeq: ${cseq(req)}\r\n${extra}` +
  (body ? `Content-Length: ${body.length}\r\n\r\n${body}` : "\r\n");
const status = (line: string, extra = "") => (req: string) =>
  `RTSP/1.0 ${line}\r\nCSeq: ${cseq(req)}\r\n${extra}\r\n`;
const VIDEO_SDP = "v=0\r\nm=video 0 RTP/AVP 26\r\na=control:track1\r\n";

Deno.test("rtspProbe.check() sends clean requests and re-answers after a closed 401", async () => {
  const srv = scripted([
    ok(),
    closing(
      status("401 Unauthorized", 'WWW-Authenticate: Basic realm="x"\r\nConnection: close\r\n'),
    ),
    ok("Content-Type: application/sdp\r\n", VIDEO_SDP),
  ]);
  try {
    const memory = {};
    const res = await rtspProbe.check(stream(srv.url), { ...ctx(), memory });
    assertEquals([res.ok, res.message], [true, "RTSP 200, MJPEG video"]);
    assertNoSecrets(res);
    const [options, describe, answer] = srv.requests;
    const uri = srv.url.replace(`${USER}:${encodeURIComponent(PASSWORD)}@`, "").split("#")[0];
    assertEquals(options.split("\r\n")[0], `OPTIONS ${uri} RTSP/1.0`);
    assertEquals(describe.split("\r\n")[0], `DESCRIBE ${uri} RTSP/1.0`);
    assertStringIncludes(describe, "Accept: application/sdp\r\n");
    assertStringIncludes(options, "User-Agent: StreamPulse\r\n");
    assertEquals([options, describe, answer].map(cseq), ["1", "2", "3"]);
    const basic = btoa(`${USER}:${PASSWORD}`);
    assertStringIncludes(answer, `Authorization: Basic ${basic}\r\n`);
    // Basic worked, so the next check of this stream sends it up front: no 401 round trip.
    const again = await rtspProbe.check(stream(srv.url), { ...ctx(), memory });
    assertEquals([again.ok, srv.requests.length], [true, 5]);
    assertStringIncludes(srv.requests[3], `Authorization: Basic ${basic}\r\n`);
  } finally {
    await srv.stop();
  }
});

Deno.test("rtspProbe.check() reconnects when a 401 closes without saying so", async () => {
  const srv = scripted([
    ok(),
    closing(status("401 Unauthorized", 'WWW-Authenticate: Digest realm="x", nonce="n1"\r\n')),
    ok("", VIDEO_SDP),
  ]);
  try {
    const res = await rtspProbe.check(stream(srv.url), ctx());
    assertEquals([res.ok, srv.requests.length], [true, 3]);
    assertStringIncludes(srv.requests[2], 'Authorization: Digest username="viewer", realm="x"');
  } finally {
    await srv.stop();
  }
});

Deno.test("rtspProbe.check() retries 503 once on a fresh connection", async () => {
  const probe = createRtspProbe({ retryDelayMs: 50 });
  const busy = status("503 Service Unavailable");
  const once = scripted([ok(), busy, ok(), ok("", VIDEO_SDP)]);
  const twice = scripted([ok(), busy, ok(), busy]);
  try {
    const recovered = await probe.check(stream(once.url), ctx());
    assertEquals([recovered.ok, recovered.details.retried], [true, true]);
    const failed = await probe.check(stream(twice.url), ctx());
    assertEquals([failed.ok, failed.message], [false, "RTSP 503 Service Unavailable"]);
    assertEquals(twice.requests.length, 4);
  } finally {
    await Promise.all([once.stop(), twice.stop()]);
  }
});

Deno.test("rtspProbe.check() classifies odd answers", async () => {
  const cases: [string, (req: string) => string, string][] = [
    ["audio only", ok("", "v=0\r\nm=audio 0 RTP/AVP 0\r\n"), "no video track in SDP"],
    ["forbidden", status("403 Forbidden"), "authentication failed"],
    ["other code", status("551 Option not supported"), "RTSP 551 Option not supported"],
    ["http", () => "HTTP/1.1 400 Bad Request\r\n\r\n", "invalid RTSP response: got HTTP, not RTSP"],
    ["bad status", () => "RTSP/1.0 2x0 OK\r\n\r\n", "invalid RTSP response: bad status line"],
    [
      "huge headers",
      () => `RTSP/1.0 200 OK\r\nX: ${"a".repeat(17000)}\r\n\r\n`,
      "invalid RTSP response: headers larger than 16 KiB",
    ],
    [
      "huge body",
      () => "RTSP/1.0 200 OK\r\nContent-Length: 70000\r\n\r\n",
      "invalid RTSP response: body larger than 64 KiB",
    ],
    [
      "truncated",
      closing(() => "RTSP/1.0 200 OK\r\nContent-Length: 50\r\n\r\nv=0\n"),
      "invalid RTSP response: connection closed mid-response",
    ],
  ];
  for (const [name, reply, message] of cases) {
    const srv = scripted([ok(), reply]);
    try {
      const res = await rtspProbe.check(stream(srv.url), ctx(1500));
      assertEquals([res.ok, res.message], [false, message], name);
      assertNoSecrets(res);
    } finally {
      await srv.stop();
    }
  }
});
