/** The snapshot child: one long-lived ffmpeg turning keyframes into JPEGs of one fixed size. */

import { jpegFramer } from "./framers.ts";
import { type PairedChild, spawnPairedChild } from "./paired_child.ts";
import { childInputArgs, type StreamChildOptions } from "./stream_child.ts";
import { MAX_SNAPSHOT_BYTES, MAX_SNAPSHOT_WIDTH } from "./types.ts";

/** JPEG quality of a snapshot (`-q:v`, 2 best … 31 worst), as the one-shot's first try. */
export const SNAPSHOT_QUALITY = 5;

/** Width and height of a snapshot. */
export interface SnapshotSize {
  width: number;
  height: number;
}

/**
 * The snapshot size of a `width`×`height` picture: at most 640 px wide, aspect kept, height
 * rounded to even (what the one-shot's `scale='min(640,iw)':-2` gives). A child makes one size
 * only (an mjpeg encoder cannot change size mid-stream), so this is decided before decoding.
 */
export function snapshotSize(width: number, height: number): SnapshotSize {
  const w = Math.max(1, Math.min(MAX_SNAPSHOT_WIDTH, Math.floor(width)));
  const h = Math.max(2, Math.round(height * w / Math.max(1, width) / 2) * 2);
  return { width: w, height: h };
}

/**
 * The snapshot child's arguments: stdin only, no URL, no network protocol, one thread; every
 * picture (markers too) scaled to `size`, square pixels (else the JFIF header would carry the
 * 16×16 markers' aspect) and full-range 4:2:0, byte for byte what the one-shot makes.
 */
export function snapshotChildArgs(codec: "H264" | "H265", size: SnapshotSize): string[] {
  return [
    ...childInputArgs(codec),
    "-vf",
    `scale=${size.width}:${size.height}:flags=bilinear,setsar=1,format=yuvj420p`,
    ...["-c:v", "mjpeg", "-q:v", String(SNAPSHOT_QUALITY)],
    ...["-fps_mode", "passthrough", "-flush_packets", "1", "-f", "image2pipe", "pipe:1"],
  ];
}

/**
 * Starts one snapshot child for `codec` and `size`. An output over 256 KiB comes back cut at
 * 256 KiB + 1 byte (the caller then falls back to a coarser one-shot). Throws only when ffmpeg
 * cannot start.
 */
export function spawnSnapshotChild(
  codec: "H264" | "H265",
  size: SnapshotSize,
  options: StreamChildOptions = {},
): PairedChild {
  return spawnPairedChild(codec, {
    ...options,
    args: snapshotChildArgs(codec, size),
    framer: jpegFramer(MAX_SNAPSHOT_BYTES),
  });
}
