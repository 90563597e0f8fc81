/** An M3U8 reader for sampling: variants of a master, segments (URI + duration) of a media one. */

/** One media segment. */
export interface Segment {
  uri: string;
  /** `#EXTINF` duration, seconds (NaN when unreadable). */
  duration: number;
}

/** What {@link readPlaylist} found. */
export interface SamplingPlaylist {
  master: boolean;
  /** Variant URIs of a master playlist, in order. */
  variants: string[];
  segments: Segment[];
  /** `#EXT-X-MAP` seen: fragmented-MP4 segments. */
  fmp4: boolean;
  /** The last `#EXT-X-KEY` has a METHOD other than NONE: the newest segments are encrypted. */
  encrypted: boolean;
}

/** Longest URI followed (as for stream URLs in config.yaml). */
export const MAX_URI = 4096;
/** Segments kept from one playlist: the newest ones (a sampler only wants the last). */
const KEEP_SEGMENTS = 16;

/**
 * Parses playlist text in one pass over its lines (the text is bounded by the caller; no regex
 * runs on a whole line). Throws a SyntaxError naming what is wrong: not an M3U8, a master
 * without variants, a media playlist without segments, or a URI over {@link MAX_URI} characters.
 */
export function readPlaylist(text: string): SamplingPlaylist {
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  if (lines[0].trim() !== "#EXTM3U") {
    throw new SyntaxError(text.trim() ? "does not start with #EXTM3U" : "empty playlist");
  }
  const pl: SamplingPlaylist = {
    master: false,
    variants: [],
    segments: [],
    fmp4: false,
    encrypted: false,
  };
  let wantVariant = false;
  let duration: number | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    if (line.charCodeAt(0) !== 35 /* # */) {
      if (line.length > MAX_URI) throw new SyntaxError(`URI longer than ${MAX_URI} characters`);
      if (wantVariant) pl.variants.push(line);
      else if (duration !== undefined) {
        pl.segments.push({ uri: line, duration });
        if (pl.segments.length > KEEP_SEGMENTS) pl.segments.shift();
      }
      wantVariant = false;
      duration = undefined;
    } else if (line.startsWith("#EXTINF:")) {
      const comma = line.indexOf(",");
      duration = Number(line.slice(8, comma < 0 ? undefined : comma));
    } else if (line.startsWith("#EXT-X-STREAM-INF:")) pl.master = wantVariant = true;
    else if (line.startsWith("#EXT-X-MAP:")) pl.fmp4 = true;
    else if (line.startsWith("#EXT-X-KEY:")) {
      // The key in force for the segments after it: the last one decides for the newest.
      pl.encrypted = !line.slice(11, 200).toUpperCase().includes("METHOD=NONE");
    }
  }
  if (pl.master && pl.variants.length === 0) {
    throw new SyntaxError("master playlist without variant URIs");
  }
  if (!pl.master && pl.segments.length === 0) throw new SyntaxError("no segments");
  return pl;
}
