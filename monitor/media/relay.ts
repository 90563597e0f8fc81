/** The loopback credential relay: a child reads `127.0.0.1`, the relay adds the camera's password. */

import type { RelayTarget } from "./relay_origin.ts";
import { serveHttpRelay } from "./relay_http.ts";
import { serveRtspRelay } from "./relay_rtsp.ts";

/** Options of {@link openMediaRelay}. */
export interface RelayOptions {
  /** Skip TLS verification towards the camera, as the probes do for this stream. */
  tlsInsecure?: boolean;
  /** Aborting closes the relay and every connection through it. */
  signal?: AbortSignal;
  /** A connection (or an upstream body) with no bytes for this long is closed (default 15 s). */
  idleMs?: number;
}

/** What a child is pointed at. */
export interface MediaRelay {
  /** The URL to give the child: the camera URL itself, or a credential-free loopback URL. */
  url: string;
  /** True when a relay listens for this child. */
  relayed: boolean;
  /** The last upstream failure seen ("connection refused", "TLS handshake failed: …"), if any. */
  problem(): string | undefined;
  /** Stops listening and closes every connection; resolves when all have ended. */
  close(): Promise<void>;
}

/**
 * Opens a relay for one child reading `url`. A URL without user info needs none and is handed
 * back unchanged (nothing secret to hide, and the child keeps its own TLS and no extra hop);
 * with credentials, RTSP(S) gets an RTSP relay and HTTP(S) an HTTP relay on `127.0.0.1:0`, both
 * speaking plain text to the child and the camera's own scheme upstream. The path carries a
 * random token so that another local process cannot use the relay by guessing its port.
 */
export function openMediaRelay(url: string, o: RelayOptions = {}): MediaRelay {
  let camera: URL;
  try {
    camera = new URL(url);
  } catch {
    return direct(url); // the caller's URL check reports it
  }
  if (!camera.username && !camera.password) return direct(url);
  const ctrl = new AbortController();
  const stop = () => ctrl.abort();
  o.signal?.addEventListener("abort", stop, { once: true });
  const target: RelayTarget = {
    camera,
    token: crypto.randomUUID().replaceAll("-", ""),
    tlsInsecure: o.tlsInsecure ?? false,
    idleMs: o.idleMs ?? 15_000,
    signal: ctrl.signal,
  };
  const rtsp = camera.protocol === "rtsp:" || camera.protocol === "rtsps:";
  const server = rtsp ? serveRtspRelay(target) : serveHttpRelay(target);
  let closed: Promise<void> | undefined;
  return {
    url: server.url,
    relayed: true,
    problem: server.problem,
    close() {
      closed ??= (async () => {
        o.signal?.removeEventListener("abort", stop);
        ctrl.abort();
        await server.close();
      })();
      return closed;
    },
  };
}

function direct(url: string): MediaRelay {
  return { url, relayed: false, problem: () => undefined, close: () => Promise.resolve() };
}
