/** The host:port a stream's URL points at, without credentials: what host grouping keys on. */

/** Ports a scheme implies when its URL names none. */
const DEFAULT_PORTS: Record<string, string> = {
  "rtsp:": "554",
  "rtsps:": "322",
  "http:": "80",
  "https:": "443",
};

/** URLs longer than this are not parsed (config text is bounded, this is a second fence). */
const MAX_URL_LENGTH = 8192;

/**
 * The lower-case `host:port` of a stream URL, e.g. "cam.example:554" for
 * `rtsp://user:pass@CAM.example/live`. The port is the URL's own or the scheme's default (rtsp 554,
 * rtsps 322, http 80, https 443); a scheme without a default and without a port gives the host
 * alone. User-info never appears. An unparsable URL (or one without a host) gives "", which the
 * engine reads as "no host": such a stream is never grouped with another.
 */
export function hostKey(url: string): string {
  if (url.length > MAX_URL_LENGTH) return "";
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "";
  }
  // `hostname` never carries user-info; non-special schemes (rtsp) keep the host's case.
  const host = u.hostname.toLowerCase();
  if (!host) return "";
  const port = u.port || DEFAULT_PORTS[u.protocol.toLowerCase()] || "";
  return port ? `${host}:${port}` : host;
}
