/** Pure helpers: a 160×120 grey copy → a DecodedPicture, pictures → FrameStats, Annex-B facts. */

import {
  analyseFrames,
  type FrameStats,
  gridsDiffer,
  SAMPLE_HEIGHT,
  SAMPLE_WIDTH,
} from "../grid.ts";
import { describeParameterSets } from "../rtp/mod.ts";
import type { DecodedPicture } from "./types.ts";

/** Bytes of one grey copy (SAMPLE_WIDTH × SAMPLE_HEIGHT). */
export const GREY_BYTES = SAMPLE_WIDTH * SAMPLE_HEIGHT;

/** Measures one grey copy with today's analysis (grid, dark share, luma). */
export function pictureFromGrey(grey: Uint8Array, width: number, height: number): DecodedPicture {
  const stats = analyseFrames(grey.subarray(0, GREY_BYTES));
  return {
    width,
    height,
    grid: stats.grids[0] ?? new Uint8Array(0),
    darkRatio: stats.darkRatio,
    luma: stats.luma,
  };
}

/**
 * Folds the pictures of one check (in arrival order) into the FrameStats that judgeMedia()
 * reads, exactly as analyseFrames() folds sampled frames: mean dark share and luma, and the
 * index of the last picture that differs from the one before it.
 */
export function statsOfPictures(pictures: DecodedPicture[]): FrameStats {
  let lastChangeIndex = -1;
  for (let i = 1; i < pictures.length; i++) {
    if (gridsDiffer(pictures[i - 1].grid, pictures[i].grid)) lastChangeIndex = i;
  }
  const n = pictures.length;
  const mean = (f: (p: DecodedPicture) => number) =>
    n ? pictures.reduce((s, p) => s + f(p), 0) / n : 0;
  return {
    frames: n,
    grids: pictures.map((p) => p.grid),
    darkRatio: mean((p) => p.darkRatio),
    luma: mean((p) => p.luma),
    lastChangeIndex,
  };
}

/** NAL units of an Annex-B buffer (start codes of 3 or 4 bytes), without their start codes. */
export function splitAnnexB(bytes: Uint8Array): Uint8Array[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : bytes.length;
    while (end > s && bytes[end - 1] === 0) end--; // a 4-byte start code's leading zero
    return bytes.subarray(s, end);
  });
}

/** What a keyframe holds, read from its NAL headers: size from the SPS, or why it cannot decode. */
export function describeKeyframe(
  codec: "H264" | "H265",
  bytes: Uint8Array,
): { ok: true; width: number; height: number } | { ok: false; why: string } {
  const nals = splitAnnexB(bytes).filter((n) => n.length > 0);
  const types = new Set(nals.map((n) => codec === "H264" ? n[0] & 0x1f : (n[0] >> 1) & 0x3f));
  const needed = codec === "H264" ? [[7, "SPS"], [8, "PPS"]] : [[32, "VPS"], [33, "SPS"], [
    34,
    "PPS",
  ]];
  const missing = needed.filter(([t]) => !types.has(t as number)).map(([, name]) => name);
  if (missing.length) return { ok: false, why: `the keyframe lacks its ${missing.join("/")}` };
  const key = codec === "H264" ? types.has(5) : [16, 17, 18, 19, 20, 21].some((t) => types.has(t));
  if (!key) return { ok: false, why: `no ${codec === "H264" ? "IDR" : "IRAP"} slice in the unit` };
  const sps = describeParameterSets(
    codec,
    nals.filter((n) => {
      const t = codec === "H264" ? n[0] & 0x1f : (n[0] >> 1) & 0x3f;
      return t === (codec === "H264" ? 7 : 33);
    }),
  );
  if (!sps || !sps.ok) return { ok: false, why: `unreadable SPS: ${sps?.problem.message ?? "?"}` };
  return { ok: true, width: sps.sps.width, height: sps.sps.height };
}
