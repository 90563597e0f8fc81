/** One media check of one stream: ffprobe facts → frame sample → decision → snapshot. */

import type { Logger } from "../log.ts";
import { kindOf } from "../probes/mod.ts";
import { redactText, urlSecrets } from "../redact.ts";
import type { MediaVerdict } from "../status/mod.ts";
import type { StreamConfig } from "../types.ts";
import { judgeMedia, type MediaMemory } from "./expect.ts";
import { type MediaFacts, type MediaSource, probeMedia } from "./ffprobe.ts";
import { type FrameSample, sampleFrames } from "./frames.ts";
import type { CommandRunner } from "./process_pool.ts";
import type { SnapshotStore } from "./snapshots.ts";

/** Probe kinds whose streams get media checks unless they say `media: false`. */
export const MEDIA_KINDS: readonly string[] = ["rtsp", "mjpeg", "hls"];
/** Seconds between media checks when a stream does not set `media_check_seconds`. */
export const DEFAULT_MEDIA_CHECK_SECONDS = 60;
/** `freeze_seconds` when a stream does not set it. */
export const DEFAULT_FREEZE_SECONDS = 30;

/** True when `stream` gets media checks: enabled, and `media` or (absent) a video kind. */
export function mediaEnabled(stream: StreamConfig): boolean {
  return stream.enabled && (stream.media ?? MEDIA_KINDS.includes(kindOf(stream)));
}

/** How ffmpeg reads the stream: RTSP, an HLS playlist, or an HTTP body (MJPEG…). */
export function sourceOf(stream: StreamConfig): MediaSource {
  const kind = kindOf(stream);
  return kind === "rtsp" ? "rtsp" : kind === "hls" ? "hls" : "http";
}

/** What {@link runMediaCheck} needs. */
export interface MediaCheckOptions {
  run: CommandRunner;
  signal: AbortSignal;
  /** What earlier checks of this stream left (baseline, last frame, still time). */
  memory: MediaMemory;
  /** Where the JPEG of the sample goes; omitted: no snapshot. */
  snapshots?: SnapshotStore;
  logger?: Pick<Logger, "debug">;
  /** Seconds ffprobe reads and ffmpeg samples (default 2 each). */
  readSeconds?: number;
}

/**
 * Runs one media check and returns the verdict and the memory to keep, or undefined when
 * `signal` aborted meanwhile (the verdict would be about a stream that is gone or stopping).
 * A refused URL or a failing ffprobe is a "down" verdict, not an exception.
 */
export async function runMediaCheck(
  s: StreamConfig,
  o: MediaCheckOptions,
): Promise<{ verdict: MediaVerdict; memory: MediaMemory } | undefined> {
  const t0 = performance.now();
  const secrets = urlSecrets(s.url);
  const clean = (err: unknown) =>
    redactText(err instanceof Error ? err.message : String(err), secrets);
  const io = {
    source: sourceOf(s),
    ioTimeoutSeconds: Math.max(2, s.timeoutSeconds),
    tlsInsecure: s.tlsInsecure,
    run: o.run,
    signal: o.signal,
  };
  let facts: MediaFacts | undefined;
  let error: string | undefined;
  let sample: FrameSample | undefined;
  let sampleError: string | undefined;
  try {
    facts = await probeMedia(s.url, { ...io, readSeconds: o.readSeconds });
  } catch (err) {
    error = clean(err).replace(/^ffprobe failed: /, "");
  }
  if (o.signal.aborted) return undefined;
  if (facts && facts.packets > 0) {
    try {
      if (o.snapshots) await Deno.mkdir(o.snapshots.dir, { recursive: true });
      sample = await sampleFrames(s.url, {
        ...io,
        seconds: o.readSeconds,
        jpegDir: o.snapshots?.dir,
      });
    } catch (err) {
      sampleError = clean(err);
      o.logger?.debug(`media "${s.name}": no frame sample: ${sampleError}`);
    }
  }
  if (o.signal.aborted) return undefined;
  const j = judgeMedia({
    facts,
    error,
    sample,
    expect: s.expect,
    memory: o.memory,
    freezeSeconds: s.freezeSeconds ?? DEFAULT_FREEZE_SECONDS,
    latencyMs: Math.round(performance.now() - t0),
  });
  if (sampleError) j.verdict.details.picture = { frames: 0, error: sampleError };
  if (sample?.jpeg && o.snapshots) {
    const kind = j.picture === "frozen" || j.picture === "black" ? "failure" : "last";
    if (!await o.snapshots.save(s.name, kind, sample.jpeg)) {
      o.logger?.debug(`media "${s.name}": ${kind} snapshot refused (not a JPEG or too large)`);
    }
    j.verdict.details.snapshot = kind;
  }
  return { verdict: j.verdict, memory: j.memory };
}
