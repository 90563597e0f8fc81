/** Pure JPEG helpers: find a complete JPEG (SOI … EOI) in bytes and read its frame size. */

/** Where {@link scanJpeg} found a complete JPEG, or where to resume when it found none yet. */
export type JpegScan =
  | { found: true; start: number; end: number; width: number; height: number }
  | { found: false; resumeAt: number };

/** What {@link validateJpeg} found. */
export type JpegCheck =
  | { valid: true; width: number; height: number; end: number }
  | { valid: false; reason: string };

const INCOMPLETE = -1;
const INVALID = -2;

/** Frame size read from a SOF segment while walking; 0 × 0 when there was none. */
interface Frame {
  width: number;
  height: number;
}

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
    marker !== 0xcc;
}

/**
 * Walks the marker segments of the JPEG whose SOI is at `soi`. Returns the index just after EOI,
 * INCOMPLETE when the bytes end first, or INVALID when the structure is broken. Segment lengths
 * are followed (so EXIF thumbnails are skipped) and entropy-coded data is scanned for the next
 * real marker, which is what makes this safe on arbitrary byte streams.
 */
function walk(b: Uint8Array, soi: number, frame: Frame): number {
  const len = b.length;
  let p = soi + 2;
  for (;;) {
    if (p + 2 > len) return INCOMPLETE;
    if (b[p] !== 0xff) return INVALID;
    const m = b[p + 1];
    if (m === 0xff) { // fill byte before a marker
      p++;
      continue;
    }
    if (m === 0xd9) return p + 2;
    if (m === 0xd8 || m === 0x00) return INVALID;
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { // markers without a length
      p += 2;
      continue;
    }
    if (p + 4 > len) return INCOMPLETE;
    const segLen = (b[p + 2] << 8) | b[p + 3];
    if (segLen < 2) return INVALID;
    if (isSof(m)) {
      if (p + 9 > len) return INCOMPLETE;
      frame.height = (b[p + 5] << 8) | b[p + 6];
      frame.width = (b[p + 7] << 8) | b[p + 8];
    }
    p += 2 + segLen;
    if (m !== 0xda) continue;
    // Entropy-coded data follows SOS: skip stuffed FF00, restart markers and fill bytes.
    for (;;) {
      const q = b.indexOf(0xff, p);
      if (q < 0 || q + 1 >= len) return INCOMPLETE;
      const n = b[q + 1];
      if (n === 0x00 || (n >= 0xd0 && n <= 0xd7)) p = q + 2;
      else if (n === 0xff) p = q + 1;
      else {
        p = q;
        break;
      }
    }
  }
}

/**
 * Finds the first complete JPEG in `bytes` at or after `from`. When none is complete yet,
 * `resumeAt` is the earliest index a later call (with more bytes appended) must start from;
 * bytes before it can be dropped.
 */
export function scanJpeg(bytes: Uint8Array, from = 0): JpegScan {
  let i = from;
  const frame: Frame = { width: 0, height: 0 };
  for (;;) {
    const soi = indexOfSoi(bytes, i);
    if (soi < 0) return { found: false, resumeAt: Math.max(from, bytes.length - 1) };
    frame.width = frame.height = 0;
    const end = walk(bytes, soi, frame);
    if (end === INCOMPLETE) return { found: false, resumeAt: soi };
    if (end > 0) return { found: true, start: soi, end, width: frame.width, height: frame.height };
    i = soi + 2;
  }
}

/** Index of the next SOI marker (FF D8 FF) at or after `from`, or -1. */
function indexOfSoi(b: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    const q = b.indexOf(0xff, i);
    if (q < 0 || q + 2 >= b.length) return q >= 0 && q + 1 < b.length && b[q + 1] === 0xd8 ? q : -1;
    if (b[q + 1] === 0xd8 && b[q + 2] === 0xff) return q;
    i = q + 1;
  }
}

/**
 * Checks that `bytes` is one JPEG image: it starts with SOI, has a frame header (SOF) giving
 * width and height, and reaches EOI. Trailing bytes after EOI are tolerated (cameras pad).
 */
export function validateJpeg(bytes: Uint8Array): JpegCheck {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    return { valid: false, reason: "no JPEG start marker (SOI)" };
  }
  const frame: Frame = { width: 0, height: 0 };
  const end = walk(bytes, 0, frame);
  if (end === INCOMPLETE) return { valid: false, reason: "truncated, no end marker (EOI)" };
  if (end === INVALID) return { valid: false, reason: "broken marker structure" };
  if (frame.width === 0 || frame.height === 0) {
    return { valid: false, reason: "no frame header (SOF) with a size" };
  }
  return { valid: true, width: frame.width, height: frame.height, end };
}

/** Formats a byte count for messages: "850 B", "12 kB", "4.2 MB". */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${Math.round(n / 1000)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** Formats a size limit for messages: "4 MiB" when whole mebibytes, else like {@link formatBytes}. */
export function formatLimit(n: number): string {
  const mib = 1024 * 1024;
  return n % mib === 0 ? `${n / mib} MiB` : formatBytes(n);
}
