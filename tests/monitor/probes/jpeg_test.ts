/** Tests of the pure JPEG helpers: frame scanning across chunks, validation, sizes. */

import { assert, assertEquals } from "../../assert.ts";
import { formatBytes, formatLimit, scanJpeg, validateJpeg } from "../../../monitor/probes/jpeg.ts";
import { tinyJpeg } from "../../fixtures/media_server.ts";

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};
const text = (s: string) => new TextEncoder().encode(s);

Deno.test("validateJpeg() reads the frame size of a baseline JPEG", () => {
  const jpeg = tinyJpeg(320, 240);
  assertEquals(validateJpeg(jpeg), { valid: true, width: 320, height: 240, end: jpeg.length });
});

Deno.test("validateJpeg() accepts a real ffmpeg JPEG", async () => {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360", "-frames:v", "1"]
      .concat(["-c:v", "mjpeg", "-f", "image2pipe", "-"]),
    stdout: "piped",
    stderr: "null",
  }).output();
  const check = validateJpeg(out.stdout);
  assert(check.valid);
  assertEquals([check.width, check.height, check.end], [640, 360, out.stdout.length]);
});

Deno.test("validateJpeg() skips an embedded thumbnail and tolerates trailing bytes", () => {
  const jpeg = tinyJpeg(64, 48, { thumbnail: true });
  const check = validateJpeg(concat(jpeg, new Uint8Array(10)));
  assertEquals(check, { valid: true, width: 64, height: 48, end: jpeg.length });
});

Deno.test("validateJpeg() names what is wrong", () => {
  const reason = (b: Uint8Array) => {
    const c = validateJpeg(b);
    return c.valid ? "valid" : c.reason;
  };
  assertEquals(reason(text("<html>nope</html>")), "no JPEG start marker (SOI)");
  assertEquals(reason(new Uint8Array(0)), "no JPEG start marker (SOI)");
  const jpeg = tinyJpeg(8, 8);
  assertEquals(reason(jpeg.subarray(0, jpeg.length - 2)), "truncated, no end marker (EOI)");
  assertEquals(reason(concat(jpeg.subarray(0, 2), text("garbage!"))), "broken marker structure");
  // SOI + APP0 + EOI: well formed, but no frame header.
  assertEquals(
    reason(concat(jpeg.subarray(0, 20), new Uint8Array([0xff, 0xd9]))),
    "no frame header (SOF) with a size",
  );
});

Deno.test("scanJpeg() finds a frame inside multipart framing", () => {
  const jpeg = tinyJpeg(320, 240);
  const head = text("--ffmpeg\r\nContent-Type: image/jpeg\r\nContent-Length: 55\r\n\r\n");
  const scan = scanJpeg(concat(head, jpeg, text("\r\n--ffmpeg\r\n")));
  assertEquals(scan, {
    found: true,
    start: head.length,
    end: head.length + jpeg.length,
    width: 320,
    height: 240,
  });
});

Deno.test("scanJpeg() resumes a frame split across chunks", () => {
  const all = concat(text("xx"), tinyJpeg(16, 16, { thumbnail: true }));
  for (let cut = 1; cut < all.length; cut++) {
    const first = scanJpeg(all.subarray(0, cut));
    assert(!first.found, `cut ${cut}: found too early`);
    const next = scanJpeg(all, first.resumeAt);
    assert(next.found && next.start === 2 && next.end === all.length, `cut ${cut}`);
  }
});

Deno.test("scanJpeg() lets garbage be dropped except a last byte that may start SOI", () => {
  const garbage = new Uint8Array(1000).map((_, i) => i & 0x7f);
  assertEquals(scanJpeg(garbage), { found: false, resumeAt: 999 });
  // FF D8 followed by non-marker bytes is not a JPEG start.
  assertEquals(scanJpeg(concat(new Uint8Array([0xff, 0xd8, 0x00, 0x01]), garbage)).found, false);
});

Deno.test("formatBytes() and formatLimit() print short sizes", () => {
  assertEquals(formatBytes(850), "850 B");
  assertEquals(formatBytes(12_345), "12 kB");
  assertEquals(formatBytes(4_200_000), "4.2 MB");
  assertEquals(formatLimit(4 * 1024 * 1024), "4 MiB");
  assertEquals(formatLimit(5000), "5 kB");
});
