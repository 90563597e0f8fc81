/** Turns one track's RTP packets (from any transport) into picture facts and kept keyframes. */

import {
  createDepacketiser,
  createStreamStats,
  type Depacketiser,
  describeParameterSets,
  parseRtpPacket,
  type RtpCodec,
  type RtpProblem,
} from "../rtp/mod.ts";
import { clipText } from "../../redact.ts";
import type {
  MediaKeyframe,
  MediaProblemCount,
  MediaWindowOptions,
  RtspStreamFacts,
} from "./sample.ts";

/** The track being read, from the SDP. */
export interface TrackInfo {
  /** The SDP encoding name (rtpmap), e.g. "H264"; "MJPEG" for JPEG. */
  codec: string;
  payloadType: number;
  clockRate: number;
  /** The `a=fmtp` parameters as text (`k=v;k=v`). */
  fmtp: string;
}

/** The facts a collector gathered, for the sample and the verdict. */
export interface CollectedFacts extends RtspStreamFacts {
  codec: RtpCodec | null;
  /** Packets the RTP layer could not use, and the first such problem's text. */
  badPackets: number;
  firstBad?: string;
}

/** Accepts packets as they arrive; `done` once the stop rule or a limit is met. */
export interface Collector {
  /** Feeds one datagram / interleaved frame. */
  push(bytes: Uint8Array, arrivalMs: number): void;
  /** "done" (stop rule met) or "limit" (bytes/packets), else null. */
  readonly stop: "done" | "limit" | null;
  /** Packets accepted so far, and when the last arrived. */
  readonly packets: number;
  readonly lastArrivalMs: number;
  /** Called once when `stop` becomes set. */
  onStop: (() => void) | null;
  /** Flushes the depacketiser and returns the facts. */
  finish(): CollectedFacts;
}

/** Problems explained by packet loss (counted as loss, not as garbage). */
const LOSS_CODES = new Set(["sequence-jump", "fragment-lost"]);
const MAX_PROBLEM_CODES = 16;

/**
 * Creates a collector for `track`. Packets of another payload type or SSRC (the first packet's
 * SSRC is locked) are counted as ignored. `startMs` is when PLAY was sent. Per packet the work is
 * a header parse, the depacketiser and O(1) accounting; kept keyframes are bounded in count and
 * bytes, and nothing else is retained.
 */
export function createCollector(
  track: TrackInfo,
  opts: Required<MediaWindowOptions> & { startMs: number },
): Collector {
  const choice = createDepacketiser(track.codec === "MJPEG" ? "JPEG" : track.codec, track.fmtp, {
    maxUnitBytes: Math.min(8 * 1024 * 1024, opts.maxBytes),
  });
  const depacketiser: Depacketiser | null = choice.ok ? choice.depacketiser : null;
  const stats = createStreamStats({ startMs: opts.startMs });
  const problems = new Map<string, MediaProblemCount>();
  const keyframes: MediaKeyframe[] = [];
  let keptBytes = 0;
  let ssrc = -1;
  let packets = 0, bytes = 0, ignored = 0, bad = 0, frames = 0, keyframeCount = 0;
  let firstBad: string | undefined;
  let lastArrival = NaN;
  let firstKeyMs = NaN, firstKeyTs = 0, lastKeyTs = 0, extTs = 0, prevTs = NaN;
  let framesAfterKey = -1;
  let width: number | null = null, height: number | null = null;
  let stop: "done" | "limit" | null = null;

  const note = (list: RtpProblem[]): boolean => {
    let unexplained = false;
    for (const p of list) {
      const known = problems.get(p.code);
      if (known) known.count++;
      else if (problems.size < MAX_PROBLEM_CODES) {
        problems.set(p.code, { code: p.code, count: 1, message: clipText(p.message, 200) });
      }
      if (!LOSS_CODES.has(p.code)) {
        unexplained = true;
        firstBad ??= clipText(p.message, 200);
      }
    }
    return unexplained;
  };
  if (choice.ok) note(choice.problems);

  const picture = (
    u: { timestamp: number; keyframe: boolean; data: Uint8Array; complete: boolean } & {
      width?: number;
      height?: number;
    },
    arrivalMs: number,
  ) => {
    frames++;
    if (framesAfterKey >= 0) framesAfterKey++;
    if (u.width && u.height) [width, height] = [u.width, u.height];
    // A keyframe that lost a packet or its top (joined mid-picture) proves no picture: it is
    // neither kept for the decoder nor counted for the stop rule and the keyframe facts.
    if (!u.keyframe || !u.complete) return;
    extTs = Number.isNaN(prevTs) ? 0 : extTs + ((u.timestamp - prevTs) | 0);
    prevTs = u.timestamp;
    if (keyframeCount === 0) {
      firstKeyMs = arrivalMs;
      firstKeyTs = extTs;
      framesAfterKey = 0;
    }
    lastKeyTs = extTs;
    keyframeCount++;
    if (
      keyframes.length < opts.maxKeyframes && keptBytes + u.data.length <= opts.maxKeyframeBytes
    ) {
      keyframes.push({ timestamp: u.timestamp, data: u.data, complete: u.complete });
      keptBytes += u.data.length;
    }
  };

  const collector: Collector = {
    onStop: null,
    get stop() {
      return stop;
    },
    get packets() {
      return packets;
    },
    get lastArrivalMs() {
      return lastArrival;
    },
    push(raw, arrivalMs) {
      if (stop) return;
      const parsed = parseRtpPacket(raw);
      if (!parsed.ok || parsed.packet.payloadType !== track.payloadType) {
        ignored++;
        return;
      }
      const packet = parsed.packet;
      if (ssrc < 0) ssrc = packet.ssrc;
      else if (packet.ssrc !== ssrc) {
        ignored++;
        return;
      }
      packets++;
      bytes += raw.length;
      lastArrival = arrivalMs;
      stats.add({
        arrivalMs,
        rtpTimestamp: packet.timestamp,
        clockRate: track.clockRate,
        bytes: raw.length,
        keyframe: false,
        sequence: packet.sequence,
      });
      if (depacketiser) {
        const out = depacketiser.push(packet);
        if (note(out.problems)) bad++;
        for (const u of out.units) picture(u, arrivalMs);
      }
      const wanted = depacketiser
        ? keyframeCount >= opts.keyframes && framesAfterKey >= opts.framesAfterKeyframe
        : stats.summary().frames > opts.framesAfterKeyframe * 4;
      if (wanted) stop = "done";
      else if (packets >= opts.maxPackets || bytes >= opts.maxBytes) stop = "limit";
      if (stop) collector.onStop?.();
    },
    finish() {
      if (depacketiser) {
        const out = depacketiser.flush();
        note(out.problems);
        for (const u of out.units) picture(u, lastArrival);
      }
      const s = stats.summary();
      const codec = depacketiser?.codec ?? null;
      let profile: number | null = null, level: number | null = null;
      const sps = codec && codec !== "JPEG"
        ? describeParameterSets(codec, depacketiser!.parameterSets())
        : null;
      if (sps?.ok) {
        ({ profile, level } = sps.sps);
        [width, height] = [sps.sps.width, sps.sps.height];
      } else if (sps) note([sps.problem]);
      return {
        codec,
        profile,
        level,
        width,
        height,
        fps: s.fps === null ? null : Math.round(s.fps * 100) / 100,
        bitrateKbps: s.bitrateKbps === null ? null : Math.round(s.bitrateKbps),
        keyframeIntervalSeconds: keyframeCount > 1
          ? Math.round((lastKeyTs - firstKeyTs) / (keyframeCount - 1) / track.clockRate * 1000) /
            1000
          : null,
        timeToFirstKeyframeMs: Number.isNaN(firstKeyMs)
          ? null
          : Math.round(firstKeyMs - opts.startMs),
        packets,
        bytes,
        frames,
        keyframeCount,
        lostPackets: s.lostPackets,
        lossRatio: Math.round(s.lossRatio * 10000) / 10000,
        ignoredPackets: ignored,
        badPackets: bad,
        firstBad,
        problems: [...problems.values()],
        keyframes,
      };
    },
  };
  return collector;
}
