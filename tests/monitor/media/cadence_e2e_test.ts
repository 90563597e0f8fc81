/** The media cadence through the real engine: one process slot, real cameras, the real API. */

import parsePrometheus from "parse-prometheus-text-format";
import { assert, assertEquals } from "../../assert.ts";
import { createBus } from "../../../monitor/bus.ts";
import { parseConfig } from "../../../monitor/config/parse.ts";
import { createHealth } from "../../../monitor/health.ts";
import { createLogger } from "../../../monitor/log.ts";
import { createMediaTask } from "../../../monitor/media/task.ts";
import { createMetrics } from "../../../monitor/metrics_registry.ts";
import { createMonitor } from "../../../monitor/monitor.ts";
import { selectProbe } from "../../../monitor/probes/mod.ts";
import { createSlaReporter, createStatusView } from "../../../monitor/status/mod.ts";
import { openStore } from "../../../monitor/store/mod.ts";
import { createApiApp } from "../../../web/api/mod.ts";
import { startRtspServer } from "../../fixtures/rtsp.ts";

const NAMES = ["cam-1", "cam-2", "cam-3", "cam-4"];

Deno.test("createMediaTask() with one process slot and 4 cameras says which checks are overdue", async () => {
  const ball = await startRtspServer({ pattern: "ball" });
  const dataDir = await Deno.makeTempDir();
  const store = openStore(":memory:");
  const ctrl = new AbortController();
  const running: Promise<void>[] = [];
  try {
    const config = parseConfig(`
heartbeat_seconds: 2
timezone: Asia/Calcutta
streams:
${NAMES.map((n) => `  - {name: ${n}, url: "${ball.url()}?${n}"}`).join("\n")}
`);
    // A 2 s cadence (below the config's 10 s minimum) that one slot cannot keep for 4 streams:
    // each check holds it ~2-3 s (ffprobe, then ffmpeg).
    for (const s of config.streams) s.mediaCheckSeconds = 2;
    const bus = createBus();
    const logger = createLogger({ write: () => {} });
    const monitor = createMonitor({ store, bus, logger, selectProbe, maxConcurrent: 4 });
    monitor.applyStreams(config.streams);
    const media = createMediaTask({
      monitor,
      bus,
      logger,
      config: () => config,
      dataDir,
      maxProcesses: 1,
      readSeconds: 1,
      minGraceMs: 1000,
    });
    const view = createStatusView({
      streams: () => monitor.streams(),
      status: (n) => monitor.status(n),
      timeZone: () => config.timezone,
      picture: (n) => media.cadence(n),
    });
    const metrics = createMetrics({ bus, media: () => media.cadenceFigures() });
    const health = createHealth({
      version: "test",
      tasks: () => ({}),
      db: () => store.health(),
      statuses: () => monitor.statuses(),
      streamCount: () => config.streams.length,
      config: () => ({}),
      mqtt: () => ({}),
      media: () => media.health(),
    });
    const api = createApiApp({
      monitor,
      store,
      config: () => config,
      health,
      logger,
      view,
      bus,
      metrics,
      sla: createSlaReporter({ store, streams: () => monitor.streams() }),
    });
    running.push(monitor.run(ctrl.signal), media.run(ctrl.signal));

    const get = async (path: string) => {
      const res = await api.request(`http://127.0.0.1${path}`);
      assertEquals(res.status, 200, path);
      return res;
    };
    const details = async () => {
      const body = await (await get("/api/status")).json();
      return NAMES.map((n) => body[n].details as Record<string, unknown>);
    };
    const end = Date.now() + 30_000;
    let seen: Record<string, unknown>[] = [];
    // Until one camera has a verified picture while another's checks are overdue.
    while (Date.now() < end) {
      seen = await details();
      if (seen.some((d) => d.verified_at) && seen.some((d) => d.media_overdue)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const verified = seen.find((d) => d.verified_at);
    assert(verified, `no verified picture: ${JSON.stringify(seen)}`);
    assert(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+05:30$/.test(String(verified.verified_at)),
      `verified_at in the configured zone: ${verified.verified_at}`,
    );
    assertEquals((verified.media as { picture: { frames: number } }).picture.frames > 0, true);
    assert(seen.some((d) => d.media_overdue === true), `none overdue: ${JSON.stringify(seen)}`);
    assert(seen.every((d) => typeof d.media_overdue === "boolean"));

    const text = await (await get("/metrics")).text();
    const fams = parsePrometheus(text) as Array<
      { name: string; metrics: Array<{ value?: string; count?: string }> }
    >;
    const gauge = fams.find((f) => f.name === "streampulse_media_overdue_streams");
    assert(Number(gauge?.metrics[0].value) > 0, `overdue gauge: ${JSON.stringify(gauge)}`);
    const late = fams.find((f) => f.name === "streampulse_media_check_lateness_seconds");
    assert(Number(late?.metrics[0].count) >= NAMES.length, `lateness: ${JSON.stringify(late)}`);

    const h = await (await get("/api/health")).json();
    assert(h.media.overdue > 0, `health: ${JSON.stringify(h.media)}`);
    assertEquals(h.media.streams, NAMES.length);
    assertEquals(h.media.processes.max, 1);
  } finally {
    ctrl.abort();
    await Promise.all(running);
    store.close();
    await ball.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
