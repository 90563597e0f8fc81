/** Reads a stream's optional RTSP keys: `rtsp_transport` (auto | tcp | udp). */

import type { Checker, YamlMap } from "./check.ts";
import type { StreamConfig } from "../types.ts";

const TRANSPORTS = ["auto", "tcp", "udp"] as const;

/** The RTSP keys of a stream; an absent key stays absent (the default, auto, lives in media/). */
export function parseRtspKeys(m: YamlMap, path: string, c: Checker): Partial<StreamConfig> {
  if (m.rtsp_transport == null) return {};
  const value = c.string(m, "rtsp_transport", path)?.trim().toLowerCase();
  if (value === undefined) return {};
  if (!(TRANSPORTS as readonly string[]).includes(value)) {
    c.error(
      `${path}.rtsp_transport`,
      `"${value.slice(0, 40)}" is not one of ${TRANSPORTS.join(", ")}`,
    );
    return {};
  }
  return { rtspTransport: value as StreamConfig["rtspTransport"] };
}
