/** Pure text of the stream page: a check's details → one summary line and readable detail rows. */

import { clipText, formatInZone } from "../monitor/mod.ts";

/** One row of the raw-details disclosure: a readable label and its text (or a list). */
export interface DetailRow {
  /** The details' own key path, e.g. `media.bitrateKbps` (for tests and anchors). */
  key: string;
  label: string;
  value: string | string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined;
const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() ? clipText(v.trim(), 80) : undefined;

const CODECS: Record<string, string> = {
  h264: "H.264",
  avc: "H.264",
  avc1: "H.264",
  h265: "H.265",
  hevc: "H.265",
  mjpeg: "MJPEG",
  jpeg: "MJPEG",
  mpeg4: "MPEG-4",
  av1: "AV1",
  vp8: "VP8",
  vp9: "VP9",
};

/** A codec name as people write it: `h264` → `H.264`, `hevc` → `H.265`; others upper-cased. */
export function codecLabel(codec: string): string {
  return CODECS[codec.toLowerCase()] ?? codec.toUpperCase();
}

/** A bit rate: `63 kbit/s` below 1,000 kbit/s, else `4.1 Mbit/s`. */
export function bitrateLabel(kbps: number): string {
  return kbps < 999.5 ? `${Math.round(kbps)} kbit/s` : `${(kbps / 1000).toFixed(1)} Mbit/s`;
}

/** A number of seconds with at most one decimal, without a trailing `.0`. */
const secs = (s: number) => String(Math.round(s * 10) / 10);

/**
 * The one summary line of a check's details, from the media facts (`details.media`, else the top
 * level): `H.264 1920×1080 · 25 fps · 4.1 Mbit/s · keyframe every 2 s · TCP`. Parts that are
 * missing are left out; "" when nothing is known (a down camera, a plain HTTP check).
 */
export function summaryLine(details: Obj): string {
  const m = isObj(details.media) ? details.media : details;
  const parts: string[] = [];
  const codec = str(m.codec) ?? str(details.videoCodec) ?? str(details.codec);
  const w = num(m.width), h = num(m.height);
  const video = [codec && codecLabel(codec), w && h ? `${w}×${h}` : undefined].filter(Boolean);
  if (video.length) parts.push(video.join(" "));
  const fps = num(m.fps);
  if (fps !== undefined) parts.push(`${secs(fps)} fps`);
  const kbps = num(m.bitrateKbps);
  if (kbps !== undefined) parts.push(bitrateLabel(kbps));
  const gop = num(m.keyframeIntervalSeconds);
  if (gop !== undefined) parts.push(`keyframe every ${secs(gop)} s`);
  const transport = str(m.transport) ?? str(details.transport);
  if (transport) parts.push(transport.toUpperCase());
  return parts.join(" · ");
}

/** Labels of known keys (full key path); others are split from camelCase. */
const LABELS: Record<string, string> = {
  rtspStatus: "RTSP status",
  httpStatus: "HTTP status",
  videoCodec: "Video codec",
  "media.bitrateKbps": "Bit rate",
  "media.fps": "Frame rate",
  "media.keyframeIntervalSeconds": "Keyframe interval",
  "media.timeToFirstKeyframeMs": "First keyframe after",
  "media.lossPercent": "Packet loss",
  "media.spanSeconds": "Sampled",
  "media.windowMs": "Sample window",
  "media.durationMs": "Check took",
  "media.picture.darkRatio": "Dark share",
  "media.picture.stillSeconds": "Still for",
};

/** Units appended to known numeric keys. */
const UNITS: Record<string, string> = {
  "media.fps": " fps",
  "media.keyframeIntervalSeconds": " s",
  "media.timeToFirstKeyframeMs": " ms",
  "media.lossPercent": " %",
  "media.spanSeconds": " s",
  "media.windowMs": " ms",
  "media.durationMs": " ms",
  "media.picture.stillSeconds": " s",
};

/** `timeToFirstKeyframeMs` → `Time to first keyframe ms`; the last path part only. */
function labelOf(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const last = key.split(".").pop() ?? key;
  const words = last.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  const prefix = key.includes(".") ? `${key.split(".").slice(-2, -1)[0]} ` : "";
  const text = (prefix === "media " ? "" : prefix) + words;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A scalar as text: booleans yes/no, numbers rounded to 3 decimals; undefined for nothing. */
function scalar(v: unknown): string | undefined {
  if (v === null || v === undefined || v === "") return undefined;
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number") {
    return Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : undefined;
  }
  if (typeof v === "string") return clipText(v, 300);
  return undefined;
}

/** One array item (a track, an attempt) as one line: its scalar fields joined. */
function itemLine(v: unknown): string | undefined {
  if (!isObj(v)) return scalar(v);
  const bits = Object.entries(v)
    .map(([k, x]) => [k, scalar(x)] as const)
    .filter((e): e is readonly [string, string] => e[1] !== undefined)
    .map(([k, x]) => `${labelOf(k).toLowerCase()} ${x}`);
  return bits.length ? clipText(bits.join(", "), 300) : undefined;
}

/**
 * The details as readable rows for the raw disclosure: nested objects flattened (to 3 levels),
 * arrays (tracks, attempts, problems) as lists, nothing empty (no `undefined`, `null`, `{}`),
 * units on known keys, every text clipped; at most 80 rows.
 */
export function detailRows(details: Obj, prefix = ""): DetailRow[] {
  const out: DetailRow[] = [];
  for (const [k, v] of Object.entries(details)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObj(v)) {
      if (key.split(".").length < 4) out.push(...detailRows(v, key));
      continue;
    }
    if (Array.isArray(v)) {
      const items = v.slice(0, 20).map(itemLine).filter((x): x is string => x !== undefined);
      if (items.length) out.push({ key, label: labelOf(key), value: items });
      continue;
    }
    const text = key === "media.bitrateKbps" && typeof v === "number" ? bitrateLabel(v) : scalar(v);
    if (text !== undefined) {
      out.push({ key, label: labelOf(key), value: text + (UNITS[key] ?? "") });
    }
  }
  return out.slice(0, 80);
}

/** A time for people in the configured zone: `2026-12-01 13:05:00` (the zone is named once). */
export function localTime(ms: number, timeZone: string): string {
  return formatInZone(ms, timeZone).slice(0, 19).replace("T", " ");
}
