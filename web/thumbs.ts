/** Grid thumbnails: a stored snapshot scaled to ≤ 320 px wide, made once per version, LRU-cached. */

import jpeg from "jpeg-js";

/** Widest thumbnail (px). */
export const THUMB_WIDTH = 320;
/** JPEG quality of thumbnails (jpeg-js scale 1–100). */
const QUALITY = 70;
/** Most pixels decoded from a snapshot (a camera's frame is hostile: bound it before decoding). */
const MAX_SOURCE_MP = 16;

/** An RGBA picture. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Scales `src` down to at most `maxWidth` wide (aspect kept) by averaging the source pixels
 * each target pixel covers (a box filter: no aliasing on the line patterns cameras show).
 * Returns `src` itself when it is narrow enough. Pure.
 */
export function scaleDown(src: Rgba, maxWidth: number): Rgba {
  if (src.width <= maxWidth) return src;
  const w = maxWidth;
  const h = Math.max(1, Math.round(src.height * w / src.width));
  const out = new Uint8Array(w * h * 4);
  const fx = src.width / w, fy = src.height / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * fy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * fy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * fx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * fx));
      let r = 0, g = 0, b = 0;
      for (let sy = y0; sy < y1; sy++) {
        let i = (sy * src.width + x0) * 4;
        for (let sx = x0; sx < x1; sx++, i += 4) {
          r += src.data[i], g += src.data[i + 1], b += src.data[i + 2];
        }
      }
      const n = (y1 - y0) * (x1 - x0), o = (y * w + x) * 4;
      out[o] = r / n, out[o + 1] = g / n, out[o + 2] = b / n, out[o + 3] = 255;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * A JPEG no wider than `maxWidth`: the input itself when it already is, else decoded, scaled
 * and re-encoded. Throws when the bytes are not a JPEG within {@link MAX_SOURCE_MP} megapixels.
 */
export function thumbnailOf(input: Uint8Array, maxWidth = THUMB_WIDTH): Uint8Array {
  const src = jpeg.decode(input, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP: MAX_SOURCE_MP,
    maxMemoryUsageInMB: 128,
  });
  if (src.width <= maxWidth) return input;
  const small = scaleDown(src, maxWidth);
  return new Uint8Array(jpeg.encode(small, QUALITY).data);
}

/** One cached thumbnail. */
export interface Thumb {
  jpeg: Uint8Array<ArrayBuffer>;
  /** A strong ETag naming the stream's snapshot kind and version. */
  etag: string;
}

/** Options of {@link createThumbs}. */
export interface ThumbsOptions {
  /** Most thumbnails kept (default 2,000). */
  maxEntries?: number;
  /** Most bytes kept (default 32 MiB). */
  maxBytes?: number;
  /** Makes a thumbnail (default {@link thumbnailOf}). */
  make?: (jpeg: Uint8Array) => Uint8Array;
}

/** The thumbnail cache. */
export interface Thumbs {
  /**
   * The thumbnail of `key` (any string naming stream, kind and version): from the cache, else
   * made from `load()` once — concurrent callers share one making. Undefined when `load()`
   * finds nothing; throws when the snapshot cannot be decoded.
   */
  get(key: string, load: () => Promise<Uint8Array | undefined>): Promise<Thumb | undefined>;
  /** Entries and bytes held. */
  stats(): { entries: number; bytes: number };
}

/** Creates a least-recently-used thumbnail cache bounded by entries and bytes. */
export function createThumbs(opts: ThumbsOptions = {}): Thumbs {
  const maxEntries = opts.maxEntries ?? 2000;
  const maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
  const make = opts.make ?? thumbnailOf;
  const cache = new Map<string, Thumb>(); // insertion order = recency
  const making = new Map<string, Promise<Thumb | undefined>>();
  let bytes = 0;

  const put = (key: string, t: Thumb) => {
    if (t.jpeg.length > maxBytes) return;
    cache.set(key, t);
    bytes += t.jpeg.length;
    for (const [k, old] of cache) {
      if (cache.size <= maxEntries && bytes <= maxBytes) break;
      cache.delete(k);
      bytes -= old.jpeg.length;
    }
  };
  const build = async (key: string, load: () => Promise<Uint8Array | undefined>) => {
    const src = await load();
    if (!src) return undefined;
    const t = { jpeg: new Uint8Array(make(src)), etag: `"${etagOf(key)}"` };
    put(key, t);
    return t;
  };
  return {
    get(key, load) {
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key), cache.set(key, hit); // most recent now
        return Promise.resolve(hit);
      }
      let p = making.get(key);
      if (!p) {
        p = build(key, load).finally(() => making.delete(key));
        making.set(key, p);
      }
      return p;
    },
    stats: () => ({ entries: cache.size, bytes }),
  };
}

/** A short ETag body from a key: 32-bit FNV-1a of its UTF-8 bytes plus its length. */
function etagOf(key: string): string {
  let h = 0x811c9dc5;
  const b = new TextEncoder().encode(key);
  for (const x of b) h = Math.imul(h ^ x, 0x01000193) >>> 0;
  return `t-${h.toString(16).padStart(8, "0")}-${b.length.toString(36)}`;
}
