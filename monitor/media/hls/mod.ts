/** HLS without handing the URL to a child: segment fetched here, MPEG-TS read natively. */

export { sampleHls } from "./sample.ts";
export type { HlsSampleOptions } from "./sample.ts";
export { fetchNewestSegment, PLAYLIST_MAX_BYTES, SEGMENT_MAX_BYTES } from "./segment.ts";
export type { FetchedSegment, FetchSegmentOptions } from "./segment.ts";
export { readPlaylist } from "./playlist.ts";
export type { SamplingPlaylist, Segment } from "./playlist.ts";
export { demuxTs } from "./ts.ts";
export type { TsKeyframe, TsVideo } from "./ts.ts";
export { splitAnnexB } from "./annexb.ts";
export type { TsCodec } from "./annexb.ts";
export { decodeKeyframes } from "./keyframe.ts";
export type { KeyframeDecode, KeyframeDecodeOptions } from "./keyframe.ts";
