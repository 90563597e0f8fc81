/** Unit tests of the stream page's pure text: summary line, detail rows, state band, sentence. */

import { assertEquals } from "../assert.ts";
import {
  bitrateLabel,
  codecLabel,
  detailRows,
  localTime,
  summaryLine,
} from "../../web/stream_summary.ts";
import { bandSegments, bandTotals } from "../../web/pages/stream_timeline.tsx";
import { stateSentence } from "../../islands/mod.ts";

const RTSP_DETAILS = {
  rtspStatus: 200,
  server: "GStreamer RTSP server",
  tracks: [{ media: "video", codec: "H264", payloadType: 96, clockRate: 90000 }],
  videoCodec: "H264",
  media: {
    codec: "h264",
    width: 1920,
    height: 1080,
    fps: 25,
    bitrateKbps: 4100,
    keyframeIntervalSeconds: 2,
    transport: "tcp",
    expected: undefined,
    picture: { verified: true, frozen: false, stillSeconds: 0, note: null },
    problems: ["picture black"],
  },
};

Deno.test("summaryLine() says codec, size, rate, bit rate, keyframes and transport", () => {
  assertEquals(
    summaryLine(RTSP_DETAILS),
    "H.264 1920×1080 · 25 fps · 4.1 Mbit/s · keyframe every 2 s · TCP",
  );
});

Deno.test("summaryLine() leaves missing parts out and is empty without facts", () => {
  assertEquals(
    summaryLine({ media: { codec: "mjpeg", fps: 9.96, bitrateKbps: 63 } }),
    "MJPEG · 10 fps · 63 kbit/s",
  );
  assertEquals(summaryLine({ videoCodec: "H265" }), "H.265");
  assertEquals(summaryLine({}), "");
  assertEquals(summaryLine({ media: { width: "<b>", fps: NaN } }), "");
});

Deno.test("codecLabel() and bitrateLabel() read as people write them", () => {
  assertEquals([codecLabel("hevc"), codecLabel("AVC1"), codecLabel("opus")], [
    "H.265",
    "H.264",
    "OPUS",
  ]);
  // Never "1000 kbit/s": what rounds to 1,000 kbit/s is written in Mbit/s.
  assertEquals([bitrateLabel(999.4), bitrateLabel(999.6), bitrateLabel(12_345)], [
    "999 kbit/s",
    "1.0 Mbit/s",
    "12.3 Mbit/s",
  ]);
});

Deno.test("detailRows() gives readable labels, lists for arrays and no empty values", () => {
  const rows = detailRows(RTSP_DETAILS);
  const by = Object.fromEntries(rows.map((r) => [r.key, r]));
  assertEquals(by.rtspStatus.label, "RTSP status");
  assertEquals(by["media.bitrateKbps"].value, "4.1 Mbit/s");
  assertEquals(by["media.fps"].value, "25 fps");
  assertEquals(by["media.keyframeIntervalSeconds"], {
    key: "media.keyframeIntervalSeconds",
    label: "Keyframe interval",
    value: "2 s",
  });
  assertEquals(by["media.picture.frozen"].value, "no");
  assertEquals(by.tracks.value, ["media video, codec H264, payload type 96, clock rate 90000"]);
  assertEquals(by["media.problems"].value, ["picture black"]);
  assertEquals(rows.some((r) => JSON.stringify(r.value).includes("undefined")), false);
  assertEquals("media.expected" in by || "media.picture.note" in by, false);
});

Deno.test("detailRows() masks credentials and clips long text", () => {
  const rows = detailRows({ url: "rtsp://admin:hunter2@10.0.0.5/live", note: "x".repeat(1000) });
  assertEquals(JSON.stringify(rows).includes("hunter2"), false);
  assertEquals((rows[1].value as string).length <= 301, true);
});

Deno.test("localTime() writes the configured zone's wall clock", () => {
  const ms = Date.UTC(2026, 11, 1, 12, 5, 0);
  assertEquals(localTime(ms, "Europe/Berlin"), "2026-12-01 13:05:00");
  assertEquals(localTime(ms, "UTC"), "2026-12-01 12:05:00");
});

Deno.test("bandSegments() covers the range: none, up, incidents, maintenance on top", () => {
  const segs = bandSegments({
    from: 0,
    to: 100,
    firstCheck: 10,
    incidents: [
      { state: "degraded", start: 20, end: 40 },
      { state: "down", start: 30, end: 50 },
      { state: "down", start: 90, end: null },
    ],
    maintenance: [[45, 60]],
  });
  assertEquals(segs.map((s) => [s.state, s.from, s.to]), [
    ["none", 0, 10],
    ["up", 10, 20],
    ["degraded", 20, 30],
    ["down", 30, 45],
    ["maintenance", 45, 60],
    ["up", 60, 90],
    ["down", 90, 100],
  ]);
  assertEquals(bandTotals(segs).down, 25);
});

Deno.test("bandSegments() clips to the range and is all none before any check", () => {
  const segs = bandSegments({
    from: 100,
    to: 200,
    firstCheck: undefined,
    incidents: [{ state: "down", start: 0, end: 120 }],
    maintenance: [],
  });
  assertEquals(segs.map((s) => [s.state, s.from, s.to]), [["down", 100, 120], ["none", 120, 200]]);
  assertEquals(bandSegments({ from: 5, to: 5, firstCheck: 0, incidents: [], maintenance: [] }), []);
});

Deno.test("stateSentence() uses one clock for the duration and says the cause", () => {
  const r = {
    state: "degraded" as const,
    since: 0,
    message: "picture frozen for 110 s",
    enabled: true,
  };
  assertEquals(stateSentence(r, 120_000).text, "Degraded for 2 min — picture frozen for 110 s");
  assertEquals(stateSentence({ ...r, state: "up", message: "ok" }, 5000).text, "Up for 5 s");
  assertEquals(stateSentence({ ...r, enabled: false }, 1).word, "Paused");
  assertEquals(stateSentence({ ...r, state: "unknown" }, 1).text, "Not checked yet");
});
