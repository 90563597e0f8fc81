/** Annex-B access units (H.264/H.265 with start codes): NAL types, keyframes, parameter sets. */

/** The codecs an HLS segment is read natively for. */
export type TsCodec = "h264" | "hevc";

/** The NAL units of an Annex-B buffer (start codes removed), in one pass, as views. */
export function splitAnnexB(b: Uint8Array): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let start = -1;
  let i = 0;
  const n = b.length;
  while (i + 2 < n) {
    // A start code is 00 00 01; the zero before a 4-byte code belongs to no NAL.
    if (b[i + 2] > 1) i += 3;
    else if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1) {
      if (start >= 0) nals.push(trimZeros(b.subarray(start, i)));
      i += 3;
      start = i;
    } else i++;
  }
  if (start >= 0 && start < n) nals.push(trimZeros(b.subarray(start)));
  return nals.filter((x) => x.length > 0);
}

/** Drops trailing zero bytes (the leading zero of a following 4-byte start code). */
function trimZeros(nal: Uint8Array): Uint8Array {
  let end = nal.length;
  while (end > 0 && nal[end - 1] === 0) end--;
  return nal.subarray(0, end);
}

/** The NAL unit type of `nal` for `codec`. */
export function nalType(codec: TsCodec, nal: Uint8Array): number {
  return codec === "h264" ? nal[0] & 0x1f : (nal[0] >> 1) & 0x3f;
}

/** True for a picture a decoder can start from: H.264 IDR (5); H.265 IRAP (BLA, IDR, CRA). */
export function isKeyNal(codec: TsCodec, type: number): boolean {
  return codec === "h264" ? type === 5 : type >= 16 && type <= 21;
}

/** Parameter-set NAL types, in the order a decoder wants them (VPS, SPS, PPS). */
export function parameterSetTypes(codec: TsCodec): number[] {
  return codec === "h264" ? [7, 8] : [32, 33, 34];
}

/** The SPS NAL type of `codec`. */
export function spsType(codec: TsCodec): number {
  return codec === "h264" ? 7 : 33;
}

const START = new Uint8Array([0, 0, 0, 1]);

/** Joins NAL units into Annex-B (4-byte start codes). */
export function joinAnnexB(nals: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(nals.reduce((s, n) => s + 4 + n.length, 0));
  let at = 0;
  for (const nal of nals) {
    out.set(START, at);
    out.set(nal, at + 4);
    at += 4 + nal.length;
  }
  return out;
}
