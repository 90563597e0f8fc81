/** H.264 depacketiser tests: real x264 RTP from GStreamer, then hostile packets. */

import { assert, assertEquals } from "../../../assert.ts";
import {
  computeStreamStats,
  createH264Depacketiser,
  describeParameterSets,
  parseRtpPacket,
  readFmtp,
} from "../../../../monitor/media/rtp/mod.ts";
import {
  cachedGst,
  capsField,
  concatBytes,
  depacketiseAll,
  ffmpegDecode,
  h264Launch,
  parseOk,
  rewrite,
  rtpPacket,
  seeded,
} from "./real_rtp.ts";

const stream = (w = 320, h = 240) => cachedGst(h264Launch(w, h));
const fmtpOf = (caps: string) =>
  `packetization-mode=1;sprop-parameter-sets=${capsField(caps, "sprop-parameter-sets")}`;

Deno.test("createH264Depacketiser() rebuilds every access unit of a real x264 stream", async () => {
  const { packets, caps } = await stream();
  const { units, problems, depacketiser } = depacketiseAll(
    "H264",
    fmtpOf(caps),
    packets.map((p) => p.bytes),
  );
  assertEquals(problems, []);
  assertEquals(units.length, 60);
  assertEquals(depacketiser.lostPackets, 0);
  assert(units.every((u) => u.complete && u.codec === "H264"));
  const keyIndexes = units.flatMap((u, i) => u.keyframe ? [i] : []);
  assertEquals(keyIndexes, [0, 10, 20, 30, 40, 50]);
  assert(units.filter((u) => u.keyframe).every((u) => u.hasParameterSets));
  // Annex-B: every unit starts with a 4-byte start code.
  assert(units.every((u) => u.data[0] === 0 && u.data[2] === 0 && u.data[3] === 1));
  const sps = describeParameterSets("H264", depacketiser.parameterSets());
  assertEquals(sps?.ok && [sps.sps.width, sps.sps.height, sps.sps.profile], [320, 240, 100]);
});

Deno.test("createH264Depacketiser() output decodes with ffmpeg, whole and keyframe alone", async () => {
  const { packets, caps } = await stream();
  const { units } = depacketiseAll("H264", fmtpOf(caps), packets.map((p) => p.bytes));
  const all = await ffmpegDecode("h264", concatBytes(units.map((u) => u.data)));
  assertEquals(all, { ok: true, frames: 60, errors: "", size: "320x240" });
  const key = await ffmpegDecode("h264", units[20].data);
  assertEquals(key, { ok: true, frames: 1, errors: "", size: "320x240" });
});

Deno.test("createH264Depacketiser() crops an odd 326×246 picture per its SPS", async () => {
  const { packets, caps } = await stream(326, 246);
  const { units, depacketiser } = depacketiseAll(
    "H264",
    fmtpOf(caps),
    packets.map((p) => p.bytes),
  );
  const sps = describeParameterSets("H264", depacketiser.parameterSets());
  assertEquals(sps?.ok && [sps.sps.width, sps.sps.height], [326, 246]);
  const fromSdp = describeParameterSets("H264", readFmtp("H264", fmtpOf(caps)).parameterSets);
  assertEquals(fromSdp?.ok && [fromSdp.sps.width, fromSdp.sps.height], [326, 246]);
  const decoded = await ffmpegDecode("h264", concatBytes(units.map((u) => u.data)));
  assertEquals([decoded.frames, decoded.size, decoded.errors], [60, "326x246", ""]);
});

Deno.test("createH264Depacketiser() measures 10 fps and 1 s keyframes from RTP time", async () => {
  const { packets, caps } = await stream();
  const d = createH264Depacketiser(readFmtp("H264", fmtpOf(caps)).parameterSets);
  const parsed = packets.map((p) => parseOk(p.bytes));
  const keyTimestamps = new Set(
    parsed.flatMap((packet) => d.push(packet).units).filter((u) => u.keyframe).map((u) =>
      u.timestamp
    ),
  );
  const stats = computeStreamStats(parsed.map((packet, i) => ({
    arrivalMs: packets[i].arrivalMs,
    rtpTimestamp: packet.timestamp,
    clockRate: 90000,
    bytes: packets[i].bytes.length,
    keyframe: keyTimestamps.has(packet.timestamp),
    sequence: packet.sequence,
  })));
  assertEquals(stats.frames, 60);
  assert(Math.abs(stats.fps! - 10) < 0.01, `fps ${stats.fps}`);
  assertEquals(stats.keyframes, 6);
  assert(Math.abs(stats.keyframeIntervalSeconds! - 1) < 0.01);
  assertEquals([stats.lostPackets, stats.expectedPackets], [0, packets.length]);
  assert(stats.bitrateKbps! > 10 && stats.bitrateKbps! < 5000, `bitrate ${stats.bitrateKbps}`);
  assertEquals(stats.timeToFirstKeyframeMs, 0);
});

Deno.test("createH264Depacketiser() survives the sequence wrap at 65535 without loss", async () => {
  const { packets, caps } = await stream();
  const renumbered = packets.map((p, i) => rewrite(p.bytes, { sequence: 65500 + i }));
  const { units, depacketiser, problems } = depacketiseAll("H264", fmtpOf(caps), renumbered);
  assertEquals([units.length, depacketiser.lostPackets, problems.length], [60, 0, 0]);
});

Deno.test("createH264Depacketiser() drops a NAL whose FU-A fragment was lost", async () => {
  const { packets, caps } = await stream();
  const bytes = packets.map((p) => p.bytes);
  // Find a middle FU-A fragment of the first keyframe and lose it.
  const at = bytes.findIndex((b) => (b[12] & 0x1f) === 28 && (b[13] & 0xc0) === 0);
  const { units, depacketiser, problems } = depacketiseAll(
    "H264",
    fmtpOf(caps),
    bytes.filter((_, i) => i !== at),
  );
  assertEquals(depacketiser.lostPackets, 1);
  assert(problems.some((p) => p.code === "fragment-lost"));
  assertEquals(units.length, 60);
  assertEquals(units[0].complete, false);
  assert(units.slice(1).every((u) => u.complete));
  assertEquals(units[0].nalTypes.filter((t) => t === 5).length, 1); // one of two IDR slices left
});

Deno.test("createH264Depacketiser() injects SDP parameter sets before a bare keyframe", () => {
  const sps = [0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x84];
  const pps = [0x68, 0xce, 0x3c, 0x80];
  const d = createH264Depacketiser([new Uint8Array(sps), new Uint8Array(pps)]);
  const out = d.push(
    parseOk(rtpPacket([0x65, 0x88, 0x84], { sequence: 1, timestamp: 9, marker: true })),
  );
  assertEquals(out.units[0].nalTypes, [7, 8, 5]);
  assertEquals(out.units[0].hasParameterSets, true);
  assertEquals(Array.from(out.units[0].data.subarray(0, 6)), [0, 0, 0, 1, 0x67, 0x42]);
});

Deno.test("createH264Depacketiser() marks a keyframe joined mid-picture incomplete", () => {
  // x264's sliced threads send a picture as several slices; a session can start after the
  // first: first_mb_in_slice (the first ue(v) after the header) is then not 0.
  const unit = (second: number, sequence: number) =>
    createH264Depacketiser().push(
      parseOk(rtpPacket([0x65, second, 0x84], { sequence, timestamp: 9, marker: true })),
    ).units[0];
  const top = unit(0x88, 1); // leading 1 bit: first_mb_in_slice = 0
  const later = unit(0x40, 1); // ue(v) "010" = 1: the picture's second macroblock row on
  assertEquals([top.keyframe, top.complete], [true, true]);
  assertEquals([later.keyframe, later.complete], [true, false]);
});

Deno.test("createH264Depacketiser() stops a STAP-A at a length past its end", () => {
  const d = createH264Depacketiser();
  const stap = [24, 0, 3, 0x67, 1, 2, 0, 200, 0x68, 1]; // second NAL claims 200 bytes
  const out = d.push(parseOk(rtpPacket(stap, { sequence: 1, timestamp: 1, marker: true })));
  assertEquals(out.problems.map((p) => p.code), ["bad-aggregate"]);
  assertEquals(out.units[0].nalTypes, [7]);
});

Deno.test("createH264Depacketiser() reports truncated and orphan FU-A fragments", () => {
  const d = createH264Depacketiser();
  const codes = (payload: number[], sequence: number, marker = false) =>
    d.push(parseOk(rtpPacket(payload, { sequence, timestamp: 5, marker }))).problems.map((p) =>
      p.code
    );
  assertEquals(codes([28], 1), ["bad-fragment"]);
  assertEquals(codes([28, 0x05, 1, 2], 2), ["fragment-lost"]); // middle without a start
  assertEquals(codes([28, 0x85, 1], 3), []); // start
  assertEquals(codes([0x61, 1], 4, true), ["fragment-lost"]); // a NAL while a FU is open
  assertEquals(codes([29, 0x85, 0, 1], 5), ["unsupported"]); // FU-B
});

Deno.test("createH264Depacketiser() bounds a picture growing past maxUnitBytes", () => {
  const d = createH264Depacketiser([], { maxUnitBytes: 1024 * 1024 });
  const chunk = new Uint8Array(60_000).fill(7);
  const codes: string[] = [];
  for (let i = 0; i < 20; i++) { // 1.2 MB of FU-A fragments for one picture
    const fu = concatBytes([new Uint8Array([28, i === 0 ? 0x85 : i === 19 ? 0x45 : 0x05]), chunk]);
    const out = d.push(parseOk(rtpPacket(fu, { sequence: i, timestamp: 1, marker: i === 19 })));
    assertEquals(out.units, []);
    codes.push(...out.problems.map((p) => p.code));
  }
  assertEquals(codes, ["unit-too-large"]); // once per picture, the rest of it ignored
  const next = d.push(
    parseOk(rtpPacket([0x65, 1, 2], { sequence: 20, timestamp: 2, marker: true })),
  );
  assertEquals(next.units.map((u) => u.nalTypes), [[5]]);
});

Deno.test("createH264Depacketiser() never throws on random packets and keeps output bounded", () => {
  const rand = seeded(42);
  const d = createH264Depacketiser([], { maxUnitBytes: 64 * 1024 });
  let units = 0;
  for (let i = 0; i < 20_000; i++) {
    const bytes = new Uint8Array(1 + Math.floor(rand() * 1500)).map(() => rand() * 256);
    bytes[0] = 0x80; // mostly valid headers, hostile payloads
    const parsed = parseRtpPacket(bytes);
    if (!parsed.ok) continue;
    for (const u of d.push(parsed.packet).units) {
      units++;
      assert(u.data.length <= 64 * 1024 + 8 * 1024);
    }
  }
  d.flush();
  assert(units > 0);
});
