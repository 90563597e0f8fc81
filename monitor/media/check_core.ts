/** What every media-check source hands back (MediaFindings), and the one way it becomes a verdict. */

import type { Logger } from "../log.ts";
import type { MediaVerdict } from "../status/mod.ts";
import type { StreamConfig } from "../types.ts";
import type { Decoder } from "./decode/mod.ts";
import { judgeMedia, type MediaMemory, type PictureSample } from "./expect.ts";
import type { MediaFacts } from "./ffprobe.ts";
import type { CommandRunner } from "./process_pool.ts";
import type { RtspMediaSampler } from "./rtsp/mod.ts";
import type { SnapshotKind, SnapshotStore } from "./snapshots.ts";

/** `freeze_seconds` when a stream does not set it. */
export const DEFAULT_FREEZE_SECONDS = 30;
/** At most one snapshot of a kind this often, unless the picture's kind changes (5 min). */
export const SNAPSHOT_EVERY_MS = 5 * 60_000;

/** What {@link runMediaCheck} needs. */
export interface MediaCheckOptions {
  /** Runs ffprobe/ffmpeg for the fallback path (codecs the native path does not handle). */
  run: CommandRunner;
  signal: AbortSignal;
  /** What earlier checks of this stream left (baseline, last grid, still time, transport…). */
  memory: MediaMemory;
  /** Where the JPEG of the sample goes; omitted: no snapshot. */
  snapshots?: SnapshotStore;
  logger?: Pick<Logger, "debug">;
  /** Seconds ffprobe reads and ffmpeg samples on the fallback path (default 2 each). */
  readSeconds?: number;
  /** The process's RTSP sampler (one UDP port pool); omitted: one for this check. */
  sampler?: RtspMediaSampler;
  /** The process's decode pool; omitted: one for this check, closed after it. */
  decoder?: Decoder;
  /**
   * Runs HLS keyframe decodes (ffmpeg reading stdin, no URL), kept apart from `run`, which hands
   * ffprobe/ffmpeg a stream; default: a process pool for this check.
   */
  stdinRun?: CommandRunner;
  /** See {@link SNAPSHOT_EVERY_MS}. */
  snapshotEveryMs?: number;
  now?: () => number;
}

/** The JPEG of the newest picture, or how to make it when that costs (H.26x: a long-lived snapshot child). */
export type SnapshotSource =
  | Uint8Array
  | ((signal: AbortSignal) => Promise<Uint8Array | undefined>);

/** What one source (RTSP native, MJPEG, HLS, ffmpeg fallback) found, before any judgement. */
export interface MediaFindings {
  /** Facts of the video (ffprobe's shape; native sources add keys). Undefined: no video. */
  facts?: MediaFacts;
  /** Why there is no video. */
  error?: string;
  /** The decoded pictures; undefined when none was decoded. */
  picture?: PictureSample;
  /** Why there is no `picture` although video arrived. */
  pictureProblem?: string;
  /** Nothing was learnt, for a reason of ours (no UDP port free…): unverified, memory kept. */
  unverified?: string;
  snapshot?: SnapshotSource;
  /** Added to the verdict's details (transport, attempts, cause…). */
  details?: Record<string, unknown>;
  /** The RTSP session's probe memory after this check. */
  session?: Record<string, unknown>;
}

/** The result of a media check: the verdict and the memory to keep. */
export interface MediaCheckResult {
  verdict: MediaVerdict;
  memory: MediaMemory;
}

/**
 * True when a snapshot of `kind` is due: none saved yet, the last was of the other kind (the
 * picture turned frozen/black or recovered), or `everyMs` passed since the last. H.264/H.265
 * snapshots cost 2–9 CPU-ms in a warm snapshot child (~50 when one must start), so they are made
 * on changes and every `everyMs`, not at every check.
 */
export function snapshotDue(
  last: MediaMemory["snapshot"],
  kind: SnapshotKind,
  o: { now: number; everyMs: number },
): boolean {
  return !last || last.kind !== kind || o.now - last.at >= o.everyMs;
}

/**
 * Judges `f` with {@link judgeMedia} (or says "picture not verified" for `f.unverified`), adds
 * the source's details, and saves a snapshot when one is due and the picture was verified.
 */
export async function finishCheck(
  s: StreamConfig,
  f: MediaFindings,
  o: MediaCheckOptions,
  t0: number,
): Promise<MediaCheckResult> {
  const now = (o.now ?? Date.now)();
  const memory: MediaMemory = f.session ? { ...o.memory, session: f.session } : o.memory;
  const latencyMs = Math.round(performance.now() - t0);
  if (f.unverified) {
    const reason = `picture not verified: ${f.unverified}`;
    const details = { ...f.details, picture: { verified: false, reason } };
    return {
      verdict: { state: "degraded", verified: false, message: reason, details, latencyMs },
      memory,
    };
  }
  const j = judgeMedia({
    facts: f.facts,
    error: f.error,
    sample: f.picture,
    pictureProblem: f.pictureProblem,
    expect: s.expect,
    memory,
    freezeSeconds: s.freezeSeconds ?? DEFAULT_FREEZE_SECONDS,
    latencyMs,
  });
  Object.assign(j.verdict.details, f.details);
  if (j.picture === "unknown" || !o.snapshots || !f.snapshot) return j;
  const kind = j.picture === "frozen" || j.picture === "black" ? "failure" : "last";
  if (
    !snapshotDue(memory.snapshot, kind, { now, everyMs: o.snapshotEveryMs ?? SNAPSHOT_EVERY_MS })
  ) {
    return j;
  }
  const jpeg = typeof f.snapshot === "function" ? await f.snapshot(o.signal) : f.snapshot;
  if (!jpeg) return j;
  if (await o.snapshots.save(s.name, kind, jpeg)) {
    j.verdict.details.snapshot = kind;
    j.memory = { ...j.memory, snapshot: { at: now, kind } };
  } else o.logger?.debug(`media "${s.name}": ${kind} snapshot refused (not a JPEG or too large)`);
  return j;
}
