/** The RTSP credential relay: plain RTSP from the child on loopback, authenticated to the camera. */

import { createOriginMap, type RelayServer, type RelayTarget } from "./relay_origin.ts";
import { relaySession, Signer } from "./relay_rtsp_session.ts";

/** Connections one relay accepts in its life (ffmpeg uses one; a retry or two is allowed). */
const MAX_CONNECTIONS = 4;

/**
 * Serves one child on `127.0.0.1:0`. Per connection it dials the camera (TLS for rtsps, verified
 * as the RTSP probe does), rewrites each Request-URI from the relay to the camera, answers a 401
 * (Basic or Digest, stale nonce included) at most once per request, rewrites URLs in answers back
 * to the relay, and passes `$`-interleaved frames through untouched both ways. Heads and bodies
 * are bounded, idle connections are closed, and {@link RelayServer.close} ends everything.
 */
export function serveRtspRelay(t: RelayTarget): RelayServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const base = `rtsp://127.0.0.1:${listener.addr.port}/${t.token}`;
  const map = createOriginMap(t.camera, base);
  const creds = {
    username: decode(t.camera.username),
    password: decode(t.camera.password),
  };
  const sessions = new Set<Promise<void>>();
  let problem: string | undefined;
  const report = (why: string) => void (problem = why);
  const accepting = (async () => {
    for (let n = 0;; n++) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch {
        return; // closed
      }
      if (n >= MAX_CONNECTIONS || t.signal.aborted) {
        conn.close();
        continue;
      }
      const s = relaySession(conn, t, map, new Signer(creds), report).catch(() => {});
      sessions.add(s);
      s.finally(() => sessions.delete(s));
    }
  })();
  const stop = () => {
    try {
      listener.close();
    } catch { /* already closed */ }
  };
  t.signal.addEventListener("abort", stop, { once: true });
  return {
    url: base + t.camera.pathname + t.camera.search,
    problem: () => problem,
    async close() {
      stop();
      await accepting;
      await Promise.allSettled([...sessions]);
    },
  };
}

/** Percent-decodes URL user info, keeping it as written when it is not valid percent-encoding. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
