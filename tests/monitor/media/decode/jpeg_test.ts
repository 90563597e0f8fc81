/** jpeg-js in-process: real ffmpeg JPEGs → grids and verdicts; snapshots; garbage. */

import { assert, assertEquals } from "../../../assert.ts";
import { judgeMedia } from "../../../../monitor/media/expect.ts";
import {
  createJpegDecoder,
  createOneShotDecoder,
  type DecodedPicture,
  MAX_SNAPSHOT_BYTES,
  statsOfPictures,
} from "../../../../monitor/media/decode/mod.ts";
import { encodeJpegs, encodeKeyframes, SOURCES } from "./keyframes.ts";

async function pictures(source: string, size = "320x240"): Promise<DecodedPicture[]> {
  const d = createJpegDecoder();
  const out: DecodedPicture[] = [];
  for (const j of await encodeJpegs(source, { size, count: 4 })) {
    const r = await d.decode("JPEG", j);
    assert(r.ok, r.ok ? "" : r.problem);
    out.push(r.picture);
  }
  return out;
}

function verdict(p: DecodedPicture[]) {
  return judgeMedia({
    facts: {
      codec: "mjpeg",
      width: p[0].width,
      height: p[0].height,
      packets: 4,
      keyframe: true,
      spanSeconds: 4,
    },
    sample: { ...statsOfPictures(p), startedAt: 0, stepMs: 1000 },
    memory: {},
    freezeSeconds: 2,
    latencyMs: 1,
  }).picture;
}

Deno.test("createJpegDecoder() judges moving, black and still JPEG frames ok, black and frozen", async () => {
  assertEquals(verdict(await pictures(SOURCES.moving)), "ok");
  assertEquals(verdict(await pictures(SOURCES.black)), "black");
  assertEquals(verdict(await pictures(SOURCES.still)), "frozen");
});

Deno.test("createJpegDecoder() keeps a small frame as its snapshot and shrinks a 1280x720 one", async () => {
  const d = createJpegDecoder();
  const [small] = await encodeJpegs(SOURCES.moving, { count: 1 });
  const a = await d.decode("JPEG", small, { snapshot: true });
  assert(a.ok && a.picture.jpeg === small);
  const [big] = await encodeJpegs(SOURCES.moving, { size: "1280x720", count: 1 });
  const b = await d.decode("JPEG", big, { snapshot: true });
  assert(b.ok && b.picture.jpeg, "no snapshot");
  assertEquals([b.picture.width, b.picture.height], [1280, 720]);
  const again = await d.decode("JPEG", b.picture.jpeg!);
  assert(again.ok);
  assertEquals([again.picture.width, again.picture.height], [640, 360]);
  assert(b.picture.jpeg!.length <= MAX_SNAPSHOT_BYTES);
});

Deno.test("createJpegDecoder() answers garbage and other codecs with a problem", async () => {
  const d = createJpegDecoder();
  const bad = await d.decode("JPEG", crypto.getRandomValues(new Uint8Array(4096)));
  assert(!bad.ok && bad.problem.startsWith("picture not decoded: "));
  const cut = (await encodeJpegs(SOURCES.moving, { count: 1 }))[0].slice(0, 300);
  const c = await d.decode("JPEG", cut);
  assert(!c.ok || c.picture.grid.length === 768);
  const h264 = await d.decode("H264", new Uint8Array(10));
  assertEquals(h264, { ok: false, problem: 'picture not decoded: codec "H264" is not JPEG' });
});

Deno.test("createOneShotDecoder() decodes an H.264 keyframe with a ≤ 640 px snapshot", async () => {
  const [unit] = await encodeKeyframes("H264", SOURCES.moving, { size: "1280x720", count: 1 });
  const d = createOneShotDecoder({ size: 1 });
  const r = await d.decode("H264", unit, { snapshot: true });
  assert(r.ok, r.ok ? "" : r.problem);
  assertEquals([r.picture.width, r.picture.height], [1280, 720]);
  const jpeg = r.picture.jpeg!;
  assert(jpeg.length > 1000 && jpeg.length <= MAX_SNAPSHOT_BYTES);
  const back = await createJpegDecoder().decode("JPEG", jpeg);
  assert(back.ok);
  assertEquals(back.picture.width, 640);
  const noSps = await d.decode("H264", unit.subarray(unit.length - 2000));
  assert(!noSps.ok && noSps.problem.includes("lacks its SPS"), JSON.stringify(noSps));
  await d.close();
});
