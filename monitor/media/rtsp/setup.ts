/** SETUP's inputs and answers: the video track's control URL, Transport and Session headers. */

import { parseSdp } from "../../probes/mod.ts";
import { clipText } from "../../redact.ts";
import type { TrackInfo } from "./collector.ts";

/** The video track to play: what the collector needs and where SETUP goes. */
export interface VideoTrack extends TrackInfo {
  /** The SETUP request URI. */
  controlUri: string;
  /** The PLAY / TEARDOWN request URI (the session-level control, else the base). */
  playUri: string;
}

/** A printable URI without spaces, user-info-free, of a sane length. */
const PLAIN_URI = /^[\x21-\x7e]{1,4096}$/;

/** The first video track of `sdp` with its control resolved against `base`; or why not. */
export function videoTrack(sdp: string, base: string): VideoTrack | string {
  const session = parseSdp(sdp);
  const track = session.tracks.find((t) => t.media === "video");
  if (!track || track.payloadType === undefined) return "no video track in SDP";
  const controlUri = resolveControl(track.control, base);
  const playUri = resolveControl(session.control, base);
  if (!controlUri || !playUri) return "unusable a=control URL in SDP";
  const fmtp = Object.entries(track.fmtp ?? {}).map(([k, v]) => `${k}=${v}`).join(";");
  return {
    codec: clipText(track.codec ?? "unknown", 32),
    payloadType: track.payloadType,
    clockRate: track.clockRate ?? 90000,
    fmtp,
    controlUri,
    playUri,
  };
}

/**
 * Resolves an `a=control` value as most clients do (ffmpeg, live555): absent or "*" is the base
 * itself; an absolute rtsp(s) URL is used as is (user-info dropped: it goes on the request line
 * of this connection only, never to another host); anything else is appended to the base with
 * one "/". Returns null for a value that could not go on a request line.
 */
export function resolveControl(control: string | undefined, base: string): string | null {
  const root = absolute(base);
  if (!root) return null;
  if (control === undefined || control === "" || control === "*") return root;
  if (/^rtsps?:\/\//i.test(control)) return absolute(control);
  if (!PLAIN_URI.test(control)) return null;
  return root.endsWith("/") ? root + control : `${root}/${control}`;
}

/** An rtsp(s) URL fit for a request line, without user-info; null otherwise. */
function absolute(url: string): string | null {
  if (!PLAIN_URI.test(url)) return null;
  try {
    const u = new URL(url);
    if (u.protocol !== "rtsp:" && u.protocol !== "rtsps:") return null;
    u.username = "";
    u.password = "";
    return u.href;
  } catch {
    return null;
  }
}

/** The Transport header value SETUP asks for. */
export function transportRequest(
  kind: "tcp" | "udp",
  ports: { rtp: number; rtcp: number } | null,
): string {
  if (kind === "tcp") return "RTP/AVP/TCP;unicast;interleaved=0-1";
  return `RTP/AVP;unicast;client_port=${ports!.rtp}-${ports!.rtcp}`;
}

/** The RTP channel from an answer's `interleaved=a-b` (default 0, what was asked for). */
export function interleavedChannel(transport: string | undefined): number {
  const m = /(?:^|;)\s*interleaved=(\d{1,3})/i.exec((transport ?? "").slice(0, 1024));
  const n = m ? Number(m[1]) : 0;
  return n <= 255 ? n : 0;
}

/** True when the answer's Transport says TCP interleaving (a UDP answer to a TCP ask is refused). */
export function answersTcp(transport: string | undefined): boolean {
  const t = (transport ?? "").slice(0, 1024).toUpperCase();
  return t.includes("RTP/AVP/TCP") || t.includes("INTERLEAVED=");
}

/** The session id of a `Session: id;timeout=60` header, or null when absent or unusable. */
export function sessionId(header: string | undefined): string | null {
  if (header === undefined) return null;
  const semi = header.indexOf(";");
  const id = (semi < 0 ? header : header.slice(0, semi)).trim();
  return /^[\x21-\x7e]{1,256}$/.test(id) && !id.includes(",") ? id : null;
}
