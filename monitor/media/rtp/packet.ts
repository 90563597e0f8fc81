/** One RTP packet (RFC 3550 §5.1) parsed into a view of its payload, and sequence-gap tracking. */

/** What went wrong with camera data, as a code to branch on and a message to show. */
export interface RtpProblem {
  /** Stable machine-readable reason. */
  code: RtpProblemCode;
  /** Sentence-case text naming the value and what was done about it. */
  message: string;
}

/** Every reason the RTP layer reports; callers branch on these, never on message text. */
export type RtpProblemCode =
  | "truncated"
  | "too-large"
  | "bad-version"
  | "bad-padding"
  | "bad-extension"
  | "sequence-jump"
  | "fragment-lost"
  | "bad-fragment"
  | "bad-aggregate"
  | "unsupported"
  | "unit-too-large"
  | "bad-jpeg"
  | "bad-parameter-set"
  | "bad-fmtp"
  | "bad-frame";

/** A parsed RTP packet; `payload` is a view into the input bytes (no copy). */
export interface RtpPacket {
  /** True when the packet ended with padding that was removed from `payload`. */
  padding: boolean;
  /** Marker bit: for video, the last packet of a frame. */
  marker: boolean;
  /** Payload type, 0–127. */
  payloadType: number;
  /** Sequence number, 0–65535. */
  sequence: number;
  /** RTP timestamp, 0–2³²−1, in the payload's clock rate. */
  timestamp: number;
  /** Synchronisation source. */
  ssrc: number;
  /** Contributing sources (usually none). */
  csrcs: number[];
  /** Header extension profile (16 bits) when the X bit was set, else null. */
  extensionProfile: number | null;
  /** The payload, after the header, CSRCs and extension, without padding. */
  payload: Uint8Array;
}

/** Either a packet or the reason it was refused. */
export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; problem: RtpProblem };

/** The largest RTP packet accepted by default: what a 16-bit interleaved length can carry. */
export const MAX_RTP_PACKET_BYTES = 65535;

/** Builds a problem value; one place so every message reads the same way. */
export function problem(code: RtpProblemCode, message: string): RtpProblem {
  return { code, message };
}

/**
 * Parses one RTP packet. Never throws: a short, oversized or malformed packet comes back as a
 * problem. Constant work apart from the CSRC list (at most 15 entries).
 */
export function parseRtpPacket(
  bytes: Uint8Array,
  options: { maxBytes?: number } = {},
): RtpParseResult {
  const max = options.maxBytes ?? MAX_RTP_PACKET_BYTES;
  const fail = (code: RtpProblemCode, message: string): RtpParseResult => ({
    ok: false,
    problem: problem(code, message),
  });
  if (bytes.length > max) {
    return fail("too-large", `RTP packet of ${bytes.length} bytes exceeds ${max}: dropped`);
  }
  if (bytes.length < 12) {
    return fail("truncated", `RTP packet of ${bytes.length} bytes is shorter than 12: dropped`);
  }
  const b0 = bytes[0];
  const version = b0 >> 6;
  if (version !== 2) return fail("bad-version", `RTP version ${version} is not 2: dropped`);
  const padding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12 + csrcCount * 4;
  if (offset > bytes.length) {
    return fail("truncated", `RTP packet declares ${csrcCount} CSRCs past its end: dropped`);
  }
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(view.getUint32(12 + i * 4));
  let extensionProfile: number | null = null;
  if (hasExtension) {
    if (offset + 4 > bytes.length) {
      return fail("bad-extension", "RTP header extension is cut off: dropped");
    }
    extensionProfile = view.getUint16(offset);
    const words = view.getUint16(offset + 2);
    offset += 4 + words * 4;
    if (offset > bytes.length) {
      return fail("bad-extension", `RTP header extension of ${words} words runs past the end`);
    }
  }
  let end = bytes.length;
  if (padding) {
    const pad = bytes[bytes.length - 1];
    if (pad === 0 || end - pad < offset) {
      return fail("bad-padding", `RTP padding count ${pad} does not fit the packet: dropped`);
    }
    end -= pad;
  }
  return {
    ok: true,
    packet: {
      padding,
      marker: (bytes[1] & 0x80) !== 0,
      payloadType: bytes[1] & 0x7f,
      sequence: view.getUint16(2),
      timestamp: view.getUint32(4),
      ssrc: view.getUint32(8),
      csrcs,
      extensionProfile,
      payload: bytes.subarray(offset, end),
    },
  };
}

/** What one sequence number says about the packets before it. */
export interface SequenceStep {
  /** Packets missing between the previous packet and this one (0 when in order). */
  lost: number;
  /** True for a duplicate or late packet (behind the highest seen). */
  late: boolean;
  /** A jump too large to be loss (a restarted source): a problem, not counted as lost. */
  problem?: RtpProblem;
}

/** Follows 16-bit sequence numbers across wrap-around and counts the gaps. */
export interface SequenceTracker {
  /** Feeds the next packet's sequence number. */
  next(sequence: number): SequenceStep;
  /** Total packets counted as lost so far. */
  readonly lost: number;
}

/**
 * Creates a tracker. A forward jump of more than `maxGap` packets (default 3000) is reported as a
 * resynchronisation instead of loss, so a camera restarting with a fresh random sequence does not
 * count as 30,000 lost packets.
 */
export function createSequenceTracker(options: { maxGap?: number } = {}): SequenceTracker {
  const maxGap = options.maxGap ?? 3000;
  let highest = -1;
  let lost = 0;
  return {
    get lost() {
      return lost;
    },
    next(sequence: number): SequenceStep {
      const seq = sequence & 0xffff;
      if (highest < 0) {
        highest = seq;
        return { lost: 0, late: false };
      }
      const ahead = (seq - highest) & 0xffff;
      if (ahead === 0 || ahead >= 0x8000) return { lost: 0, late: true };
      highest = seq;
      if (ahead - 1 > maxGap) {
        return {
          lost: 0,
          late: false,
          problem: problem("sequence-jump", `RTP sequence jumped by ${ahead}: resynchronised`),
        };
      }
      lost += ahead - 1;
      return { lost: ahead - 1, late: false };
    },
  };
}
