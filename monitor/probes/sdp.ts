/** Pure SDP parsing (RFC 8866): the media tracks of an RTSP DESCRIBE answer and their codecs. */

/** One `m=` section of a session description. */
export interface SdpTrack {
  /** The media type: "video", "audio", "application", … */
  media: string;
  /** The first payload type listed on the `m=` line (the one a client would pick). */
  payloadType?: number;
  /**
   * The codec of that payload type, normalised: "H264", "H265", "MJPEG", "MPEG4", "AAC", …;
   * other encoding names are kept upper-cased. Undefined when neither `a=rtpmap` nor a static
   * payload type names it.
   */
  codec?: string;
  /** RTP clock rate from `a=rtpmap` (90000 for video). */
  clockRate?: number;
  /** `a=fmtp` parameters of that payload type, keys lower-cased (profile-level-id, …). */
  fmtp?: Record<string, string>;
  /** The track's `a=control` attribute as written (relative or absolute URL). */
  control?: string;
}

/** What {@link parseSdp} extracts from a session description. */
export interface SessionDescription {
  /** The session-level `a=control` (often "*"). */
  control?: string;
  /** The `m=` sections in order. */
  tracks: SdpTrack[];
}

/** Static RTP payload types (RFC 3551) that carry no `a=rtpmap`. */
const STATIC_PAYLOADS: Record<number, [codec: string, clockRate: number]> = {
  0: ["PCMU", 8000],
  3: ["GSM", 8000],
  8: ["PCMA", 8000],
  9: ["G722", 8000],
  14: ["MPA", 90000],
  26: ["MJPEG", 90000],
  31: ["H261", 90000],
  32: ["MPV", 90000],
  33: ["MP2T", 90000],
  34: ["H263", 90000],
};

/** rtpmap encoding names (upper case) that users know under another name. */
const CODEC_ALIASES: Record<string, string> = {
  HEVC: "H265",
  JPEG: "MJPEG",
  "MP4V-ES": "MPEG4",
  "MPEG4-GENERIC": "AAC",
  "MP4A-LATM": "AAC",
};

/** Maps an rtpmap encoding name to the codec name StreamPulse shows: `jpeg` → "MJPEG". */
export function normalizeCodec(encoding: string): string {
  const upper = encoding.toUpperCase();
  return CODEC_ALIASES[upper] ?? upper;
}

/** Per-section state while parsing: rtpmap and fmtp lines may name any payload type. */
interface Section {
  track: SdpTrack;
  rtpmap?: string;
  fmtp?: string;
}

/**
 * Parses an SDP body. Lenient by design (cameras write odd SDP): unknown or malformed lines are
 * skipped, LF and CRLF line ends are both accepted. Never throws.
 */
export function parseSdp(text: string): SessionDescription {
  const out: SessionDescription = { tracks: [] };
  const sections: Section[] = [];
  let section: Section | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.length < 2 || line.charCodeAt(1) !== 61 /* = */) continue;
    const type = line[0];
    if (type === "m") {
      section = { track: parseMediaLine(line) };
      sections.push(section);
    } else if (type === "a") {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(2, colon);
      const value = line.slice(colon + 1).trim();
      if (name === "control") {
        if (section) section.track.control = value;
        else out.control = value;
      } else if (section && (name === "rtpmap" || name === "fmtp")) {
        // Only the attribute of the track's own (first) payload type matters.
        const space = value.indexOf(" ");
        if (space > 0 && Number(value.slice(0, space)) === section.track.payloadType) {
          section[name] = value.slice(space + 1).trim();
        }
      }
    }
  }
  for (const s of sections) out.tracks.push(finishTrack(s));
  return out;
}

/** `m=video 0 RTP/AVP 96 97` → media "video", payload type 96. */
function parseMediaLine(line: string): SdpTrack {
  const parts = line.slice(2).split(" ");
  const track: SdpTrack = { media: parts[0] ?? "" };
  const pt = parts.length > 3 ? Number(parts[3]) : NaN;
  if (Number.isInteger(pt) && pt >= 0 && pt <= 127) track.payloadType = pt;
  return track;
}

/** Resolves the codec from rtpmap (`H264/90000`) or the static table, and splits fmtp. */
function finishTrack(s: Section): SdpTrack {
  const track = s.track;
  if (s.rtpmap) {
    const [encoding, rate] = s.rtpmap.split("/");
    if (encoding) track.codec = normalizeCodec(encoding);
    const clock = Number(rate);
    if (Number.isInteger(clock) && clock > 0) track.clockRate = clock;
  } else if (track.payloadType !== undefined && track.payloadType in STATIC_PAYLOADS) {
    [track.codec, track.clockRate] = STATIC_PAYLOADS[track.payloadType];
  }
  if (s.fmtp) track.fmtp = parseFmtp(s.fmtp);
  return track;
}

/** `packetization-mode=1;profile-level-id=42c015` → `{ "packetization-mode": "1", … }`. */
export function parseFmtp(params: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of params.split(";")) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key) out[key] = eq < 0 ? "" : part.slice(eq + 1).trim();
  }
  return out;
}
