/** RTSP media sessions in-process: the handshake's connection continued to SETUP, PLAY, RTP, TEARDOWN. */

import { type RtspProbeDeps, rtspSession } from "../../probes/mod.ts";
import type { ProbeContext, ProbeResult, StreamConfig } from "../../types.ts";
import { createUdpPortPool, type UdpPortPool } from "./port_pool.ts";
import type { MediaWindowOptions, RtspMediaSample } from "./sample.ts";
import { runMediaSession } from "./session.ts";

export { createUdpPortPool } from "./port_pool.ts";
export type { UdpPortPair, UdpPortPool, UdpPortPoolDeps } from "./port_pool.ts";
export type {
  MediaAttempt,
  MediaCause,
  MediaKeyframe,
  MediaProblemCount,
  MediaWindowOptions,
  RtspMediaSample,
  RtspTransport,
  RtspTransportMode,
} from "./sample.ts";
export { resolveWindow, TRANSPORT_MEMORY } from "./session.ts";

/** Dependencies of {@link createRtspMediaSampler}; the defaults are production's. */
export interface RtspMediaSamplerDeps {
  /** UDP port pairs (default: a pool of 20 ephemeral pairs, owned by this sampler). */
  ports?: UdpPortPool;
  /** How the RTSP connection is dialled (tests, CA certificates). */
  dial?: RtspProbeDeps;
}

/** The handshake's verdict and, when it passed, the media session's sample. */
export interface RtspMediaResult {
  /** Exactly what the RTSP probe reports for OPTIONS + DESCRIBE. */
  result: ProbeResult;
  /** Absent when the handshake failed (a handshake failure wins over any media cause). */
  media?: RtspMediaSample;
}

/** Runs handshake + media sessions; one per process (it owns the UDP port pool). */
export interface RtspMediaSampler {
  /**
   * One check: OPTIONS + DESCRIBE, then on the same connection SETUP → PLAY → read for a bounded
   * window → TEARDOWN. Bounded in time by the stream's timeout (handshake, each request, the
   * window) and by `ctx.signal`; never throws for what a camera does.
   */
  sample(
    stream: StreamConfig,
    ctx: ProbeContext,
    opts?: { window?: MediaWindowOptions },
  ): Promise<RtspMediaResult>;
  /** The UDP port pool in use. */
  readonly ports: UdpPortPool;
}

/** Creates a sampler. No child process, no URL on any command line: all of it is in Deno. */
export function createRtspMediaSampler(options: RtspMediaSamplerDeps = {}): RtspMediaSampler {
  const ports = options.ports ?? createUdpPortPool();
  return {
    ports,
    sample: (stream, ctx, opts = {}) =>
      rtspSession(stream, ctx, {
        dial: options.dial,
        media: (channel) => runMediaSession(channel, stream, ctx, { ports, window: opts.window }),
      }),
  };
}
