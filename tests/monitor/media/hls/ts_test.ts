import { assert, assertEquals, assertStringIncludes } from "../../../assert.ts";
import { demuxTs, splitAnnexB } from "../../../../monitor/media/hls/mod.ts";

/** An MPEG-TS of 2 s of testsrc2 (10 fps, 320×240 unless given) encoded by ffmpeg. */
async function tsOf(codecArgs: string[], size = "320x240"): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-v", "error", "-nostdin", "-f", "lavfi"]
      .concat([
        "-i",
        `testsrc2=size=${size}:rate=10`,
        "-t",
        "2",
        ...codecArgs,
        "-f",
        "mpegts",
        "-",
      ]),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  return out.stdout;
}

const X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p"];

Deno.test("demuxTs() reads x264 in MPEG-TS: codec, 20 access units, PTS at 10 fps, two keyframes with SPS/PPS", async () => {
  const v = demuxTs(await tsOf(X264));
  assertEquals(v.problem, undefined);
  assertEquals(v.codec, "h264");
  assertEquals(v.units, 20);
  assertEquals(v.pts.length, 20);
  const sorted = [...v.pts].sort((a, b) => a - b);
  assertEquals(sorted[1] - sorted[0], 9000);
  assertEquals(v.keyframes.length, 2);
  for (const k of v.keyframes) {
    const types = splitAnnexB(k.annexB).map((n) => n[0] & 0x1f);
    assert(types.includes(7) && types.includes(8) && types.includes(5), `NAL types ${types}`);
  }
  assertEquals(v.keyframes[1].pts - v.keyframes[0].pts, 90_000);
});

Deno.test("demuxTs() reads x265 in MPEG-TS as hevc with VPS/SPS/PPS before the keyframe", async () => {
  const v = demuxTs(
    await tsOf([
      "-c:v",
      "libx265",
      "-preset",
      "ultrafast",
      "-x265-params",
      "keyint=10:log-level=none",
    ]),
  );
  assertEquals([v.problem, v.codec, v.units], [undefined, "hevc", 20]);
  const types = splitAnnexB(v.keyframes[0].annexB).map((n) => (n[0] >> 1) & 0x3f);
  assert([32, 33, 34].every((t) => types.includes(t)), `NAL types ${types}`);
});

Deno.test("demuxTs() recovers from lost sync and names what it cannot read", async () => {
  const ts = await tsOf(X264);
  const junk = new Uint8Array(ts.length + 37);
  const cut = 188 * 40;
  junk.set(ts.subarray(0, cut));
  junk.set(new Uint8Array(37).fill(0x47), cut); // sync bytes that are no packet
  junk.set(ts.subarray(cut), cut + 37);
  const v = demuxTs(junk);
  assertEquals(v.problem, undefined);
  assert(v.units >= 19, `${v.units} units after resync`);

  const mpeg2 = demuxTs(await tsOf(["-c:v", "mpeg2video"]));
  assertEquals(mpeg2.problem, "video codec MPEG-2 is not read natively");
  const noise = demuxTs(new Uint8Array(188 * 100).map((_, i) => (i * 131 + 7) & 0xff));
  assertStringIncludes(noise.problem!, "no MPEG-TS program table");
  assertEquals(demuxTs(new Uint8Array(0)).units, 0);
});

Deno.test("demuxTs() stays linear on 8 MiB of sync bytes and of random packets", () => {
  const mib = 8 * 1024 * 1024;
  for (
    const bytes of [
      new Uint8Array(mib).fill(0x47),
      new Uint8Array(mib).map((_, i) => (i % 188 === 0 ? 0x47 : (i * 2654435761) >>> 24)),
    ]
  ) {
    const t0 = performance.now();
    const v = demuxTs(bytes);
    const ms = performance.now() - t0;
    assert(ms < 2000, `${ms.toFixed(0)} ms`);
    assert(v.problem !== undefined);
  }
});

Deno.test("splitAnnexB() splits on 3- and 4-byte start codes and drops the zero padding", () => {
  const b = new Uint8Array([
    0,
    0,
    0,
    1,
    0x67,
    1,
    2,
    0,
    0,
    1,
    0x68,
    3,
    0,
    0,
    0,
    1,
    0x65,
    0,
    0,
    3,
    9,
  ]);
  const nals = splitAnnexB(b).map((n) => [...n]);
  assertEquals(nals, [[0x67, 1, 2], [0x68, 3], [0x65, 0, 0, 3, 9]]);
  assertEquals(splitAnnexB(new Uint8Array([1, 2, 3])), []);
});
