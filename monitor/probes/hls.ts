/** HLS probe: parses the playlist (master → first variant) and checks that a live one advances. */

import {
  type Probe,
  type ProbeContext,
  type ProbeResult,
  type ResponseInspector,
  result,
  type StreamConfig,
} from "./probe.ts";
import { describeFetchError, discard, probeGet, readLimited, statusLine } from "./http_fetch.ts";
import { formatLimit } from "./jpeg.ts";
import { clipText } from "../redact.ts";

/** Largest playlist read (long VOD playlists run to a few MB). */
export const PLAYLIST_MAX_BYTES = 4 * 1024 * 1024;

/** Longest variant URI followed (as for stream URLs in config.yaml). */
export const MAX_VARIANT_URI = 4096;

/** What {@link parsePlaylist} found. A master playlist only has `variants`. */
export interface Playlist {
  master: boolean;
  /** Variant URIs of a master playlist, as written, in order. */
  variants: string[];
  mediaSequence: number;
  targetDuration: number;
  segments: number;
  /** `#EXT-X-ENDLIST` seen: a VOD (or finished) playlist that will not change. */
  endList: boolean;
}

/** Parses an M3U8 playlist. Throws a SyntaxError naming what is wrong. */
export function parsePlaylist(text: string): Playlist {
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  if (lines[0].trim() !== "#EXTM3U") {
    throw new SyntaxError(text.trim() ? "does not start with #EXTM3U" : "empty playlist");
  }
  const pl: Playlist = {
    master: false,
    variants: [],
    mediaSequence: 0,
    targetDuration: NaN,
    segments: 0,
    endList: false,
  };
  let wantVariant = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    if (line.charCodeAt(0) !== 35 /* # */) {
      if (wantVariant) pl.variants.push(line);
      wantVariant = false;
    } else if (line.startsWith("#EXTINF:")) pl.segments++;
    else if (line.startsWith("#EXT-X-STREAM-INF:")) pl.master = wantVariant = true;
    else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) pl.mediaSequence = Number(line.slice(22));
    else if (line.startsWith("#EXT-X-TARGETDURATION:")) pl.targetDuration = Number(line.slice(22));
    else if (line === "#EXT-X-ENDLIST") pl.endList = true;
  }
  if (pl.master) {
    if (pl.variants.length === 0) throw new SyntaxError("master playlist without variant URIs");
    return pl;
  }
  if (!(pl.targetDuration > 0)) throw new SyntaxError("no valid #EXT-X-TARGETDURATION");
  if (!Number.isInteger(pl.mediaSequence) || pl.mediaSequence < 0) {
    throw new SyntaxError("bad #EXT-X-MEDIA-SEQUENCE");
  }
  if (pl.segments === 0) throw new SyntaxError("no segments");
  return pl;
}

/**
 * How long a live playlist may stay unchanged before it counts as stalled: two target durations
 * (a healthy server adds a segment about every target duration), but at least 6 s so short
 * segments and jittery encoders never flap. A stalled encoder is thus reported within one check
 * interval plus this limit.
 */
export function stallLimitMs(targetDuration: number): number {
  return Math.max(2000 * targetDuration, 6000);
}

/** Progress of a live playlist kept in `ctx.memory.hls` between checks. */
interface Progress {
  sequence: number;
  seenAt: number;
}

/**
 * Records the live playlist position (media sequence + segment count, which also grows for
 * EVENT playlists whose media sequence stays put) and returns for how many ms it has been
 * unchanged: 0 when it moved (either way, e.g. an encoder restart) or was first seen.
 */
export function trackProgress(
  memory: Record<string, unknown>,
  sequence: number,
  now: number,
): number {
  const prev = memory.hls as Progress | undefined;
  if (prev && prev.sequence === sequence && typeof prev.seenAt === "number") {
    return Math.max(0, now - prev.seenAt);
  }
  memory.hls = { sequence, seenAt: now } satisfies Progress;
  return 0;
}

const decoder = new TextDecoder();

/** Reads and parses one playlist response; a string is the failure message. */
async function readPlaylist(res: Response, ctx: ProbeContext): Promise<Playlist | string> {
  if (!res.ok) {
    await discard(res);
    return statusLine(res);
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readLimited(res, { limit: PLAYLIST_MAX_BYTES, signal: ctx.signal });
  } catch (err) {
    return describeFetchError(err, ctx.signal);
  }
  if (!bytes) return `playlist larger than ${formatLimit(PLAYLIST_MAX_BYTES)}`;
  try {
    return parsePlaylist(decoder.decode(bytes));
  } catch (err) {
    return `invalid playlist: ${(err as Error).message}`;
  }
}

/** The variant's absolute URL; the stream's credentials go along only to the same origin. */
function variantUrl(uri: string, res: Response, stream: StreamConfig): string {
  const own = new URL(stream.url);
  const url = new URL(uri, res.url || own);
  if ((own.username || own.password) && !url.username && url.origin === own.origin) {
    url.username = own.username;
    url.password = own.password;
  }
  return url.href;
}

async function judge(
  first: Response,
  stream: StreamConfig,
  ctx: ProbeContext,
  start: number,
): Promise<ProbeResult> {
  const details: Record<string, unknown> = { httpStatus: first.status };
  let pl = await readPlaylist(first, ctx);
  if (typeof pl === "string") return result(false, start, pl, details);
  if (pl.master) {
    const uri = pl.variants[0];
    details.variant = clipText(uri, 256);
    if (uri.length > MAX_VARIANT_URI) {
      const why = `variant URI longer than ${MAX_VARIANT_URI} characters`;
      return result(false, start, `invalid playlist: ${why}`, details);
    }
    let url: string;
    try {
      url = variantUrl(uri, first, stream);
    } catch {
      return result(false, start, "invalid playlist: bad variant URI", details);
    }
    const res = await probeGet({ ...stream, url }, ctx);
    if (typeof res === "string") return result(false, start, `variant: ${res}`, details);
    details.httpStatus = res.status;
    pl = await readPlaylist(res, ctx);
    if (typeof pl === "string") return result(false, start, `variant: ${pl}`, details);
    if (pl.master) return result(false, start, "invalid playlist: variant is a master", details);
  }
  const { mediaSequence, targetDuration, segments } = pl;
  const live = !pl.endList;
  Object.assign(details, { mediaSequence, targetDuration, segments, live });
  const summary = `${segments} segments, target ${targetDuration} s`;
  if (!live) return result(true, start, `HLS VOD (${summary})`, details);
  const unchangedMs = trackProgress(ctx.memory, mediaSequence + segments, ctx.now());
  if (unchangedMs > stallLimitMs(targetDuration)) {
    const secs = Math.round(unchangedMs / 1000);
    return result(false, start, `playlist not advancing (no new segment for ${secs} s)`, details);
  }
  return result(true, start, `HLS live, sequence ${mediaSequence} (${summary})`, details);
}

/** The HLS probe. */
export const hlsProbe: Probe & ResponseInspector = {
  kind: "hls",
  contentTypes: [
    "application/vnd.apple.mpegurl",
    "application/x-mpegurl",
    "audio/mpegurl",
    "audio/x-mpegurl",
  ],
  async check(stream: StreamConfig, ctx: ProbeContext): Promise<ProbeResult> {
    const start = performance.now();
    const res = await probeGet(stream, ctx);
    if (typeof res === "string") return result(false, start, res);
    return judge(res, stream, ctx, start);
  },
  inspect(res: Response, stream: StreamConfig, ctx: ProbeContext): Promise<ProbeResult> {
    return judge(res, stream, ctx, performance.now());
  },
};
