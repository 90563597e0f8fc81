/** The public face of monitor/media/: what code outside the folder may import. */

export { sourceOf } from "./check.ts";
export { openInput } from "./input.ts";
export type { MediaInput } from "./input.ts";
export { createProcessPool } from "./process_pool.ts";
export type { PoolStats, ProcessPool, StreamingChild } from "./process_pool.ts";
export { createMediaTask } from "./task.ts";
export type { MediaHealth, MediaTask } from "./task.ts";
export { createRtspMediaSampler, createUdpPortPool } from "./rtsp/mod.ts";
export type {
  MediaWindowOptions,
  RtspMediaResult,
  RtspMediaSample,
  RtspMediaSampler,
  RtspTransportMode,
  UdpPortPool,
} from "./rtsp/mod.ts";
export { createPictureDecoder, statsOfPictures } from "./decode/mod.ts";
export type { DecodedPicture, DecodeOptions, Decoder, DecodeResult } from "./decode/mod.ts";
