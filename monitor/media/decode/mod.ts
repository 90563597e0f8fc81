/** The picture decoder's public face: keyframes and JPEG frames → grid, dark share, snapshot. */

import type { RtpCodec } from "../rtp/mod.ts";
import { createJpegDecoder } from "./jpeg.ts";
import {
  createStreamDecoder,
  type StreamDecoder,
  type StreamDecoderDeps,
} from "./ffmpeg_stream.ts";
import type { Decoder } from "./types.ts";

export type { DecodedPicture, DecodeOptions, Decoder, DecodeResult } from "./types.ts";
export { MAX_SNAPSHOT_BYTES, MAX_SNAPSHOT_WIDTH, MAX_UNIT_BYTES } from "./types.ts";
export { describeKeyframe, splitAnnexB, statsOfPictures } from "./picture.ts";
export { createStreamDecoder, type StreamDecoder } from "./ffmpeg_stream.ts";
export type { StreamDecoderDeps } from "./ffmpeg_stream.ts";
export { createOneShotDecoder, type OneShotDecoderDeps } from "./ffmpeg_oneshot.ts";
export { createJpegDecoder } from "./jpeg.ts";
export { createSlots, type Slots, type SlotsDeps, type SlotStats } from "./pool.ts";
export { streamChildArgs } from "./stream_child.ts";
export {
  snapshotChildArgs,
  type SnapshotSize,
  snapshotSize,
  spawnSnapshotChild,
} from "./snapshot_child.ts";
export type { PairedChild, PairedResult } from "./paired_child.ts";
export { fixedFramer, type Framer, jpegFramer } from "./framers.ts";
export { MAX_IDLE_SNAPSHOT_CHILDREN } from "./ffmpeg_stream.ts";

/** The process's picture decoder, with the pool's counters (for /api/health). */
export interface PictureDecoder extends Decoder {
  stats(): ReturnType<StreamDecoder["stats"]>;
}

/**
 * The decoder chosen by measurement (`bench/decode_bench.ts`): H.264/H.265 keyframes (and
 * their snapshots) go to the pool of long-lived ffmpeg children (stdin only, sized to the
 * cores), JPEG frames to jpeg-js in-process. One interface for both; close() stops every child.
 */
export function createPictureDecoder(options: StreamDecoderDeps = {}): PictureDecoder {
  const video = createStreamDecoder(options);
  const jpeg = createJpegDecoder();
  const pick = (codec: RtpCodec): Decoder => codec === "JPEG" ? jpeg : video;
  return {
    decode: (codec, bytes, o) => pick(codec).decode(codec, bytes, o),
    stats: () => video.stats(),
    async close() {
      await Promise.all([video.close(), jpeg.close()]);
    },
  };
}
