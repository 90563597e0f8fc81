/** Samples a few decoded frames with ffmpeg (tiny grey copies + one small JPEG) and measures them. */

import { stderrReason } from "./ffprobe.ts";
import { type InputOptions, openInput } from "./input.ts";
import type { CommandRunner } from "./process_pool.ts";

/** Size of the grey copies ffmpeg hands us (area-averaged, so sensor noise is smoothed). */
export const SAMPLE_WIDTH = 160;
/** See {@link SAMPLE_WIDTH}. */
export const SAMPLE_HEIGHT = 120;
/** The motion grid: each cell is the mean of a 5×5 block of the grey copy. */
export const GRID_WIDTH = 32;
/** See {@link GRID_WIDTH}. */
export const GRID_HEIGHT = 24;
/**
 * A cell must change by more than this (of 255) to count as motion. Random noise (sensor grain,
 * the noise patch of GStreamer's SMPTE card) averages out within a cell and stays well below it
 * (≤ 35 measured); an object moving through a cell changes it by far more.
 */
export const MOTION_DELTA = 48;
/** A pixel at or below this grey level (10 % of full range, as ffmpeg's blackdetect) is dark. */
export const DARK_LEVEL = 25;

/** What the frames of one sample show. */
export interface FrameStats {
  /** Frames decoded. */
  frames: number;
  /** The motion grid of each frame (GRID_WIDTH × GRID_HEIGHT cells, 0–255). */
  grids: Uint8Array[];
  /** Mean share of dark pixels over the frames, 0–1. */
  darkRatio: number;
  /** Mean grey level over the frames, 0–255. */
  luma: number;
  /** Index of the last frame that differs from the one before it, or -1 when none did. */
  lastChangeIndex: number;
}

/** A sample: the stats, when it was taken, and the JPEG of its last frame. */
export interface FrameSample extends FrameStats {
  /** Ms since epoch when the sample started, and the ms between sampled frames. */
  startedAt: number;
  stepMs: number;
  /** The last sampled frame as a JPEG (≤ 640 px wide), when one was asked for and made. */
  jpeg?: Uint8Array;
  /** Wall time of the ffmpeg run, ms. */
  ms: number;
}

/** Options of {@link sampleFrames}. */
export interface SampleOptions extends InputOptions {
  run: CommandRunner;
  signal?: AbortSignal;
  /** Seconds of video to decode (default 2). */
  seconds?: number;
  /** Frames per second kept from the decoded video (default 3). */
  fps?: number;
  /** A folder for ffmpeg's JPEG output; without it no JPEG is made. */
  jpegDir?: string;
  /** Outer limit for the process (default I/O timeout + seconds + 5 s). */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Decodes `seconds` of video from `url` with ffmpeg (hardened like ffprobe: vetted URL, protocol
 * whitelist, credentials through the relay, I/O timeout, outer timeout) and measures the frames. Throws when ffmpeg fails or
 * yields no frame.
 */
export async function sampleFrames(url: string, o: SampleOptions): Promise<FrameSample> {
  const seconds = o.seconds ?? 2;
  const fps = o.fps ?? 3;
  const input = openInput(url, o); // vets the URL before anything else happens
  const startedAt = (o.now ?? Date.now)();
  let jpegPath: string | undefined;
  try {
    if (o.jpegDir) {
      jpegPath = await Deno.makeTempFile({ dir: o.jpegDir, prefix: ".frame-", suffix: ".jpg" });
    }
    const grey = `scale=${SAMPLE_WIDTH}:${SAMPLE_HEIGHT}:flags=area,format=gray`;
    const args = ["-hide_banner", "-nostdin", "-v", "error", "-t", String(seconds)];
    args.push(...input.args);
    args.push("-an", "-sn", "-dn");
    if (jpegPath) {
      args.push(
        "-filter_complex",
        `[0:v:0]fps=${fps},split=2[a][b];[a]${grey}[g];` +
          `[b]scale='min(640,iw)':-2[j]`,
      );
      args.push("-map", "[g]", "-f", "rawvideo", "pipe:1");
      args.push("-map", "[j]", "-c:v", "mjpeg", "-q:v", "5", "-update", "1", "-y");
      args.push("-f", "image2", jpegPath);
    } else {
      args.push("-map", "0:v:0", "-vf", `fps=${fps},${grey}`, "-f", "rawvideo", "pipe:1");
    }
    const res = await o.run("ffmpeg", args, {
      signal: o.signal,
      timeoutMs: o.timeoutMs ?? (o.ioTimeoutSeconds + seconds + 5) * 1000,
      maxStdoutBytes: SAMPLE_WIDTH * SAMPLE_HEIGHT * Math.ceil(fps * seconds + 8),
    });
    await input.relay.close();
    if (res.aborted) throw new Error("ffmpeg was stopped");
    const stats = analyseFrames(res.stdout);
    if (stats.frames === 0) {
      const why = res.timedOut
        ? `timed out after ${res.ms} ms`
        : input.relay.problem() ?? stderrReason(res.stderr);
      throw new Error(`ffmpeg decoded no frame: ${why || `exit code ${res.code}`}`);
    }
    const jpeg = jpegPath ? await Deno.readFile(jpegPath) : undefined;
    return {
      ...stats,
      startedAt,
      stepMs: 1000 / fps,
      jpeg: jpeg?.length ? jpeg : undefined,
      ms: res.ms,
    };
  } finally {
    await input.relay.close();
    if (jpegPath) await Deno.remove(jpegPath).catch(() => {});
  }
}

/** Measures raw grey frames of SAMPLE_WIDTH × SAMPLE_HEIGHT (a partial last frame is ignored). */
export function analyseFrames(raw: Uint8Array): FrameStats {
  const size = SAMPLE_WIDTH * SAMPLE_HEIGHT;
  const grids: Uint8Array[] = [];
  let dark = 0;
  let sum = 0;
  let lastChangeIndex = -1;
  for (let f = 0; (f + 1) * size <= raw.length; f++) {
    const frame = raw.subarray(f * size, (f + 1) * size);
    for (let i = 0; i < size; i++) {
      sum += frame[i];
      if (frame[i] <= DARK_LEVEL) dark++;
    }
    grids.push(toGrid(frame));
    if (f > 0 && gridsDiffer(grids[f - 1], grids[f])) lastChangeIndex = f;
  }
  const n = grids.length * size;
  return {
    frames: grids.length,
    grids,
    darkRatio: n ? dark / n : 0,
    luma: n ? sum / n : 0,
    lastChangeIndex,
  };
}

/** Averages a grey SAMPLE_WIDTH × SAMPLE_HEIGHT frame into the GRID_WIDTH × GRID_HEIGHT grid. */
export function toGrid(frame: Uint8Array): Uint8Array {
  const bw = SAMPLE_WIDTH / GRID_WIDTH;
  const bh = SAMPLE_HEIGHT / GRID_HEIGHT;
  const sums = new Uint32Array(GRID_WIDTH * GRID_HEIGHT);
  for (let y = 0; y < SAMPLE_HEIGHT; y++) {
    const row = Math.floor(y / bh) * GRID_WIDTH;
    for (let x = 0; x < SAMPLE_WIDTH; x++) {
      sums[row + Math.floor(x / bw)] += frame[y * SAMPLE_WIDTH + x];
    }
  }
  return Uint8Array.from(sums, (s) => Math.round(s / (bw * bh)));
}

/** True when any cell of two grids differs by more than {@link MOTION_DELTA}. */
export function gridsDiffer(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > MOTION_DELTA) return true;
  return false;
}
