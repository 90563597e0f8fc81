/** What a native media sampler (MJPEG, HLS) hands the judgement: facts, grids and a JPEG. */

import type { PictureSample } from "./expect.ts";
import type { MediaFacts } from "./ffprobe.ts";

/** The facts of a sample: ffprobe's shape (so `judgeMedia` takes them as they are) and more. */
export interface HttpSampleFacts extends MediaFacts {
  /** "mjpeg", "h264" or "hevc" (normalised as `normalizeCodec` does). */
  codec: string;
  /** Frames (MJPEG) or access units (HLS) seen; the same number as `packets`. */
  frames: number;
  /** Bytes of video received in the sample. */
  bytes: number;
}

/**
 * One media sample taken without handing the camera to a child process.
 *
 * - `facts.packets === 0` (with `problem`) means no video arrived: `judgeMedia` says down.
 * - `picture` undefined (with `pictureProblem`) means the picture was not verified: nothing
 *   about black or frozen may be concluded from this sample.
 */
export interface HttpMediaSample {
  facts: HttpSampleFacts;
  /** The decoded frames as `judgeMedia` wants them (grey statistics, grids, timing). */
  picture?: PictureSample;
  /** The motion grids of the decoded frames (the same as `picture.grids`), oldest first. */
  grids: Uint8Array[];
  /** The newest frame as a JPEG: the camera's own (MJPEG) or one made from the keyframe (HLS). */
  snapshot?: Uint8Array;
  /** Why facts are missing or partial: the stream failed, lied beyond a bound, or ended. */
  problem?: string;
  /** Why `picture` is missing when frames did arrive (too big, undecodable…). */
  pictureProblem?: string;
  /** Wall time of the sample, ms. */
  ms: number;
  /** Bytes read from the camera in all (what the sample's bounds hold), when known. */
  readBytes?: number;
}

/** An empty sample: nothing received, for the reason given. */
export function failedHttpSample(problem: string, ms: number, codec: string): HttpMediaSample {
  return {
    facts: { codec, frames: 0, packets: 0, bytes: 0, keyframe: false, spanSeconds: 0 },
    grids: [],
    problem,
    ms,
  };
}
