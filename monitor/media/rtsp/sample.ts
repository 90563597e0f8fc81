/** What one RTSP media session found (RtspMediaSample), its options, and the pure verdict on it. */

import type { RtpProblemCode } from "../rtp/mod.ts";

/** A transport RTP can arrive on. */
export type RtspTransport = "tcp" | "udp";

/** A stream's `rtsp_transport`: `auto` tries TCP (or what worked last) and falls back. */
export type RtspTransportMode = "auto" | RtspTransport;

/** Why a session failed, to branch on (the `problem` text is for people). */
export type MediaCause =
  | "no-video"
  | "no-keyframe"
  | "stopped"
  | "garbage"
  | "unsupported-transport"
  | "unsupported-codec"
  | "setup-failed"
  | "play-failed"
  | "no-udp-ports"
  | "timeout"
  | "connection";

/** One keyframe kept for a decoder: Annex-B (H.26x, parameter sets included) or a JPEG file. */
export interface MediaKeyframe {
  /** RTP timestamp of the picture. */
  timestamp: number;
  /** The picture's bytes. */
  data: Uint8Array;
  /** False when a packet inside it was lost. */
  complete: boolean;
}

/** Problems the RTP layer reported, by code: how often, and the first message (clipped). */
export interface MediaProblemCount {
  /** The RTP layer's code. */
  code: RtpProblemCode;
  /** How many times it was reported. */
  count: number;
  /** The first message of that code. */
  message: string;
}

/** One transport tried and how it ended. */
export interface MediaAttempt {
  /** The transport asked for in SETUP. */
  transport: RtspTransport;
  /** "ok", or the cause that ended it. */
  outcome: "ok" | MediaCause;
}

/** What the RTP of one session showed: codec, size, timing, counts (sample and collector share it). */
export interface RtspStreamFacts {
  /** "H264", "H265", "MJPEG", or the SDP's encoding name (clipped) for other codecs. */
  codec: string | null;
  /** profile_idc / general_profile_idc from the SPS. */
  profile: number | null;
  /** Level from the SPS (3.1, 4, …). */
  level: number | null;
  /** Picture size from the SPS (SDP sprop or in-band) or the JPEG header. */
  width: number | null;
  height: number | null;
  /** Frames per second of RTP time. */
  fps: number | null;
  /** kbit/s of RTP packets over the media time seen. */
  bitrateKbps: number | null;
  /** Mean RTP time between keyframes (needs two). */
  keyframeIntervalSeconds: number | null;
  /** From sending PLAY to the first complete keyframe (ms). */
  timeToFirstKeyframeMs: number | null;
  /** RTP packets accepted, and their bytes. */
  packets: number;
  bytes: number;
  /** Pictures assembled. */
  frames: number;
  /** Keyframes assembled (all, not only those kept). */
  keyframeCount: number;
  /** Packets missing by sequence numbers, and their share of those expected. */
  lostPackets: number;
  lossRatio: number;
  /** Packets refused: not RTP, another payload type or SSRC. */
  ignoredPackets: number;
  /** The RTP layer's problems by code (at most 16 codes). */
  problems: MediaProblemCount[];
  /** At most `maxKeyframes` keyframes within `maxKeyframeBytes`, for a decoder. */
  keyframes: MediaKeyframe[];
}

/** The facts of one media session (SETUP → PLAY → a bounded read → TEARDOWN). */
export interface RtspMediaSample extends RtspStreamFacts {
  /** True when video arrived and a keyframe was assembled without garbage. */
  ok: boolean;
  /** Why not, for people: "no video received", "no keyframe within 4 s", … */
  problem?: string;
  /** Why not, to branch on. */
  cause?: MediaCause;
  /** The transport of the last attempt (the one the facts come from). */
  transport?: RtspTransport;
  /** Every transport tried, in order. */
  attempts: MediaAttempt[];
  /** Wall time of the read window (ms). */
  windowMs: number;
}

/** Bounds and stop rule of a media session; every field has a default. */
export interface MediaWindowOptions {
  /** Longest read after PLAY (default 4000 ms; at most the stream's timeout). */
  windowMs?: number;
  /** No packet at all within this after PLAY ends the read as "no video" (default 2000 ms). */
  noDataMs?: number;
  /** No packet for this long after some arrived is a stopped stream (default 1500 ms). */
  stallMs?: number;
  /** Stop once this many keyframes arrived (default 1)… */
  keyframes?: number;
  /** …and this many pictures after the first one (default 5). */
  framesAfterKeyframe?: number;
  /** Keyframes kept for a decoder (default 3). */
  maxKeyframes?: number;
  /** Bytes of kept keyframes (default 2 MiB). */
  maxKeyframeBytes?: number;
  /** Stop after this many RTP bytes (default 32 MiB) or packets (default 50,000). */
  maxBytes?: number;
  maxPackets?: number;
  /** Longest wait for a TEARDOWN answer (default 500 ms). */
  teardownMs?: number;
}

/** How a read window ended. */
export type WindowEnd = "done" | "limit" | "window" | "no-data" | "stalled" | "closed";

/** What the verdict needs from a finished read. */
export interface VerdictInput {
  end: WindowEnd;
  packets: number;
  frames: number;
  keyframeCount: number;
  /** Packets with problems not explained by loss. */
  badPackets: number;
  /** Packets refused as not belonging to the track. */
  ignoredPackets: number;
  /** The first unexplained problem message, if any. */
  firstBad?: string;
  /** False when no depacketiser handles the codec. */
  depacketised: boolean;
  windowMs: number;
}

/**
 * The verdict on one read, first match wins:
 * | condition                                              | cause             |
 * |--------------------------------------------------------|-------------------|
 * | no packet of the track (only foreign ones: garbage)    | no-video / garbage|
 * | ≥ 5 bad packets and ≥ 10 % of all, or no picture built | garbage           |
 * | codec not depacketised here                            | unsupported-codec |
 * | stalled or closed before the stop rule, no keyframe    | stopped           |
 * | no keyframe                                            | no-keyframe       |
 * | stalled or closed before the stop rule                 | stopped           |
 * | otherwise                                              | ok                |
 */
export function judgeWindow(v: VerdictInput): { cause?: MediaCause; problem?: string } {
  const seconds = Math.max(1, Math.round(v.windowMs / 1000));
  if (v.packets === 0) {
    if (v.ignoredPackets >= 5) {
      return { cause: "garbage", problem: `garbage RTP: ${v.ignoredPackets} packets refused` };
    }
    return { cause: "no-video", problem: "no video received" };
  }
  const bad = v.badPackets >= 5 && v.badPackets * 10 >= v.packets;
  if (v.depacketised && (bad || (v.frames === 0 && v.badPackets > 0))) {
    return { cause: "garbage", problem: `garbage RTP: ${v.firstBad ?? "undecodable payload"}` };
  }
  const stopped = v.end === "stalled" || v.end === "closed";
  if (!v.depacketised) {
    if (stopped) return { cause: "stopped", problem: "stream stopped mid-window" };
    return { cause: "unsupported-codec", problem: "codec not depacketised natively" };
  }
  if (v.keyframeCount === 0 && !stopped) {
    return { cause: "no-keyframe", problem: `no keyframe within ${seconds} s` };
  }
  if (stopped) {
    const how = v.end === "closed" ? " (connection closed)" : "";
    return { cause: "stopped", problem: `stream stopped mid-window${how}` };
  }
  return {};
}
