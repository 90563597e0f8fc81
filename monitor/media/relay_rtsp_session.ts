/** One RTSP relay connection: request rewriting, 401 answers, and the two byte pumps. */

import {
  type AuthChallenge,
  authorizationHeader,
  chooseChallenge,
  type Credentials,
  describeError,
  parseWwwAuthenticate,
} from "../probes/mod.ts";
import type { OriginMap, RelayTarget } from "./relay_origin.ts";
import { rewriteResponse } from "./relay_rtsp_rewrite.ts";
import {
  encodeMessage,
  header,
  headerAll,
  RelayProtocolError,
  type RtspMessage,
  RtspReader,
  writeAll,
} from "./relay_rtsp_wire.ts";

/** Requests awaiting an answer on one connection (ffmpeg has one at a time). */
const MAX_PENDING = 16;

/** A request sent upstream, kept until answered so a 401 can be answered once. */
export interface Pending {
  method: string;
  uri: string;
  version: string;
  headers: [string, string][];
  body: Uint8Array;
  retried: boolean;
}

/** Answers challenges for one connection: the challenge in use and its nonce count. */
export class Signer {
  private challenge: AuthChallenge | undefined;
  private nc = 0;
  constructor(private readonly creds: Credentials) {}

  /** Answers `ch` from now on; a new nonce restarts the nonce count. */
  use(ch: AuthChallenge): void {
    this.challenge = ch;
    this.nc = 0;
  }

  /** The request with an Authorization header when a challenge is known. */
  sign(p: Pending): RtspMessage {
    const headers = [...p.headers];
    if (this.challenge) {
      const req = { method: p.method, uri: p.uri, nc: ++this.nc };
      headers.push(["Authorization", authorizationHeader(this.challenge, this.creds, req)]);
    }
    return { line: `${p.method} ${p.uri} ${p.version}`, headers, body: p.body };
  }
}

/** Relays one child connection until either side ends, goes idle, or the relay closes. */
export async function relaySession(
  client: Deno.Conn,
  t: RelayTarget,
  map: OriginMap,
  signer: Signer,
  report: (why: string) => void,
): Promise<void> {
  let camera: Deno.Conn;
  try {
    camera = await dial(t);
  } catch (err) {
    report(describeError(err));
    client.close();
    return;
  }
  let last = Date.now();
  const touch = () => void (last = Date.now());
  const closeAll = () => {
    for (const c of [client, camera]) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
  };
  const idle = setInterval(() => {
    if (Date.now() - last > t.idleMs) closeAll();
  }, Math.max(200, t.idleMs / 4));
  t.signal.addEventListener("abort", closeAll, { once: true });
  // Two pumps write to the camera (requests, and re-sent requests): one chain keeps them whole.
  let upstream = Promise.resolve();
  const toCamera = (bytes: Uint8Array) => upstream = upstream.then(() => writeAll(camera, bytes));
  const pending = new Map<string, Pending>();
  let entered = false;

  const fromClient = async () => {
    const reader = new RtspReader(client, touch);
    for (let item; (item = await reader.next());) {
      if ("data" in item) {
        await toCamera(item.data);
        continue;
      }
      const m = item.message;
      if (m.line.startsWith("RTSP/")) { // the child answering a request of the camera
        await toCamera(encodeMessage(m));
        continue;
      }
      const [method, uri, version, extra] = m.line.split(" ");
      if (!method || !uri || !version?.startsWith("RTSP/") || extra !== undefined) {
        throw new RelayProtocolError("bad request line from the child");
      }
      // The first request must name the relay's token; later ones may use a URL the camera
      // handed out itself (a Content-Base on another host name), passed on as it is.
      const upstreamUri = map.toCamera(uri) ?? (entered ? uri : undefined);
      if (!upstreamUri) throw new RelayProtocolError("request outside the relay's path");
      entered = true;
      const cseq = header(m, "cseq") ?? "";
      if (pending.size >= MAX_PENDING) throw new RelayProtocolError("too many open requests");
      const headers = m.headers.filter(([n]) => !/^(proxy-)?authorization$/i.test(n));
      const p: Pending = {
        method,
        uri: upstreamUri,
        version,
        headers,
        body: m.body,
        retried: false,
      };
      pending.set(cseq, p);
      await toCamera(encodeMessage(signer.sign(p)));
    }
  };

  const fromCamera = async () => {
    const reader = new RtspReader(camera, touch);
    for (let item; (item = await reader.next());) {
      if ("data" in item) {
        await writeAll(client, item.data);
        continue;
      }
      const m = item.message;
      const status = /^RTSP\/\d\.\d (\d{3})/.exec(m.line)?.[1];
      if (!status) { // a request of the camera's own (e.g. a keep-alive GET_PARAMETER)
        await writeAll(client, encodeMessage(m));
        continue;
      }
      const cseq = header(m, "cseq") ?? "";
      const p = pending.get(cseq);
      if (status === "401" && p && !p.retried) {
        const ch = chooseChallenge(parseWwwAuthenticate(headerAll(m, "www-authenticate")));
        if (ch) {
          p.retried = true; // once per request, stale nonce or not: no 401 loop
          signer.use(ch);
          await toCamera(encodeMessage(signer.sign(p)));
          continue;
        }
      }
      pending.delete(cseq);
      await writeAll(client, encodeMessage(rewriteResponse(m, map)));
    }
  };

  try {
    const pumps = [fromClient(), fromCamera()];
    await Promise.race(pumps).catch((err) => {
      if (err instanceof RelayProtocolError) report(err.message);
    });
    closeAll();
    await Promise.allSettled([...pumps, upstream]);
  } finally {
    clearInterval(idle);
    t.signal.removeEventListener("abort", closeAll);
    closeAll();
  }
}

/** Connects to the camera; rtsps is verified like the probe (tls_insecure skips the host name). */
async function dial(t: RelayTarget): Promise<Deno.Conn> {
  const tls = t.camera.protocol === "rtsps:";
  const hostname = t.camera.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(t.camera.port || (tls ? 322 : 554));
  const signal = AbortSignal.any([t.signal, AbortSignal.timeout(t.idleMs)]);
  const tcp = await Deno.connect({ hostname, port, signal });
  if (!tls) return tcp;
  try {
    const conn = await Deno.startTls(tcp, {
      hostname,
      unsafelyDisableHostnameVerification: t.tlsInsecure,
    });
    await conn.handshake();
    return conn;
  } catch (err) {
    try {
      tcp.close();
    } catch { /* closed by startTls */ }
    throw err; // described by the caller: "TLS handshake failed: …"
  }
}
