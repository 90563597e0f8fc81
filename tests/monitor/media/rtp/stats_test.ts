/** Stream statistics tests: real JPEG RTP, then wrap-around, loss and hostile samples. */

import { assert, assertEquals } from "../../../assert.ts";
import {
  computeStreamStats,
  createDepacketiser,
  createStreamStats,
  type PacketSample,
} from "../../../../monitor/media/rtp/mod.ts";
import { cachedGst, parseOk } from "./real_rtp.ts";

/** 10 fps, 3 packets a picture, a keyframe every 5th picture, starting near both wraps. */
function synthetic(frames: number, skip: (seq: number) => boolean = () => false): PacketSample[] {
  const out: PacketSample[] = [];
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < 3; k++) {
      const seq = (65530 + f * 3 + k) & 0xffff;
      if (skip(seq)) continue;
      out.push({
        arrivalMs: 1000 + f * 100 + k,
        rtpTimestamp: (0xffff_0000 + f * 9000) >>> 0,
        clockRate: 90000,
        bytes: 1000,
        keyframe: f % 5 === 0,
        sequence: seq,
      });
    }
  }
  return out;
}

Deno.test("computeStreamStats() measures fps, bitrate and keyframes across both wraps", () => {
  const s = computeStreamStats(synthetic(50), { startMs: 900 });
  assertEquals([s.packets, s.frames, s.keyframes, s.lostPackets, s.expectedPackets], [
    150,
    50,
    10,
    0,
    150,
  ]);
  assert(Math.abs(s.fps! - 10) < 1e-9);
  assert(Math.abs(s.mediaSeconds - 4.9) < 1e-9);
  assert(Math.abs(s.keyframeIntervalSeconds! - 0.5) < 1e-9);
  assert(Math.abs(s.bitrateKbps! - 240) < 1e-6); // 3 kB × 10 fps
  assertEquals(s.timeToFirstKeyframeMs, 100);
});

Deno.test("computeStreamStats() counts packet loss from sequence gaps over 65535", () => {
  const s = computeStreamStats(synthetic(20, (seq) => seq === 65535 || seq === 0 || seq === 7));
  assertEquals([s.expectedPackets, s.lostPackets], [60, 3]);
  assert(Math.abs(s.lossRatio - 0.05) < 1e-9);
});

Deno.test("computeStreamStats() reports a late first keyframe and refuses bad samples", () => {
  const samples = synthetic(20).map((x) => ({ ...x, keyframe: x.sequence === 15 }));
  const acc = createStreamStats();
  for (const x of samples) acc.add(x);
  acc.add({ ...samples[0], clockRate: 0 });
  acc.add({ ...samples[0], arrivalMs: NaN });
  const s = acc.summary();
  assertEquals([s.keyframes, s.keyframeIntervalSeconds, s.invalidSamples], [1, null, 2]);
  assertEquals(s.timeToFirstKeyframeMs, 700);
  const empty = computeStreamStats([]);
  assertEquals([empty.fps, empty.bitrateKbps, empty.frames, empty.lossRatio], [null, null, 0, 0]);
});

Deno.test("computeStreamStats() finds 10 fps in real RTP/JPEG sent as fast as possible", async () => {
  const { packets } = await cachedGst(
    "videotestsrc num-buffers=20 ! video/x-raw,format=I420,width=320,height=240,framerate=10/1 ! " +
      "jpegenc ! rtpjpegpay name=pay mtu=600 ! {PAY}",
  );
  const choice = createDepacketiser("JPEG");
  assert(choice.ok);
  const s = computeStreamStats(packets.map((p) => {
    const packet = parseOk(p.bytes);
    choice.depacketiser.push(packet);
    return {
      arrivalMs: p.arrivalMs,
      rtpTimestamp: packet.timestamp,
      clockRate: 90000,
      bytes: p.bytes.length,
      keyframe: true,
      sequence: packet.sequence,
    };
  }));
  // Delivery took well under 2 s of wall time; RTP time still says 10 fps over 1.9 s.
  assertEquals([s.frames, s.keyframes, s.lostPackets], [20, 20, 0]);
  assert(Math.abs(s.fps! - 10) < 0.01, `fps ${s.fps}`);
  assert(Math.abs(s.keyframeIntervalSeconds! - 0.1) < 0.001);
});
