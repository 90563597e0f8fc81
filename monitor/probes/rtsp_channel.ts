/** One check's authenticated RTSP connection: auth state, the storm-proof 401 loop, the channel. */

import { redactText } from "../redact.ts";
import {
  type AuthChallenge,
  authorizationHeader,
  chooseChallenge,
  type Credentials,
  parseWwwAuthenticate,
} from "./rtsp_auth.ts";
import {
  type RtspAuthorizer,
  RtspConnection,
  type RtspConnectionInit,
  type RtspRequestOptions,
  type RtspResponse,
  type RtspTarget,
  type TakenConnection,
} from "./rtsp_wire.ts";

/** One check's auth state over its connection: the challenge answered and its nonce count. */
export class Session implements RtspAuthorizer {
  readonly target: RtspTarget;
  readonly conn: RtspConnection;
  challenge: AuthChallenge | undefined;
  /** Set once a stale-nonce 401 was re-answered: one such retry per check. */
  staleRetried = false;
  private nc = 0;

  constructor(init: RtspConnectionInit) {
    this.target = init.target;
    this.conn = new RtspConnection(init, this);
  }

  /** Answers this challenge from now on; a new nonce restarts the nonce count. */
  useChallenge(ch: AuthChallenge): void {
    this.challenge = ch;
    this.nc = 0;
  }

  /** Asked per request (and again on a re-send), so every Digest answer gets its own nc. */
  authorization(method: string, uri: string): string {
    if (!this.challenge || !this.target.creds) return "";
    const req = { method, uri, nc: ++this.nc };
    return authorizationHeader(this.challenge, this.target.creds, req);
  }
}

/**
 * Sends `method`, answering its 401 challenge once when credentials exist. A `stale=true` 401 to
 * that answer earns one re-answer with the new nonce per check (`s.staleRetried`), so a server
 * that marks every nonce stale, or sends a fresh nonce to every answer, gets at most three
 * requests per method instead of a storm until the timeout.
 */
export async function authed(
  s: Session,
  method: string,
  opts: RtspRequestOptions = {},
): Promise<RtspResponse> {
  let answered = false;
  for (;;) {
    const res = await s.conn.request(method, opts);
    if (res.status !== 401 || !s.target.creds) return res;
    const ch = chooseChallenge(parseWwwAuthenticate(res.headers.get("www-authenticate") ?? ""));
    if (!ch) return res;
    if (answered) {
      if (!ch.stale || s.staleRetried) return res;
      s.staleRetried = true;
    }
    answered = true;
    s.useChallenge(ch);
    if (res.headers.get("connection")?.toLowerCase() === "close") s.conn.close();
  }
}

/**
 * The connection a DESCRIBE just succeeded on, lent to a media session (SETUP, PLAY, TEARDOWN).
 * It stays owned by the check: the check closes it on every exit path, and on abort.
 */
export interface RtspChannel {
  /** The DESCRIBE's request URI (the stream URL without user-info). */
  readonly uri: string;
  /** Where relative `a=control` URLs resolve: Content-Base, Content-Location, else `uri`. */
  readonly baseUri: string;
  /** The DESCRIBE answer's body (at most 64 KiB, decoded as UTF-8). */
  readonly sdp: string;
  /** The camera's address (media over UDP is accepted from this IP only). */
  readonly remoteAddr: Deno.NetAddr | undefined;
  /** Our end of the connection (UDP sockets bind on this interface). */
  readonly localAddr: Deno.NetAddr | undefined;
  /** Aborts when the check is aborted from outside; the connection then closes. */
  readonly signal: AbortSignal;
  /** Sends a request and reads its answer, answering a 401 as the handshake does. */
  request(method: string, opts?: RtspRequestOptions): Promise<RtspResponse>;
  /** Writes a request without reading (its answer arrives among interleaved frames). */
  send(method: string, opts?: RtspRequestOptions): Promise<void>;
  /** Hands the socket over for interleaved RTP; see `RtspConnection.takeOver`. */
  takeOver(): TakenConnection;
  /** Returns a taken socket to request/response use. */
  giveBack(pending?: Uint8Array): void;
  /** Closes the connection (ends pending reads and writes). */
  close(): void;
  /** Masks the URL's user name and password in a text that may quote the camera. */
  redact(text: string): string;
}

/** Builds the channel over `s` after DESCRIBE answered `res` with `sdp`. */
export function channelOf(
  s: Session,
  res: RtspResponse,
  sdp: string,
  signal: AbortSignal,
): RtspChannel {
  const base = res.headers.get("content-base") ?? res.headers.get("content-location");
  const secrets = secretsOf(s.target.creds);
  return {
    uri: s.target.uri,
    baseUri: base && base.length <= 4096 ? base : s.target.uri,
    sdp,
    remoteAddr: s.conn.remoteAddr,
    localAddr: s.conn.localAddr,
    signal,
    request: (method, opts) => authed(s, method, opts),
    send: (method, opts) => s.conn.send(method, opts),
    takeOver: () => s.conn.takeOver(),
    giveBack: (pending) => s.conn.giveBack(pending),
    close: () => s.conn.close(),
    redact: (text) => secrets.some((x) => text.includes(x)) ? redactText(text, secrets) : text,
  };
}

/** The credential parts long enough to mask without masking ordinary words. */
export function secretsOf(creds: Credentials | undefined): string[] {
  return creds ? [creds.password, creds.username].filter((s) => s.length >= 3) : [];
}
