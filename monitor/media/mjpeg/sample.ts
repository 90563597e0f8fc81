/** sampleMjpeg(): reads an MJPEG-over-HTTP stream for a bounded window and measures it. */

import { describeFetchError, httpGet } from "../../probes/mod.ts";
import { clipText } from "../../redact.ts";
import type { StreamConfig } from "../../types.ts";
import { analyseFrames, SAMPLE_HEIGHT, SAMPLE_WIDTH } from "../frames.ts";
import { failedHttpSample, type HttpMediaSample } from "../http_sample.ts";
import { jpegToGrey, MAX_DECODE_PIXELS } from "./grid.ts";
import { MAX_FRAME_BYTES } from "./reader.ts";
import { type Kept, readWindow } from "./window.ts";

/** Options of {@link sampleMjpeg}. */
export interface MjpegSampleOptions {
  /** Ends the sample (the check's timeout): what was measured so far is kept. */
  signal: AbortSignal;
  /** How long to read after the first frame, ms (default 2000). */
  windowMs?: number;
  /** Stop after this many frames (default 120: 2 s at 60 fps). */
  maxFrames?: number;
  /** Longest JPEG (default 4 MiB), and the most junk accepted between two frames. */
  maxFrameBytes?: number;
  /** Most bytes read in one sample (default 32 MiB). */
  maxWindowBytes?: number;
  /**
   * Frames decoded for the picture, spread over the window, the newest included (default 2: the
   * first and the newest). jpeg-js cannot downscale while decoding: ~3 CPU-ms a 320×240 frame,
   * ~24 at 1280×720, ~58 at 1920×1080 on this machine (bench/jpeg_decode_bench.ts).
   */
  decodeFrames?: number;
  /** Frames with more pixels are not decoded (default 1920×1088). */
  maxDecodePixels?: number;
  /** The HTTP GET (default the probes' `httpGet`: credentials, redirects, insecure TLS). */
  get?: typeof httpGet;
  /** Wall clock, ms since epoch (default Date.now). */
  now?: () => number;
  /** Monotonic clock for arrival times, ms (default performance.now). */
  clock?: () => number;
}

/** RFC 2046: a multipart boundary has 1–70 characters. */
const MAX_BOUNDARY = 70;

/**
 * Reads `stream` (an MJPEG URL) in this process, finding frames by their JPEG structure
 * ({@link createMjpegReader}) whatever Content-Length says, for `windowMs` after the first frame.
 * fps comes from arrival times ({@link arrivalFps}); bitrate from the bytes of the frames after
 * the first over the time from the first to the last frame. A few frames spread over
 * the window are decoded with jpeg-js into the grids of monitor/media/frames.ts. Never throws for
 * what the camera does: failures come back as `problem`.
 */
export async function sampleMjpeg(
  stream: Pick<StreamConfig, "url" | "tlsInsecure">,
  opts: MjpegSampleOptions,
): Promise<HttpMediaSample> {
  const clock = opts.clock ?? (() => performance.now());
  const now = opts.now ?? Date.now;
  const t0 = clock();
  const wall0 = now();
  const elapsed = () => Math.round(clock() - t0);
  const maxFrameBytes = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
  const fail = (why: string) => failedHttpSample(why, elapsed(), "mjpeg");
  let res: Response;
  try {
    res = await (opts.get ?? httpGet)(stream.url, {
      signal: opts.signal,
      tlsInsecure: stream.tlsInsecure,
    });
  } catch (err) {
    return fail(describeFetchError(err, opts.signal));
  }
  const refused = refusal(res);
  if (refused) {
    await res.body?.cancel().catch(() => {});
    return fail(refused);
  }
  const got = await readWindow(res.body!, {
    ...opts,
    maxFrameBytes,
    clock,
    keep: Math.max(1, opts.decodeFrames ?? 2),
  });
  const { times, kept } = got;
  if (times.length === 0) {
    return {
      ...fail(got.problem ?? "stream ended before a complete JPEG frame"),
      readBytes: got.read,
    };
  }
  const n = times.length;
  const spanMs = times[n - 1] - times[0];
  const last = kept[kept.length - 1];
  const sample: HttpMediaSample = {
    facts: {
      codec: "mjpeg",
      width: last.width || undefined,
      height: last.height || undefined,
      fps: arrivalFps(times),
      bitrateKbps: spanMs > 0 ? Math.round(((got.bytes - got.firstBytes) * 8) / spanMs) : undefined,
      frames: n,
      packets: n,
      bytes: got.bytes,
      keyframe: true,
      spanSeconds: Math.round(spanMs) / 1000,
    },
    grids: [],
    snapshot: last.bytes,
    problem: got.problem,
    ms: 0,
    readBytes: got.read,
  };
  decodePicture(sample, kept, opts.maxDecodePixels ?? MAX_DECODE_PIXELS, (at) => wall0 + at - t0);
  sample.ms = elapsed();
  return sample;
}

/**
 * Frame rate from arrival times (ms, ascending): the frames after the first burst over the time
 * from the first frame to the last. A burst is what arrives within `burstMs` of the first frame:
 * servers send frames in bursts (VLC: 3–4 frames every ~245 ms at 15 fps), and counting the first
 * burst's frames as if they had been spread out would overstate the rate — (n − 1) / span gave
 * 17.9 instead of 15.2 over 2 s. With steady arrivals this is (n − 1) / span. Undefined with
 * fewer than two bursts.
 */
export function arrivalFps(times: readonly number[], burstMs = 10): number | undefined {
  const n = times.length;
  if (n < 2) return undefined;
  const span = times[n - 1] - times[0];
  let first = 1;
  while (first < n && times[first] - times[0] < burstMs) first++;
  if (first === n || span <= 0) return undefined;
  return Math.round(((n - first) * 1000 / span) * 10) / 10;
}

/** Why a response is not an MJPEG stream we read, or undefined when it is. */
function refusal(res: Response): string | undefined {
  if (!res.ok) {
    const reason = clipText(res.statusText, 80);
    return reason ? `HTTP ${res.status} ${reason}` : `HTTP ${res.status}`;
  }
  // Bounded before any scan: a real header is short, a camera's may not be.
  const ct = (res.headers.get("content-type") ?? "").slice(0, 4096);
  const semi = ct.indexOf(";");
  const type = (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
  if (type !== "multipart/x-mixed-replace") {
    return `unexpected content type ${clipText(type, 100) || "(none)"}`;
  }
  const at = ct.toLowerCase().indexOf("boundary=", semi);
  if (at >= 0) {
    let b = ct.slice(at + 9);
    const end = b.indexOf(";");
    b = (end < 0 ? b : b.slice(0, end)).trim().replace(/^"|"$/g, "");
    if (b.length > MAX_BOUNDARY) {
      const shown = b.length >= 4096 - at - 9 ? "4096+" : String(b.length);
      return `multipart boundary of ${shown} characters (at most ${MAX_BOUNDARY} allowed)`;
    }
  }
  if (!res.body) return "empty body";
  return undefined;
}

/** Decodes the kept frames into `sample.picture` and `grids`, or says why not. */
function decodePicture(
  sample: HttpMediaSample,
  kept: Kept[],
  maxPixels: number,
  wallOf: (at: number) => number,
) {
  const size = SAMPLE_WIDTH * SAMPLE_HEIGHT;
  const greys: Uint8Array[] = [];
  const times: number[] = [];
  for (const k of kept) {
    const r = jpegToGrey(k.bytes, { maxPixels, width: k.width, height: k.height });
    if (!r.ok) {
      sample.pictureProblem ??= r.reason;
      continue;
    }
    greys.push(r.grey);
    times.push(k.at);
  }
  if (greys.length === 0) return;
  sample.pictureProblem = undefined;
  const raw = new Uint8Array(greys.length * size);
  greys.forEach((g, i) => raw.set(g, i * size));
  const stats = analyseFrames(raw);
  const span = times[times.length - 1] - times[0];
  sample.picture = {
    ...stats,
    startedAt: Math.round(wallOf(times[0])),
    stepMs: greys.length > 1 ? span / (greys.length - 1) : 0,
  };
  sample.grids = stats.grids;
}
