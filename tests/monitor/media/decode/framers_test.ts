/** Framers: fixed-size grey outputs and JPEGs (SOI…EOI) out of a child's stdout, however it is cut. */

import { assertEquals } from "../../../assert.ts";
import { fixedFramer, jpegFramer } from "../../../../monitor/media/decode/mod.ts";
import { encodeJpegs, SOURCES } from "./keyframes.ts";

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Feeds `bytes` to a framer in chunks of the sizes `cut` yields, collecting the outputs. */
function frames(
  framer: ReturnType<typeof jpegFramer>,
  bytes: Uint8Array,
  cut: (i: number) => number,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, cut(i));
    framer.push(bytes.subarray(at, at + n), (f) => out.push(f));
    at += n;
  }
  return out;
}

const cuts: Record<string, (i: number) => number> = {
  whole: () => 1 << 30,
  bytes: () => 1,
  uneven: (i) => (i * 7919) % 97,
};

Deno.test("fixedFramer() cuts outputs of the given size out of any chunking", () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
  for (const [name, cut] of Object.entries(cuts)) {
    const out = frames(fixedFramer(300), bytes, cut);
    assertEquals(out.map((f) => f.length), [300, 300, 300], name);
    assertEquals(out[2][0], 600 & 0xff, name);
  }
});

Deno.test("jpegFramer() finds ffmpeg's JPEGs back to back, whatever the chunks and bytes between", async () => {
  const jpegs = await encodeJpegs(SOURCES.moving, { count: 3 });
  const junk = new Uint8Array([0xff, 0x00, 0x12, 0xff, 0xd9, 0xff]);
  const stream = concat(junk, jpegs[0], jpegs[1], junk, jpegs[2]);
  for (const [name, cut] of Object.entries(cuts)) {
    assertEquals(frames(jpegFramer(1 << 20), stream, cut), jpegs, name);
  }
});

Deno.test("jpegFramer() does not end a picture at FF D9 inside a header segment", async () => {
  const [jpeg] = await encodeJpegs(SOURCES.moving, { count: 1 });
  const com = new Uint8Array([0xff, 0xfe, 0x00, 0x06, 0xff, 0xd9, 0xff, 0xd9]); // a comment
  const tricky = concat(jpeg.subarray(0, 2), com, jpeg.subarray(2));
  for (const [name, cut] of Object.entries(cuts)) {
    assertEquals(frames(jpegFramer(1 << 20), concat(tricky, jpeg), cut), [tricky, jpeg], name);
  }
});

Deno.test("jpegFramer() cuts a picture over the limit at limit + 1 bytes and stays in step", async () => {
  const [big] = await encodeJpegs(SOURCES.moving, { size: "640x480", count: 1 });
  const [small] = await encodeJpegs(SOURCES.still, { size: "32x24", count: 1 });
  const limit = small.length + 10;
  for (const [name, cut] of Object.entries(cuts)) {
    const out = frames(jpegFramer(limit), concat(big, small, big), cut);
    assertEquals(out.map((f) => f.length), [limit + 1, small.length, limit + 1], name);
    assertEquals(out[0], big.subarray(0, limit + 1), name);
    assertEquals(out[1], small, name);
  }
});
