/** Reads the `preview:` block (the dashboard's live preview), like config_mqtt.ts reads `mqtt:`. */

import type { Checker, YamlMap } from "./check.ts";

/** The `preview:` settings after validation and defaults. */
export interface PreviewConfig {
  /** Most live previews (ffmpeg processes or MJPEG proxies) at once; default 2. */
  maxConcurrent: number;
}

/** Validates the `preview:` block, e.g. `preview: { max_concurrent: 4 }`. */
export function parsePreviewConfig(value: unknown, c: Checker, path = "preview"): PreviewConfig {
  const m: YamlMap = c.map(value, path);
  return {
    maxConcurrent: c.number(m, "max_concurrent", path, {
      fallback: 2,
      min: 0,
      max: 64,
      integer: true,
    }),
  };
}
