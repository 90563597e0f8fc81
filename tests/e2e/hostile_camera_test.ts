/** Hostile cameras beside a healthy one, through the real process: nobody else is kept waiting. */

import { assert, assertEquals } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { startHostileHls, startHostileRtsp } from "../fixtures/hostile_camera.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { startStreamPulse } from "../fixtures/streampulse.ts";

type Entry = { state: string; message: string; details: Record<string, unknown> };

Deno.test("StreamPulse keeps a healthy stream on time beside an HLS and an RTSP camera sending huge text", async () => {
  const healthy = await startRtspServer();
  const hls = startHostileHls(100_000);
  const rtsp = startHostileRtsp();
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 2
api: {port: {{API_PORT}}}
streams:
- {name: healthy, url: "${healthy.url()}", interval_seconds: 1, timeout_seconds: 1}
- {name: hostile-hls, url: "${hls.url}", timeout_seconds: 3}
- {name: hostile-rtsp, url: "${rtsp.url}", timeout_seconds: 3}
`,
  });
  try {
    const all = await sp.until(
      async () => {
        const s = (await sp.get("/api/status")).body as Record<string, Entry>;
        return Object.values(s).every((e) => e.state !== "unknown") ? s : undefined;
      },
      60_000,
      "every stream decided",
    );
    const from = Date.now();
    await delay(8000); // several hostile checks happen meanwhile
    const health = (await sp.get("/api/health")).body as { scheduler: { maxLateMs: number } };
    const late = health.scheduler.maxLateMs;
    console.log(`scheduler max lateness: ${late} ms`);
    const history = (await sp.get(`/api/streams/healthy/history?from=${from}&limit=100`))
      .body as { ts: string; status: string }[];
    console.log(`healthy checks in 8 s: ${history.length}`);
    assert(late < 1000, `a check started ${late} ms late`);
    assert(history.length >= 6, `healthy was checked ${history.length} times in 8 s`);
    assert(history.every((h) => h.status === "ok"), JSON.stringify(history));

    const now = (await sp.get("/api/status")).body as Record<string, Entry>;
    assertEquals(all.healthy.state, "up");
    assertEquals(now["hostile-hls"].state, "down");
    assertEquals(
      now["hostile-hls"].message,
      "invalid playlist: variant URI longer than 4096 characters",
    );
    // The handshake's findings, clipped (the media check may have the last word on the message).
    const d = now["hostile-rtsp"].details as {
      videoCodec: string;
      server: string;
      tracks: { control: string }[];
    };
    assertEquals(d.videoCodec, `${"H".repeat(32)}…`);
    assertEquals(d.server, `${"S".repeat(120)}…`);
    assertEquals(d.tracks[0].control, `${"c".repeat(256)}…`);
    for (const name of ["hostile-hls", "hostile-rtsp"]) {
      const size = JSON.stringify(now[name]).length;
      console.log(`${name}: ${size} bytes of status, message ${JSON.stringify(now[name].message)}`);
      assert(now[name].message.length <= 300, `${name}: ${now[name].message.length} chars`);
      assert(size < 4096, `${name}: ${size} bytes of status`);
    }
  } finally {
    await sp.stop();
    await healthy.stop();
    await hls.stop();
    await rtsp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});
