/** RTP/JPEG tests: real GStreamer and ffmpeg RTP rebuilt into JPEGs that ffmpeg decodes. */

import { assert, assertEquals } from "../../../assert.ts";
import { createJpegDepacketiser, parseRtpPacket } from "../../../../monitor/media/rtp/mod.ts";
import { quantTablesForQ } from "../../../../monitor/media/rtp/jpeg_header.ts";
import {
  cachedGst,
  captureUdp,
  concatBytes,
  depacketiseAll,
  ffmpegDecode,
  parseOk,
  rtpPacket,
  seeded,
} from "./real_rtp.ts";

const gstJpeg = () =>
  cachedGst(
    "videotestsrc num-buffers=20 ! video/x-raw,format=I420,width=320,height=240,framerate=10/1 ! " +
      "jpegenc quality=85 ! rtpjpegpay name=pay mtu=600 ! {PAY}",
  );

/** Finds JPEG segments (marker → body) up to SOS. */
function segments(jpeg: Uint8Array): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  for (let i = 2; i + 4 <= jpeg.length && jpeg[i] === 0xff;) {
    const marker = jpeg[i + 1];
    const length = (jpeg[i + 2] << 8) | jpeg[i + 3];
    out.set(marker, [...(out.get(marker) ?? []), jpeg.subarray(i + 4, i + 2 + length)]);
    if (marker === 0xda) break;
    i += 2 + length;
  }
  return out;
}

Deno.test("createJpegDepacketiser() rebuilds real rtpjpegpay frames that ffmpeg decodes", async () => {
  const { packets } = await gstJpeg();
  const { units, problems, depacketiser } = depacketiseAll("JPEG", "", packets.map((p) => p.bytes));
  assertEquals(problems, []);
  assertEquals([units.length, depacketiser.lostPackets], [20, 0]);
  assert(units.every((u) => u.keyframe && u.complete && u.width === 320 && u.height === 240));
  assert(units.every((u) => u.data[0] === 0xff && u.data[1] === 0xd8));
  assert(units.every((u) => u.data.at(-2) === 0xff && u.data.at(-1) === 0xd9));
  const decoded = await ffmpegDecode("mjpeg", concatBytes(units.map((u) => u.data)));
  assertEquals(decoded, { ok: true, frames: 20, errors: "", size: "320x240" });
});

Deno.test("createJpegDepacketiser() writes libjpeg's Huffman tables and Q's quant tables", async () => {
  // jpegenc (libjpeg) scales the Annex K tables the way RFC 2435 Appendix A does, so its in-band
  // tables at quality 85 must equal MakeTables(85); its JPEG's DHT segments are the standard ones.
  const { packets } = await gstJpeg();
  const first = parseRtpPacket(packets[0].bytes);
  assert(first.ok);
  const p = first.packet.payload;
  assertEquals(p[5], 255); // Q: tables in band
  assertEquals(Array.from(p.subarray(12, 12 + 128)), Array.from(quantTablesForQ(85)));

  const out = await new Deno.Command("/usr/bin/python3", {
    args: [
      new URL("./gst_send.py", import.meta.url).pathname,
      "videotestsrc num-buffers=1 ! video/x-raw,format=I420,width=64,height=48 ! jpegenc ! " +
      "fdsink fd=1",
    ],
    stdout: "piped",
  }).output();
  const libjpeg = segments(out.stdout).get(0xc4)!;
  const { units } = depacketiseAll("JPEG", "", packets.map((x) => x.bytes));
  const ours = segments(units[0].data).get(0xc4)!;
  assertEquals(ours.map((s) => Array.from(s)), libjpeg.map((s) => Array.from(s)));
});

Deno.test("createJpegDepacketiser() rebuilds the same image from Q 85 as from in-band tables", async () => {
  const { packets } = await gstJpeg();
  const inBand = depacketiseAll("JPEG", "", packets.map((p) => p.bytes)).units[0].data;
  // Rewrite the stream as a camera using Q 85 would send it: no quantisation table header.
  const rewritten = packets.map(({ bytes }) => {
    const parsed = parseRtpPacket(bytes);
    assert(parsed.ok);
    const p = parsed.packet.payload;
    const offset = (p[1] << 16) | (p[2] << 8) | p[3];
    const header = Uint8Array.from(p.subarray(0, 8));
    header[5] = 85;
    const rest = p.subarray(offset === 0 ? 8 + 4 + 128 : 8);
    return concatBytes([bytes.subarray(0, 12), header, rest]);
  });
  const fromQ = depacketiseAll("JPEG", "", rewritten).units[0].data;
  assertEquals(fromQ.length, inBand.length);
  assert(fromQ.every((b, i) => b === inBand[i]));
});

Deno.test("createJpegDepacketiser() decodes ffmpeg's RTP/JPEG (type 1)", async () => {
  const { packets, stderr } = await captureUdp((port) => [
    "ffmpeg",
    ...["-v", "error", "-f", "lavfi", "-i", "testsrc=size=256x144:rate=10", "-frames:v", "10"],
    ...["-c:v", "mjpeg", "-huffman", "default", "-pix_fmt", "yuvj420p", "-q:v", "5"],
    ...["-f", "rtp", `rtp://127.0.0.1:${port}?pkt_size=800`],
  ]);
  assertEquals(stderr, ""); // ffmpeg reports a refused frame but still exits 0
  const { units, problems } = depacketiseAll("JPEG", "", packets.map((p) => p.bytes));
  assertEquals(problems, []);
  assertEquals(units.length, 10);
  const decoded = await ffmpegDecode("mjpeg", concatBytes(units.map((u) => u.data)));
  assertEquals(decoded, { ok: true, frames: 10, errors: "", size: "256x144" });
});

Deno.test("createJpegDepacketiser() decodes GStreamer's 4:2:2 RTP/JPEG (type 0)", async () => {
  const { packets } = await cachedGst(
    "videotestsrc num-buffers=5 ! video/x-raw,format=Y42B,width=320,height=240,framerate=10/1 ! " +
      "jpegenc ! rtpjpegpay name=pay mtu=900 ! {PAY}",
  );
  assertEquals(parseOk(packets[0].bytes).payload[4], 0);
  const { units, problems } = depacketiseAll("JPEG", "", packets.map((p) => p.bytes));
  assertEquals([units.length, problems.length], [5, 0]);
  const decoded = await ffmpegDecode("mjpeg", concatBytes(units.map((u) => u.data)));
  assertEquals(decoded, { ok: true, frames: 5, errors: "", size: "320x240" });
});

Deno.test("createJpegDepacketiser() writes DRI for restart-marker types 64–127", () => {
  const d = createJpegDepacketiser();
  const payload = [0, 0, 0, 0, 65, 50, 4, 3, 0, 8, 0xff, 0xff, 0x12, 0x34, 0xff, 0xd9];
  const out = d.push(
    parseOk(rtpPacket(payload, { sequence: 1, timestamp: 1, marker: true })),
  );
  const jpeg = out.units[0].data;
  assertEquals(Array.from(segments(jpeg).get(0xdd)![0]), [0, 8]);
  const sof = segments(jpeg).get(0xc0)![0];
  assertEquals([(sof[1] << 8) | sof[2], (sof[3] << 8) | sof[4], sof[7]], [24, 32, 0x22]);
  assertEquals(Array.from(jpeg.subarray(-4)), [0x12, 0x34, 0xff, 0xd9]); // EOI not doubled
});

Deno.test("createJpegDepacketiser() drops a frame with a lost fragment and keeps the next", async () => {
  const { packets } = await gstJpeg();
  const bytes = packets.map((p) => p.bytes).filter((_, i) => i !== 3);
  const { units, problems, depacketiser } = depacketiseAll("JPEG", "", bytes);
  assertEquals([units.length, depacketiser.lostPackets], [19, 1]);
  assert(problems.some((p) => p.code === "fragment-lost"));
});

Deno.test("createJpegDepacketiser() refuses bad headers and survives random payloads", () => {
  const d = createJpegDepacketiser({ maxUnitBytes: 100_000 });
  const codes = (payload: number[], sequence: number) =>
    d.push(
      parseOk(rtpPacket(payload, { sequence, timestamp: sequence, marker: true })),
    ).problems.map((p) => p.code);
  assertEquals(codes([0, 0, 0, 0, 1, 50, 0, 3], 1), ["bad-jpeg"]); // width 0
  assertEquals(codes([0, 0, 0, 0, 9, 50, 4, 3], 2), ["unsupported"]); // type 9
  assertEquals(codes([0, 0, 0, 0, 1, 200, 4, 3, 0, 0, 0, 0], 3), ["bad-jpeg"]); // tables never sent
  assertEquals(codes([0, 0, 0, 0, 1, 255, 4, 3, 0, 0, 0, 99], 4), ["bad-jpeg"]); // length 99
  assertEquals(codes([0, 0, 0, 0, 1, 255, 4], 5), ["truncated"]);
  const rand = seeded(3);
  for (let i = 0; i < 20_000; i++) {
    const payload = Array.from({ length: Math.floor(rand() * 900) }, () => rand() * 256);
    if (rand() < 0.3 && payload.length > 4) payload[1] = payload[2] = payload[3] = 0;
    const r = parseRtpPacket(
      rtpPacket(payload, { sequence: i, timestamp: i >> 2, marker: rand() < 0.2 }),
    );
    if (!r.ok) continue;
    for (const u of d.push(r.packet).units) assert(u.data.length <= 100_000 + 1024);
  }
});
