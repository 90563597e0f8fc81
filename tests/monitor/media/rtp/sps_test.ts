/** SPS, bit reader and SDP fmtp tests: real x264/ffmpeg parameter sets, hand-built edge cases. */

import { assert, assertEquals } from "../../../assert.ts";
import {
  BitReader,
  decodeBase64,
  parseFmtp,
  parseH264Sps,
  parseH265Sps,
  readFmtp,
  unescapeRbsp,
} from "../../../../monitor/media/rtp/mod.ts";
import { cachedGst, capsField, seeded } from "./real_rtp.ts";

/** Writes bits MSB first, with Exp-Golomb helpers: the inverse of BitReader, for hand-built SPSs. */
class BitWriter {
  bits: number[] = [];
  u(n: number, v: number) {
    for (let i = n - 1; i >= 0; i--) this.bits.push(Math.floor(v / 2 ** i) % 2);
    return this;
  }
  ue(v: number) {
    const len = Math.floor(Math.log2(v + 1));
    return this.u(len, 0).u(len + 1, v + 1);
  }
  se(v: number) {
    return this.ue(v > 0 ? 2 * v - 1 : -2 * v);
  }
  bytes(): Uint8Array {
    const bits = [...this.bits, 1]; // rbsp_stop_one_bit
    while (bits.length % 8) bits.push(0);
    return Uint8Array.from(
      { length: bits.length / 8 },
      (_, i) => bits.slice(i * 8, i * 8 + 8).reduce((a, b) => a * 2 + b, 0),
    );
  }
}

Deno.test("BitReader reads Exp-Golomb codes and flags overrun instead of throwing", () => {
  const r = new BitReader(new BitWriter().ue(0).ue(1).ue(254).se(-3).se(4).u(3, 5).bytes());
  assertEquals([r.ue(), r.ue(), r.ue(), r.se(), r.se(), r.bits(3)], [0, 1, 254, -3, 4, 5]);
  assertEquals(r.overrun, false);
  r.bits(32);
  assertEquals([r.overrun, r.ue(), r.bits(8)], [true, 0, 0]);
  const zeros = new BitReader(new Uint8Array(8)); // 64 zero bits: no valid ue(v)
  assertEquals([zeros.ue(), zeros.overrun], [0, true]);
});

Deno.test("unescapeRbsp() removes emulation-prevention bytes only after two zeros", () => {
  const out = unescapeRbsp(Uint8Array.from([0, 0, 3, 1, 0, 3, 0, 0, 3, 0, 0, 3]));
  assertEquals(Array.from(out), [0, 0, 1, 0, 3, 0, 0, 0, 0]);
});

Deno.test("parseH264Sps() reads a real High 4:4:4 SPS from x264 (326×246, cropped)", async () => {
  const { caps } = await cachedGst(
    "videotestsrc num-buffers=2 ! video/x-raw,format=Y444,width=326,height=246,framerate=10/1 ! " +
      "x264enc tune=zerolatency ! rtph264pay name=pay ! {PAY}",
  );
  const [sps] = readFmtp("H264", `sprop-parameter-sets=${capsField(caps, "sprop-parameter-sets")}`)
    .parameterSets;
  assertEquals(parseH264Sps(sps), {
    ok: true,
    sps: { profile: 244, level: 1.3, width: 326, height: 246, chromaFormat: 3 },
  });
});

Deno.test("parseH264Sps() reads a real interlaced SPS (frame_mbs_only 0) from ffmpeg", async () => {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ...["-v", "error", "-f", "lavfi", "-i", "testsrc=size=326x244:rate=10", "-frames:v", "1"],
      ...["-c:v", "libx264", "-pix_fmt", "yuv420p", "-flags", "+ildct+ilme"],
      ...["-x264-params", "interlaced=1", "-f", "h264", "pipe:1"],
    ],
    stdout: "piped",
  }).output();
  const sps = annexB(out.stdout).find((n) => (n[0] & 0x1f) === 7)!;
  const r = parseH264Sps(sps);
  assertEquals(r.ok && [r.sps.width, r.sps.height], [326, 244]);
});

Deno.test("parseH264Sps() skips scaling lists, POC cycles and field cropping correctly", () => {
  const w = new BitWriter().u(8, 100).u(8, 0).u(8, 40).ue(0); // High, level 4.0, sps id 0
  w.ue(1).ue(0).ue(0).u(1, 0).u(1, 1); // 4:2:0, 8-bit, no bypass, scaling matrix present
  for (let i = 0; i < 8; i++) {
    w.u(1, i % 3 === 0 ? 1 : 0);
    if (i === 0) w.se(-8); // next_scale 0 at once: "use the default list"
    if (i === 3) { for (let j = 0; j < 16; j++) w.se(j % 2 ? 3 : -2); }
    if (i === 6) { for (let j = 0; j < 64; j++) w.se(1); }
  }
  w.ue(0).ue(1).u(1, 0).se(-1).se(2).ue(2).se(5).se(-5); // frame_num, POC type 1 with a cycle of 2
  w.ue(4).u(1, 0).ue(119).ue(33).u(1, 0).u(1, 0).u(1, 1); // 1920 × (34 map units × 2), fields
  w.u(1, 1).ue(0).ue(0).ue(0).ue(2); // crop bottom 2 × (2 × 2) = 8 lines: 1088 → 1080
  const sps = Uint8Array.from([0x67, ...w.bytes()]);
  assertEquals(parseH264Sps(sps), {
    ok: true,
    sps: { profile: 100, level: 4, width: 1920, height: 1080, chromaFormat: 1 },
  });
});

Deno.test("parseH264Sps() and parseH265Sps() refuse hostile bytes without throwing", () => {
  const rand = seeded(11);
  for (let i = 0; i < 20_000; i++) {
    const body = Array.from({ length: Math.floor(rand() * 40) }, () => rand() * 256);
    for (
      const r of [
        parseH264Sps(Uint8Array.from([0x67, ...body])),
        parseH265Sps(Uint8Array.from([0x42, 1, ...body])),
      ]
    ) {
      if (r.ok) assert(r.sps.width >= 1 && r.sps.width <= 16384 && r.sps.height <= 16384);
      else assertEquals(r.problem.code, "bad-parameter-set");
    }
  }
  const r = parseH264Sps(new Uint8Array(100_000).fill(0x67));
  assert(!r.ok && r.problem.message.includes("100000 bytes"));
  assertEquals(parseH265Sps(Uint8Array.from([0x40, 1, 0, 0, 0, 0])).ok, false); // a VPS
});

Deno.test("parseFmtp() reads the attribute forms and keeps base64 padding", () => {
  const forms = [
    "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0IAHpY=,aM4=;profile-level-id=42001E",
    "96 packetization-mode=1; sprop-parameter-sets=Z0IAHpY=,aM4=; profile-level-id=42001E",
    "packetization-mode=1;sprop-parameter-sets=Z0IAHpY=,aM4=;profile-level-id=42001E",
  ];
  for (const form of forms) {
    const params = parseFmtp(form);
    assertEquals(params.get("sprop-parameter-sets"), "Z0IAHpY=,aM4=");
    const info = readFmtp("H264", form);
    assertEquals(info.parameterSets.map((s) => s[0]), [0x67, 0x68]);
    assertEquals([info.packetizationMode, info.profileLevelId, info.problems], [1, "42001e", []]);
  }
});

Deno.test("readFmtp() reports undecodable sprop entries and bounds hostile text", () => {
  const info = readFmtp("H265", "sprop-vps=QAEM;sprop-sps=!!notbase64;sprop-pps=RAHBcrRiQA==");
  assertEquals(info.parameterSets.length, 2);
  assertEquals(info.problems.map((p) => p.code), ["bad-fmtp"]);
  const huge = readFmtp("H264", "sprop-parameter-sets=" + "QUFB,".repeat(100_000));
  assert(huge.parameterSets.length <= 16);
  assertEquals(decodeBase64("QUJD"), new TextEncoder().encode("ABC"));
  assertEquals([decodeBase64("QUJ"), decodeBase64("Q"), decodeBase64("QU=J")], [
    new TextEncoder().encode("AB"),
    null,
    null,
  ]);
});

/** Splits an Annex-B stream at 3- and 4-byte start codes. */
function annexB(bytes: Uint8Array): Uint8Array[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) starts.push(i + 3);
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : bytes.length;
    while (end > s && bytes[end - 1] === 0) end--;
    return bytes.subarray(s, end);
  });
}
