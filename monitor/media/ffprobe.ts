/** The hardened ffprobe media check: URL vetted before any process, facts parsed and checked. */

import { maskUrl } from "../redact.ts";
import type { CommandRunner, RunResult } from "./process_pool.ts";

/** Schemes a media check may open. Everything else is refused before a process starts. */
export const MEDIA_SCHEMES = ["rtsp", "rtsps", "http", "https"] as const;

/** How the URL is read: RTSP, an HLS playlist, or a plain HTTP body (MJPEG, JPEG). */
export type MediaSource = "rtsp" | "hls" | "http";

/** A URL that must never reach ffprobe/ffmpeg (`file:`, `concat:`, `-version`, `pipe:0`…). */
export class MediaUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MediaUrlError";
  }
}

/**
 * Vets a URL for ffprobe/ffmpeg and returns its lower-case scheme. Throws {@link MediaUrlError}
 * for anything but rtsp/rtsps/http/https URLs with a host, for text starting with `-` (an
 * option), and for control characters. Credentials are masked in the message.
 */
export function checkMediaUrl(url: string): (typeof MEDIA_SCHEMES)[number] {
  const shown = JSON.stringify(maskUrl(url).slice(0, 120));
  const refuse = (why: string) => new MediaUrlError(`Refusing media URL ${shown}: ${why}`);
  if (url.startsWith("-")) throw refuse("it looks like a command-line option");
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x20\x7f]/.test(url)) throw refuse("it contains spaces or control characters");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || !(MEDIA_SCHEMES as readonly string[]).includes(scheme)) {
    const found = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    const what = found ? `scheme "${found.toLowerCase()}" is not allowed` : "it has no scheme";
    throw refuse(`${what} (use ${MEDIA_SCHEMES.join(", ")})`);
  }
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch { /* reported below */ }
  if (!host) throw refuse("it has no valid host");
  return scheme as (typeof MEDIA_SCHEMES)[number];
}

/**
 * The least `-protocol_whitelist` that reads `scheme` as `source`: RTSP over TCP needs rtsp,tcp
 * (+tls for rtsps); HTTP needs http,tcp (https,tls,tcp); HLS adds crypto for AES-128 segments.
 * No `file`, `pipe`, `concat`, `data` or `udp`: a playlist cannot point ffmpeg at local files.
 */
export function protocolWhitelist(scheme: string, source: MediaSource): string {
  if (scheme === "rtsp") return "rtsp,tcp";
  if (scheme === "rtsps") return "rtsp,rtsps,tcp,tls";
  const base = scheme === "https" ? "https,tls,tcp" : "http,tcp";
  return source === "hls" ? `${base},crypto` : base;
}

/** Options shared by ffprobe and ffmpeg runs. */
export interface InputOptions {
  source: MediaSource;
  /** Socket I/O timeout, seconds (ffmpeg `-timeout`, given in µs). */
  ioTimeoutSeconds: number;
  /** False adds `-tls_verify 1` with the system CA bundle for rtsps/https. */
  tlsInsecure?: boolean;
  /** CA bundle for verification (default Debian's). */
  caFile?: string;
}

/**
 * The input options that must precede `-i URL` (vets the URL first). The URL is always the
 * element right after `-i`, so nothing in it can be read as an option.
 */
export function inputArgs(url: string, o: InputOptions): string[] {
  const scheme = checkMediaUrl(url);
  const args = ["-protocol_whitelist", protocolWhitelist(scheme, o.source)];
  args.push("-timeout", String(Math.round(o.ioTimeoutSeconds * 1e6)));
  if (o.source === "rtsp") args.push("-rtsp_transport", "tcp");
  // MJPEG over HTTP has no timing of its own (ffmpeg assumes 25 fps): use arrival times.
  if (o.source === "http") args.push("-use_wallclock_as_timestamps", "1");
  if ((scheme === "https" || scheme === "rtsps") && !o.tlsInsecure) {
    args.push("-tls_verify", "1", "-ca_file", o.caFile ?? "/etc/ssl/certs/ca-certificates.crt");
  }
  return [...args, "-i", url];
}

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
  const input = inputArgs(url, o);
  const read = o.readSeconds ?? 2;
  const args = ["-v", "error", "-hide_banner", "-analyzeduration", "1000000"];
  args.push("-probesize", "500000", "-select_streams", "v:0", "-read_intervals", `%+${read}`);
  args.push("-show_entries", "stream=codec_name,codec_type,width,height,r_frame_rate");
  args.push("-show_entries", "packet=size,flags,pts_time", "-of", "json=c=1", ...input);
  const res = await o.run("ffprobe", args, {
    signal: o.signal,
    timeoutMs: o.timeoutMs ?? (o.ioTimeoutSeconds + read + 4) * 1000,
    maxStdoutBytes: 2 << 20,
  });
  return parseProbeOutput(res);
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
  // Lines look like "rtsp://user:pw@cam/x: Error": keep only what follows the URL.
  return maskUrl(last).replace(/^\S+:\/\/\S*?:\s/, "").slice(0, 160);
}
