/** The fMP4 live preview: ffmpeg copies the camera's H.264 (no transcoding) into MSE fragments. */

import { initSegmentLength, type Mp4Video, videoOfInit } from "./mp4_init.ts";
import { problemResponse } from "./preview_probe.ts";
import { type Slot, slotBody } from "./preview_slots.ts";

/** ffmpeg's output: the video as it is, fragmented at keyframes (and every second at most). */
export const MP4_OUT = [
  ...["-an", "-sn", "-dn", "-c:v", "copy", "-f", "mp4"],
  ...["-movflags", "frag_keyframe+empty_moov+default_base_moof", "-frag_duration", "1000000", "-"],
];
/** Input options before `-i`: start after a short look at the stream (ffmpeg's default is 5 s). */
export const MP4_IN = [
  "-fflags",
  "nobuffer",
  "-analyzeduration",
  "1000000",
  "-probesize",
  "1000000",
];
/** An init segment larger than this is refused (a real one is a few hundred bytes). */
const MAX_INIT_BYTES = 1 << 20;

/** What {@link readInit} found: the bytes read so far and the video track, or why not. */
export type InitRead =
  | { ok: true; bytes: Uint8Array; video: Mp4Video }
  | { ok: false; reason: string };

/**
 * Reads from ffmpeg's stdout until the init segment (ftyp + moov) is complete; at most
 * {@link MAX_INIT_BYTES}. The caller's slot bounds the time (its end kills ffmpeg, which ends
 * the stream). Bytes past the init segment stay in `bytes` for the response.
 */
export async function readInit(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<InitRead> {
  let bytes = new Uint8Array(0);
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done || !value) return { ok: false, reason: "ffmpeg ended before any video arrived" };
    const next = new Uint8Array(bytes.length + value.length);
    next.set(bytes);
    next.set(value, bytes.length);
    bytes = next;
    const length = initSegmentLength(bytes);
    if (length < 0) return { ok: false, reason: "ffmpeg wrote no MP4" };
    if (length > 0) {
      const video = videoOfInit(bytes.subarray(0, length));
      if (!video) return { ok: false, reason: "the stream has no video track" };
      return { ok: true, bytes, video };
    }
    if (bytes.length > MAX_INIT_BYTES) return { ok: false, reason: "MP4 header too large" };
  }
}

/** The child a live preview reads: its stdout and how to end it. */
export interface Mp4Child {
  stdout: ReadableStream<Uint8Array>;
  exited: Promise<void>;
  kill(): void;
}

/**
 * Answers a live fMP4 preview from a running ffmpeg: waits for its init segment, then streams
 * `video/mp4; codecs="avc1.…"` with the same codec string in `x-preview-codec`. A track other
 * than H.264/H.265 answers 415 (the island falls back to MJPEG); no video at all answers 502
 * with `problem()` (the relay's upstream cause) or ffmpeg's. The slot stays held by the body.
 */
export async function mp4Response(
  child: Mp4Child,
  slot: Slot,
  problem: () => string | undefined,
): Promise<Response> {
  const reader = child.stdout.getReader();
  const init = await readInit(reader);
  if (!init.ok) {
    child.kill();
    slot.end();
    await reader.cancel().catch(() => {});
    return problemResponse(problem() ?? init.reason);
  }
  if (!init.video.codec) {
    child.kill();
    slot.end();
    await reader.cancel().catch(() => {});
    const what = init.video.entry.replace(/[^\w.-]/g, "?");
    return problemResponse(`"${what}" video cannot play without transcoding`, 415);
  }
  return new Response(slotBody(reader, slot, init.bytes), {
    headers: {
      "content-type": `video/mp4; codecs="${init.video.codec}"`,
      "x-preview-codec": init.video.codec,
      "cache-control": "no-store, no-transform",
    },
  });
}
