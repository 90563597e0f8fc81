/** Keyframes (Annex-B bytes we hold) → small JPEGs, by ffmpeg reading stdin: no URL, no network. */

import { createMjpegReader } from "../mjpeg/mod.ts";
import type { TsCodec } from "./annexb.ts";
import type { TsKeyframe } from "./ts.ts";
import type { CommandRunner } from "../process_pool.ts";

/** Options of {@link decodeKeyframes}. */
export interface KeyframeDecodeOptions {
  run: CommandRunner;
  signal?: AbortSignal;
  /** Outer limit for ffmpeg, ms (default 5000). */
  timeoutMs?: number;
}

/** The JPEGs made, oldest first, or why there are none. */
export type KeyframeDecode =
  | { ok: true; jpegs: Uint8Array[]; ms: number; args: string[] }
  | { ok: false; problem: string; ms: number; args: string[] };

/** Largest keyframe input accepted (a 4K H.265 IDR is far below this). */
export const MAX_KEYFRAME_BYTES = 4 * 1024 * 1024;

/**
 * Decodes `keyframes` (each with its parameter sets) with one ffmpeg run reading the
 * elementary stream from stdin (`-protocol_whitelist pipe -f h264|hevc -i pipe:0`), each
 * decoded picture scaled to at most 640 px wide and written as a JPEG to stdout. The JPEGs are
 * the snapshot and, decoded in-process, the grey grids (so the judgement sees the same luma path
 * as for MJPEG). One thread: the cost is the process start plus one or two intra pictures.
 */
export async function decodeKeyframes(
  keyframes: TsKeyframe[],
  codec: TsCodec,
  o: KeyframeDecodeOptions,
): Promise<KeyframeDecode> {
  const args = ["-hide_banner", "-nostdin", "-v", "error", "-threads", "1"];
  args.push("-protocol_whitelist", "pipe", "-f", codec, "-i", "pipe:0", "-an", "-sn", "-dn");
  args.push("-fps_mode", "passthrough", "-vf", "scale='min(640,iw)':-2");
  args.push("-c:v", "mjpeg", "-q:v", "5", "-f", "image2pipe", "pipe:1");
  const input = concat(keyframes.map((k) => k.annexB));
  if (input.length === 0) return { ok: false, problem: "no keyframe to decode", ms: 0, args };
  if (input.length > MAX_KEYFRAME_BYTES) {
    return { ok: false, problem: `keyframes of ${input.length} bytes: too large`, ms: 0, args };
  }
  const res = await o.run("ffmpeg", args, {
    stdin: input,
    signal: o.signal,
    timeoutMs: o.timeoutMs ?? 5000,
    maxStdoutBytes: 2 * 1024 * 1024,
  });
  const jpegs: Uint8Array[] = [];
  const reader = createMjpegReader({ onFrame: (f) => jpegs.push(f.bytes.slice()) });
  reader.push(res.stdout, 0);
  if (jpegs.length > 0) return { ok: true, jpegs, ms: res.ms, args };
  const why = res.timedOut
    ? `timed out after ${res.ms} ms`
    : res.aborted
    ? "stopped"
    : lastLine(res.stderr) || `exit code ${res.code}`;
  return { ok: false, problem: `ffmpeg decoded no keyframe: ${why}`, ms: res.ms, args };
}

/** The last non-empty line of ffmpeg's stderr, clipped (it may quote stream bytes). */
function lastLine(text: string): string {
  const t = text.slice(-2000).trim();
  return t.slice(t.lastIndexOf("\n") + 1).slice(0, 200);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
