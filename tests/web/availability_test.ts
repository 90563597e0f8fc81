/** One availability everywhere: /api/status, /api/sla, /metrics and the dashboard rows agree. */

import { assert, assertEquals } from "../assert.ts";
import { createBus, createLogger, type StreamState } from "../../monitor/mod.ts";
import { parseConfig } from "../../monitor/config/mod.ts";
import { createMonitor } from "../../monitor/monitor.ts";
import { selectProbe } from "../../monitor/probes/mod.ts";
import { createSlaReporter, createStatusView } from "../../monitor/status/mod.ts";
import { openStore, type Store } from "../../monitor/store/mod.ts";
import { createApiApp } from "../../web/api/mod.ts";
import { createRows } from "../../web/rows.ts";

const HOUR = 3_600_000;
/** 2026-12-01 13:05:00.123 in Berlin. */
const NOW = Date.UTC(2026, 11, 1, 12, 5, 0, 123);

const CONFIG = `timezone: Europe/Berlin
streams:
  - name: cam
    url: rtsp://127.0.0.1:1/cam
  - name: never
    url: rtsp://127.0.0.1:1/never
  - name: "off"
    url: rtsp://127.0.0.1:1/off
    enabled: false
    interval_seconds: 60
  - name: new
    url: rtsp://127.0.0.1:1/new
`;

/**
 * cam: first checked 12 h ago; degraded 6 h → 5 h ago, down 3 h → 2 h ago: reachable 11/12,
 * picture OK 10/12. never: failing from its first check 2 h ago → 0. off (disabled): up from
 * 10 h ago to its last check 4 h ago, not observed after it (plus one interval) → 1, not in
 * overall. new: never checked → null.
 */
function buildHistory(store: Store) {
  const check = (name: string, ts: number, ok: boolean, state: StreamState) =>
    store.recordCheck(name, {
      ts,
      ok,
      state,
      latencyMs: ok ? 40 : NaN,
      message: ok ? "RTSP 200" : "timeout",
      details: {},
    });
  const change = (name: string, from: StreamState, to: StreamState, ts: number) =>
    store.recordStateChange({ name, from, to, ts, cause: to });
  check("cam", NOW - 12 * HOUR, true, "up");
  change("cam", "unknown", "up", NOW - 12 * HOUR);
  check("cam", NOW - 6 * HOUR, true, "degraded");
  change("cam", "up", "degraded", NOW - 6 * HOUR);
  check("cam", NOW - 5 * HOUR, true, "up");
  change("cam", "degraded", "up", NOW - 5 * HOUR);
  check("cam", NOW - 3 * HOUR - 2000, false, "up");
  check("cam", NOW - 3 * HOUR, false, "down");
  change("cam", "up", "down", NOW - 3 * HOUR);
  check("cam", NOW - 2 * HOUR, true, "up");
  change("cam", "down", "up", NOW - 2 * HOUR);
  check("cam", NOW - 400, true, "up"); // two checks in one second
  check("cam", NOW, true, "up");
  check("never", NOW - 2 * HOUR, false, "unknown");
  check("never", NOW - 2 * HOUR + 5000, false, "down");
  change("never", "unknown", "down", NOW - 2 * HOUR + 5000);
  check("off", NOW - 10 * HOUR, true, "up");
  change("off", "unknown", "up", NOW - 10 * HOUR);
  check("off", NOW - 4 * HOUR, true, "up");
}

/** The status API and the dashboard rows over one real store, wired as main.ts wires them. */
function setup() {
  const store = openStore(":memory:", { now: () => NOW, flushIntervalMs: 60_000 });
  buildHistory(store);
  const config = parseConfig(CONFIG);
  const bus = createBus((err) => {
    throw err;
  });
  const monitor = createMonitor({
    store,
    bus,
    logger: createLogger({ write: () => {} }),
    selectProbe,
    maxConcurrent: 1,
    now: () => NOW,
  });
  monitor.applyStreams(config.streams);
  let reads = 0;
  const counted = {
    ...store,
    incidents: (...a: Parameters<Store["incidents"]>) => (reads++, store.incidents(...a)),
  } as Store;
  const sla = createSlaReporter({
    store: counted,
    streams: () => monitor.streams(),
    now: () => NOW,
  });
  const view = createStatusView({
    streams: () => monitor.streams(),
    status: (n) => monitor.status(n),
    availability: sla.availability,
    timeZone: () => config.timezone,
  });
  const api = createApiApp({
    monitor,
    store,
    view,
    config: () => config,
    health: () => ({ ok: true }),
    now: () => NOW,
    logger: { error: (m) => console.error(m) },
    metrics: { families: () => [], lastPassed: () => undefined },
    sla,
  });
  const rows = createRows({ monitor, store, now: () => NOW, uptime: view.uptime });
  const get = async (path: string) => {
    const res = await api.request(`http://localhost${path}`);
    const type = res.headers.get("content-type") ?? "";
    return type.includes("json") ? await res.json() : await res.text();
  };
  return { store, get, rows, reads: () => reads };
}

const near = (a: number | null | undefined, b: number, what: string) =>
  assert(typeof a === "number" && Math.abs(a - b) < 1e-12, `${what}: expected ${b}, got ${a}`);

Deno.test("availability is one figure in /api/status, /api/sla?days=1, /metrics and the dashboard row", async () => {
  const { store, get, rows, reads } = setup();
  try {
    const status = await get("/api/status");
    const day = await get("/api/sla?days=1");
    const metrics: string = await get("/metrics");
    const row = rows.all().find((r) => r.name === "cam")!;
    near(status.cam.uptime_24h, 11 / 12, "uptime_24h");
    assertEquals(day.streams.cam.ratio, status.cam.uptime_24h);
    assertEquals(row.up24h, status.cam.uptime_24h);
    assertEquals(row.up30d, status.cam.uptime_24h, "first checked 12 h ago: 30 d is the same");
    near(day.streams.cam.picture_ok_ratio, 10 / 12, "picture_ok_ratio");
    assertEquals(row.pic24h, day.streams.cam.picture_ok_ratio);
    assertEquals(day.streams.cam.degraded_seconds, 3600);
    // Never up: 0, not the few seconds before its first incident.
    assertEquals([status.never.uptime_24h, day.streams.never.ratio], [0, 0]);
    assertEquals(day.streams.never.observed_seconds, 2 * 3600);
    // Disabled 4 h ago: observed until its last check plus one interval, then nothing.
    assertEquals(day.streams.off.ratio, 1);
    assertEquals(day.streams.off.observed_seconds, 6 * 3600 + 60);
    assertEquals([status.new.uptime_24h, day.streams.new.ratio, rows.one("new")!.up24h], [
      null,
      null,
      null,
    ]);
    // /metrics: the enabled streams over 30 d, all first checked within the day: 11 h of 14.
    const m = /^system_sla_ratio_30d (\S+)$/m.exec(metrics);
    assert(m, metrics);
    near(Number(m[1]), 11 / 14, "system_sla_ratio_30d");
    near(day.overall.ratio, 11 / 14, "overall");
    // One store read per stream and window: another round is served from the cache.
    const before = reads();
    await get("/api/status");
    await get("/api/sla?days=1");
    rows.all();
    assertEquals(reads(), before);
  } finally {
    store.close();
  }
});

Deno.test("the status API writes times with milliseconds and the zone's offset", async () => {
  const { store, get } = setup();
  try {
    const status = await get("/api/status");
    assertEquals(status.cam.ts, "2026-12-01T13:05:00.123+01:00");
    assertEquals(status.cam.since, "2026-12-01T11:05:00.123+01:00");
    const history = await get("/api/streams/cam/history?limit=2");
    assertEquals(history.map((h: { ts: string }) => h.ts), [
      "2026-12-01T13:05:00.123+01:00",
      "2026-12-01T13:04:59.723+01:00",
    ]);
    const incidents = await get("/api/streams/cam/incidents");
    assertEquals(incidents[0].start, "2026-12-01T10:05:00.123+01:00");
    assertEquals(incidents[0].end, "2026-12-01T11:05:00.123+01:00");
    const day = await get("/api/sla?days=1");
    assertEquals([day.from, day.to], [
      "2026-11-30T13:05:00.123+01:00",
      "2026-12-01T13:05:00.123+01:00",
    ]);
  } finally {
    store.close();
  }
});

Deno.test("history and incidents read an unencoded + offset in from/to (decoded as a space)", async () => {
  const { store, get } = setup();
  try {
    // 13:00+01:00 is 12:00Z: the last two checks only.
    const h = await get("/api/streams/cam/history?from=2026-12-01T13:00:00+01:00");
    assertEquals(h.length, 2);
    const encoded = await get(
      `/api/streams/cam/history?from=${encodeURIComponent("2026-12-01T13:00:00+01:00")}`,
    );
    assertEquals(encoded, h);
    const i = await get(
      "/api/streams/cam/incidents?from=2026-12-01T10:30:00+01:00&to=2026-12-01T12:00:00.5+01:00",
    );
    assertEquals(i.map((x: { state: string }) => x.state), ["down"]);
    const bad = await get("/api/streams/cam/history?from=2026-12-01T13:00:00%2099:99");
    assert(typeof bad.error === "string" && bad.error.includes('Invalid "from"'), bad.error);
  } finally {
    store.close();
  }
});
