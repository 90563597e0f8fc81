import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { startBadServer } from "../fixtures/bad_tcp.ts";
import { startMediaServer } from "../fixtures/media_server.ts";
import { freePort, startRtspServer } from "../fixtures/rtsp.ts";
import { startStreamPulse, type StreamPulseProcess } from "../fixtures/streampulse.ts";

type Status = Record<string, { state: string; status: string; message: string; ts: string }>;

const PASSWORD = "pw-S3cr3t!x";

const status = async (sp: StreamPulseProcess) => (await sp.get("/api/status")).body as Status;
const stateOf = (sp: StreamPulseProcess, name: string, state: string) => async () => {
  const s = (await status(sp))[name];
  return s?.state === state ? s : undefined;
};

Deno.test("StreamPulse detects a killed RTSP server within heartbeat + timeout + 2 s, and its return", async () => {
  const rtsp = await startRtspServer();
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 2
api: {port: {{API_PORT}}}
streams:
- name: cam
  url: ${rtsp.url()}
  timeout_seconds: 1
`,
  });
  try {
    const up = await sp.until(stateOf(sp, "cam", "up"), 15_000, "cam up");
    assertEquals(up.status, "ok");
    assertStringIncludes(up.message, "RTSP 200");
    await rtsp.kill();
    const t0 = Date.now();
    const down = await sp.until(stateOf(sp, "cam", "down"), 15_000, "cam down");
    const took = Date.now() - t0;
    assert(took <= 2000 + 1000 + 2000, `down after ${took} ms`);
    assertEquals(down.message, "connection refused");
    const again = await startRtspServer({ port: rtsp.port });
    try {
      await sp.until(stateOf(sp, "cam", "up"), 10_000, "cam up again");
    } finally {
      await again.stop();
    }
    const incidents = (await sp.get("/api/streams/cam/incidents")).body as { state: string }[];
    assertEquals(incidents[0].state, "down");
  } finally {
    await sp.stop();
    await rtsp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("StreamPulse reports bad servers as clear down messages without delaying other streams", async () => {
  const silent = startBadServer("silent");
  const garbage = startBadServer("garbage");
  const close = startBadServer("close");
  const rtsp = await startRtspServer();
  const media = await startMediaServer({ hls: true });
  const dead = freePort();
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 2
api: {port: {{API_PORT}}}
streams:
- {name: silent, url: "rtsp://127.0.0.1:${silent.port}/x", timeout_seconds: 1.5}
- {name: garbage, url: "rtsp://127.0.0.1:${garbage.port}/x", timeout_seconds: 1.5}
- {name: closes, url: "rtsp://127.0.0.1:${close.port}/x", timeout_seconds: 1.5}
- {name: silent-http, url: "http://127.0.0.1:${silent.port}/video.mjpg", timeout_seconds: 1.5}
- {name: refused, url: "rtsp://127.0.0.1:${dead}/x", timeout_seconds: 1.5}
- {name: dns, url: "rtsp://no-such-camera.invalid/x", timeout_seconds: 1.5}
- {name: good, url: "${rtsp.url()}", timeout_seconds: 1.5}
- {name: mjpeg, url: "${media.url("/mjpeg")}", timeout_seconds: 3}
- {name: hls, url: "${media.url("/hls/index.m3u8")}", timeout_seconds: 3}
- {name: snapshot, url: "${media.url("/snapshot.jpg")}", timeout_seconds: 3}
- {name: wrong path, url: "${rtsp.url().replace("/live", "/nope")}", timeout_seconds: 1.5}
`,
  });
  try {
    const all = await sp.until(
      async () => {
        const s = await status(sp);
        return Object.values(s).every((e) => e.state !== "unknown") ? s : undefined;
      },
      20_000,
      "every stream decided",
    );
    assertEquals(all.silent.state, "down");
    assertEquals(all.silent.message, "timeout");
    assertEquals(all["silent-http"].message, "timeout");
    assertEquals(all.garbage.state, "down");
    assertStringIncludes(all.garbage.message, "invalid RTSP response");
    assertEquals(all.closes.state, "down");
    assertStringIncludes(all.closes.message, "closed");
    assertEquals(all.refused.message, "connection refused");
    assertEquals(all.dns.message, "DNS lookup failed");
    assertEquals(all["wrong path"].message, "path not found");
    for (const name of ["good", "mjpeg", "hls", "snapshot"]) {
      assertEquals(all[name].state, "up", `${name}: ${all[name].message}`);
    }
    // The good stream kept its heartbeat while the bad ones hung until their timeouts.
    const bad = await sp.get("/api/streams/good/history?from=soon");
    assertEquals(bad.status, 400);
    assertStringIncludes(JSON.stringify(bad.body), 'Invalid \\"from\\"');
    assertEquals((await sp.get("/api/streams/good/incidents?limit=0")).status, 400);
    const recent = (await sp.get(`/api/streams/good/history?from=${Date.now() - 60_000}&limit=1`))
      .body as unknown[];
    assertEquals(recent.length, 1);
    const history = (await sp.get("/api/streams/good/history")).body as { latency: number }[];
    assert(history.length >= 2, `good was checked ${history.length} times`);
    assert(history.every((h) => h.latency < 1000), JSON.stringify(history));
  } finally {
    await sp.stop();
    silent.stop();
    garbage.stop();
    close.stop();
    await rtsp.stop();
    await media.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("StreamPulse never shows URL credentials in API output or logs", async () => {
  const rtsp = await startRtspServer({ auth: "digest", user: "admin", password: PASSWORD });
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 2
api: {port: {{API_PORT}}}
streams:
- {name: right, url: "${rtsp.url("admin", PASSWORD)}"}
- {name: wrong, url: "${rtsp.url("admin", PASSWORD + "x")}"}
`,
  });
  try {
    await sp.until(stateOf(sp, "right", "up"), 15_000, "right up");
    const wrong = await sp.until(stateOf(sp, "wrong", "down"), 15_000, "wrong down");
    assertEquals(wrong.message, "authentication failed");
    const bodies = await Promise.all(
      [
        "/api/status",
        "/api/streams",
        "/api/streams/right",
        "/api/streams/right/history",
        "/api/streams/wrong/incidents",
        "/api/health",
      ].map(async (p) => (await sp.get(p)).text),
    );
    const streams = JSON.parse(bodies[1]) as { url: string }[];
    assertEquals(streams[0].url, `rtsp://***@127.0.0.1:${rtsp.port}/live`);
    await sp.stop();
    for (const text of [...bodies, sp.logs()]) {
      assert(!text.includes(PASSWORD), `password leaked: ${text.slice(0, 300)}`);
      assert(!text.includes(encodeURIComponent(PASSWORD)), "encoded password leaked");
      assert(!text.includes("admin:"), "user:password leaked");
    }
  } finally {
    await sp.stop();
    await rtsp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("StreamPulse answers unknown names and bad queries with JSON errors", async () => {
  const sp = await startStreamPulse({ config: "api: {port: {{API_PORT}}}\nstreams: []\n" });
  try {
    const r1 = await sp.get("/api/streams/nope/history");
    assertEquals([r1.status, r1.body], [404, { error: 'Unknown stream "nope"' }]);
    const r2 = await sp.get("/api/nothing");
    assertEquals(r2.status, 404);
    const r3 = await sp.get("/api/status");
    assertEquals([r3.status, r3.body], [200, {}]);
    const r4 = await sp.get("/metrics");
    assertEquals(r4.status, 200);
    assertStringIncludes(r4.text, "system_total_streams 0");
    const r5 = await sp.get("/api/sla?days=abc");
    assertEquals(r5.status, 400);
  } finally {
    await sp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("StreamPulse stops within 5 s on SIGTERM and a restart keeps history", async () => {
  const rtsp = await startRtspServer();
  const config = `heartbeat_seconds: 1
api: {port: {{API_PORT}}}
streams:
- {name: cam, url: "${rtsp.url()}"}
`;
  const sp = await startStreamPulse({ config });
  try {
    await sp.until(
      async () => {
        const h = (await sp.get("/api/streams/cam/history")).body as unknown[];
        return h.length >= 3;
      },
      15_000,
      "3 checks",
    );
    const { code, ms } = await sp.stop();
    assertEquals(code, 0);
    assert(ms < 5000, `stop took ${ms} ms`);
    assertStringIncludes(sp.logs(), "database closed");
    const before = await countChecks(sp.dbPath);
    const again = await startStreamPulse({ dir: sp.dir, apiPort: sp.apiPort });
    try {
      const first = (await again.get("/api/status")).body as Status;
      assertEquals(first.cam.state, "up", "state restored before the first new check");
      const h = (await again.get("/api/streams/cam/history?limit=10000")).body as unknown[];
      assert(h.length >= before, `history ${h.length} < ${before}`);
    } finally {
      await again.stop();
    }
  } finally {
    await sp.stop();
    await rtsp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

async function countChecks(db: string): Promise<number> {
  const { DatabaseSync } = await import("node:sqlite");
  const d = new DatabaseSync(db, { readOnly: true });
  try {
    return Number((d.prepare("SELECT count(*) AS n FROM sp_check").get() as { n: number }).n);
  } finally {
    d.close();
  }
}

Deno.test("StreamPulse imports the Python release's database and config on first start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streampulse-compat-" });
  const compat = new URL("../fixtures/compat/v2.2/", import.meta.url);
  await Deno.copyFile(new URL("config.yaml", compat), `${dir}/config.yaml`);
  await Deno.copyFile(new URL("streams.db", compat), `${dir}/streams.db`);
  await Deno.chmod(`${dir}/streams.db`, 0o644);
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(`${dir}/streams.db`);
  const ins = db.prepare(
    "INSERT INTO log_Testing_streams (ts, status, latency_ms, message) VALUES (?, ?, ?, ?)",
  );
  for (let i = 0; i < 50; i++) {
    const ts = new Date(Date.now() - (50 - i) * 20_000 + 5.5 * 3600_000).toISOString()
      .replace("Z", "+05:30");
    ins.run(ts, i % 10 === 0 ? "fail" : "ok", 40 + i, i % 10 === 0 ? "timeout" : "HTTP 200");
  }
  db.close();
  // Keep the user's config as it is, but serve the API on a free port for the test.
  const apiPort = freePort();
  const text = await Deno.readTextFile(`${dir}/config.yaml`);
  await Deno.writeTextFile(
    `${dir}/config.yaml`,
    text + `\napi:\n  port: ${apiPort}\nweb:\n  port: ${freePort()}\n`,
  );
  const sp = await startStreamPulse({ dir, apiPort });
  try {
    const h = (await sp.get("/api/streams/Testing%20streams/history?limit=1000")).body as {
      ts: string;
      status: string;
    }[];
    assert(h.length >= 50, `imported ${h.length}`);
    const imported = h.filter((r) => (r as { details?: { imported?: string } }).details?.imported);
    assertEquals(imported.length, 50);
    assertEquals(imported.filter((r) => r.status === "fail").length, 5);
    assert(imported.every((r) => r.ts.endsWith("+05:30")), "ts in the configured time zone");
    assertStringIncludes(sp.logs(), "import");
  } finally {
    await sp.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StreamPulse hot-reloads config edits, keeps the last good config on a bad edit", async () => {
  const rtsp = await startRtspServer();
  const dir = await Deno.makeTempDir({ prefix: "streampulse-reload-" });
  const host = `${dir}/host`;
  await Deno.mkdir(host);
  const apiPort = freePort();
  const base =
    `heartbeat_seconds: 2\napi: {port: ${apiPort}}\nweb: {port: ${freePort()}}\nstreams:\n- {name: a, url: "${rtsp.url()}"}\n`;
  await Deno.writeTextFile(`${host}/config.yaml`, base);
  // Run through a symlink, as the Python container did (/app/config.yaml -> /host/config.yaml).
  await Deno.symlink(`${host}/config.yaml`, `${dir}/config.yaml`);
  const sp2 = await startStreamPulse({ dir, apiPort });
  const names = async () => Object.keys(await status(sp2)).join(",");
  try {
    await sp2.until(stateOf(sp2, "a", "up"), 10_000, "a up");
    // 1. in place, through the symlink's target
    await Deno.writeTextFile(`${host}/config.yaml`, base + `- {name: b, url: "${rtsp.url()}"}\n`);
    // (How fast a reload applies is measured by `deno task bench`, not asserted here.)
    await sp2.until(async () => (await names()) === "a,b", 5000, "b added");
    // 2. an editor's write-temp-then-rename
    await Deno.writeTextFile(
      `${host}/.config.yaml.tmp`,
      base + `- {name: c, url: "${rtsp.url()}"}\n`,
    );
    await Deno.rename(`${host}/.config.yaml.tmp`, `${host}/config.yaml`);
    await sp2.until(async () => (await names()) === "a,c", 5000, "b replaced by c");
    // 3. an invalid edit keeps the last good config and shows the error
    await Deno.writeTextFile(`${host}/config.yaml`, base + "- {name: d, url: ftp://x/y}\n");
    const health = await sp2.until(
      async () => {
        const h = (await sp2.get("/api/health")).body as { config: { error: string | null } };
        return h.config.error ? h : undefined;
      },
      3000,
      "config error in health",
    );
    assertStringIncludes(
      health.config.error!,
      'streams[1] ("d").url: scheme "ftp" is not supported',
    );
    assertEquals(await names(), "a,c");
    assertStringIncludes(sp2.logs(), "keeping the last good config");
    // 4. fixing it clears the error
    await Deno.writeTextFile(`${host}/config.yaml`, base);
    await sp2.until(
      async () => {
        const h = (await sp2.get("/api/health")).body as { config: { error: string | null } };
        return h.config.error === null && (await names()) === "a";
      },
      3000,
      "error cleared",
    );
    assert((await Deno.lstat(`${dir}/config.yaml`)).isSymlink, "symlink kept");
    // The untouched stream kept its loop and its history through all of that.
    await sp2.until(
      async () => {
        const hist = (await sp2.get("/api/streams/a/history")).body as unknown[];
        return hist.length >= 2;
      },
      5000,
      "a checked again",
    );
  } finally {
    await sp2.stop();
    await rtsp.stop();
    await delay(10);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StreamPulse moves the status API when api.port is edited", async () => {
  const sp = await startStreamPulse({ config: "api: {port: {{API_PORT}}}\nstreams: []\n" });
  const next = freePort();
  try {
    await Deno.writeTextFile(
      sp.configPath,
      `api: {port: ${next}}\nweb: {port: ${sp.webPort}}\nstreams: []\n`,
    );
    const res = await sp.until(
      async () => {
        const r = await fetch(`http://127.0.0.1:${next}/api/health`);
        await r.body?.cancel();
        return r.status === 200 ? r : undefined;
      },
      5000,
      "API on the new port",
    );
    assertEquals(res.status, 200);
    let refused = false;
    await fetch(`http://127.0.0.1:${sp.apiPort}/api/health`).then((r) => r.body?.cancel(), () => {
      refused = true;
    });
    assert(refused, "the old port is closed");
  } finally {
    await sp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

/** A TCP proxy that forwards to `port`, or swallows connections silently (a hung camera). */
function startSwitchProxy(port: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const state = { mode: "forward" as "forward" | "silent" };
  const serving = (async () => {
    for await (const c of listener) {
      conns.add(c);
      if (state.mode === "silent") continue; // accepted, never answered
      Deno.connect({ hostname: "127.0.0.1", port }).then((up) => {
        conns.add(up);
        c.readable.pipeTo(up.writable).catch(() => {});
        up.readable.pipeTo(c.writable).catch(() => {});
      }, () => c.close());
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    silence: () => state.mode = "silent",
    async stop() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await serving;
    },
  };
}

Deno.test("StreamPulse shows a camera that stops answering as down within heartbeat + timeout + 2 s", async () => {
  const rtsp = await startRtspServer();
  const proxy = startSwitchProxy(rtsp.port);
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 3
api: {port: {{API_PORT}}}
streams:
- {name: cam, url: "rtsp://127.0.0.1:${proxy.port}/live", timeout_seconds: 2, media: false}
`,
  });
  try {
    await sp.until(stateOf(sp, "cam", "up"), 15_000, "cam up");
    proxy.silence();
    const t0 = Date.now();
    const down = await sp.until(stateOf(sp, "cam", "down"), 15_000, "cam down");
    const took = Date.now() - t0;
    assert(took <= 3000 + 2000 + 2000, `down after ${took} ms`);
    assertEquals(down.message, "timeout");
  } finally {
    await sp.stop();
    await proxy.stop();
    await rtsp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("StreamPulse guards the status API with api.token on both ports when one is set", async () => {
  const sp = await startStreamPulse({
    config: "api: {port: {{API_PORT}}, token: tok-3x4mpl3-long}\nstreams: []\n",
  });
  try {
    for (const port of [sp.apiPort, sp.webPort]) {
      const none = await fetch(`http://127.0.0.1:${port}/api/status`);
      assertEquals(none.status, 401, `port ${port}`);
      assertStringIncludes(await none.text(), "Missing or wrong API token");
      const wrong = await fetch(`http://127.0.0.1:${port}/api/status`, {
        headers: { authorization: "Bearer nope" },
      });
      await wrong.body?.cancel();
      assertEquals(wrong.status, 401);
      const right = await fetch(`http://127.0.0.1:${port}/api/status`, {
        headers: { authorization: "Bearer tok-3x4mpl3-long" },
      });
      assertEquals([right.status, await right.json()], [200, {}]);
    }
    const metrics = await fetch(`http://127.0.0.1:${sp.apiPort}/metrics?token=tok-3x4mpl3-long`);
    await metrics.body?.cancel();
    assertEquals(metrics.status, 200);
  } finally {
    await sp.stop();
    assert(!sp.logs().includes("tok-3x4mpl3-long"), "the token is never logged");
    await Deno.remove(sp.dir, { recursive: true });
  }
});
