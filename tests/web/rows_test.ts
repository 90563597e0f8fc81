/** Dashboard rows: availability from the one shared source, the status message, the latency ring. */

import { assertEquals } from "../assert.ts";
import { createRows } from "../../web/rows.ts";
import type { CheckRecord, StreamConfig, StreamStatus } from "../../monitor/mod.ts";

const DAY = 86_400_000;
const stream = (name: string, enabled = true): StreamConfig => ({
  name,
  url: `rtsp://h/${name}`,
  enabled,
  intervalSeconds: 10,
  timeoutSeconds: 5,
  tags: ["lobby"],
  tlsInsecure: false,
});
const check = (ts: number, ok: boolean, latencyMs: number): CheckRecord => ({
  ts,
  ok,
  state: ok ? "up" : "down",
  latencyMs,
  message: ok ? "RTSP 200" : "timeout",
  details: {},
});

Deno.test("createRows() fills 24 h, 7 d and 30 d availability and picture OK from the shared source", () => {
  const t = 10 * 30 * DAY;
  const streams = [stream("a"), stream("b", false), stream("c")];
  const a: StreamStatus = {
    name: "a",
    kind: "rtsp",
    state: "up",
    since: t - 5000,
    failStreak: 0,
    last: check(t - 1000, true, 12.6),
  };
  const asked: string[] = [];
  const rows = createRows({
    monitor: { streams: () => streams, status: (n) => (n === "a" ? a : undefined) },
    store: { history: () => [check(t - 2000, false, 5000), check(t - 3000, true, 8)] }, // newest first
    now: () => t,
    uptime: {
      ratio: (n, w) => (asked.push(`${n}/${w / DAY}`), n === "a" ? w / DAY / 100 : null),
      pictureOk: (n, w) => (n === "a" ? w / DAY / 200 : null),
    },
  });
  const [ra, rb, rc] = rows.all();
  assertEquals([ra.up24h, ra.up7d, ra.up30d], [0.01, 0.07, 0.3]);
  assertEquals([ra.pic24h, ra.pic7d, ra.pic30d], [0.005, 0.035, 0.15]);
  assertEquals([ra.state, ra.latencyMs, ra.message, ra.spark], ["up", 13, "RTSP 200", [8, null]]);
  assertEquals([rb.state, rb.message, rb.up24h, rb.pic24h, rb.since], [
    "unknown",
    "disabled",
    null,
    null,
    t,
  ]);
  assertEquals([rc.message, rc.kind], ["not checked yet", ""]);
  assertEquals(asked.slice(0, 3), ["a/1", "a/7", "a/30"]);
  rows.record("a", check(t, true, 20));
  assertEquals(rows.one("a")?.spark, [8, null, 20]);
  assertEquals(rows.one("nope"), undefined);
});

Deno.test("createRows() carries the media task's verifiedAt, overdue deadline and picture problem, null without media", () => {
  const streams = [stream("cam"), stream("plain")];
  const rows = createRows({
    monitor: { streams: () => streams, status: () => undefined },
    store: { history: () => [] },
    picture: (
      n,
    ) => (n === "cam"
      ? { verifiedAt: 5, overdueAt: 9, overdue: false, unverified: "picture not verified: x" }
      : undefined),
  });
  const [cam, plain] = rows.all();
  assertEquals([cam.verifiedAt, cam.mediaOverdueAt], [5, 9]);
  assertEquals(cam.pictureProblem, "picture not verified: x");
  assertEquals([plain.verifiedAt, plain.mediaOverdueAt, plain.pictureProblem], [null, null, null]);
});

Deno.test("createRows() without a source shows no figures rather than check counts", () => {
  const rows = createRows({
    monitor: { streams: () => [stream("cam")], status: () => undefined },
    store: { history: () => [] },
  });
  const [cam] = rows.all();
  assertEquals([cam.up24h, cam.up7d, cam.up30d, cam.pic24h], [null, null, null, null]);
});

Deno.test("createRows() carries host:port without credentials and the site, never the URL", () => {
  const streams: StreamConfig[] = [
    { ...stream("cam"), url: "rtsp://admin:s3cret@CAM.example/live", site: "north" },
    { ...stream("snap"), url: "https://10.0.0.7:8443/snap.jpg" },
    { ...stream("odd"), url: "not a url" },
  ];
  const rows = createRows({
    monitor: { streams: () => streams, status: () => undefined },
    store: { history: () => [] },
  });
  const [cam, snap, odd] = rows.all();
  assertEquals([cam.host, cam.site], ["cam.example:554", "north"]);
  assertEquals([snap.host, snap.site], ["10.0.0.7:8443", undefined]);
  assertEquals(odd.host, "");
  const text = JSON.stringify(rows.all());
  assertEquals([text.includes("s3cret"), text.includes("admin"), text.includes("rtsp://")], [
    false,
    false,
    false,
  ]);
});
