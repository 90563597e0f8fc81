/** The hardened ffprobe media check: URL vetted before any process, facts parsed and checked. */

import { maskUrl } from "../redact.ts";
import { type InputOptions, openInput } from "./input.ts";
import type { CommandRunner, RunResult } from "./process_pool.ts";

export {
  checkMediaUrl,
  inputArgs,
  type InputOptions,
  MEDIA_SCHEMES,
  type MediaSource,
  MediaUrlError,
  protocolWhitelist,
} from "./input.ts";

/** What one ffprobe read found about the first video stream. */
export interface MediaFacts {
  /** ffprobe codec name, e.g. "h264", "hevc", "mjpeg". */
  codec?: string;
  width?: number;
  height?: number;
  /** Measured packet rate over the read, else `r_frame_rate`. */
  fps?: number;
  /** The stream's declared `r_frame_rate`. */
  rFrameRate?: number;
  /** Sum of packet sizes / time spanned, kbit/s. */
  bitrateKbps?: number;
  /** Video packets read. */
  packets: number;
  /** True when a packet flagged K (keyframe) arrived. */
  keyframe: boolean;
  /** Seconds of stream time the packets spanned. */
  spanSeconds: number;
}

/** Options of {@link probeMedia}. */
export interface ProbeMediaOptions extends InputOptions {
  run: CommandRunner;
  signal?: AbortSignal;
  /** Seconds of packets to read (default 2). */
  readSeconds?: number;
  /** Outer limit for the process (default I/O timeout + read + 4 s). */
  timeoutMs?: number;
}

/**
 * Runs ffprobe on `url` and returns the facts of its first video stream. Throws
 * {@link MediaUrlError} before any process for a refused URL, and an Error naming the cause
 * when ffprobe fails or its output is not the JSON expected (exit code 0 alone proves nothing).
 */
export async function probeMedia(url: string, o: ProbeMediaOptions): Promise<MediaFacts> {
  const input = openInput(url, o);
  const read = o.readSeconds ?? 2;
  const args = ["-v", "error", "-hide_banner", "-analyzeduration", "1000000"];
  args.push("-probesize", "500000", "-select_streams", "v:0", "-read_intervals", `%+${read}`);
  args.push("-show_entries", "stream=codec_name,codec_type,width,height,r_frame_rate");
  args.push("-show_entries", "packet=size,flags,pts_time", "-of", "json=c=1", ...input.args);
  let res: RunResult;
  try {
    res = await o.run("ffprobe", args, {
      signal: o.signal,
      timeoutMs: o.timeoutMs ?? (o.ioTimeoutSeconds + read + 4) * 1000,
      maxStdoutBytes: 2 << 20,
    });
  } finally {
    await input.relay.close();
  }
  try {
    return parseProbeOutput(res);
  } catch (err) {
    // Through the relay ffprobe only sees a closed loopback socket: the relay knows the cause.
    const upstream = input.relay.problem();
    if (upstream && res.code !== 0 && !res.aborted) throw new Error(`ffprobe failed: ${upstream}`);
    throw err;
  }
}

/** Turns a finished ffprobe run into facts, or throws an Error saying why there are none. */
export function parseProbeOutput(res: RunResult): MediaFacts {
  if (res.aborted) throw new Error("ffprobe was stopped");
  if (res.timedOut) throw new Error(`ffprobe timed out after ${res.ms} ms`);
  let json: { streams?: unknown[]; packets?: unknown[] } | undefined;
  try {
    json = JSON.parse(new TextDecoder().decode(res.stdout));
  } catch {
    json = undefined;
  }
  const stream =
    json?.streams?.find((s) => (s as Record<string, unknown>)?.codec_type === "video") ??
      json?.streams?.[0];
  if (res.code !== 0 || !json || typeof json !== "object") {
    throw new Error(`ffprobe failed: ${stderrReason(res.stderr) || `exit code ${res.code}`}`);
  }
  if (!stream || typeof stream !== "object") throw new Error("no video stream in the source");
  const s = stream as Record<string, unknown>;
  const packets = (Array.isArray(json.packets) ? json.packets : []) as Record<string, unknown>[];
  const times = packets.map((p) => Number(p.pts_time)).filter(Number.isFinite);
  const bytes = packets.reduce((n, p) => n + (Number(p.size) || 0), 0);
  const rFrameRate = ratio(s.r_frame_rate);
  const span = times.length >= 2 ? Math.max(...times) - Math.min(...times) : 0;
  const measured = span > 0 ? (times.length - 1) / span : undefined;
  const fps = measured ?? rFrameRate;
  // The last frame also lasts one frame time: count it, or 2 packets would "span" 1 frame.
  const duration = span > 0 && fps ? span + 1 / fps : 0;
  return {
    codec: typeof s.codec_name === "string" ? s.codec_name : undefined,
    width: positive(s.width),
    height: positive(s.height),
    fps: fps === undefined ? undefined : Math.round(fps * 100) / 100,
    rFrameRate,
    bitrateKbps: duration > 0 ? Math.round(bytes * 8 / duration / 1000) : undefined,
    packets: packets.length,
    keyframe: packets.some((p) => typeof p.flags === "string" && p.flags.includes("K")),
    spanSeconds: Math.round(span * 1000) / 1000,
  };
}

/** Parses "30000/1001" or "25" into a number; "0/0" and junk give undefined. */
export function ratio(v: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(String(v ?? ""));
  if (!m) return undefined;
  const n = Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2]));
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function positive(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** A short, credential-free reason from ffmpeg's stderr (its last meaningful line). */
export function stderrReason(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1) ?? "";
  if (/connection refused/i.test(stderr)) return "connection refused";
  if (/401|unauthorized/i.test(stderr)) return "authentication failed";
  if (/404|not found/i.test(stderr)) return "not found";
  if (/timed out|operation not permitted|end of file/i.test(last)) return "timed out";
  return withoutUrlPrefix(maskUrl(last.slice(0, 1000))).slice(0, 160);
}

/**
 * Lines look like "rtsp://user:pw@cam/x: Error": keeps only what follows the URL. A linear scan
 * (stderr is camera-influenced text; a lazy regex here was quadratic on a long line).
 */
function withoutUrlPrefix(line: string): string {
  const scheme = line.indexOf("://");
  if (scheme <= 0) return line;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === " " || ch === "\t") {
      return i > scheme && line[i - 1] === ":" ? line.slice(i + 1) : line;
    }
  }
  return line;
}
