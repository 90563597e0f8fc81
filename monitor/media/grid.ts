/** The pure picture measures shared by every sampler: grey frames → motion grids, dark share, luma. */

/** Size of the grey copies ffmpeg hands us (area-averaged, so sensor noise is smoothed). */
export const SAMPLE_WIDTH = 160;
/** See {@link SAMPLE_WIDTH}. */
export const SAMPLE_HEIGHT = 120;
/** The motion grid: each cell is the mean of a 5×5 block of the grey copy. */
export const GRID_WIDTH = 32;
/** See {@link GRID_WIDTH}. */
export const GRID_HEIGHT = 24;
/**
 * A cell must change by more than this (of 255) to count as motion. Random noise (sensor grain,
 * the noise patch of GStreamer's SMPTE card) averages out within a cell and stays well below it
 * (≤ 35 measured); an object moving through a cell changes it by far more.
 */
export const MOTION_DELTA = 48;
/** A pixel at or below this grey level (10 % of full range, as ffmpeg's blackdetect) is dark. */
export const DARK_LEVEL = 25;

/** What the frames of one sample show. */
export interface FrameStats {
  /** Frames decoded. */
  frames: number;
  /** The motion grid of each frame (GRID_WIDTH × GRID_HEIGHT cells, 0–255). */
  grids: Uint8Array[];
  /** Mean share of dark pixels over the frames, 0–1. */
  darkRatio: number;
  /** Mean grey level over the frames, 0–255. */
  luma: number;
  /** Index of the last frame that differs from the one before it, or -1 when none did. */
  lastChangeIndex: number;
}

/** Measures raw grey frames of SAMPLE_WIDTH × SAMPLE_HEIGHT (a partial last frame is ignored). */
export function analyseFrames(raw: Uint8Array): FrameStats {
  const size = SAMPLE_WIDTH * SAMPLE_HEIGHT;
  const grids: Uint8Array[] = [];
  let dark = 0;
  let sum = 0;
  let lastChangeIndex = -1;
  for (let f = 0; (f + 1) * size <= raw.length; f++) {
    const frame = raw.subarray(f * size, (f + 1) * size);
    for (let i = 0; i < size; i++) {
      sum += frame[i];
      if (frame[i] <= DARK_LEVEL) dark++;
    }
    grids.push(toGrid(frame));
    if (f > 0 && gridsDiffer(grids[f - 1], grids[f])) lastChangeIndex = f;
  }
  const n = grids.length * size;
  return {
    frames: grids.length,
    grids,
    darkRatio: n ? dark / n : 0,
    luma: n ? sum / n : 0,
    lastChangeIndex,
  };
}

/** Averages a grey SAMPLE_WIDTH × SAMPLE_HEIGHT frame into the GRID_WIDTH × GRID_HEIGHT grid. */
export function toGrid(frame: Uint8Array): Uint8Array {
  const bw = SAMPLE_WIDTH / GRID_WIDTH;
  const bh = SAMPLE_HEIGHT / GRID_HEIGHT;
  const sums = new Uint32Array(GRID_WIDTH * GRID_HEIGHT);
  for (let y = 0; y < SAMPLE_HEIGHT; y++) {
    const row = Math.floor(y / bh) * GRID_WIDTH;
    for (let x = 0; x < SAMPLE_WIDTH; x++) {
      sums[row + Math.floor(x / bw)] += frame[y * SAMPLE_WIDTH + x];
    }
  }
  return Uint8Array.from(sums, (s) => Math.round(s / (bw * bh)));
}

/** True when any cell of two grids differs by more than {@link MOTION_DELTA}. */
export function gridsDiffer(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > MOTION_DELTA) return true;
  return false;
}
