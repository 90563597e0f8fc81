/** sampleHls(): the newest segment, fetched here, read natively; its keyframes decoded via stdin. */

import type { httpGet } from "../../probes/mod.ts";
import type { StreamConfig } from "../../types.ts";
import { analyseFrames, SAMPLE_HEIGHT, SAMPLE_WIDTH } from "../frames.ts";
import { jpegToGrey } from "../mjpeg/mod.ts";
import { describeParameterSets } from "../rtp/mod.ts";
import { failedHttpSample, type HttpMediaSample } from "../http_sample.ts";
import { spsType } from "./annexb.ts";
import { decodeKeyframes } from "./keyframe.ts";
import { fetchNewestSegment } from "./segment.ts";
import type { CommandRunner } from "../process_pool.ts";
import { demuxTs, type TsVideo } from "./ts.ts";

/** Options of {@link sampleHls}. */
export interface HlsSampleOptions {
  signal: AbortSignal;
  /** Runs ffmpeg with the keyframes on stdin: the media process pool's `run`, so it is capped. */
  run: CommandRunner;
  /** Bytes a segment may have (default 8 MiB). */
  maxSegmentBytes?: number;
  /** Pictures with more pixels are not decoded (default 3840×2160). */
  maxDecodePixels?: number;
  /** The HTTP GET (default the probes' `httpGet`). */
  get?: typeof httpGet;
  /** Wall clock, ms since epoch (default Date.now). */
  now?: () => number;
}

/**
 * Samples an HLS stream without giving a child its URL: this process fetches the playlist and
 * the newest segment (bounded), demuxes the MPEG-TS natively ({@link demuxTs}) for codec, size
 * (from the SPS, by the RTP layer's parser), fps (PTS), bitrate and keyframes, and hands only
 * the first and last keyframe's bytes to ffmpeg on stdin for the picture. Never throws for what
 * the server does: failures come back as `problem` (no video) or `pictureProblem`.
 */
export async function sampleHls(
  stream: Pick<StreamConfig, "url" | "tlsInsecure">,
  opts: HlsSampleOptions,
): Promise<HttpMediaSample> {
  const t0 = performance.now();
  const now = opts.now ?? Date.now;
  const elapsed = () => Math.round(performance.now() - t0);
  const seg = await fetchNewestSegment(stream, opts);
  if (!seg.ok) return failedHttpSample(seg.problem, elapsed(), "h264");
  if (seg.bytes[0] !== 0x47) {
    return failedHttpSample("segment is not MPEG-TS (no 0x47 sync byte)", elapsed(), "h264");
  }
  const video = demuxTs(seg.bytes);
  const codec = video.codec ?? "h264";
  if (video.problem) return failedHttpSample(video.problem, elapsed(), codec);
  const sample: HttpMediaSample = {
    facts: facts(video, seg.segment.duration),
    grids: [],
    ms: 0,
  };
  const { width, height } = sample.facts;
  const maxPixels = opts.maxDecodePixels ?? 3840 * 2160;
  if (video.keyframes.length === 0) sample.pictureProblem = "no keyframe in the segment";
  else if (width && height && width * height > maxPixels) {
    sample.pictureProblem = `picture ${width}x${height} too large to decode`;
  } else {
    const dec = await decodeKeyframes(video.keyframes, codec, {
      run: opts.run,
      signal: opts.signal,
    });
    if (!dec.ok) sample.pictureProblem = dec.problem;
    else {
      sample.snapshot = dec.jpegs[dec.jpegs.length - 1];
      const keyPts = video.keyframes.map((k) => k.pts);
      picture(sample, dec.jpegs, keyPts, now());
    }
  }
  sample.ms = elapsed();
  return sample;
}

/** Codec, size, fps, bitrate and span of the segment's video. */
function facts(v: TsVideo, extinf: number): HttpMediaSample["facts"] {
  const codec = v.codec ?? "h264";
  const sps = v.parameterSets.find((n) =>
    (codec === "h264" ? n[0] & 0x1f : (n[0] >> 1) & 0x3f) === spsType(codec)
  );
  const info = sps ? describeParameterSets(codec === "h264" ? "H264" : "H265", [sps]) : null;
  const pts = [...new Set(v.pts)].sort((a, b) => a - b);
  const span = pts.length > 1 ? (pts[pts.length - 1] - pts[0]) / 90_000 : 0;
  const fps = span > 0 ? (pts.length - 1) / span : undefined;
  // The segment's own length: its frames' span plus one frame, else what the playlist says.
  const seconds = fps ? span + 1 / fps : extinf > 0 ? extinf : 0;
  return {
    codec,
    width: info?.ok ? info.sps.width : undefined,
    height: info?.ok ? info.sps.height : undefined,
    fps: fps === undefined ? undefined : Math.round(fps * 100) / 100,
    bitrateKbps: seconds > 0 ? Math.round((v.bytes * 8) / seconds / 1000) : undefined,
    frames: v.units,
    packets: v.units,
    bytes: v.bytes,
    keyframe: v.keyframes.length > 0,
    spanSeconds: Math.round(span * 1000) / 1000,
  };
}

/** Grey statistics of the decoded keyframes, the newest placed at `wallNow`. */
function picture(sample: HttpMediaSample, jpegs: Uint8Array[], keyPts: number[], wallNow: number) {
  const size = SAMPLE_WIDTH * SAMPLE_HEIGHT;
  const greys = jpegs.map((j) => jpegToGrey(j)).flatMap((r) => r.ok ? [r.grey] : []);
  if (greys.length === 0) {
    sample.pictureProblem = "ffmpeg's JPEG of the keyframe was not decodable";
    return;
  }
  const raw = new Uint8Array(greys.length * size);
  greys.forEach((g, i) => raw.set(g, i * size));
  const stats = analyseFrames(raw);
  const gap = keyPts.length > 1 && greys.length > 1
    ? (keyPts[keyPts.length - 1] - keyPts[0]) / 90
    : 0;
  const stepMs = Number.isFinite(gap) && gap > 0 ? gap / (greys.length - 1) : 0;
  sample.picture = {
    ...stats,
    startedAt: Math.round(wallNow - stepMs * (greys.length - 1)),
    stepMs,
  };
  sample.grids = stats.grids;
}
