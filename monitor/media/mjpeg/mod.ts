/** MJPEG over HTTP without ffmpeg: a frame reader that ignores lying headers, and a sampler. */

export { createMjpegReader, MAX_FRAME_BYTES } from "./reader.ts";
export type { MjpegFrame, MjpegReader, MjpegReaderDeps } from "./reader.ts";
export { areaScale, frameSize, jpegToGrey, jpegToGrid, MAX_DECODE_PIXELS } from "./grid.ts";
export type { GreyResult } from "./grid.ts";
export { arrivalFps, sampleMjpeg } from "./sample.ts";
export type { MjpegSampleOptions } from "./sample.ts";
