/** The one interface every picture decoder backend implements, and what it hands back. */

import type { RtpCodec } from "../rtp/mod.ts";

/** The picture facts one keyframe (or JPEG frame) yields. */
export interface DecodedPicture {
  /** Coded size of the picture (from the SPS, or the JPEG header). */
  width: number;
  height: number;
  /** The GRID_WIDTH × GRID_HEIGHT (32 × 24) motion grid of mean luma, as today's sampler makes. */
  grid: Uint8Array;
  /** Share of dark pixels (≤ DARK_LEVEL) in the 160 × 120 grey copy, 0–1. */
  darkRatio: number;
  /** Mean grey level of the 160 × 120 grey copy, 0–255. */
  luma: number;
  /** A JPEG of the picture (≤ 640 px wide, ≤ 256 KiB), when a snapshot was asked for and made. */
  jpeg?: Uint8Array;
}

/** A picture, or why there is none ("picture not decoded: …"). Never thrown. */
export type DecodeResult =
  | { ok: true; picture: DecodedPicture }
  | { ok: false; problem: string };

/** Options of {@link Decoder.decode}. */
export interface DecodeOptions {
  /** Also make a small JPEG of the picture. */
  snapshot?: boolean;
  /** Aborting ends the wait (and kills a child decoding this picture). */
  signal?: AbortSignal;
}

/** Decodes one access unit: Annex-B H.264/H.265 with its parameter sets, or a whole JPEG. */
export interface Decoder {
  decode(codec: RtpCodec, bytes: Uint8Array, options?: DecodeOptions): Promise<DecodeResult>;
  /** Stops every child and refuses later calls; resolves once the children have exited. */
  close(): Promise<void>;
}

/** Largest access unit accepted (the depacketisers' default limit). */
export const MAX_UNIT_BYTES = 8 * 1024 * 1024;
/** Largest snapshot kept. */
export const MAX_SNAPSHOT_BYTES = 256 * 1024;
/** Widest snapshot made. */
export const MAX_SNAPSHOT_WIDTH = 640;

/** The failed result every backend returns: "picture not decoded: " + why. */
export function notDecoded(why: string): DecodeResult {
  return { ok: false, problem: `picture not decoded: ${why.slice(0, 200)}` };
}
