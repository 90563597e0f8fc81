/** The native RTSP media check: one in-process session, the kept keyframes decoded by the pool. */

import type { StreamConfig } from "../types.ts";
import { type DecodedPicture, type Decoder, statsOfPictures } from "./decode/mod.ts";
import { normalizeCodec, type PictureSample } from "./expect.ts";
import type { MediaFacts } from "./ffprobe.ts";
import type { MediaFindings } from "./check_core.ts";
import type {
  MediaKeyframe,
  MediaWindowOptions,
  RtspMediaSample,
  RtspMediaSampler,
} from "./rtsp/mod.ts";

/**
 * The read window of a check: stop at the fourth keyframe, else after 4 s (the sampler's
 * default) with what came: 1 s GOPs give four keyframes, 2 s GOPs two or three. Motion, the
 * keyframe interval and a still picture are seen within one check; stillness also carries over
 * between checks (judgeMedia), so long GOPs lose nothing but time.
 */
export const CHECK_WINDOW: MediaWindowOptions = {
  keyframes: 4,
  framesAfterKeyframe: 1,
  maxKeyframes: 4,
};

/**
 * The media check's own time bound, at least: the session's requests and its window are bounded
 * by the stream's timeout, which is made for the heartbeat (min(5 s, interval) by default, 2 s
 * with a 2 s heartbeat) and would cut the window to one GOP. The ffmpeg path, likewise, read
 * 2 s of video whatever the timeout.
 */
export const MEDIA_TIMEOUT_SECONDS = 5;

/**
 * With this many keyframes kept or more, the first is neither decoded nor judged: an encoder
 * started for this session (GStreamer's shared media, on-demand transcoders) codes its first
 * keyframe coarsely while its rate control settles, which differs from the next like motion
 * would (measured on the SMPTE fixture: a cell 76 grey levels off, the motion threshold is 48).
 * Judged, it would also break the still time carried over from the previous check.
 */
export const SKIP_FIRST_FROM = 2;

/** What {@link rtspFindings} needs. */
export interface RtspCheckOptions {
  sampler: RtspMediaSampler;
  decoder: Decoder;
  signal: AbortSignal;
  /** The RTSP probe memory of earlier checks (transport that worked). */
  session: Record<string, unknown>;
  now?: () => number;
}

/**
 * Runs handshake + media session on one connection (bounded by at least
 * {@link MEDIA_TIMEOUT_SECONDS}) and decodes the kept keyframes but the first. The
 * causes map to findings so: a failed handshake, or no packet of the track whatever the cause
 * (SETUP/PLAY refused, 461 on every transport, silence, foreign packets) → no facts (down, by
 * judgeMedia); no keyframe, garbage, a stop before a keyframe or no decodable picture → facts
 * without a picture (unverified); a stop after a keyframe → judged, noted in `problem`; no UDP port pair free → unverified without facts; "unsupported-codec"
 * → "fallback" (the ffmpeg path).
 */
export async function rtspFindings(
  s: StreamConfig,
  o: RtspCheckOptions,
): Promise<MediaFindings | "fallback"> {
  const session = { ...o.session };
  const bounded = { ...s, timeoutSeconds: Math.max(s.timeoutSeconds, MEDIA_TIMEOUT_SECONDS) };
  const ctx = {
    signal: o.signal,
    timeoutMs: bounded.timeoutSeconds * 1000,
    memory: session,
    now: o.now ?? Date.now,
  };
  const { result, media } = await o.sampler.sample(bounded, ctx, { window: CHECK_WINDOW });
  if (!result.ok || !media) return { error: result.message, session };
  const details = sessionDetails(media);
  if (media.cause === "unsupported-codec") return "fallback";
  if (media.cause === "no-udp-ports") {
    return { unverified: media.problem ?? "no UDP port pair free", details, session };
  }
  if (media.packets === 0) {
    const error = media.cause === "no-video" ? undefined : media.problem;
    return { facts: { ...factsOf(media), packets: 0 }, error, details, session };
  }
  const facts = factsOf(media);
  if (media.keyframes.length === 0 || (media.cause && media.cause !== "stopped")) {
    return { facts, pictureProblem: media.problem ?? "no keyframe kept", details, session };
  }
  if (media.cause === "stopped") details.problem = media.problem;
  const codec = media.codec === "MJPEG" ? "JPEG" : media.codec as "H264" | "H265";
  const kept = media.keyframes.length >= SKIP_FIRST_FROM
    ? media.keyframes.slice(1)
    : media.keyframes;
  const decoded = await decodeAll(o.decoder, codec, kept, o.signal);
  if (decoded.pictures.length === 0) {
    return { facts, pictureProblem: decoded.problem, details, session };
  }
  const newest = decoded.keyframes[decoded.keyframes.length - 1];
  return {
    facts,
    picture: pictureSample(decoded.pictures, decoded.keyframes, (o.now ?? Date.now)()),
    snapshot: async (signal) => {
      const r = await o.decoder.decode(codec, newest.data, { snapshot: true, signal });
      return r.ok ? r.picture.jpeg : undefined;
    },
    details,
    session,
  };
}

/** Decodes keyframes one after the other (a check holds one decoder at a time). */
async function decodeAll(
  decoder: Decoder,
  codec: "H264" | "H265" | "JPEG",
  keyframes: MediaKeyframe[],
  signal: AbortSignal,
) {
  const pictures: DecodedPicture[] = [];
  const kept: MediaKeyframe[] = [];
  let problem: string | undefined;
  for (const k of keyframes) {
    const r = await decoder.decode(codec, k.data, { signal });
    if (r.ok) {
      pictures.push(r.picture);
      kept.push(k);
    } else problem ??= r.problem.replace(/^picture not decoded: /, "");
  }
  return { pictures, keyframes: kept, problem: `keyframe not decodable: ${problem ?? "?"}` };
}

/** The pictures as judgeMedia wants them, timed by their RTP timestamps (90 kHz), the newest now. */
function pictureSample(
  pictures: DecodedPicture[],
  keyframes: MediaKeyframe[],
  wallNow: number,
): PictureSample {
  const first = keyframes[0].timestamp;
  const last = keyframes[keyframes.length - 1].timestamp;
  const spanMs = ((last - first) >>> 0) / 90; // wraps like the 32-bit RTP clock
  const stepMs = pictures.length > 1 && spanMs < 60_000 ? spanMs / (pictures.length - 1) : 0;
  const stats = statsOfPictures(pictures);
  return { ...stats, startedAt: Math.round(wallNow - stepMs * (pictures.length - 1)), stepMs };
}

/** ffprobe's fact keys from the session, plus what only the session knows. */
function factsOf(m: RtspMediaSample): MediaFacts {
  const num = (v: number | null) => v ?? undefined;
  const facts: MediaFacts & Record<string, unknown> = {
    codec: m.codec ? normalizeCodec(m.codec) : undefined,
    profile: num(m.profile),
    level: num(m.level),
    width: num(m.width),
    height: num(m.height),
    fps: m.fps === null ? undefined : Math.round(m.fps * 100) / 100,
    bitrateKbps: m.bitrateKbps === null ? undefined : Math.round(m.bitrateKbps),
    keyframeIntervalSeconds: num(m.keyframeIntervalSeconds),
    timeToFirstKeyframeMs: num(m.timeToFirstKeyframeMs),
    packets: m.packets,
    frames: m.frames,
    keyframes: m.keyframeCount,
    keyframe: m.keyframeCount > 0,
    lost: m.lostPackets,
    lossPercent: Math.round(m.lossRatio * 10_000) / 100,
    spanSeconds: m.fps ? Math.round((m.frames / m.fps) * 1000) / 1000 : 0,
  };
  return facts;
}

/** How the session went: transport, the attempts, the cause. */
function sessionDetails(m: RtspMediaSample): Record<string, unknown> {
  const d: Record<string, unknown> = {
    transport: m.transport,
    attempts: m.attempts,
    windowMs: m.windowMs,
  };
  if (m.cause) d.cause = m.cause;
  if (m.problems.length) d.rtpProblems = m.problems;
  return d;
}
