/** What a relay serves, and how it maps URLs between its loopback base and the camera's origin. */

/** A running relay server (RTSP or HTTP). */
export interface RelayServer {
  /** `scheme://127.0.0.1:PORT/TOKEN` + the camera URL's path and query. */
  url: string;
  problem(): string | undefined;
  close(): Promise<void>;
}

/** What a relay server needs to know about its camera. */
export interface RelayTarget {
  /** The camera URL, credentials included (they never leave this process but to the camera). */
  camera: URL;
  /** A random path segment: only requests under `/TOKEN` are relayed. */
  token: string;
  tlsInsecure: boolean;
  idleMs: number;
  signal: AbortSignal;
}

const DEFAULT_PORTS: Record<string, string> = {
  "rtsp:": "554",
  "rtsps:": "322",
  "http:": "80",
  "https:": "443",
};

/** Both directions of one relay's URL mapping. */
export interface OriginMap {
  /** `scheme://127.0.0.1:PORT/TOKEN`: every URL the child gets starts with it. */
  relayBase: string;
  /** The camera's origin without user info, e.g. `rtsp://cam:8554`. */
  cameraOrigin: string;
  /** A relay URL → the same path on the camera; undefined when `uri` is not under the base. */
  toCamera(uri: string): string | undefined;
  /** A URL on the camera's origin → the relay; any other text is returned unchanged. */
  toRelay(value: string): string;
  /** The relay URL for `camera` (a URL on the camera's origin), or undefined when it is not. */
  relayUrlOf(camera: URL): string | undefined;
}

/**
 * Builds the mapping for a camera URL and a relay base. Matching is by scheme, host and
 * effective port (default ports filled in), so `rtsp://cam/x` and `rtsp://cam:554/x` are one
 * origin; user info in a camera's answer (e.g. a Content-Base echoing the password) is dropped.
 */
export function createOriginMap(camera: URL, relayBase: string): OriginMap {
  const port = (u: URL) => u.port || DEFAULT_PORTS[u.protocol] || "";
  const host = camera.hostname.toLowerCase();
  const cameraOrigin = `${camera.protocol}//${camera.host}`;
  const relayUrlOf = (u: URL) =>
    u.protocol === camera.protocol && u.hostname.toLowerCase() === host && port(u) === port(camera)
      ? relayBase + (u.pathname || "/") + u.search
      : undefined;
  return {
    relayBase,
    cameraOrigin,
    toCamera(uri) {
      if (!uri.startsWith(relayBase)) return undefined;
      const rest = uri.slice(relayBase.length);
      if (rest && rest[0] !== "/" && rest[0] !== "?") return undefined;
      return cameraOrigin + (rest.startsWith("/") ? rest : `/${rest}`);
    },
    toRelay(value) {
      let u: URL;
      try {
        u = new URL(value);
      } catch {
        return value;
      }
      return relayUrlOf(u) ?? value;
    },
    relayUrlOf,
  };
}

/** Rewrites absolute `a=control:` URLs of an SDP body from the camera's origin to the relay. */
export function rewriteSdp(sdp: string, map: OriginMap): string {
  return sdp.split("\n").map((line) => {
    if (!line.startsWith("a=control:")) return line;
    const cr = line.endsWith("\r") ? "\r" : "";
    const value = line.slice(10, line.length - cr.length).trim();
    return `a=control:${map.toRelay(value)}${cr}`;
  }).join("\n");
}
