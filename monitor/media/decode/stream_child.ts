/** The grey child: one long-lived ffmpeg turning keyframes into 160×120 grey copies (paired_child.ts). */

import { SAMPLE_HEIGHT, SAMPLE_WIDTH } from "../grid.ts";
import { fixedFramer } from "./framers.ts";
import { type PairedChild, spawnPairedChild } from "./paired_child.ts";
import { GREY_BYTES } from "./picture.ts";

/** Options of {@link spawnStreamChild}. */
export interface StreamChildOptions {
  /** The ffmpeg binary (default "ffmpeg"). */
  command?: string;
  /** Wall limit for one picture before the child is killed (default 5000 ms). */
  timeoutMs?: number;
}

/** What every long-lived child's arguments start with: stdin only, no URL, one thread. */
export function childInputArgs(codec: "H264" | "H265"): string[] {
  return [
    ...["-hide_banner", "-nostdin", "-v", "error", "-protocol_whitelist", "pipe"],
    ...["-threads", "1", "-flags", "low_delay", "-fflags", "nobuffer"],
    ...["-probesize", "32", "-analyzeduration", "0"],
    ...["-f", codec === "H264" ? "h264" : "hevc", "-i", "pipe:0"],
    ...["-map", "0:v:0", "-an", "-sn", "-dn", "-filter_threads", "1"],
  ];
}

/** The grey child's arguments: stdin only, no URL, no network protocol, one thread. */
export function streamChildArgs(codec: "H264" | "H265"): string[] {
  return [
    ...childInputArgs(codec),
    "-vf",
    `scale=${SAMPLE_WIDTH}:${SAMPLE_HEIGHT}:flags=area,format=gray`,
    ...["-fps_mode", "passthrough", "-flush_packets", "1", "-f", "rawvideo", "pipe:1"],
  ];
}

/** Starts one grey child for `codec` (outputs of GREY_BYTES). Throws only when ffmpeg cannot start. */
export function spawnStreamChild(
  codec: "H264" | "H265",
  options: StreamChildOptions = {},
): PairedChild {
  return spawnPairedChild(codec, {
    ...options,
    args: streamChildArgs(codec),
    framer: fixedFramer(GREY_BYTES),
  });
}
