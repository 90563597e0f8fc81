/** RTSP relay answers: URLs on the camera's origin are rewritten to the relay before the child sees them. */

import { type OriginMap, rewriteSdp } from "./relay_origin.ts";
import type { RtspMessage } from "./relay_rtsp_wire.ts";

/** Headers whose value is one URL the child may use next. */
const URL_HEADERS = new Set(["content-base", "content-location", "location"]);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Returns `m` with Content-Base, Content-Location and Location, and the absolute `a=control`
 * URLs of an SDP body, moved from the camera's origin to the relay (user info dropped; the
 * Content-Length follows the new body). Other headers and bodies pass unchanged.
 */
export function rewriteResponse(m: RtspMessage, map: OriginMap): RtspMessage {
  const headers = m.headers.map(([n, v]): [string, string] =>
    URL_HEADERS.has(n.toLowerCase()) ? [n, map.toRelay(v)] : [n, v]
  );
  const type = headers.find(([n]) => n.toLowerCase() === "content-type")?.[1] ?? "";
  let body = m.body;
  if (body.length && type.toLowerCase().startsWith("application/sdp")) {
    body = encoder.encode(rewriteSdp(decoder.decode(body), map));
  }
  return { line: m.line, headers, body };
}
