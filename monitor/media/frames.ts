/** Samples a few decoded frames with ffmpeg (tiny grey copies + one small JPEG) and measures them. */

import { stderrReason } from "./ffprobe.ts";
import { type InputOptions, openInput } from "./input.ts";
import type { CommandRunner } from "./process_pool.ts";
import { analyseFrames, type FrameStats, SAMPLE_HEIGHT, SAMPLE_WIDTH } from "./grid.ts";

export {
  analyseFrames,
  DARK_LEVEL,
  type FrameStats,
  GRID_HEIGHT,
  GRID_WIDTH,
  gridsDiffer,
  MOTION_DELTA,
  SAMPLE_HEIGHT,
  SAMPLE_WIDTH,
  toGrid,
} from "./grid.ts";

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
