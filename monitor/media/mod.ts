/** The public face of monitor/media/: what code outside the folder may import. */

export { mediaEnabled, runMediaCheck, sourceOf } from "./check.ts";
export { openInput } from "./input.ts";
export type { MediaInput } from "./input.ts";
export { createProcessPool } from "./process_pool.ts";
export type { PoolStats, ProcessPool, StreamingChild } from "./process_pool.ts";
export { createMediaTask } from "./task.ts";
export type { MediaHealth, MediaTask } from "./task.ts";
export { sampleMjpeg } from "./mjpeg/mod.ts";
export type { MjpegSampleOptions } from "./mjpeg/mod.ts";
export { sampleHls } from "./hls/mod.ts";
export type { HlsSampleOptions } from "./hls/mod.ts";
export type { HttpMediaSample, HttpSampleFacts } from "./http_sample.ts";
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
