/** The one registry of probes: picks a probe for a stream (forced kind, else its URL). */

import type { Probe, ProbeKind, ResponseInspector, StreamConfig } from "./probe.ts";
import { rtspProbe } from "./rtsp.ts";
import { mjpegProbe } from "./mjpeg.ts";
import { snapshotProbe } from "./snapshot.ts";
import { hlsProbe } from "./hls.ts";
import { createHttpProbe } from "./http.ts";

/** One probe per kind. */
export type ProbeRegistry = Readonly<Record<ProbeKind, Probe>>;

/** The probes that can judge a response by its content type, in sniffing order. */
export const inspectors: readonly (Probe & ResponseInspector)[] = [
  mjpegProbe,
  snapshotProbe,
  hlsProbe,
];

const byContentType = new Map<string, Probe & ResponseInspector>();
for (const p of inspectors) for (const ct of p.contentTypes) byContentType.set(ct, p);

/**
 * The inspector for a Content-Type value (parameters and case ignored), or undefined:
 * `inspectorFor("multipart/x-mixed-replace;boundary=x")` → the MJPEG probe.
 */
export function inspectorFor(
  contentType: string | null | undefined,
): (Probe & ResponseInspector) | undefined {
  if (!contentType) return undefined;
  const semi = contentType.indexOf(";");
  return byContentType.get(
    (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase(),
  );
}

/** The HTTP probe, sniffing content types with {@link inspectorFor}. */
export const httpProbe: Probe = createHttpProbe(inspectorFor);

/** Builds a registry of the default probes with some replaced (tests, custom runners). */
export function createProbeRegistry(extra: Partial<Record<ProbeKind, Probe>> = {}): ProbeRegistry {
  return Object.freeze({
    rtsp: rtspProbe,
    mjpeg: mjpegProbe,
    snapshot: snapshotProbe,
    hls: hlsProbe,
    http: httpProbe,
    ...extra,
  });
}

/** The default registry. */
export const probes: ProbeRegistry = createProbeRegistry();

const MJPEG_PATH = /\.mjpe?g$|mjpe?g|video\.cgi|videostream|faststream|nphmotionjpeg/;
const SNAPSHOT_PATH = /\.jpe?g$|snapshot|snap\.cgi|snap\.jpe?g|image\.cgi|jpg\/image/;

/**
 * The probe kind of a stream: its forced `kind`, else guessed from the URL — `rtsp:`/`rtsps:` →
 * rtsp, `.m3u8` → hls, MJPEG-style paths (`.mjpg`, `video.cgi`, `faststream`…) → mjpeg,
 * snapshot-style paths (`.jpg`, `snapshot`, `snap.cgi`…) → snapshot, anything else → http
 * (which sniffs the content type).
 */
export function kindOf(stream: Pick<StreamConfig, "url" | "kind">): ProbeKind {
  if (stream.kind) return stream.kind;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(stream.url)?.[1].toLowerCase();
  if (scheme === "rtsp" || scheme === "rtsps") return "rtsp";
  let path: string;
  try {
    path = new URL(stream.url).pathname.toLowerCase();
  } catch {
    return "http";
  }
  if (path.endsWith(".m3u8")) return "hls";
  // MJPEG before snapshot: Foscam's MJPEG stream is ".../faststream.jpg".
  if (MJPEG_PATH.test(path)) return "mjpeg";
  if (SNAPSHOT_PATH.test(path)) return "snapshot";
  return "http";
}

/** The probe that checks `stream`, from `registry` (default: {@link probes}). */
export function selectProbe(
  stream: Pick<StreamConfig, "url" | "kind">,
  registry: ProbeRegistry = probes,
): Probe {
  return registry[kindOf(stream)];
}

export { describeFetchError, httpGet, readLimited } from "./http_fetch.ts";
export { validateJpeg } from "./jpeg.ts";
export { describeError } from "./probe.ts";
export { authorizationHeader, chooseChallenge, parseWwwAuthenticate } from "./rtsp_auth.ts";
export type { AuthChallenge, Credentials } from "./rtsp_auth.ts";
export { rtspSession } from "./rtsp.ts";
export type {
  RtspChannel,
  RtspProbeDeps,
  RtspRequestOptions,
  RtspResponse,
  RtspSessionOptions,
  RtspSessionResult,
  TakenConnection,
} from "./rtsp.ts";
export { parseSdp } from "./sdp.ts";
export type { SdpTrack, SessionDescription } from "./sdp.ts";
