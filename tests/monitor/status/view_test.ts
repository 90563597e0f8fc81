import { assertEquals } from "../../assert.ts";
import { createStatusView } from "../../../monitor/status/view.ts";
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
  let clock = 0;
  const view = createStatusView({
    streams: () => streams,
    status: (n) => statuses.get(n),
    uptime: () => new Map(streams.map((s) => [s.name, { ratio }])),
    timeZone: () => tz,
    now: () => ++clock * 1000, // every call is a new second: the uptime cache never hides a change
    uptimeCacheMs: 0,
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
