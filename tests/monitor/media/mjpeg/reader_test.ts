import { assert, assertEquals } from "../../../assert.ts";
import {
  arrivalFps,
  createMjpegReader,
  type MjpegFrame,
} from "../../../../monitor/media/mjpeg/mod.ts";
import { ffmpegJpegs, part } from "../../../fixtures/mjpeg_sources.ts";
import { tinyJpeg } from "../../../fixtures/media_server.ts";

type Found = { bytes: Uint8Array; width: number; height: number; at: number };

function reader(maxFrameBytes?: number) {
  const found: Found[] = [];
  const r = createMjpegReader({
    maxFrameBytes,
    onFrame: (f: MjpegFrame) => found.push({ ...f, bytes: f.bytes.slice() }),
  });
  return { r, found };
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const same = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

Deno.test("createMjpegReader() finds every ffmpeg JPEG however the stream is split, Content-Length lying", async () => {
  const jpegs = await ffmpegJpegs(6);
  // Every Content-Length 500 too small, as VLC's first one: the structure decides, not the header.
  const stream = join(jpegs.map((j) => part(j, "ffmpeg", j.length - 500)));
  const splits: Array<(i: number) => number> = [
    () => 1,
    () => 7,
    (i) => 1 + ((i * 7919) % 3000),
    () => stream.length,
  ];
  for (const size of splits) {
    const { r, found } = reader();
    for (let at = 0, i = 0; at < stream.length; i++) {
      const n = size(i);
      r.push(stream.subarray(at, at + n), i);
      at += n;
    }
    assertEquals(found.length, jpegs.length);
    found.forEach((f, i) => {
      assert(same(f.bytes, jpegs[i]), `frame ${i} differs`);
      assertEquals([f.width, f.height], [320, 240]);
    });
    assertEquals(r.problem(), undefined);
    assertEquals(r.broken(), 0);
  }
});

Deno.test("createMjpegReader() skips an EXIF thumbnail's own SOI/EOI and keeps restart markers and stuffing", () => {
  const withThumb = tinyJpeg(640, 480, { thumbnail: true });
  const { r, found } = reader();
  r.push(join([new TextEncoder().encode("--x\r\n\r\n"), withThumb, tinyJpeg(32, 16)]), 1);
  assertEquals(found.length, 2);
  assert(same(found[0].bytes, withThumb), "the thumbnail's EOI ended the frame early");
  assertEquals([found[0].width, found[0].height, found[1].width], [640, 480, 32]);
});

Deno.test("createMjpegReader() drops a frame cut short by the next SOI and goes on", () => {
  const whole = tinyJpeg(64, 48);
  const cut = whole.subarray(0, whole.length - 6); // inside the scan data
  const { r, found } = reader();
  r.push(join([cut, whole, new Uint8Array([0x12, 0xff, 0xd8, 0x00]), whole]), 1);
  assertEquals(found.length, 2);
  assertEquals(r.broken(), 2);
});

Deno.test("createMjpegReader() stops at the frame limit on a frame without EOI, keeping no more", () => {
  const { r, found } = reader(1024 * 1024);
  r.push(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0]), 0);
  const filler = new Uint8Array(64 * 1024).fill(0x11);
  let pushed = 0;
  while (!r.problem() && pushed < 100) {
    r.push(filler, 1);
    pushed++;
  }
  assertEquals(r.problem(), "frame larger than 1 MiB without an end marker (EOI)");
  assert(pushed <= 17, `went on for ${pushed} chunks`);
  assertEquals(found.length, 0);
});

Deno.test("createMjpegReader() is linear on hostile bytes (FF runs, SOI storms, garbage)", () => {
  const mib = 1024 * 1024;
  const inputs = {
    ff: new Uint8Array(8 * mib).fill(0xff),
    soi: new Uint8Array(8 * mib).map((_, i) => (i % 2 ? 0xd8 : 0xff)),
    garbage: new Uint8Array(8 * mib).map((_, i) => (i * 2654435761) >>> 24),
  };
  for (const [name, bytes] of Object.entries(inputs)) {
    const { r } = reader();
    const t0 = performance.now();
    for (let at = 0; at < bytes.length; at += 65536) r.push(bytes.subarray(at, at + 65536), 0);
    const ms = performance.now() - t0;
    assert(ms < 1500, `${name}: ${ms.toFixed(0)} ms for 8 MiB`);
  }
});

Deno.test("arrivalFps() counts the frames after the first burst over the span", () => {
  assertEquals(arrivalFps([]), undefined);
  assertEquals(arrivalFps([5]), undefined);
  assertEquals(arrivalFps([0, 100, 200, 300, 400]), 10);
  // VLC at 15 fps: 3–4 frames together every ~250 ms. (n − 1) / span would say 17 here.
  const bursts = [4, 3, 4, 3, 4].flatMap((n, i) => Array<number>(n).fill(i * 250));
  assertEquals(bursts.length, 18);
  assertEquals(arrivalFps(bursts), 14);
  assertEquals(arrivalFps([7, 7, 7]), undefined);
});
