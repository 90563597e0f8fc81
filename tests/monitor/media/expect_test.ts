import { assert, assertEquals } from "../../assert.ts";
import {
  displayCodec,
  type JudgeInput,
  judgeMedia,
  type MediaMemory,
  normalizeCodec,
  type PictureSample,
} from "../../../monitor/media/expect.ts";
import type { MediaFacts } from "../../../monitor/media/ffprobe.ts";
import { GRID_HEIGHT, GRID_WIDTH } from "../../../monitor/media/frames.ts";

const facts = (extra: Partial<MediaFacts> = {}): MediaFacts => ({
  codec: "h264",
  width: 320,
  height: 240,
  fps: 10,
  bitrateKbps: 150,
  packets: 20,
  keyframe: true,
  spanSeconds: 2,
  ...extra,
});

const grid = (level: number) => new Uint8Array(GRID_WIDTH * GRID_HEIGHT).fill(level);

/** A 3-frame sample starting at `at` ms; `moving` makes the last frame differ. */
const sample = (at: number, o: { level?: number; moving?: boolean; dark?: number } = {}) => {
  const g = grid(o.level ?? 120);
  return {
    frames: 3,
    grids: [g, g, o.moving ? grid(255) : g],
    darkRatio: o.dark ?? 0,
    luma: o.level ?? 120,
    lastChangeIndex: o.moving ? 2 : -1,
    startedAt: at,
    stepMs: 500,
  } satisfies PictureSample;
};

const judge = (i: Partial<JudgeInput>) =>
  judgeMedia({ facts: facts(), memory: {}, freezeSeconds: 30, latencyMs: 5, ...i });

Deno.test("judgeMedia() says up with the facts for a moving picture", () => {
  const j = judge({ sample: sample(0, { moving: true }) });
  assertEquals([j.verdict.state, j.verdict.message, j.picture], [
    "up",
    "H264 320x240, 10 fps, 150 kbit/s",
    "ok",
  ]);
  assertEquals(j.verdict.details.codec, "h264");
  assertEquals(j.memory.baseline, { codec: "h264", width: 320, height: 240 });
});

Deno.test("judgeMedia() says down when no video packet arrived", () => {
  const j = judge({ facts: undefined, error: "timed out" });
  assertEquals([j.verdict.state, j.verdict.message], ["down", "no video received: timed out"]);
  assertEquals(judge({ facts: facts({ packets: 0 }) }).verdict.message, "no video received");
});

Deno.test("judgeMedia() compares with expectations from config", () => {
  const expect = { codec: "H.264", width: 1920, height: 1080, minFps: 10 };
  const j = judge({ facts: facts({ codec: "hevc", fps: 4 }), expect });
  assertEquals(j.verdict.state, "degraded");
  assertEquals(
    j.verdict.message,
    "codec H265, expected H264; resolution 320x240, expected 1920x1080; frame rate 4.0 fps, below 10",
  );
  assertEquals(judge({ expect: { width: 640 } }).verdict.message, "width 320, expected 640");
});

Deno.test("judgeMedia() takes the first good check as the baseline and reports drift", () => {
  const first = judge({});
  const later = judge({ facts: facts({ width: 640, height: 360 }), memory: first.memory });
  assertEquals(later.verdict.message, "resolution 640x360, expected 320x240");
  assertEquals((later.verdict.details.expected as Record<string, unknown>).from, "baseline");
  const back = judge({ memory: later.memory, sample: sample(0, { moving: true }) });
  assertEquals(back.verdict.state, "up");
});

Deno.test("judgeMedia() calls a dark, still picture black and clears when it lights up", () => {
  const black = judge({ sample: sample(0, { level: 0, dark: 1 }) });
  assertEquals([black.verdict.state, black.verdict.message, black.picture], [
    "degraded",
    "picture black",
    "black",
  ]);
  const ball = judge({ sample: sample(0, { level: 0, dark: 0.983, moving: true }) });
  assertEquals(ball.verdict.state, "up", "a dark picture with something moving is not black");
  const lit = judge({ sample: sample(60_000, { moving: true }), memory: black.memory });
  assertEquals(lit.verdict.state, "up");
});

Deno.test("judgeMedia() tracks a frozen picture across samples and clears when it moves", () => {
  let memory: MediaMemory = {};
  const states: string[] = [];
  for (const at of [0, 20_000, 40_000]) {
    const j = judge({ sample: sample(at), memory });
    memory = j.memory;
    states.push(j.verdict.message);
  }
  assertEquals(states.slice(0, 2), [
    "H264 320x240, 10 fps, 150 kbit/s",
    "H264 320x240, 10 fps, 150 kbit/s",
  ]);
  assertEquals(states[2], "picture frozen for 41 s");
  const moved = judge({ sample: sample(60_000, { moving: true }), memory });
  assertEquals(moved.verdict.state, "up");
  const still = judge({ sample: sample(80_000), memory: moved.memory });
  assertEquals(still.verdict.state, "up", "still since 61 s: 20 s is not frozen yet");
});

Deno.test("judgeMedia() restarts the still time when the picture changed between samples", () => {
  const a = judge({ sample: sample(0, { level: 100 }) });
  const b = judge({ sample: sample(40_000, { level: 200 }), memory: a.memory });
  assertEquals(b.verdict.state, "up");
  assertEquals(b.memory.stillSince, 40_000);
});

Deno.test("normalizeCodec() and displayCodec() agree on common spellings", () => {
  assertEquals(["H.264", "AVC", "h265", "HEVC", "MJPG"].map(normalizeCodec), [
    "h264",
    "h264",
    "hevc",
    "hevc",
    "mjpeg",
  ]);
  assertEquals(["h264", "hevc", "mjpeg"].map(displayCodec), ["H264", "H265", "MJPEG"]);
  assert(true);
});

Deno.test("judgeMedia() without a picture says not verified and keeps the still time", () => {
  const still = judge({ sample: sample(0) });
  const j = judge({ memory: still.memory, pictureProblem: "keyframe not decodable: garbage" });
  assertEquals([j.verdict.state, j.verdict.verified, j.verdict.message, j.picture], [
    "degraded",
    false,
    "picture not verified: keyframe not decodable: garbage",
    "unknown",
  ]);
  assertEquals(j.verdict.details.picture, {
    verified: false,
    reason: "picture not verified: keyframe not decodable: garbage",
  });
  assertEquals([j.memory.lastGrid, j.memory.stillSince], [still.memory.lastGrid, 0]);
  // The facts alone can still be wrong: that is a verified finding, degraded as usual.
  const drift = judge({ facts: facts({ width: 640, height: 360 }), memory: still.memory });
  assertEquals([drift.verdict.state, drift.verdict.verified], ["degraded", undefined]);
  assertEquals(drift.verdict.message, "resolution 640x360, expected 320x240");
  assertEquals((drift.verdict.details.picture as { verified: boolean }).verified, false);
});

Deno.test("judgeMedia() calls one dark picture black only when the previous one was the same", () => {
  const one = (at: number, level: number) => ({ ...sample(at, { level, dark: 0.99 }), frames: 1 });
  const first = judge({ sample: one(0, 3) });
  assertEquals(first.verdict.state, "up", "one picture shows no motion either way");
  const again = judge({ sample: one(60_000, 3), memory: first.memory });
  assertEquals([again.verdict.state, again.verdict.message], ["degraded", "picture black"]);
  const other = judge({ sample: one(60_000, 80), memory: first.memory });
  assertEquals(other.verdict.state, "up");
});
