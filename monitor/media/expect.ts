/** Pure media decisions: measured facts + frames + expectations or baseline → a MediaVerdict. */

import type { MediaVerdict } from "../status/mod.ts";
import type { MediaFacts } from "./ffprobe.ts";
import { type FrameStats, gridsDiffer } from "./frames.ts";

/** Per-stream expectations from config (`expect: {codec, width, height, min_fps}`). */
export interface MediaExpect {
  codec?: string;
  width?: number;
  height?: number;
  minFps?: number;
}

/** What a stream's media checks remember between runs (reset when its config changes). */
export interface MediaMemory {
  /** Codec and size of the first check with facts: the reference when `expect` says nothing. */
  baseline?: { codec?: string; width?: number; height?: number };
  /** The motion grid of the previous sample's last frame. */
  lastGrid?: Uint8Array;
  /** Ms since epoch since when the picture has not moved, as far as samples show. */
  stillSince?: number;
  /** The RTSP session's probe memory (the transport that worked last, `rtsp_transport: auto`). */
  session?: Record<string, unknown>;
  /** The last snapshot saved: when, and which kind (see check.ts `snapshotDue`). */
  snapshot?: { at: number; kind: "last" | "failure" };
}

/** A frame sample as the decision needs it. */
export interface PictureSample extends FrameStats {
  startedAt: number;
  stepMs: number;
}

/** Everything one decision looks at. */
export interface JudgeInput {
  /** ffprobe's facts; undefined when it found nothing. */
  facts?: MediaFacts;
  /** Why `facts` is missing (ffprobe's reason). */
  error?: string;
  /** The frame sample; undefined when sampling failed or was skipped. */
  sample?: PictureSample;
  /** Why there is no sample although video arrived (undecodable keyframe, none in the window…). */
  pictureProblem?: string;
  expect?: MediaExpect;
  memory: MediaMemory;
  /** An unchanged picture for longer than this is frozen. */
  freezeSeconds: number;
  /** Wall time of the whole media check. */
  latencyMs: number;
}

/** The verdict, the memory to keep, and what the picture showed (drives snapshots). */
export interface Judgement {
  verdict: MediaVerdict;
  memory: MediaMemory;
  picture: "ok" | "frozen" | "black" | "unknown";
}

/** A dark-pixel share at or above this, with nothing moving, is a black picture. */
export const BLACK_RATIO = 0.98;

/** Normalises a codec name: "H.264", "AVC" → "h264"; "H265", "HEVC" → "hevc"; "MJPG" → "mjpeg". */
export function normalizeCodec(codec: string): string {
  const c = codec.toLowerCase().replace(/[.\s_-]/g, "");
  if (c === "avc" || c === "h264" || c === "avc1") return "h264";
  if (c === "h265" || c === "hevc" || c === "hvc1") return "hevc";
  if (c === "mjpg" || c === "jpeg" || c === "mjpeg") return "mjpeg";
  return c;
}

/** How codecs are shown in messages: h264 → H264, hevc → H265, mjpeg → MJPEG. */
export function displayCodec(codec: string): string {
  const c = normalizeCodec(codec);
  return c === "hevc" ? "H265" : c.toUpperCase();
}

/**
 * Decides one media check. Rules, in order:
 *
 * | finding                                         | state    | message                           |
 * |-------------------------------------------------|----------|-----------------------------------|
 * | no video packet                                 | down     | no video received                 |
 * | codec ≠ expected (config, else baseline)        | degraded | codec H265, expected H264         |
 * | size ≠ expected (config, else baseline)         | degraded | resolution 640x360, expected …    |
 * | fps < expect.min_fps                            | degraded | frame rate 4.0 fps, below 10      |
 * | no picture decoded, nothing above               | unverified | picture not verified: …         |
 * | ≥ 98 % dark pixels and nothing moving           | degraded | picture black                     |
 * | no motion for longer than freeze_seconds        | degraded | picture frozen for 45 s           |
 * | otherwise                                       | up       | H264 1920x1080, 25 fps, 4100 kbit/s |
 *
 * Several degraded findings are joined with "; ". Black wins over frozen (black never moves);
 * a sample of one picture is black only when the previous sample's last picture equals it.
 * Stillness is tracked across samples: when the previous sample's last frame equals this
 * sample's first, the still time carries over. Everything clears on the first check without it.
 *
 * Without a decoded picture nothing is known about black or frozen: `details.picture` is
 * `{verified: false, reason}`, the still time and last grid stay as they were, and unless the
 * facts alone are wrong (codec, size, fps: degraded as usual) the verdict is unverified
 * (`verified: false`, state "degraded" for whoever ignores the flag): it changes no state.
 */
export function judgeMedia(input: JudgeInput): Judgement {
  const { facts, sample, memory } = input;
  const base = { latencyMs: input.latencyMs };
  if (!facts || facts.packets === 0) {
    const reason = input.error ? `: ${input.error}` : "";
    return {
      verdict: {
        ...base,
        state: "down",
        message: `no video received${reason}`,
        details: { packets: 0, ...(input.error ? { error: input.error } : {}) },
      },
      memory: { ...keep(memory), baseline: memory.baseline },
      picture: "unknown",
    };
  }
  const baseline = memory.baseline ??
    (facts.codec && facts.width && facts.height
      ? { codec: facts.codec, width: facts.width, height: facts.height }
      : undefined);
  const exp = input.expect ?? {};
  const want = {
    codec: exp.codec ?? baseline?.codec,
    width: exp.width ?? (exp.height === undefined ? baseline?.width : undefined),
    height: exp.height ?? (exp.width === undefined ? baseline?.height : undefined),
  };
  const problems: string[] = [];
  if (want.codec && facts.codec && normalizeCodec(want.codec) !== normalizeCodec(facts.codec)) {
    problems.push(`codec ${displayCodec(facts.codec)}, expected ${displayCodec(want.codec)}`);
  }
  problems.push(...sizeProblems(facts, want));
  if (exp.minFps !== undefined && facts.fps !== undefined && facts.fps < exp.minFps) {
    problems.push(`frame rate ${facts.fps.toFixed(1)} fps, below ${exp.minFps}`);
  }
  const pic = judgePicture(sample, memory, input.freezeSeconds);
  if (pic.picture === "black") problems.push("picture black");
  if (pic.picture === "frozen") problems.push(`picture frozen for ${pic.stillSeconds} s`);
  const reason = `picture not verified: ${input.pictureProblem ?? "no frame decoded"}`;
  const unverified = pic.picture === "unknown";
  const details: Record<string, unknown> = {
    ...facts,
    keyframe: facts.keyframe || (sample?.frames ?? 0) > 0,
    expected: { ...want, minFps: exp.minFps, from: input.expect ? "config" : "baseline" },
    picture: unverified ? { verified: false, reason } : pic.details,
  };
  if (problems.length > 0) details.problems = problems;
  const kept = { ...memory, baseline, lastGrid: pic.lastGrid, stillSince: pic.stillSince };
  if (unverified && problems.length === 0) {
    return {
      verdict: { ...base, state: "degraded", verified: false, message: reason, details },
      memory: kept,
      picture: "unknown",
    };
  }
  return {
    verdict: {
      ...base,
      state: problems.length > 0 ? "degraded" : "up",
      message: problems.length > 0 ? problems.join("; ") : summary(facts),
      details,
    },
    memory: kept,
    picture: pic.picture,
  };
}

/** The memory that is not about the picture (kept when there is no video). */
function keep(memory: MediaMemory): MediaMemory {
  const { lastGrid: _grid, stillSince: _since, ...rest } = memory;
  return rest;
}

function sizeProblems(f: MediaFacts, want: { width?: number; height?: number }): string[] {
  const wBad = want.width !== undefined && f.width !== undefined && f.width !== want.width;
  const hBad = want.height !== undefined && f.height !== undefined && f.height !== want.height;
  if (!wBad && !hBad) return [];
  if (want.width !== undefined && want.height !== undefined) {
    return [`resolution ${f.width}x${f.height}, expected ${want.width}x${want.height}`];
  }
  return wBad ? [`width ${f.width}, expected ${want.width}`] : [
    `height ${f.height}, expected ${want.height}`,
  ];
}

/** Freeze and black decision for one sample, carrying stillness over from the last sample. */
function judgePicture(sample: PictureSample | undefined, memory: MediaMemory, freezeS: number) {
  if (!sample || sample.frames === 0) {
    return {
      picture: "unknown" as const,
      details: { frames: 0 },
      lastGrid: memory.lastGrid,
      stillSince: memory.stillSince,
      stillSeconds: 0,
    };
  }
  const at = (i: number) => sample.startedAt + i * sample.stepMs;
  const first = sample.grids[0];
  const lastGrid = sample.grids[sample.grids.length - 1];
  let stillSince: number;
  if (sample.lastChangeIndex >= 0) stillSince = at(sample.lastChangeIndex);
  else if (!memory.lastGrid || gridsDiffer(memory.lastGrid, first)) stillSince = at(0);
  else stillSince = memory.stillSince ?? at(0);
  const stillMs = at(sample.frames - 1) - stillSince;
  const moving = sample.lastChangeIndex >= 0;
  // One picture alone shows no motion either way (an RTSP check on a camera with long GOPs may
  // keep one keyframe): black then needs the previous check's last picture to be the same.
  const seenStill = sample.frames > 1 ||
    (!!memory.lastGrid && !gridsDiffer(memory.lastGrid, first));
  const black = sample.darkRatio >= BLACK_RATIO && !moving && seenStill;
  const frozen = !black && stillMs > freezeS * 1000;
  const stillSeconds = Math.round(stillMs / 1000);
  return {
    picture: black ? "black" as const : frozen ? "frozen" as const : "ok" as const,
    stillSince,
    stillSeconds,
    lastGrid,
    details: {
      verified: true,
      frames: sample.frames,
      luma: Math.round(sample.luma * 10) / 10,
      darkRatio: Math.round(sample.darkRatio * 1000) / 1000,
      moving,
      stillSeconds,
      frozen,
      black,
    },
  };
}

function summary(f: MediaFacts): string {
  const parts = [
    `${f.codec ? displayCodec(f.codec) : "video"} ${f.width ?? "?"}x${f.height ?? "?"}`,
  ];
  if (f.fps !== undefined) parts.push(`${Math.round(f.fps * 10) / 10} fps`);
  if (f.bitrateKbps !== undefined) parts.push(`${f.bitrateKbps} kbit/s`);
  return parts.join(", ");
}
