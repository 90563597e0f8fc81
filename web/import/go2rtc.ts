/**
 * Parses a go2rtc config (`go2rtc.yaml`): `streams: {name: source | [sources]}`.
 *
 * Decision: go2rtc sources StreamPulse can check directly are kept; the rest are skipped.
 * - `rtsp://`, `rtsps://`, `http://`, `https://`: kept; go2rtc's own `#…` parameters
 *   (`#backchannel=0`, `#video=copy`) are cut off.
 * - `ffmpeg:<url>#…` wrapping such a URL: unwrapped to the inner URL (StreamPulse checks the
 *   camera, not the transcode).
 * - `ffmpeg:<other stream>#…` (a reference), `exec:`, `echo:`, `expr:`, `rtmp:`, `onvif:`,
 *   `homekit:`, `webrtc:` and other sources: skipped, and said so in a warning.
 * The first kept source of a stream is the camera's URL; a stream with none is invalid.
 */

import { isRecord, readYaml } from "./yaml.ts";
import { cleanName } from "./util.ts";
import { type ImportCamera, MAX_CAMERAS, type ParseResult } from "./types.ts";

const DIRECT = /^(rtsps?|https?):\/\//i;

/** What go2rtc source `src` means to StreamPulse: the URL to check, or why it is skipped. */
export function go2rtcSource(src: string): { url?: string; skipped?: string } {
  let s = src.trim();
  let wrapped = false;
  if (/^ffmpeg:/i.test(s)) {
    s = s.slice("ffmpeg:".length);
    wrapped = true;
  }
  if (DIRECT.test(s)) {
    const hash = s.indexOf("#");
    return { url: hash < 0 ? s : s.slice(0, hash) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(s)?.[1]?.toLowerCase();
  if (wrapped) return { skipped: "ffmpeg: of another stream" };
  return { skipped: scheme ? `${scheme}:` : "not a URL" };
}

/** The sources of one go2rtc stream entry (a string, a list of strings, or nothing usable). */
function sourcesOf(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === "string");
  return [];
}

/** Reads cameras from a go2rtc config's `streams:` mapping (see the module comment). */
export function parseGo2rtc(text: string): ParseResult {
  const { data, problem } = readYaml(text, "go2rtc config");
  if (problem) return { cameras: [], problems: [problem] };
  const streams = isRecord(data) ? data.streams : undefined;
  if (!isRecord(streams)) {
    return { cameras: [], problems: ["The go2rtc config has no streams: mapping"] };
  }
  return camerasOfStreams(streams, "streams");
}

/** Cameras of a go2rtc `streams:` mapping (also used for Frigate's `go2rtc:` block). */
export function camerasOfStreams(streams: Record<string, unknown>, prefix: string): ParseResult {
  const cameras: ImportCamera[] = [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(streams)) {
    if (cameras.length >= MAX_CAMERAS) {
      problems.push(`More than ${MAX_CAMERAS} cameras: the rest were not read`);
      break;
    }
    const warnings: string[] = [];
    let url: string | undefined;
    const skipped: string[] = [];
    for (const src of sourcesOf(value)) {
      const s = go2rtcSource(src);
      if (s.url && url === undefined) url = s.url;
      else if (s.url) warnings.push("a further source was ignored (the first one is checked)");
      else skipped.push(s.skipped!);
    }
    if (skipped.length > 0) warnings.push(`skipped go2rtc sources: ${skipped.join(", ")}`);
    if (/^ffmpeg:/i.test(sourcesOf(value).find((s) => go2rtcSource(s).url === url) ?? "")) {
      warnings.push("unwrapped from ffmpeg: (the camera itself is checked)");
    }
    cameras.push({
      name: cleanName(key),
      url: url ?? "",
      tags: [],
      source: `${prefix}.${key}`,
      warnings,
      invalid: url ? undefined : "no rtsp, rtsps, http or https source",
    });
  }
  return { cameras, problems };
}
