/** RTP packet parser, sequence tracker and interleaved-framing reader tests. */

import { assert, assertEquals } from "../../../assert.ts";
import {
  createInterleavedReader,
  createSequenceTracker,
  type InterleavedItem,
  parseRtpPacket,
} from "../../../../monitor/media/rtp/mod.ts";
import { cachedGst, concatBytes, h264Launch, parseOk, rtpPacket, seeded } from "./real_rtp.ts";

Deno.test("parseRtpPacket() reads real x264 RTP headers", async () => {
  const { packets } = await cachedGst(h264Launch(320, 240, 10));
  const parsed = packets.map((p) => parseOk(p.bytes));
  assert(parsed.every((p) => p.payloadType === 96 && p.ssrc === parsed[0].ssrc));
  assert(parsed.every((p, i) => i === 0 || p.sequence === ((parsed[i - 1].sequence + 1) & 0xffff)));
  assertEquals(parsed.filter((p) => p.marker).length, 10);
  assert(parsed.every((p) => p.payload.length > 0 && p.payload.length <= 600));
});

Deno.test("parseRtpPacket() handles CSRCs, an extension and padding", () => {
  const bytes = new Uint8Array([
    0xb1,
    0xe0,
    0x12,
    0x34,
    0,
    0,
    1,
    0,
    0xaa,
    0xbb,
    0xcc,
    0xdd, // V=2 P X CC=1, M, PT 96
    0,
    0,
    0,
    7, // CSRC
    0xbe,
    0xde,
    0,
    1,
    1,
    2,
    3,
    4, // extension: 1 word
    9,
    8,
    7, // payload
    0,
    0,
    3, // padding 3
  ]);
  const r = parseRtpPacket(bytes);
  assert(r.ok);
  assertEquals(
    [r.packet.marker, r.packet.payloadType, r.packet.sequence, r.packet.timestamp, r.packet.ssrc],
    [true, 96, 0x1234, 256, 0xaabbccdd],
  );
  assertEquals([r.packet.csrcs, r.packet.extensionProfile], [[7], 0xbede]);
  assertEquals(Array.from(r.packet.payload), [9, 8, 7]);
});

Deno.test("parseRtpPacket() refuses broken headers with a typed problem", () => {
  const code = (bytes: number[] | Uint8Array) => {
    const r = parseRtpPacket(Uint8Array.from(bytes));
    return r.ok ? "ok" : r.problem.code;
  };
  assertEquals(code([0x80, 96, 0, 1]), "truncated");
  assertEquals(code([0x40, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), "bad-version");
  assertEquals(code([0x8f, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), "truncated"); // 15 CSRCs missing
  assertEquals(code([0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]), "bad-extension");
  assertEquals(code([0xa0, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 200]), "bad-padding");
  assertEquals(code([0xa0, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), "bad-padding");
  const huge = new Uint8Array(1024 * 1024);
  huge[0] = 0x80;
  assertEquals(code(huge), "too-large");
});

Deno.test("parseRtpPacket() never throws on random bytes", () => {
  const rand = seeded(1);
  let ok = 0;
  for (let i = 0; i < 50_000; i++) {
    const bytes = new Uint8Array(Math.floor(rand() * 64)).map(() => rand() * 256);
    const r = parseRtpPacket(bytes);
    if (r.ok) {
      ok++;
      assert(r.packet.payload.length <= bytes.length);
    } else assert(r.problem.message.length > 0);
  }
  assert(ok > 0);
});

Deno.test("createSequenceTracker() counts gaps across the 65535 wrap", () => {
  const t = createSequenceTracker();
  const steps = [65533, 65534, 65535, 0, 3, 2, 3, 4].map((s) => t.next(s));
  assertEquals(steps.map((s) => s.lost), [0, 0, 0, 0, 2, 0, 0, 0]);
  assertEquals(steps.map((s) => s.late), [false, false, false, false, false, true, true, false]);
  assertEquals(t.lost, 2);
  const jump = t.next(30_000);
  assertEquals([jump.lost, jump.problem?.code, t.lost], [0, "sequence-jump", 2]);
});

/** Wraps packets as `$` frames on alternating channels. */
function interleave(packets: Uint8Array[], first = 0): Uint8Array {
  return concatBytes(
    packets.map((p, i) =>
      concatBytes([new Uint8Array([0x24, (first + i) % 2, p.length >> 8, p.length & 0xff]), p])
    ),
  );
}

Deno.test("createInterleavedReader() returns real RTP frames however TCP splits them", async () => {
  const { packets } = await cachedGst(h264Launch(320, 240, 10));
  const bytes = packets.map((p) => p.bytes);
  const reply = new TextEncoder().encode(
    "RTSP/1.0 200 OK\r\nCSeq: 5\r\nContent-Length: 4\r\n\r\nabcd",
  );
  const stream = concatBytes([interleave(bytes.slice(0, 3)), reply, interleave(bytes.slice(3), 3)]);
  const rand = seeded(9);
  for (const maxChunk of [1, 7, 1500, stream.length]) {
    const reader = createInterleavedReader();
    const items: InterleavedItem[] = [];
    for (let at = 0; at < stream.length;) {
      const size = 1 + Math.floor(rand() * maxChunk);
      items.push(...reader.push(stream.subarray(at, at + size)));
      at += size;
    }
    const frames = items.filter((i) => i.type === "frame");
    assertEquals(frames.length, bytes.length);
    assert(
      frames.every((f, i) =>
        f.type === "frame" && f.channel === i % 2 && sameBytes(f.data, bytes[i])
      ),
    );
    const messages = items.filter((i) => i.type === "message");
    assertEquals(messages.length, 1);
    assert(messages[0].type === "message" && sameBytes(messages[0].data, reply));
    assertEquals(reader.buffered, 0);
  }
});

Deno.test("createInterleavedReader() skips an oversized frame and stays in step", () => {
  const reader = createInterleavedReader({ maxFrameBytes: 100 });
  const big = new Uint8Array(300).fill(0x24); // a body full of "$" must not confuse it
  const small = rtpPacket([1, 2, 3], { sequence: 1, timestamp: 1 });
  const items = reader.push(interleave([big, small]));
  assertEquals(items.map((i) => i.type), ["problem", "frame"]);
  assert(items[0].type === "problem" && items[0].problem.code === "too-large");
});

Deno.test("createInterleavedReader() resynchronises after 1 MB of garbage in linear time", () => {
  const reader = createInterleavedReader();
  const rand = seeded(5);
  const garbage = new Uint8Array(1024 * 1024).map(() => 0x25 + Math.floor(rand() * 200));
  const started = performance.now();
  const items = [
    ...reader.push(garbage),
    ...reader.push(interleave([rtpPacket([7], { sequence: 2, timestamp: 2 })])),
  ];
  assert(performance.now() - started < 1000, "garbage took too long");
  assertEquals(items.map((i) => i.type), ["problem", "frame"]);
  assert(reader.buffered < 64 * 1024);
});

Deno.test("createInterleavedReader() refuses an RTSP message with a bad Content-Length", () => {
  const reader = createInterleavedReader();
  const text = new TextEncoder().encode("RTSP/1.0 200 OK\r\nContent-Length: 99999999\r\n\r\n");
  const items = reader.push(concatBytes([text, interleave([new Uint8Array([1])])]));
  assertEquals(items.map((i) => i.type), ["problem", "frame"]);
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
