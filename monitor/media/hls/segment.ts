/** Fetches the newest segment of an HLS stream in this process: playlist, variant, segment. */

import { describeFetchError, httpGet, readLimited } from "../../probes/mod.ts";
import { clipText } from "../../redact.ts";
import type { StreamConfig } from "../../types.ts";
import { readPlaylist, type SamplingPlaylist, type Segment } from "./playlist.ts";

/** Largest playlist read. */
export const PLAYLIST_MAX_BYTES = 4 * 1024 * 1024;
/** Largest segment read (a 10 s segment at 6 Mbit/s is 7.5 MB). */
export const SEGMENT_MAX_BYTES = 8 * 1024 * 1024;

/** Options of {@link fetchNewestSegment}. */
export interface FetchSegmentOptions {
  signal: AbortSignal;
  /** Bytes a segment may have (default {@link SEGMENT_MAX_BYTES}). */
  maxSegmentBytes?: number;
  /** The HTTP GET (default the probes' `httpGet`). */
  get?: typeof httpGet;
}

/** The segment's bytes and where it sits, or why there are none. */
export type FetchedSegment =
  | { ok: true; bytes: Uint8Array; segment: Segment; variant?: string }
  | { ok: false; problem: string };

const decoder = new TextDecoder();

/**
 * GETs the playlist (following a master to its first variant, as the HLS probe does), then the
 * newest segment it lists, with the stream's credentials and TLS setting. Credentials go along
 * only to the stream's own origin. Every body is bounded before it is parsed or kept. Refused
 * before the segment is read: fMP4 (`#EXT-X-MAP`) and encrypted (`#EXT-X-KEY`) playlists.
 */
export async function fetchNewestSegment(
  stream: Pick<StreamConfig, "url" | "tlsInsecure">,
  o: FetchSegmentOptions,
): Promise<FetchedSegment> {
  const get = o.get ?? httpGet;
  const fetchBody = async (url: string, limit: number, what: string) => {
    let res: Response;
    try {
      res = await get(url, { signal: o.signal, tlsInsecure: stream.tlsInsecure });
    } catch (err) {
      return `${what}: ${describeFetchError(err, o.signal)}`;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      const reason = clipText(res.statusText, 80);
      return `${what}: HTTP ${res.status}${reason ? ` ${reason}` : ""}`;
    }
    try {
      const bytes = await readLimited(res, { limit, signal: o.signal });
      if (!bytes) return `${what} larger than ${limit / (1024 * 1024)} MiB`;
      return { bytes, url: res.url || url };
    } catch (err) {
      return `${what}: ${describeFetchError(err, o.signal)}`;
    }
  };
  const readList = async (url: string, what: string) => {
    const got = await fetchBody(url, PLAYLIST_MAX_BYTES, what);
    if (typeof got === "string") return got;
    try {
      return { pl: readPlaylist(decoder.decode(got.bytes)), url: got.url };
    } catch (err) {
      return `invalid ${what}: ${(err as Error).message}`;
    }
  };

  let list: string | { pl: SamplingPlaylist; url: string } = await readList(stream.url, "playlist");
  if (typeof list === "string") return { ok: false, problem: list };
  let variant: string | undefined;
  if (list.pl.master) {
    variant = clipText(list.pl.variants[0], 256);
    const url = resolve(list.pl.variants[0], list.url, stream.url);
    if (!url) return { ok: false, problem: "invalid playlist: bad variant URI" };
    list = await readList(url, "variant playlist");
    if (typeof list === "string") return { ok: false, problem: list };
    if (list.pl.master) return { ok: false, problem: "invalid playlist: variant is a master" };
  }
  const { pl } = list;
  if (pl.fmp4) return { ok: false, problem: "fMP4 segments (#EXT-X-MAP) are not read natively" };
  if (pl.encrypted) return { ok: false, problem: "encrypted segments (#EXT-X-KEY) are not read" };
  const segment = pl.segments[pl.segments.length - 1];
  const url = resolve(segment.uri, list.url, stream.url);
  if (!url) return { ok: false, problem: "invalid playlist: bad segment URI" };
  const got = await fetchBody(url, o.maxSegmentBytes ?? SEGMENT_MAX_BYTES, "segment");
  if (typeof got === "string") return { ok: false, problem: got };
  return { ok: true, bytes: got.bytes, segment, variant };
}

/**
 * The absolute URL of `uri` read from the playlist at `base`; the stream's credentials are
 * added back only for its own origin (the response URL carries none). Undefined when invalid
 * or not HTTP(S).
 */
export function resolve(uri: string, base: string, streamUrl: string): string | undefined {
  try {
    const own = new URL(streamUrl);
    const url = new URL(uri, base);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    if ((own.username || own.password) && !url.username && url.origin === own.origin) {
      url.username = own.username;
      url.password = own.password;
    }
    return url.href;
  } catch {
    return undefined;
  }
}
