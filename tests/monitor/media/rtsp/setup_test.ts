/** SETUP helpers and the window verdict: pure functions on hostile camera text. */

import { assert, assertEquals } from "../../../assert.ts";
import {
  answersTcp,
  interleavedChannel,
  resolveControl,
  sessionId,
  videoTrack,
} from "../../../../monitor/media/rtsp/setup.ts";
import { judgeWindow, type VerdictInput } from "../../../../monitor/media/rtsp/sample.ts";
import { resolveWindow } from "../../../../monitor/media/rtsp/mod.ts";

Deno.test("resolveControl() resolves relative, absolute and * controls and refuses request-line breakers", () => {
  const base = "rtsp://cam:554/live";
  assertEquals(resolveControl("track1", base), "rtsp://cam:554/live/track1");
  assertEquals(resolveControl("stream=0", base + "/"), "rtsp://cam:554/live/stream=0");
  assertEquals(resolveControl("*", base), base);
  assertEquals(resolveControl(undefined, base), base);
  assertEquals(resolveControl("rtsp://u:p@other/x", base), "rtsp://other/x");
  assertEquals(resolveControl("a b", base), null);
  assertEquals(resolveControl("t\r\nX: y", base), null);
  assertEquals(resolveControl("x".repeat(5000), base), null);
  assertEquals(resolveControl("track1", "http://cam/live"), null);
});

Deno.test("videoTrack() picks the first video track of an SDP with its fmtp and controls", () => {
  const sdp = "v=0\r\na=control:*\r\nm=audio 0 RTP/AVP 0\r\na=control:a\r\n" +
    "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
    "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0IAHpWoKA9k,aM48gA==\r\na=control:v\r\n";
  const t = videoTrack(sdp, "rtsp://cam/live/");
  assert(typeof t !== "string");
  assertEquals([t.codec, t.payloadType, t.clockRate], ["H264", 96, 90000]);
  assertEquals([t.controlUri, t.playUri], ["rtsp://cam/live/v", "rtsp://cam/live/"]);
  assert(t.fmtp.includes("sprop-parameter-sets=Z0IAHpWoKA9k,aM48gA=="));
  assertEquals(
    videoTrack("v=0\r\nm=audio 0 RTP/AVP 0\r\n", "rtsp://cam/"),
    "no video track in SDP",
  );
});

Deno.test("sessionId(), interleavedChannel() and answersTcp() read camera headers defensively", () => {
  assertEquals(sessionId("12345678;timeout=60"), "12345678");
  assertEquals(sessionId(" abc "), "abc");
  assertEquals(
    [sessionId(undefined), sessionId(""), sessionId("a b"), sessionId("x".repeat(300))],
    [
      null,
      null,
      null,
      null,
    ],
  );
  assertEquals(interleavedChannel("RTP/AVP/TCP;unicast;interleaved=2-3"), 2);
  assertEquals([interleavedChannel(undefined), interleavedChannel("interleaved=999-1000")], [0, 0]);
  assert(answersTcp("RTP/AVP/TCP;unicast;interleaved=0-1"));
  assert(!answersTcp("RTP/AVP;unicast;client_port=5000-5001"));
});

const base: VerdictInput = {
  end: "done",
  packets: 100,
  frames: 10,
  keyframeCount: 1,
  badPackets: 0,
  ignoredPackets: 0,
  depacketised: true,
  windowMs: 4000,
};

Deno.test("judgeWindow() names the first cause in its table's order", () => {
  assertEquals(judgeWindow(base), {});
  assertEquals(judgeWindow({ ...base, packets: 0, frames: 0, end: "no-data" }).cause, "no-video");
  assertEquals(judgeWindow({ ...base, packets: 0, ignoredPackets: 50 }).cause, "garbage");
  assertEquals(judgeWindow({ ...base, badPackets: 20, firstBad: "x" }).problem, "garbage RTP: x");
  assertEquals(judgeWindow({ ...base, badPackets: 3 }), {}, "a few bad packets are tolerated");
  assertEquals(
    judgeWindow({ ...base, keyframeCount: 0, end: "window" }).problem,
    "no keyframe within 4 s",
  );
  assertEquals(judgeWindow({ ...base, keyframeCount: 0, end: "stalled" }).cause, "stopped");
  assertEquals(
    judgeWindow({ ...base, end: "closed" }).problem,
    "stream stopped mid-window (connection closed)",
  );
  assertEquals(
    judgeWindow({ ...base, depacketised: false, end: "window" }).cause,
    "unsupported-codec",
  );
});

Deno.test("resolveWindow() bounds the window by the stream's timeout", () => {
  assertEquals(resolveWindow({}, 5000).windowMs, 4000);
  assertEquals(resolveWindow({ windowMs: 60_000 }, 5000).windowMs, 5000);
  assertEquals(resolveWindow({}, 1000).noDataMs, 1000);
  assertEquals(resolveWindow({ windowMs: 1 }, 5000).windowMs, 200);
});
