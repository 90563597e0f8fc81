/** H.265 RTP payload (RFC 7798) without DONL: single NAL, aggregation (48) and fragmentation (49). */

import type { Depacketiser, DepacketiserOptions } from "./depacketiser.ts";
import { createNalDepacketiser, type NalDialect, type NalSink } from "./nal_core.ts";

/** H.265 NAL unit types this layer names. */
export const H265_NAL = { VPS: 32, SPS: 33, PPS: 34, AUD: 35, AP: 48, FU: 49, PACI: 50 } as const;

/** The NAL unit type from a 2-byte H.265 NAL header. */
export function h265Type(nal: Uint8Array): number {
  return (nal[0] >> 1) & 0x3f;
}

/** Splits one H.265 RTP payload (RFC 7798 §4.4) into NAL units and FU fragments. */
export function unpackH265(payload: Uint8Array, sink: NalSink): void {
  if (payload.length < 3) {
    return sink.problem("truncated", `H.265 RTP payload of ${payload.length} bytes: dropped`);
  }
  const type = h265Type(payload);
  if (type < 48) return sink.nal(payload);
  if (type === H265_NAL.AP) return unpackAp(payload, sink);
  if (type === H265_NAL.FU) {
    const fu = payload[2];
    // Rebuilt header: F and LayerId's top bit from the payload header, the type from the FU header.
    const header = new Uint8Array([(payload[0] & 0x81) | ((fu & 0x3f) << 1), payload[1]]);
    if (payload.length < 4) {
      return sink.problem("bad-fragment", "H.265 FU without data: dropped");
    }
    return sink.fragment((fu & 0x80) !== 0, (fu & 0x40) !== 0, header, payload.subarray(3));
  }
  const what = type === H265_NAL.PACI ? "PACI packet" : `payload type ${type}`;
  sink.problem("unsupported", `H.265 ${what} is not supported: dropped`);
}

/** AP: a 2-byte header, then (16-bit size, NAL) pairs (no DONL/DOND fields). */
function unpackAp(payload: Uint8Array, sink: NalSink): void {
  let at = 2;
  while (at < payload.length) {
    if (at + 2 > payload.length) {
      return sink.problem("bad-aggregate", "H.265 AP ends inside a NAL size field: rest dropped");
    }
    const size = (payload[at] << 8) | payload[at + 1];
    at += 2;
    if (size < 2 || at + size > payload.length) {
      return sink.problem(
        "bad-aggregate",
        `H.265 AP NAL size ${size} does not fit the ${
          payload.length - at
        } bytes left: rest dropped`,
      );
    }
    sink.nal(payload.subarray(at, at + size));
    at += size;
  }
}

/** The H.265 specifics for the shared NAL core; IRAP (16–21) pictures are keyframes. */
export const h265Dialect: NalDialect = {
  codec: "H265",
  type: h265Type,
  isKeyframe: (type) => type >= 16 && type <= 21,
  // first_slice_segment_in_pic_flag is the first bit after the 2-byte NAL header.
  startsPicture: (nal) => h265Type(nal) <= 31 ? nal.length > 2 && (nal[2] & 0x80) !== 0 : undefined,
  parameterSetTypes: [H265_NAL.VPS, H265_NAL.SPS, H265_NAL.PPS],
  unpack: unpackH265,
};

/**
 * Creates an H.265 depacketiser. `parameterSets` (from SDP `sprop-vps/sps/pps`) go in front of a
 * keyframe that arrives without them. Streams with DONL (`sprop-max-don-diff` > 0) are refused by
 * {@link createDepacketiser} before this is called: their payloads carry extra fields.
 */
export function createH265Depacketiser(
  parameterSets: Uint8Array[] = [],
  options: DepacketiserOptions = {},
): Depacketiser {
  return createNalDepacketiser(h265Dialect, parameterSets, options);
}
