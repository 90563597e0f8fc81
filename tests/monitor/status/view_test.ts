import { assertEquals } from "../../assert.ts";
import { createStatusView, historyEntry, streamMessage } from "../../../monitor/status/mod.ts";
import type { StreamConfig, StreamStatus } from "../../../monitor/types.ts";

const stream = (name: string, url = `rtsp://u:pw-secret@h/${name}`): StreamConfig => ({
  name,
  url,
  enabled: true,
  intervalSeconds: 10,
  timeoutSeconds: 5,
  tags: [],
  tlsInsecure: false,
});

Deno.test("createStatusView() allJson() equals JSON of all() and follows every change", () => {
  let streams = [stream("a"), stream('b "quoted"'), stream("c")];
  const statuses = new Map<string, StreamStatus>(streams.map((s, i) => [s.name, {
    name: s.name,
    kind: "rtsp",
    state: "up",
    since: 1_700_000_000_000 + i,
    failStreak: 0,
    last: {
      ts: 1_700_000_100_000,
      ok: true,
      state: "up",
      latencyMs: 3,
      message: "RTSP 200",
      details: { i },
    },
  }]));
  let tz = "UTC";
  let ratio = 1;
  const view = createStatusView({
    streams: () => streams,
    status: (n) => statuses.get(n),
    availability: {
      ratio: (n, windowMs) => (windowMs === 86_400_000 && n !== "gone" ? ratio : null),
    },
    timeZone: () => tz,
  });
  const same = () => assertEquals(JSON.parse(view.allJson()), view.all());
  same();
  const a = statuses.get("a")!;
  a.last = { ...a.last!, ok: false, message: "timeout", latencyMs: 5000 };
  same();
  a.state = "down";
  a.since += 1;
  same();
  tz = "Asia/Calcutta";
  same();
  ratio = 0.5;
  same();
  streams = [streams[2], streams[0]]; // removed and reordered
  same();
  assertEquals(Object.keys(JSON.parse(view.allJson())), ["c", "a"]);
  assertEquals(view.allJson().includes("pw-secret"), false);
});

Deno.test("createStatusView() takes uptime_24h from the availability source, null without one", () => {
  const st: StreamStatus = { name: "a", kind: "rtsp", state: "up", since: 0, failStreak: 0 };
  const asked: number[] = [];
  const view = createStatusView({
    streams: () => [stream("a")],
    status: () => st,
    availability: { ratio: (_n, windowMs) => (asked.push(windowMs), 0.25) },
    timeZone: () => "UTC",
  });
  assertEquals(view.one("a")!.uptime_24h, 0.25);
  assertEquals(asked, [86_400_000]);
  assertEquals(view.uptime.ratio("a", 7), 0.25, "the rows read the same source");
  const bare = createStatusView({
    streams: () => [stream("a")],
    status: () => st,
    timeZone: () => "UTC",
  });
  assertEquals(bare.one("a")!.uptime_24h, null);
});

Deno.test("createStatusView() writes ts, since and history times with milliseconds and offset", () => {
  const ts = Date.UTC(2026, 11, 1, 12, 5, 0, 123);
  const last = { ts, ok: true, state: "up" as const, latencyMs: 3, message: "ok", details: {} };
  const st: StreamStatus = {
    name: "a",
    kind: "rtsp",
    state: "up",
    since: ts - 1,
    failStreak: 0,
    last,
  };
  const view = createStatusView({
    streams: () => [stream("a")],
    status: () => st,
    timeZone: () => "Europe/Berlin",
  });
  const e = view.one("a")!;
  assertEquals([e.ts, e.since], ["2026-12-01T13:05:00.123+01:00", "2026-12-01T13:05:00.122+01:00"]);
  assertEquals(historyEntry(last, "UTC").ts, "2026-12-01T12:05:00.123+00:00");
});

Deno.test("streamMessage() is the last check's message, else not checked yet or disabled", () => {
  const last = {
    ts: 1,
    ok: false,
    state: "down" as const,
    latencyMs: 1,
    message: "timeout",
    details: {},
  };
  assertEquals(streamMessage({ enabled: true }, last), "timeout");
  assertEquals(streamMessage({ enabled: false }, last), "timeout");
  assertEquals(streamMessage({ enabled: true }, undefined), "not checked yet");
  assertEquals(streamMessage({ enabled: false }), "disabled");
});

Deno.test("createStatusView() adds verified_at (zoned ISO) and media_overdue to media streams' details", () => {
  const streams = [stream("cam"), stream("plain")];
  const last = { ts: 1_700_000_100_000, ok: true, state: "up" as const, latencyMs: 3 };
  const st = (name: string): StreamStatus => ({
    name,
    kind: "rtsp",
    state: "up",
    since: 1_700_000_000_000,
    failStreak: 0,
    last: { ...last, message: "RTSP 200", details: { media: { codec: "h264" } } },
  });
  let picture = { verifiedAt: null as number | null, overdueAt: 0, overdue: true };
  const view = createStatusView({
    streams: () => streams,
    status: st,
    timeZone: () => "Asia/Calcutta",
    picture: (n) => (n === "cam" ? picture : undefined),
  });
  assertEquals(view.one("cam")!.details, {
    media: { codec: "h264" },
    verified_at: null,
    media_overdue: true,
  });
  assertEquals(view.one("plain")!.details, { media: { codec: "h264" } }, "no media checks");
  assertEquals(JSON.parse(view.allJson()), view.all());
  picture = { verifiedAt: Date.UTC(2025, 0, 1, 12), overdueAt: 0, overdue: false };
  assertEquals(view.one("cam")!.details.verified_at, "2025-01-01T17:30:00.000+05:30");
  assertEquals(view.one("cam")!.details.media_overdue, false);
  assertEquals(JSON.parse(view.allJson()), view.all(), "a new picture freshness is re-serialised");
});
