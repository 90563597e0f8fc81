/** One media check of one stream: the source's native path (or ffmpeg) → judgement → snapshot. */

import { kindOf } from "../probes/mod.ts";
import type { StreamConfig } from "../types.ts";
import { finishCheck, type MediaCheckOptions, type MediaCheckResult } from "./check_core.ts";
import { ffmpegFindings } from "./check_ffmpeg.ts";
import { httpFindings, nativeHttp } from "./check_http.ts";
import { rtspFindings } from "./check_rtsp.ts";
import { createPictureDecoder } from "./decode/mod.ts";
import type { MediaSource } from "./ffprobe.ts";
import { createRtspMediaSampler } from "./rtsp/mod.ts";

export {
  DEFAULT_FREEZE_SECONDS,
  type MediaCheckOptions,
  type MediaCheckResult,
  SNAPSHOT_EVERY_MS,
  snapshotDue,
} from "./check_core.ts";
export { CHECK_WINDOW } from "./check_rtsp.ts";

/** Probe kinds whose streams get media checks unless they say `media: false`. */
export const MEDIA_KINDS: readonly string[] = ["rtsp", "mjpeg", "hls"];
/** Seconds between media checks when a stream does not set `media_check_seconds`. */
export const DEFAULT_MEDIA_CHECK_SECONDS = 60;

/** True when `stream` gets media checks: enabled, and `media` or (absent) a video kind. */
export function mediaEnabled(stream: StreamConfig): boolean {
  return stream.enabled && (stream.media ?? MEDIA_KINDS.includes(kindOf(stream)));
}

/** How ffmpeg reads the stream: RTSP, an HLS playlist, or an HTTP body (MJPEG…). */
export function sourceOf(stream: StreamConfig): MediaSource {
  const kind = kindOf(stream);
  return kind === "rtsp" ? "rtsp" : kind === "hls" ? "hls" : "http";
}

/**
 * True when the environment says `STREAMPULSE_MEDIA_BACKEND=ffmpeg`: every source then takes the
 * ffprobe + ffmpeg pair (`deno task bench --media` compares the two; a way out should the native
 * path misjudge a camera). Unset, any other value or no permission to read it: the native paths.
 */
export function ffmpegForced(): boolean {
  try {
    return Deno.env.get("STREAMPULSE_MEDIA_BACKEND") === "ffmpeg";
  } catch {
    return false; // a compiled binary reads only its own names; no --allow-env
  }
}

/**
 * Runs one media check and returns the verdict and the memory to keep, or undefined when
 * `signal` aborted meanwhile (the verdict would be about a stream that is gone or stopping).
 *
 * | source             | path                                                              |
 * |--------------------|-------------------------------------------------------------------|
 * | rtsp               | native session (check_rtsp.ts), keyframes → `o.decoder`           |
 * | rtsp, codec not depacketised (cause "unsupported-codec") | ffprobe + ffmpeg via the relay |
 * | mjpeg, hls         | sampleMjpeg / sampleHls (check_http.ts)                           |
 * | other (`media: true`) | ffprobe + ffmpeg via the relay (check_ffmpeg.ts)              |
 * | any, `STREAMPULSE_MEDIA_BACKEND=ffmpeg` | ffprobe + ffmpeg via the relay ({@link ffmpegForced}) |
 *
 * Every path ends in {@link finishCheck}: judgeMedia's rules, "picture not verified" when no
 * picture was decoded, snapshots when due. A refused URL, a failing handshake or no video is a
 * "down" verdict, not an exception. Without `o.sampler`/`o.decoder` (the CLI, tests) the check
 * makes its own and closes them.
 */
export async function runMediaCheck(
  s: StreamConfig,
  o: MediaCheckOptions,
): Promise<MediaCheckResult | undefined> {
  const t0 = performance.now();
  const source = sourceOf(s);
  const forced = ffmpegForced();
  if (source === "rtsp" && !forced) {
    const decoder = o.decoder ?? createPictureDecoder({ size: 1 });
    try {
      const found = await rtspFindings(s, {
        sampler: o.sampler ?? createRtspMediaSampler(),
        decoder,
        signal: o.signal,
        session: o.memory.session ?? {},
        now: o.now,
      });
      if (o.signal.aborted) return undefined;
      if (found !== "fallback") return await finishCheck(s, found, { ...o, decoder }, t0);
      o.logger?.debug(`media "${s.name}": codec not depacketised natively, using ffmpeg`);
    } finally {
      if (!o.decoder) await decoder.close();
    }
  }
  const found = source !== "rtsp" && !forced && nativeHttp(s)
    ? await httpFindings(s, o)
    : await ffmpegFindings(s, source, o);
  if (o.signal.aborted) return undefined;
  return await finishCheck(s, found, o, t0);
}
