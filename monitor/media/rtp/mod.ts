/** The RTP layer's public face: packets, interleaved framing, depacketisers, SPS facts, stats. */

import type { Depacketiser, DepacketiserOptions, RtpCodec } from "./depacketiser.ts";
import { createH264Depacketiser } from "./h264.ts";
import { createH265Depacketiser } from "./h265.ts";
import { createJpegDepacketiser } from "./jpeg.ts";
import { problem, type RtpProblem } from "./packet.ts";
import { readFmtp } from "./sdp.ts";
import { parseH264Sps, parseH265Sps, type SpsResult } from "./sps.ts";

export type {
  AccessUnit,
  Depacketiser,
  DepacketiseResult,
  DepacketiserOptions,
  RtpCodec,
} from "./depacketiser.ts";
export {
  createSequenceTracker,
  MAX_RTP_PACKET_BYTES,
  parseRtpPacket,
  type RtpPacket,
  type RtpParseResult,
  type RtpProblem,
  type RtpProblemCode,
  type SequenceStep,
  type SequenceTracker,
} from "./packet.ts";
export {
  createInterleavedReader,
  type InterleavedItem,
  type InterleavedReader,
  type InterleavedReaderDeps,
} from "./interleaved.ts";
export { createH264Depacketiser, H264_NAL } from "./h264.ts";
export { createH265Depacketiser, H265_NAL } from "./h265.ts";
export { createJpegDepacketiser } from "./jpeg.ts";
export { decodeBase64, type FmtpInfo, parseFmtp, readFmtp } from "./sdp.ts";
export { BitReader, unescapeRbsp } from "./bits.ts";
export { parseH264Sps, parseH265Sps, type SpsInfo, type SpsResult } from "./sps.ts";
export {
  computeStreamStats,
  createStreamStats,
  type PacketSample,
  type StreamStats,
  type StreamStatsAccumulator,
} from "./stats.ts";

/** A depacketiser ready for the stream, or why this layer cannot handle it. */
export type DepacketiserChoice =
  | { ok: true; depacketiser: Depacketiser; problems: RtpProblem[] }
  | { ok: false; problem: RtpProblem };

/** Maps an SDP encoding name (`a=rtpmap:96 H264/90000` → "H264") to a codec handled here. */
export function codecFromEncodingName(name: string): RtpCodec | null {
  const upper = name.slice(0, 16).trim().toUpperCase();
  if (upper === "H264") return "H264";
  if (upper === "H265" || upper === "HEVC") return "H265";
  if (upper === "JPEG") return "JPEG";
  return null;
}

/**
 * Picks the depacketiser for an SDP encoding name and its `a=fmtp` text (parameter sets are
 * pre-loaded from `sprop-*`). Refused, with a problem naming the reason, are other codecs (for
 * the ffmpeg fallback), H.264 interleaved mode (packetization-mode 2) and H.265 with DONL
 * (`sprop-max-don-diff` > 0). Undecodable sprop entries are returned as `problems` and skipped.
 */
export function createDepacketiser(
  encodingName: string,
  fmtp = "",
  options: DepacketiserOptions = {},
): DepacketiserChoice {
  const codec = codecFromEncodingName(encodingName);
  if (codec === null) {
    const shown = encodingName.slice(0, 32);
    return {
      ok: false,
      problem: problem("unsupported", `RTP codec "${shown}" is not handled natively`),
    };
  }
  if (codec === "JPEG") {
    return { ok: true, depacketiser: createJpegDepacketiser(options), problems: [] };
  }
  const info = readFmtp(codec, fmtp);
  if (codec === "H264" && info.packetizationMode > 1) {
    const message =
      `H.264 packetization-mode ${info.packetizationMode} (interleaved) is not supported`;
    return { ok: false, problem: problem("unsupported", message) };
  }
  if (codec === "H265" && info.maxDonDiff > 0) {
    const message =
      `H.265 with DONL (sprop-max-don-diff ${info.maxDonDiff}) is not supported: use the ffmpeg fallback`;
    return { ok: false, problem: problem("unsupported", message) };
  }
  const depacketiser = codec === "H264"
    ? createH264Depacketiser(info.parameterSets, options)
    : createH265Depacketiser(info.parameterSets, options);
  return { ok: true, depacketiser, problems: info.problems };
}

/**
 * Reads picture facts from the SPS among `parameterSets` (a depacketiser's `parameterSets()` or
 * `readFmtp().parameterSets`); null when there is none (JPEG carries its size per frame).
 */
export function describeParameterSets(
  codec: RtpCodec,
  parameterSets: Uint8Array[],
): SpsResult | null {
  for (const nal of parameterSets) {
    if (codec === "H264" && nal.length > 0 && (nal[0] & 0x1f) === 7) return parseH264Sps(nal);
    if (codec === "H265" && nal.length > 0 && ((nal[0] >> 1) & 0x3f) === 33) {
      return parseH265Sps(nal);
    }
  }
  return null;
}
