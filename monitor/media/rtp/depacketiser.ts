/** The depacketiser contract every codec in this folder fulfils. */

import type { RtpPacket, RtpProblem } from "./packet.ts";

/** The codecs this folder depacketises natively (SDP encoding names). */
export type RtpCodec = "H264" | "H265" | "JPEG";

/** One picture: Annex-B (00 00 00 01 before every NAL) for H.26x, a whole JFIF file for JPEG. */
export interface AccessUnit {
  /** Which codec's bytes `data` holds. */
  codec: RtpCodec;
  /** RTP timestamp shared by the unit's packets. */
  timestamp: number;
  /** The picture's bytes, ready for a decoder. */
  data: Uint8Array;
  /** An IDR (H.264), an IRAP (H.265) or any JPEG frame. */
  keyframe: boolean;
  /** False when a packet was lost inside this unit (what remains may not decode cleanly). */
  complete: boolean;
  /** NAL unit types in output order (empty for JPEG). */
  nalTypes: number[];
  /** True when every parameter set (SPS+PPS, VPS+SPS+PPS) is in `data`, sent or injected. */
  hasParameterSets: boolean;
  /** Sequence number of the unit's first packet. */
  firstSequence: number;
  /** Picture size known from the payload header (JPEG only). */
  width?: number;
  /** Picture height known from the payload header (JPEG only). */
  height?: number;
}

/** What one packet produced: finished units and what was wrong with the packet. */
export interface DepacketiseResult {
  /** Units completed by this packet (by marker bit, or by a new timestamp). */
  units: AccessUnit[];
  /** Problems met; the packet (or the affected part) was dropped. */
  problems: RtpProblem[];
}

/** A stateful RTP → picture converter for one stream (one SSRC). */
export interface Depacketiser {
  /** The codec handled. */
  readonly codec: RtpCodec;
  /** Feeds one parsed packet, in arrival order. */
  push(packet: RtpPacket): DepacketiseResult;
  /** Emits the unit still being assembled (end of the window), marked incomplete if it lacked a marker. */
  flush(): DepacketiseResult;
  /** Packets missing from sequence gaps so far (16-bit wrap handled). */
  readonly lostPackets: number;
  /** The latest parameter sets (from SDP, then in-band), in decoding order; none for JPEG. */
  parameterSets(): Uint8Array[];
}

/** Limits shared by every depacketiser. */
export interface DepacketiserOptions {
  /** Largest picture kept, default 8 MiB; a bigger one is dropped with a problem. */
  maxUnitBytes?: number;
  /** Most NAL units in one picture, default 1024. */
  maxNalUnits?: number;
  /** Prepend remembered parameter sets to a keyframe that lacks them (default true). */
  injectParameterSets?: boolean;
}
