/** Reads a stream's optional media-check keys: media, media_check_seconds, freeze_seconds, expect. */

import { type Checker, describe, type YamlMap } from "./check.ts";
import { suggestKey } from "./suggest.ts";
import type { MediaExpectConfig, StreamConfig } from "../types.ts";

/** The optional media-check keys of a stream; absent keys stay absent (defaults live in media/). */
export function parseMediaKeys(m: YamlMap, path: string, c: Checker): Partial<StreamConfig> {
  const out: Partial<StreamConfig> = {};
  if (m.media != null) out.media = c.bool(m, "media", path, true);
  if (m.media_check_seconds != null) {
    let s = c.number(m, "media_check_seconds", path, { fallback: 60, min: 0, max: 86400 });
    if (s < 10) {
      c.warn(`${path}.media_check_seconds`, `${s} is below the minimum, using 10`);
      s = 10;
    }
    out.mediaCheckSeconds = s;
  }
  if (m.freeze_seconds != null) {
    out.freezeSeconds = c.number(m, "freeze_seconds", path, { fallback: 30, min: 1, max: 86400 });
  }
  if (m.expect != null) out.expect = parseExpect(m.expect, `${path}.expect`, c);
  return out;
}

const EXPECT_KEYS = ["codec", "width", "height", "min_fps"];

/** `expect: {codec, width, height, min_fps}`, every key optional. */
function parseExpect(value: unknown, path: string, c: Checker): MediaExpectConfig {
  const m = c.map(value, path);
  for (const k of Object.keys(m)) {
    if (EXPECT_KEYS.includes(k)) continue;
    const meant = suggestKey(k, EXPECT_KEYS);
    const hint = meant === undefined ? "" : ` — did you mean ${JSON.stringify(meant)}?`;
    c.error(`${path}.${k.slice(0, 60)}`, `unknown key${hint} (use ${EXPECT_KEYS.join(", ")})`);
  }
  const whole = (key: "width" | "height") => {
    const v = m[key];
    if (v == null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      c.error(`${path}.${key}`, `must be a whole number, got ${describe(v)}`);
      return undefined;
    }
    if (v < 1 || v > 16384) {
      c.error(`${path}.${key}`, `must be from 1 to 16384, got ${v}`);
      return undefined;
    }
    return v;
  };
  const e: MediaExpectConfig = {
    codec: c.string(m, "codec", path)?.trim() || undefined,
    width: whole("width"),
    height: whole("height"),
    minFps: m.min_fps == null
      ? undefined
      : c.number(m, "min_fps", path, { fallback: 0, min: 0.1, max: 1000 }),
  };
  for (const k of Object.keys(e) as (keyof MediaExpectConfig)[]) {
    if (e[k] === undefined) delete e[k];
  }
  return e;
}
