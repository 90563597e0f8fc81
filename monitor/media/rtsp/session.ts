/** One media session on a handshake's channel: SETUP → PLAY → a bounded read → TEARDOWN. */

import type { RtspChannel } from "../../probes/mod.ts";
import type { ProbeContext, StreamConfig } from "../../types.ts";
import { attempt, failed, type Outcome } from "./attempt.ts";
import type { UdpPortPool } from "./port_pool.ts";
import type { MediaAttempt, MediaWindowOptions, RtspMediaSample, RtspTransport } from "./sample.ts";
import { videoTrack } from "./setup.ts";

/** Where the transport that last delivered video is kept in the stream's probe memory. */
export const TRANSPORT_MEMORY = "rtspTransport";

/** Window options with every default filled in and bounded by the stream's timeout. */
export function resolveWindow(
  opts: MediaWindowOptions,
  timeoutMs: number,
): Required<MediaWindowOptions> {
  const windowMs = Math.max(200, Math.min(opts.windowMs ?? 4000, timeoutMs));
  return {
    windowMs,
    noDataMs: Math.min(opts.noDataMs ?? 2000, windowMs),
    stallMs: opts.stallMs ?? 1500,
    keyframes: opts.keyframes ?? 1,
    framesAfterKeyframe: opts.framesAfterKeyframe ?? 5,
    maxKeyframes: opts.maxKeyframes ?? 3,
    maxKeyframeBytes: opts.maxKeyframeBytes ?? 2 * 1024 * 1024,
    maxBytes: opts.maxBytes ?? 32 * 1024 * 1024,
    maxPackets: opts.maxPackets ?? 50_000,
    teardownMs: opts.teardownMs ?? 500,
  };
}

/**
 * Runs the media session on `channel`. Transports: the stream's `rtspTransport`; `auto` (the
 * default) tries TCP first (UDP first when UDP delivered last time, per `ctx.memory`) and tries
 * the other on 461 or when no packet arrived, on the same connection. Never throws: every
 * failure is a sample with a cause. UDP ports go back to the pool on every path.
 */
export async function runMediaSession(
  channel: RtspChannel,
  stream: StreamConfig,
  ctx: ProbeContext,
  deps: { ports: UdpPortPool; window?: MediaWindowOptions },
): Promise<RtspMediaSample> {
  const timeoutMs = stream.timeoutSeconds * 1000;
  const o = resolveWindow(deps.window ?? {}, timeoutMs);
  const mode = stream.rtspTransport ?? "auto";
  const order: RtspTransport[] = mode !== "auto"
    ? [mode]
    : ctx.memory[TRANSPORT_MEMORY] === "udp"
    ? ["udp", "tcp"]
    : ["tcp", "udp"];
  const track = videoTrack(channel.sdp, channel.baseUri);
  if (typeof track === "string") {
    return sampleOf(failed(order[0], "setup-failed", track), [], null);
  }
  const attempts: MediaAttempt[] = [];
  let last!: Outcome;
  for (let i = 0; i < order.length; i++) {
    last = await attempt(channel, track, order[i], { o, timeoutMs, ports: deps.ports });
    attempts.push({ transport: order[i], outcome: last.cause ?? "ok" });
    const retry = last.cause === "unsupported-transport" ||
      (last.cause === "no-video" && last.reusable);
    if (!retry || channel.signal.aborted) break;
  }
  if (mode === "auto" && (last.facts?.packets ?? 0) > 0) {
    ctx.memory[TRANSPORT_MEMORY] = last.transport;
  }
  const sample = sampleOf(last, attempts, track.codec);
  if (sample.problem) sample.problem = channel.redact(sample.problem);
  return sample;
}

/** The sample users see from the last attempt. */
function sampleOf(
  last: Outcome,
  attempts: MediaAttempt[],
  sdpCodec: string | null,
): RtspMediaSample {
  const f = last.facts;
  const codec = f?.codec ?? sdpCodec;
  return {
    ok: last.cause === undefined,
    ...(last.problem ? { problem: last.problem } : {}),
    ...(last.cause ? { cause: last.cause } : {}),
    transport: last.transport,
    attempts,
    codec: codec === "JPEG" ? "MJPEG" : codec,
    profile: f?.profile ?? null,
    level: f?.level ?? null,
    width: f?.width ?? null,
    height: f?.height ?? null,
    fps: f?.fps ?? null,
    bitrateKbps: f?.bitrateKbps ?? null,
    keyframeIntervalSeconds: f?.keyframeIntervalSeconds ?? null,
    timeToFirstKeyframeMs: f?.timeToFirstKeyframeMs ?? null,
    packets: f?.packets ?? 0,
    bytes: f?.bytes ?? 0,
    frames: f?.frames ?? 0,
    keyframeCount: f?.keyframeCount ?? 0,
    lostPackets: f?.lostPackets ?? 0,
    lossRatio: f?.lossRatio ?? 0,
    ignoredPackets: f?.ignoredPackets ?? 0,
    problems: f?.problems ?? [],
    windowMs: last.windowMs,
    keyframes: f?.keyframes ?? [],
  };
}
