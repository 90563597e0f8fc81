import { assert, assertEquals } from "../../assert.ts";
import {
  analyseFrames,
  GRID_HEIGHT,
  GRID_WIDTH,
  gridsDiffer,
  SAMPLE_HEIGHT,
  SAMPLE_WIDTH,
  toGrid,
} from "../../../monitor/media/frames.ts";

const W = SAMPLE_WIDTH;
const H = SAMPLE_HEIGHT;

/** A grey frame of `level`, optionally with a white 16×16 square at (x, y). */
function frame(level: number, square?: { x: number; y: number }): Uint8Array {
  const f = new Uint8Array(W * H).fill(level);
  if (square) {
    for (let y = square.y; y < square.y + 16; y++) {
      f.fill(255, y * W + square.x, y * W + square.x + 16);
    }
  }
  return f;
}

/**
 * A test card with a patch of fresh random noise, like GStreamer's SMPTE card at 320×240 once
 * ffmpeg has area-averaged it to 160×120 (each grey pixel is the mean of 4 random ones).
 */
function noisyCard(seed: number): Uint8Array {
  const f = new Uint8Array(W * H);
  for (let i = 0; i < f.length; i++) f[i] = (i % W) < W / 2 ? 200 : 60;
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  for (let y = 90; y < 120; y++) {
    for (let x = 120; x < 160; x++) f[y * W + x] = (rand() + rand() + rand() + rand()) / 4;
  }
  return f;
}

const join = (...frames: Uint8Array[]) => {
  const out = new Uint8Array(frames.length * W * H);
  frames.forEach((f, i) => out.set(f, i * W * H));
  return out;
};

Deno.test("toGrid() averages blocks into the motion grid", () => {
  const g = toGrid(frame(100, { x: 0, y: 0 }));
  assertEquals(g.length, GRID_WIDTH * GRID_HEIGHT);
  assertEquals([g[0], g[5], g[GRID_WIDTH * 5]], [255, 100, 100]);
});

Deno.test("analyseFrames() sees a moving square as motion", () => {
  const s = analyseFrames(join(frame(0, { x: 10, y: 10 }), frame(0, { x: 60, y: 40 })));
  assertEquals([s.frames, s.lastChangeIndex], [2, 1]);
});

Deno.test("analyseFrames() takes changing noise on a still card as no motion", () => {
  const s = analyseFrames(join(noisyCard(1), noisyCard(2), noisyCard(3)));
  assertEquals([s.frames, s.lastChangeIndex], [3, -1]);
});

Deno.test("analyseFrames() measures darkness and ignores a partial last frame", () => {
  const raw = join(frame(0), frame(10));
  const s = analyseFrames(raw.subarray(0, raw.length - 5));
  assertEquals([s.frames, s.darkRatio, s.luma], [1, 1, 0]);
  const lit = analyseFrames(frame(120));
  assertEquals(lit.darkRatio, 0);
});

Deno.test("gridsDiffer() ignores small changes and sees large ones", () => {
  const a = toGrid(frame(100));
  assert(!gridsDiffer(a, toGrid(frame(130))));
  assert(gridsDiffer(a, toGrid(frame(160))));
  assert(gridsDiffer(a, new Uint8Array(3)));
});
