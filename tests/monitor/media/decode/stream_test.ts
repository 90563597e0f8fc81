/** The long-lived ffmpeg pool: real x264/x265 keyframes, pairing, garbage, abort, argv. */

import { assert, assertEquals } from "../../../assert.ts";
import { judgeMedia } from "../../../../monitor/media/expect.ts";
import {
  createPictureDecoder,
  createStreamDecoder,
  type DecodedPicture,
  statsOfPictures,
} from "../../../../monitor/media/decode/mod.ts";
import { encodeKeyframes, SOURCES } from "./keyframes.ts";
import { argvOf, waitGone } from "./procs.ts";

const codecs = ["H264", "H265"] as const;

/** judgeMedia() on pictures taken one second apart, as a media check would see them. */
function pictureVerdict(pictures: DecodedPicture[]) {
  const sample = { ...statsOfPictures(pictures), startedAt: 0, stepMs: 1000 };
  return judgeMedia({
    facts: { codec: "h264", width: 320, height: 240, packets: 10, keyframe: true, spanSeconds: 4 },
    sample,
    memory: {},
    freezeSeconds: 2,
    latencyMs: 1,
  }).picture;
}

async function decodeAll(codec: "H264" | "H265", units: Uint8Array[]) {
  const d = createStreamDecoder({ size: 1 });
  try {
    const out: DecodedPicture[] = [];
    for (const u of units) {
      const r = await d.decode(codec, u);
      assert(r.ok, r.ok ? "" : r.problem);
      out.push(r.picture);
    }
    return out;
  } finally {
    await d.close();
  }
}

for (const codec of codecs) {
  Deno.test(`createStreamDecoder() turns ${codec} keyframes of moving, black and still sources into the verdicts ok, black and frozen`, async () => {
    const moving = await decodeAll(
      codec,
      await encodeKeyframes(codec, SOURCES.moving, { count: 4, rate: 1 }),
    );
    assertEquals([moving[0].width, moving[0].height, moving[0].grid.length], [320, 240, 32 * 24]);
    assertEquals(pictureVerdict(moving), "ok");
    const black = await decodeAll(codec, await encodeKeyframes(codec, SOURCES.black));
    assertEquals(pictureVerdict(black), "black");
    assert(black[0].darkRatio >= 0.98);
    const still = await decodeAll(codec, await encodeKeyframes(codec, SOURCES.still));
    assertEquals(pictureVerdict(still), "frozen");
  });

  Deno.test(`createStreamDecoder() pairs result i with input i (${codec}, alternating black and bright)`, async () => {
    const black = await encodeKeyframes(codec, SOURCES.black, { count: 3 });
    const bright = await encodeKeyframes(codec, "color=c=white", { count: 3 });
    const d = createStreamDecoder({ size: 1 });
    try {
      const want: string[] = [];
      const got: string[] = [];
      for (let i = 0; i < 12; i++) {
        const isBlack = i % 3 !== 1; // b, W, b, b, W, b, … (two alike in a row as well)
        want.push(isBlack ? "black" : "bright");
        const r = await d.decode(codec, (isBlack ? black : bright)[i % 3]);
        got.push(r.ok ? (r.picture.luma < 40 ? "black" : "bright") : r.problem);
      }
      assertEquals(got, want);
      assertEquals(d.stats().children, 1);
    } finally {
      await d.close();
    }
  });
}

Deno.test("createStreamDecoder() answers garbage after real parameter sets with a problem, then decodes again", async () => {
  const [unit] = await encodeKeyframes("H264", SOURCES.moving, { count: 1 });
  const idr = unit.findLastIndex((_, i) =>
    unit[i] === 1 && unit[i - 1] === 0 && unit[i - 2] === 0 && (unit[i + 1] & 0x1f) === 5
  );
  const garbage = unit.slice();
  for (let i = idr + 3; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
  const d = createStreamDecoder({ size: 1, timeoutMs: 4000 });
  try {
    const t0 = Date.now();
    const bad = await d.decode("H264", garbage);
    assert(!bad.ok && bad.problem.startsWith("picture not decoded: "), JSON.stringify(bad));
    assert(Date.now() - t0 < 4000, "garbage waited for the timeout");
    const rnd = await d.decode("H264", crypto.getRandomValues(new Uint8Array(5000)));
    assert(!rnd.ok && rnd.problem.startsWith("picture not decoded: "));
    const good = await d.decode("H264", unit);
    assert(good.ok, good.ok ? "" : good.problem);
  } finally {
    await d.close();
  }
});

Deno.test("createStreamDecoder() kills the child when the caller aborts", async () => {
  const units = await encodeKeyframes("H265", SOURCES.moving, { count: 2, size: "1280x720" });
  const pids: number[] = [];
  const d = createStreamDecoder({ size: 1, onSpawn: (pid) => pids.push(pid) });
  try {
    assert((await d.decode("H265", units[0])).ok);
    const ac = new AbortController();
    const slow = new Uint8Array(units[1].length * 30); // 30 pictures in one unit: long enough
    for (let i = 0; i < 30; i++) slow.set(units[1], i * units[1].length);
    const pending = d.decode("H265", slow, { signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    const r = await pending;
    assertEquals(r, { ok: false, problem: "picture not decoded: stopped" });
    await waitGone(pids[0]);
    assertEquals(d.stats().children, 0);
  } finally {
    await d.close();
  }
});

Deno.test("createStreamDecoder() children get only pipe: input, no URL, and close() stops them", async () => {
  const units = await encodeKeyframes("H264", SOURCES.moving, { count: 2 });
  const pids: number[] = [];
  const d = createPictureDecoder({ size: 2, onSpawn: (pid) => pids.push(pid) });
  await Promise.all(units.map((u) => d.decode("H264", u)));
  assertEquals(pids.length, 2);
  for (const pid of pids) {
    const argv = await argvOf(pid);
    const inputs = argv.filter((_, i) => argv[i - 1] === "-i");
    assertEquals(inputs, ["pipe:0"]);
    assert(!argv.some((a) => a.includes("://") || a.includes("@")), argv.join(" "));
    assertEquals(argv[argv.indexOf("-protocol_whitelist") + 1], "pipe");
  }
  await d.close();
  for (const pid of pids) await waitGone(pid);
  const after = await d.decode("H264", units[0]);
  assert(!after.ok && after.problem.includes("closed"));
});
