/**
 * Parses a Frigate `config.yml`: `cameras.<name>.ffmpeg.inputs[]` with `path` and `roles`.
 * The `detect` input is taken, else the `record` one, else the first. A path that is Frigate's
 * own go2rtc restream (`rtsp://127.0.0.1:8554/<stream>`) is replaced by that stream's camera
 * source from the config's `go2rtc.streams:`, since the restream only exists inside Frigate.
 * Env substitutions (`{FRIGATE_RTSP_PASSWORD}`) are kept as written and flagged.
 */

import { isRecord, readYaml } from "./yaml.ts";
import { camerasOfStreams } from "./go2rtc.ts";
import { cleanName, placeholdersOf } from "./util.ts";
import { type ImportCamera, MAX_CAMERAS, type ParseResult } from "./types.ts";

/** The input to check among a Frigate camera's inputs: detect, else record, else the first. */
export function pickFrigateInput(inputs: unknown[]): { path: string; role: string } | undefined {
  const usable = inputs.filter(isRecord).filter((i) => typeof i.path === "string");
  const roles = (i: Record<string, unknown>) =>
    Array.isArray(i.roles) ? i.roles.map(String) : typeof i.roles === "string" ? [i.roles] : [];
  for (const role of ["detect", "record"]) {
    const hit = usable.find((i) => roles(i).includes(role));
    if (hit) return { path: hit.path as string, role };
  }
  return usable[0] ? { path: usable[0].path as string, role: "first" } : undefined;
}

/** The go2rtc stream name of a Frigate restream path (`rtsp://127.0.0.1:8554/<name>`). */
function restreamOf(path: string): string | undefined {
  const m = /^rtsp:\/\/(?:127\.0\.0\.1|localhost):8554\/([^/?#]+)/i.exec(path);
  return m ? decodeURIComponent(m[1]) : undefined;
}

/** Reads cameras from a Frigate config (see the module comment). */
export function parseFrigate(text: string): ParseResult {
  const { data, problem } = readYaml(text, "Frigate config");
  if (problem) return { cameras: [], problems: [problem] };
  const cams = isRecord(data) ? data.cameras : undefined;
  if (!isRecord(cams)) {
    return { cameras: [], problems: ["The Frigate config has no cameras: mapping"] };
  }
  const go2rtc = isRecord(data) && isRecord(data.go2rtc) && isRecord(data.go2rtc.streams)
    ? camerasOfStreams(data.go2rtc.streams, "go2rtc.streams").cameras
    : [];
  const cameras: ImportCamera[] = [];
  const problems: string[] = [];
  for (const [key, cam] of Object.entries(cams)) {
    if (cameras.length >= MAX_CAMERAS) {
      problems.push(`More than ${MAX_CAMERAS} cameras: the rest were not read`);
      break;
    }
    const source = `cameras.${key}`;
    const inputs = isRecord(cam) && isRecord(cam.ffmpeg) && Array.isArray(cam.ffmpeg.inputs)
      ? cam.ffmpeg.inputs
      : [];
    const input = pickFrigateInput(inputs);
    const warnings: string[] = [];
    let url = input?.path.trim() ?? "";
    if (input && input.role !== "detect") warnings.push(`the ${input.role} input was taken`);
    const restream = restreamOf(url);
    const target = restream ? go2rtc.find((g) => g.name === cleanName(restream)) : undefined;
    if (target?.url) {
      url = target.url;
      warnings.push(`Frigate restream: the camera from go2rtc.streams.${restream} is checked`);
    } else if (restream) {
      warnings.push("a Frigate restream (127.0.0.1:8554), reachable only inside Frigate");
    }
    for (const p of placeholdersOf(url)) {
      warnings.push(`{${p}} is a Frigate env substitution: replace it with the real value`);
    }
    if (isRecord(cam) && cam.enabled === false) warnings.push("disabled in Frigate");
    cameras.push({
      name: cleanName(key),
      url,
      tags: [],
      source,
      warnings,
      invalid: input ? undefined : "no ffmpeg.inputs with a path",
    });
  }
  return { cameras, problems };
}
