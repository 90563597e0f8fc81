/** What every ffmpeg backend does around its children: check the unit, hold a slot, make the picture. */

import type { RtpCodec } from "../rtp/mod.ts";
import { describeKeyframe, pictureFromGrey } from "./picture.ts";
import type { Slots } from "./pool.ts";
import { type DecodeOptions, type DecodeResult, MAX_UNIT_BYTES, notDecoded } from "./types.ts";

/** An H.264/H.265 unit that passed {@link checkUnit}, with its coded size from the SPS. */
export interface CheckedUnit {
  codec: "H264" | "H265";
  bytes: Uint8Array;
  width: number;
  height: number;
}

/** How a backend gets the grey copy of one keyframe. */
export type GreyMaker = (
  codec: "H264" | "H265",
  bytes: Uint8Array,
  signal?: AbortSignal,
) => Promise<{ ok: true; grey: Uint8Array } | { ok: false; why: string }>;

/** How a backend gets the snapshot JPEG of one keyframe (≤ 640 px wide, ≤ 256 KiB). */
export type SnapshotMaker = (
  unit: CheckedUnit,
  signal?: AbortSignal,
) => Promise<{ ok: true; bytes: Uint8Array } | { ok: false; why: string }>;

/** The two makers of a backend. */
export interface Makers {
  grey: GreyMaker;
  snapshot: SnapshotMaker;
}

/**
 * Checks the unit before any child sees it, holds a decode slot for the grey copy and (when
 * asked) the snapshot, so a snapshot counts as a decode under the pool's cap. A snapshot that
 * fails leaves the picture without `jpeg`; it never fails the picture.
 */
export async function decodeInSlot(
  slots: Slots,
  codec: RtpCodec,
  bytes: Uint8Array,
  o: DecodeOptions,
  makers: Makers,
): Promise<DecodeResult> {
  const facts = checkUnit(codec, bytes);
  if (!facts.ok) return facts.result;
  const unit: CheckedUnit = { codec: codec as "H264" | "H265", bytes, ...facts.size };
  const slot = await slots.acquire(o.signal);
  if (!slot.ok) return notDecoded(slot.why);
  try {
    const res = await makers.grey(unit.codec, bytes, o.signal);
    if (!res.ok) return notDecoded(res.why);
    const picture = pictureFromGrey(res.grey, unit.width, unit.height);
    if (o.snapshot) {
      const jpeg = await makers.snapshot(unit, o.signal);
      if (jpeg.ok) picture.jpeg = jpeg.bytes;
    }
    return { ok: true, picture };
  } finally {
    slot.release();
  }
}

/** Size limit, codec and parameter sets checked before any child sees the bytes. */
export function checkUnit(
  codec: RtpCodec,
  bytes: Uint8Array,
):
  | { ok: true; size: { width: number; height: number } }
  | { ok: false; result: DecodeResult } {
  if (bytes.length > MAX_UNIT_BYTES) {
    return { ok: false, result: notDecoded(`the unit of ${bytes.length} bytes is over 8 MiB`) };
  }
  if (codec !== "H264" && codec !== "H265") {
    return { ok: false, result: notDecoded(`codec "${codec}" is not decoded by ffmpeg here`) };
  }
  const facts = describeKeyframe(codec, bytes);
  if (!facts.ok) return { ok: false, result: notDecoded(facts.why) };
  return { ok: true, size: { width: facts.width, height: facts.height } };
}
