/** JPEG → the grey copy and motion grid of monitor/media/frames.ts, decoded in-process (jpeg-js). */

import jpeg from "jpeg-js";
import { SAMPLE_HEIGHT, SAMPLE_WIDTH, toGrid } from "../frames.ts";

/** Largest picture decoded by default: 1920×1088 (1080p with its coded height), 2.1 MP. */
export const MAX_DECODE_PIXELS = 1920 * 1088;

/** A decoded grey copy, or why there is none. */
export type GreyResult =
  | { ok: true; grey: Uint8Array; width: number; height: number }
  | { ok: false; reason: string };

/**
 * Decodes one JPEG to a SAMPLE_WIDTH × SAMPLE_HEIGHT grey copy (area-averaged luma, as ffmpeg's
 * `scale=…:flags=area,format=gray` gives the ffmpeg sampler), ready for `analyseFrames`.
 *
 * Pure and synchronous, so it can run in a worker of a decode pool unchanged. Bounded: the size
 * in the frame header is checked against `maxPixels` before any decoding (jpeg-js cannot
 * downscale while decoding, so its cost grows with the full picture), and jpeg-js's own
 * resolution and memory caps stay on as a second line. The colour transform is skipped: with
 * 3 components, the first channel jpeg-js returns is then the luma (Y) itself.
 */
export function jpegToGrey(
  bytes: Uint8Array,
  opts: { maxPixels?: number; width?: number; height?: number } = {},
): GreyResult {
  const maxPixels = opts.maxPixels ?? MAX_DECODE_PIXELS;
  const size = opts.width && opts.height ? { w: opts.width, h: opts.height } : frameSize(bytes);
  if (size && size.w * size.h > maxPixels) {
    return { ok: false, reason: tooBig(size.w, size.h, maxPixels) };
  }
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      colorTransform: false,
      tolerantDecoding: true,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.ceil((maxPixels * 8) / (1024 * 1024)) + 16,
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (msg.startsWith("maxResolutionInMP")) { // its header said more than we allow
      return { ok: false, reason: `frame too large to decode (limit ${mp(maxPixels)})` };
    }
    return { ok: false, reason: `JPEG not decodable: ${msg.slice(0, 120)}` };
  }
  const { width, height, data } = img;
  if (width * height > maxPixels) return { ok: false, reason: tooBig(width, height, maxPixels) };
  if (width < 1 || height < 1 || data.length < width * height * 3) {
    return { ok: false, reason: "JPEG decoded to no pixels" };
  }
  return { ok: true, grey: areaScale(data, width, height, 3), width, height };
}

/** The GRID_WIDTH × GRID_HEIGHT motion grid of one JPEG (see {@link jpegToGrey}). */
export function jpegToGrid(
  bytes: Uint8Array,
  opts: { maxPixels?: number } = {},
): Uint8Array | string {
  const r = jpegToGrey(bytes, opts);
  return r.ok ? toGrid(r.grey) : r.reason;
}

/**
 * The size in the frame header (SOF), walking marker segments by their lengths from SOI; no
 * entropy data is read. Undefined when the header is not found before SOS or the end.
 */
export function frameSize(b: Uint8Array): { w: number; h: number } | undefined {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  for (let p = 2; p + 9 <= b.length;) {
    if (b[p] !== 0xff) return undefined;
    const m = b[p + 1];
    if (m === 0xff) {
      p++;
      continue;
    }
    if (m === 0xda || m === 0xd9) return undefined;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      return { h: (b[p + 5] << 8) | b[p + 6], w: (b[p + 7] << 8) | b[p + 8] };
    }
    p += 2 + ((b[p + 2] << 8) | b[p + 3]);
  }
  return undefined;
}

/**
 * Averages channel 0 of an interleaved `w × h` picture (`step` bytes a pixel) into the grey
 * copy: each source pixel goes to the output cell its position falls in, so every pixel counts
 * once (a box filter, like ffmpeg's area scaling for downscales). Pictures smaller than the copy
 * are repeated into it.
 */
export function areaScale(data: Uint8Array, w: number, h: number, step: number): Uint8Array {
  const sums = new Float64Array(SAMPLE_WIDTH * SAMPLE_HEIGHT);
  const counts = new Uint32Array(SAMPLE_WIDTH * SAMPLE_HEIGHT);
  const colOf = new Uint32Array(w);
  for (let x = 0; x < w; x++) colOf[x] = Math.floor((x * SAMPLE_WIDTH) / w);
  for (let y = 0; y < h; y++) {
    const row = Math.floor((y * SAMPLE_HEIGHT) / h) * SAMPLE_WIDTH;
    let i = y * w * step;
    for (let x = 0; x < w; x++, i += step) {
      sums[row + colOf[x]] += data[i];
      counts[row + colOf[x]]++;
    }
  }
  const out = new Uint8Array(SAMPLE_WIDTH * SAMPLE_HEIGHT);
  for (let oy = 0; oy < SAMPLE_HEIGHT; oy++) {
    for (let ox = 0; ox < SAMPLE_WIDTH; ox++) {
      const o = oy * SAMPLE_WIDTH + ox;
      if (counts[o]) out[o] = Math.round(sums[o] / counts[o]);
      else { // upscaling: an empty cell takes the pixel it maps back to
        const sy = Math.floor((oy * h) / SAMPLE_HEIGHT);
        out[o] = data[(sy * w + Math.floor((ox * w) / SAMPLE_WIDTH)) * step];
      }
    }
  }
  return out;
}

function tooBig(w: number, h: number, max: number): string {
  return `frame ${w}x${h} too large to decode (limit ${mp(max)})`;
}

function mp(pixels: number): string {
  return `${(pixels / 1e6).toFixed(1)} MP`;
}
