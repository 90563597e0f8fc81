/** H.265 depacketiser tests: real x265 RTP from GStreamer, then hostile packets. */

import { assert, assertEquals } from "../../../assert.ts";
import {
  createDepacketiser,
  createH265Depacketiser,
  describeParameterSets,
  readFmtp,
} from "../../../../monitor/media/rtp/mod.ts";
import {
  cachedGst,
  capsField,
  concatBytes,
  depacketiseAll,
  ffmpegDecode,
  parseOk,
  rtpPacket,
  seeded,
} from "./real_rtp.ts";

const stream = () =>
  cachedGst(
    "videotestsrc num-buffers=30 ! video/x-raw,format=I420,width=326,height=246,framerate=10/1 ! " +
      "x265enc tune=zerolatency key-int-max=10 ! rtph265pay name=pay mtu=600 ! {PAY}",
  );
const fmtpOf = (caps: string) =>
  ["sprop-vps", "sprop-sps", "sprop-pps"].map((k) => `${k}=${capsField(caps, k)}`).join("; ");

Deno.test("createH265Depacketiser() rebuilds a real x265 stream that ffmpeg decodes", async () => {
  const { packets, caps } = await stream();
  const { units, problems, depacketiser } = depacketiseAll(
    "H265",
    fmtpOf(caps),
    packets.map((p) => p.bytes),
  );
  assertEquals(problems, []);
  assertEquals([units.length, depacketiser.lostPackets], [30, 0]);
  assertEquals(units.flatMap((u, i) => u.keyframe ? [i] : []), [0, 10, 20]);
  assert(units.filter((u) => u.keyframe).every((u) => u.hasParameterSets));
  const decoded = await ffmpegDecode("hevc", concatBytes(units.map((u) => u.data)));
  assertEquals(decoded, { ok: true, frames: 30, errors: "", size: "326x246" });
  const alone = await ffmpegDecode("hevc", units[10].data);
  assertEquals([alone.ok, alone.frames, alone.errors], [true, 1, ""]);
});

Deno.test("createH265Depacketiser() finds 326×246 (conformance window) in the SPS", async () => {
  const { packets, caps } = await stream();
  const fromSdp = describeParameterSets("H265", readFmtp("H265", fmtpOf(caps)).parameterSets);
  assertEquals(fromSdp?.ok && [fromSdp.sps.width, fromSdp.sps.height, fromSdp.sps.profile], [
    326,
    246,
    1,
  ]);
  const { depacketiser } = depacketiseAll("H265", "", packets.map((p) => p.bytes));
  assertEquals(depacketiser.parameterSets().map((n) => (n[0] >> 1) & 0x3f), [32, 33, 34]);
  const inBand = describeParameterSets("H265", depacketiser.parameterSets());
  assertEquals(inBand?.ok && [inBand.sps.width, inBand.sps.height], [326, 246]);
});

Deno.test("createDepacketiser() refuses H.265 with DONL politely", () => {
  const choice = createDepacketiser("H265", "sprop-max-don-diff=2");
  assertEquals(choice.ok, false);
  assert(!choice.ok && choice.problem.code === "unsupported");
  assert(!choice.ok && choice.problem.message.includes("sprop-max-don-diff 2"));
  assertEquals(createDepacketiser("H265", "sprop-max-don-diff=0").ok, true);
});

Deno.test("createH265Depacketiser() splits an AP and refuses sizes past its end", () => {
  const d = createH265Depacketiser();
  const vps = [0x40, 0x01, 0x0c], sps = [0x42, 0x01, 0x01], pps = [0x44, 0x01, 0xc1];
  const ap = [0x60, 0x01, 0, 3, ...vps, 0, 3, ...sps, 0, 3, ...pps, 0, 90, 0x26, 0x01];
  const out = d.push(parseOk(rtpPacket(ap, { sequence: 1, timestamp: 3, marker: true })));
  assertEquals(out.units[0].nalTypes, [32, 33, 34]);
  assertEquals(out.problems.map((p) => p.code), ["bad-aggregate"]);
});

Deno.test("createH265Depacketiser() joins FU fragments and drops a headless one", () => {
  const d = createH265Depacketiser();
  const fu = (s: boolean, e: boolean, data: number[]) => [
    0x62,
    0x01,
    (s ? 0x80 : 0) | (e ? 0x40 : 0) | 19,
    ...data,
  ];
  d.push(parseOk(rtpPacket(fu(true, false, [1, 2]), { sequence: 1, timestamp: 7 })));
  const out = d.push(
    parseOk(rtpPacket(fu(false, true, [3]), { sequence: 2, timestamp: 7, marker: true })),
  );
  assertEquals(out.units[0].nalTypes, [19]);
  assertEquals(out.units[0].keyframe, true);
  assertEquals(Array.from(out.units[0].data), [0, 0, 0, 1, 0x26, 0x01, 1, 2, 3]);
  const orphan = d.push(
    parseOk(rtpPacket(fu(false, true, [3]), { sequence: 3, timestamp: 8, marker: true })),
  );
  assertEquals([orphan.units.length, orphan.problems[0]?.code], [0, "fragment-lost"]);
  const tiny = d.push(parseOk(rtpPacket([0x62, 0x01, 0x93], { sequence: 4, timestamp: 9 })));
  assertEquals(tiny.problems.map((p) => p.code), ["bad-fragment"]);
  const paci = d.push(parseOk(rtpPacket([0x64, 0x01, 0, 0], { sequence: 5, timestamp: 9 })));
  assertEquals(paci.problems.map((p) => p.code), ["unsupported"]);
});

Deno.test("createH265Depacketiser() marks a keyframe joined mid-picture incomplete", () => {
  // IDR_W_RADL (19): header 0x26 0x01, then first_slice_segment_in_pic_flag.
  const unit = (third: number) =>
    createH265Depacketiser().push(
      parseOk(rtpPacket([0x26, 0x01, third, 0x10], { sequence: 1, timestamp: 5, marker: true })),
    ).units[0];
  assertEquals([unit(0xa0).keyframe, unit(0xa0).complete], [true, true]);
  assertEquals([unit(0x20).keyframe, unit(0x20).complete], [true, false]);
});

Deno.test("createH265Depacketiser() never throws on random payloads", () => {
  const rand = seeded(7);
  const d = createH265Depacketiser([], { maxUnitBytes: 32 * 1024, maxNalUnits: 64 });
  for (let i = 0; i < 20_000; i++) {
    const payload = new Uint8Array(Math.floor(rand() * 700)).map(() => rand() * 256);
    const marker = rand() < 0.1;
    for (
      const u of d.push(parseOk(rtpPacket(payload, { sequence: i, timestamp: i >> 3, marker })))
        .units
    ) {
      assert(u.data.length <= 32 * 1024 + 3 * 4096 + 12);
      assert(u.nalTypes.length <= 64 + 3);
    }
  }
});
