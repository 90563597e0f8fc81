/** H.264 RTP payload (RFC 6184, packetization-mode 0 and 1): single NAL, STAP-A and FU-A. */

import type { Depacketiser, DepacketiserOptions } from "./depacketiser.ts";
import { createNalDepacketiser, type NalDialect, type NalSink } from "./nal_core.ts";

/** H.264 NAL unit types this layer names. */
export const H264_NAL = { IDR: 5, SEI: 6, SPS: 7, PPS: 8, AUD: 9, STAP_A: 24, FU_A: 28 } as const;

/** Splits one H.264 RTP payload (RFC 6184 §5.6–5.8) into NAL units and FU-A fragments. */
export function unpackH264(payload: Uint8Array, sink: NalSink): void {
  if (payload.length < 1) return sink.problem("truncated", "Empty H.264 RTP payload: dropped");
  const type = payload[0] & 0x1f;
  if (type >= 1 && type <= 23) return sink.nal(payload);
  if (type === H264_NAL.STAP_A) return unpackStapA(payload, sink);
  if (type === H264_NAL.FU_A) {
    if (payload.length < 3) {
      return sink.problem("bad-fragment", `FU-A of ${payload.length} bytes is too short: dropped`);
    }
    const fu = payload[1];
    const header = new Uint8Array([(payload[0] & 0xe0) | (fu & 0x1f)]);
    return sink.fragment((fu & 0x80) !== 0, (fu & 0x40) !== 0, header, payload.subarray(2));
  }
  const name = type === 25 ? "STAP-B" : type === 26 ? "MTAP16" : type === 27 ? "MTAP24" : "";
  if (name || type === 29) {
    return sink.problem(
      "unsupported",
      `H.264 ${name || "FU-B"} (interleaved mode) is not supported: dropped`,
    );
  }
  sink.problem("unsupported", `H.264 NAL unit type ${type} is reserved: dropped`);
}

/** STAP-A: a 1-byte header, then (16-bit size, NAL) pairs; a size past the end stops the walk. */
function unpackStapA(payload: Uint8Array, sink: NalSink): void {
  let at = 1;
  while (at < payload.length) {
    if (at + 2 > payload.length) {
      return sink.problem("bad-aggregate", "STAP-A ends inside a NAL size field: rest dropped");
    }
    const size = (payload[at] << 8) | payload[at + 1];
    at += 2;
    if (size === 0 || at + size > payload.length) {
      return sink.problem(
        "bad-aggregate",
        `STAP-A NAL size ${size} does not fit the ${payload.length - at} bytes left: rest dropped`,
      );
    }
    sink.nal(payload.subarray(at, at + size));
    at += size;
  }
}

/** The H.264 specifics for the shared NAL core. */
export const h264Dialect: NalDialect = {
  codec: "H264",
  type: (nal) => nal[0] & 0x1f,
  isKeyframe: (type) => type === H264_NAL.IDR,
  // first_mb_in_slice is the slice header's first field, ue(v): a leading 1 bit is 0.
  startsPicture: (nal) => {
    const t = nal[0] & 0x1f;
    return t >= 1 && t <= 5 ? nal.length > 1 && (nal[1] & 0x80) !== 0 : undefined;
  },
  parameterSetTypes: [H264_NAL.SPS, H264_NAL.PPS],
  unpack: unpackH264,
};

/**
 * Creates an H.264 depacketiser. `parameterSets` (SPS, PPS from SDP `sprop-parameter-sets`) are
 * put in front of a keyframe that arrives without its own, so every keyframe decodes alone.
 */
export function createH264Depacketiser(
  parameterSets: Uint8Array[] = [],
  options: DepacketiserOptions = {},
): Depacketiser {
  return createNalDepacketiser(h264Dialect, parameterSets, options);
}
