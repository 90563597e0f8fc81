/** Test helper: real keyframes from real encoders (x264/x265/mjpeg via ffmpeg), one per unit. */

import { splitAnnexB } from "../../../../monitor/media/decode/mod.ts";

/** An ffmpeg lavfi source: moving, still or black. */
export const SOURCES = {
  moving: "testsrc2",
  still: "smptebars",
  black: "color=c=black",
} as const;

/**
 * Encodes `count` frames of `source` as keyframes (every frame an IDR/IRAP with its headers);
 * `filter` (e.g. `noise=alls=60:allf=t`) is applied to the source first.
 */
export async function encodeKeyframes(
  codec: "H264" | "H265",
  source: string,
  opts: { size?: string; count?: number; rate?: number; filter?: string } = {},
): Promise<Uint8Array[]> {
  const filter = opts.filter ? `,${opts.filter}` : "";
  const size = opts.size ?? "320x240";
  const count = opts.count ?? 4;
  const enc = codec === "H264"
    ? ["-c:v", "libx264", "-preset", "ultrafast", "-x264-params", "repeat-headers=1", "-f", "h264"]
    : [
      ...["-c:v", "libx265", "-preset", "ultrafast"],
      ...["-x265-params", "repeat-headers=1:log-level=error", "-f", "hevc"],
    ];
  const out = await ffmpeg([
    ...["-f", "lavfi", "-i", `${source}${sep(source)}size=${size}:rate=${opts.rate ?? 5}${filter}`],
    ...["-frames:v", String(count), "-g", "1", "-pix_fmt", "yuv420p", ...enc, "pipe:1"],
  ]);
  return accessUnits(codec, out);
}

/** Splits an Annex-B elementary stream into access units, each starting at its SPS (H.264) or VPS. */
export function accessUnits(codec: "H264" | "H265", stream: Uint8Array): Uint8Array[] {
  const first = codec === "H264" ? 7 : 32;
  const typeOf = (n: Uint8Array) => codec === "H264" ? n[0] & 0x1f : (n[0] >> 1) & 0x3f;
  const units: Uint8Array[][] = [];
  for (const nal of splitAnnexB(stream)) {
    if (nal.length === 0) continue;
    if (typeOf(nal) === first || units.length === 0) units.push([]);
    units.at(-1)!.push(nal);
  }
  return units.map((nals) => {
    const out = new Uint8Array(nals.reduce((s, n) => s + n.length + 4, 0));
    let at = 0;
    for (const n of nals) {
      out.set([0, 0, 0, 1], at);
      out.set(n, at + 4);
      at += n.length + 4;
    }
    return out;
  });
}

/** Encodes `count` frames of `source` as separate JPEG files. */
export async function encodeJpegs(
  source: string,
  opts: { size?: string; count?: number } = {},
): Promise<Uint8Array[]> {
  const out = await ffmpeg([
    ...["-f", "lavfi", "-i", `${source}${sep(source)}size=${opts.size ?? "320x240"}:rate=5`],
    ...["-frames:v", String(opts.count ?? 4), "-c:v", "mjpeg", "-q:v", "5", "-f", "image2pipe"],
    "pipe:1",
  ]);
  const jpegs: Uint8Array[] = [];
  let start = 0;
  for (let i = 2; i + 1 < out.length; i++) {
    if (out[i] === 0xff && out[i + 1] === 0xd9 && (i + 2 === out.length || out[i + 2] === 0xff)) {
      jpegs.push(out.slice(start, i + 2));
      start = i + 2;
      i++;
    }
  }
  return jpegs;
}

async function ffmpeg(args: string[]): Promise<Uint8Array> {
  const res = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-nostdin", "-v", "error", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!res.success) throw new Error(`ffmpeg failed: ${new TextDecoder().decode(res.stderr)}`);
  return res.stdout;
}

/** lavfi options follow "name=" the first time, ":" after that. */
function sep(source: string): string {
  return source.includes("=") ? ":" : "=";
}
