/** RTSP on the wire: target URLs, one keep-alive connection, bounded reads of each response. */

// Longer than the ~200-line habit on purpose: the reader, its buffer and the CSeq counter are one
// connection's state, and target parsing sits here so rtsp.ts keeps only the probe's decisions.

import { describeError } from "./probe.ts";
import type { Credentials } from "./rtsp_auth.ts";

const MAX_HEADER = 16 * 1024;
const MAX_BODY = 64 * 1024;
/** Interleaved frames kept while waiting for a response (more are read and dropped). */
const MAX_EARLY = 512 * 1024;
const DOLLAR = 0x24;
const RTSP_PREFIX = [0x52, 0x54, 0x53, 0x50, 0x2f]; // "RTSP/"
const HTTP_PREFIX = "HTTP/";
const CONTROL_OR_SPACE = /[^\x21-\x7e]/;
const STATUS_LINE = /^RTSP\/\d\.\d (\d{3})(?: (.*))?$/;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A failure whose message is already what users should see. */
export class RtspFailure extends Error {}

/** The server closed (or reset) the connection; may be retried on a fresh one. */
class ClosedByServer extends RtspFailure {
  constructor() {
    super("connection closed by server");
  }
}

const invalid = (why: string) => new RtspFailure(`invalid RTSP response: ${why}`);

/** One parsed RTSP response. */
export interface RtspResponse {
  status: number;
  reason: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Map<string, string>;
  body: Uint8Array;
}

/** Where a check connects and what it asks for, split out of the stream URL. */
export interface RtspTarget {
  tls: boolean;
  hostname: string;
  port: number;
  /** The request URI, without user-info or fragment. */
  uri: string;
  creds?: Credentials;
}

/** Parses `rtsp[s]://[user[:pass]@]host[:port]/path`; returns an error text on failure. */
export function parseRtspTarget(url: string): RtspTarget | string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "invalid RTSP URL";
  }
  if (u.protocol !== "rtsp:" && u.protocol !== "rtsps:") {
    return `unsupported URL scheme "${u.protocol}" for the RTSP probe`;
  }
  const tls = u.protocol === "rtsps:";
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  if (!host) return "invalid RTSP URL: no host";
  const creds = u.username || u.password
    ? { username: decode(u.username), password: decode(u.password) }
    : undefined;
  u.username = "";
  u.password = "";
  u.hash = "";
  const port = u.port ? Number(u.port) : tls ? 322 : 554;
  return { tls, hostname: host, port, uri: u.href, creds };
}

/** Percent-decodes URL user-info; a stray "%" (a raw "50%off" password) is kept as written. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** How {@link RtspConnection} dials; the probe passes its own resolved options. */
export interface RtspDialOptions {
  /** Opens the TCP connection. */
  connect: (opts: Deno.ConnectOptions) => Promise<Deno.TcpConn>;
  /** Extra PEM root certificates for rtsps://. */
  caCerts?: string[];
  /** The User-Agent header. */
  userAgent: string;
}

/** Supplies each request's Authorization value; asked again when a request is re-sent. */
export interface RtspAuthorizer {
  /** The header value for `method` on request URI `uri`, or "" to send none. */
  authorization(method: string, uri: string): string;
}

/** What one request carries besides its method. */
export interface RtspRequestOptions {
  /** Extra header lines, each ending in CRLF. */
  headers?: string;
  /** The request URI (default: the target's, e.g. a track's control URL for SETUP). */
  uri?: string;
}

/** The socket of a connection handed over for interleaved media (see {@link RtspConnection.takeOver}). */
export interface TakenConnection {
  /** The open socket; still closed by {@link RtspConnection.close}. */
  conn: Deno.Conn;
  /** Bytes already read past the last response (often the first interleaved frames). */
  pending: Uint8Array;
}

/** What one {@link RtspConnection} talks to, and how. */
export interface RtspConnectionInit {
  /** From {@link parseRtspTarget}. */
  target: RtspTarget;
  /** Skip the TLS host-name check (best-effort, see `open`). */
  tlsInsecure: boolean;
  /** Aborts connecting; the owner closes the connection on abort to end reads and writes. */
  signal: AbortSignal;
  /** Shared by every check of one probe, so passing them costs no allocation. */
  opts: RtspDialOptions;
}

/**
 * One check's connection: a growing read buffer and the CSeq counter, kept across reconnects.
 * Closing it (e.g. on abort) ends any pending read or write.
 */
export class RtspConnection {
  private conn: Deno.Conn | undefined;
  private exchanges = 0;
  private buf = new Uint8Array(2048);
  private len = 0;
  private cseq = 0;
  private taken = false;
  /** Interleaved frames that came before a response (a server may start RTP before PLAY's answer). */
  private early: Uint8Array[] = [];
  private earlyBytes = 0;

  private readonly target: RtspTarget;
  private readonly tlsInsecure: boolean;
  private readonly signal: AbortSignal;
  private readonly opts: RtspDialOptions;
  private readonly auth: RtspAuthorizer;

  /** Does not connect: the first {@link request} does. */
  constructor(init: RtspConnectionInit, auth: RtspAuthorizer) {
    this.target = init.target;
    this.tlsInsecure = init.tlsInsecure;
    this.signal = init.signal;
    this.opts = init.opts;
    this.auth = auth;
  }

  private async open(): Promise<void> {
    this.close();
    const { hostname, port, tls } = this.target;
    const tcp = await this.opts.connect({ hostname, port, signal: this.signal });
    this.conn = tcp;
    this.abortCheck(); // connect may have won the race against abort: close, do not leak
    this.exchanges = 0;
    if (!tls) return;
    // Deno cannot skip certificate verification per connection, so tls_insecure is best-effort:
    // it only skips the host-name check (cameras addressed by IP); a self-signed chain still
    // fails with "TLS handshake failed: …" unless its CA is given in `caCerts`.
    const tlsConn = await Deno.startTls(tcp, {
      hostname,
      caCerts: this.opts.caCerts,
      unsafelyDisableHostnameVerification: this.tlsInsecure,
    });
    this.conn = tlsConn;
    this.abortCheck();
    try {
      await tlsConn.handshake();
    } catch (err) {
      const why = describeError(err, this.signal);
      if (this.signal.aborted || why.startsWith("TLS")) throw err;
      throw new RtspFailure(`TLS handshake failed: ${why}`);
    }
  }

  private abortCheck(): void {
    if (!this.signal.aborted) return;
    this.close();
    this.signal.throwIfAborted();
  }

  /** The camera's address once connected (UDP media is accepted from this IP only). */
  get remoteAddr(): Deno.NetAddr | undefined {
    return this.conn?.remoteAddr as Deno.NetAddr | undefined;
  }

  /** Our end of the connection once connected (UDP media binds on this interface). */
  get localAddr(): Deno.NetAddr | undefined {
    return this.conn?.localAddr as Deno.NetAddr | undefined;
  }

  /**
   * Hands the open socket over for interleaved RTP (RFC 2326 §10.12) with the bytes already read.
   * Until {@link giveBack}, requests refuse (the byte stream is no longer only responses); write
   * requests with {@link send} and find their answers among the frames.
   */
  takeOver(): TakenConnection {
    if (!this.conn || this.taken) throw new RtspFailure("no RTSP connection to take over");
    this.taken = true;
    const pending = new Uint8Array(this.earlyBytes + this.len);
    let off = 0;
    for (const frame of this.early) {
      pending.set(frame, off);
      off += frame.length;
    }
    pending.set(this.buf.subarray(0, this.len), off);
    this.early = [];
    this.earlyBytes = 0;
    this.len = 0;
    return { conn: this.conn, pending };
  }

  /** Returns a taken socket to request/response use; `pending` are bytes read but not consumed. */
  giveBack(pending: Uint8Array = new Uint8Array()): void {
    this.taken = false;
    if (pending.length > this.buf.length) this.buf = new Uint8Array(pending.length);
    this.buf.set(pending);
    this.len = pending.length;
  }

  /** Writes one request without reading its answer (on a taken connection); best effort. */
  async send(method: string, opts: RtspRequestOptions = {}): Promise<void> {
    if (!this.conn) throw new ClosedByServer();
    await this.write(this.encode(method, opts));
  }

  /** Closes the socket and drops buffered bytes; the next request reconnects. */
  close(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.taken = false;
    this.len = 0;
    this.early = [];
    this.earlyBytes = 0;
    try {
      conn?.close();
    } catch { /* already closed */ }
  }

  /** Sends one request and reads its response; on a closed keep-alive connection, reconnects once. */
  async request(method: string, opts: RtspRequestOptions = {}): Promise<RtspResponse> {
    if (this.taken) throw new RtspFailure(`cannot send ${method}: the connection carries media`);
    if (!this.conn) await this.open();
    try {
      return await this.exchange(method, opts);
    } catch (err) {
      if (!(err instanceof ClosedByServer) || this.exchanges === 0) throw err;
      await this.open();
      return await this.exchange(method, opts);
    }
  }

  private async exchange(method: string, opts: RtspRequestOptions): Promise<RtspResponse> {
    await this.write(this.encode(method, opts));
    const res = await this.receive();
    this.exchanges++;
    return res;
  }

  /** The request's bytes, with the next CSeq and a fresh Authorization answer. */
  private encode(method: string, opts: RtspRequestOptions): Uint8Array {
    const uri = opts.uri ?? this.target.uri;
    // A URI may come from a camera's SDP: one that could split the request line is refused.
    if (uri.length > 4096 || CONTROL_OR_SPACE.test(uri)) {
      throw new RtspFailure(
        "invalid request URI (a space, control or non-ASCII character, or over 4096)",
      );
    }
    const value = this.auth.authorization(method, uri);
    const auth = value ? `Authorization: ${value}\r\n` : "";
    const text = `${method} ${uri} RTSP/1.0\r\nCSeq: ${++this.cseq}\r\n` +
      `User-Agent: ${this.opts.userAgent}\r\n${opts.headers ?? ""}${auth}\r\n`;
    return encoder.encode(text);
  }

  private async write(bytes: Uint8Array): Promise<void> {
    try {
      for (let off = 0; off < bytes.length;) off += await this.conn!.write(bytes.subarray(off));
    } catch (err) {
      throw closedOr(err);
    }
  }

  /**
   * Reads one response: status line + headers (≤ 16 KiB), then Content-Length bytes (≤ 64 KiB).
   * Interleaved frames (`$`, RFC 2326 §10.12) before it are set aside for {@link takeOver}: a
   * server may start sending RTP before it answers PLAY, or send RTCP of a shared stream.
   */
  private async receive(): Promise<RtspResponse> {
    let headEnd = -1;
    let scanned = 0;
    for (;;) {
      if (this.len > 0 && this.buf[0] === DOLLAR) {
        await this.setAsideFrame();
        scanned = 0;
        continue;
      }
      const n = Math.min(this.len, RTSP_PREFIX.length);
      for (let i = 0; i < n; i++) {
        if (this.buf[i] !== RTSP_PREFIX[i]) {
          const start = decoder.decode(this.buf.subarray(0, n));
          throw invalid(HTTP_PREFIX.startsWith(start) ? "got HTTP, not RTSP" : "not RTSP/1.0");
        }
      }
      headEnd = findHeadEnd(this.buf, scanned, this.len);
      if (headEnd >= 0) break;
      if (this.len >= MAX_HEADER) throw invalid("headers larger than 16 KiB");
      scanned = Math.max(0, this.len - 3);
      await this.fill(Math.min(this.buf.length * 2, MAX_HEADER));
    }
    const res = parseHead(decoder.decode(this.buf.subarray(0, headEnd)));
    const cl = res.headers.get("content-length");
    const bodyLen = cl === undefined ? 0 : Number(cl);
    if (!Number.isInteger(bodyLen) || bodyLen < 0) throw invalid("bad Content-Length");
    if (bodyLen > MAX_BODY) throw invalid("body larger than 64 KiB");
    const total = headEnd + bodyLen;
    while (this.len < total) await this.fill(total);
    res.body = this.buf.slice(headEnd, total);
    this.buf.copyWithin(0, total, this.len);
    this.len -= total;
    return res;
  }

  /** Moves the interleaved frame at the buffer's start to `early` (dropped past MAX_EARLY). */
  private async setAsideFrame(): Promise<void> {
    while (this.len < 4) await this.fill(this.buf.length);
    const total = 4 + ((this.buf[2] << 8) | this.buf[3]);
    while (this.len < total) await this.fill(Math.max(total, this.buf.length));
    if (this.earlyBytes + total <= MAX_EARLY) {
      this.early.push(this.buf.slice(0, total));
      this.earlyBytes += total;
    }
    this.buf.copyWithin(0, total, this.len);
    this.len -= total;
  }

  /** Reads more bytes, growing a full buffer to `capacity`. EOF → ClosedByServer or truncation. */
  private async fill(capacity: number): Promise<void> {
    if (this.len === this.buf.length) {
      const bigger = new Uint8Array(capacity);
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    let n: number | null;
    try {
      n = await this.conn!.read(this.buf.subarray(this.len));
    } catch (err) {
      throw closedOr(err);
    }
    if (n === null) {
      if (this.len === 0) throw new ClosedByServer();
      throw invalid("connection closed mid-response");
    }
    this.len += n;
  }
}

/** Maps a reset or broken pipe to ClosedByServer; other errors pass through. */
function closedOr(err: unknown): unknown {
  return err instanceof Deno.errors.ConnectionReset || err instanceof Deno.errors.BrokenPipe
    ? new ClosedByServer()
    : err;
}

/** Index just past the blank line ending the head (CRLFCRLF or LFLF), or -1. */
function findHeadEnd(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to - 1; i++) {
    if (buf[i] !== 10) continue;
    if (buf[i + 1] === 10) return i + 2;
    if (buf[i + 1] === 13 && i + 2 < to && buf[i + 2] === 10) return i + 3;
  }
  return -1;
}

function parseHead(head: string): RtspResponse {
  const lines = head.split("\n");
  const status = STATUS_LINE.exec(lines[0].trimEnd());
  if (!status) throw invalid("bad status line");
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trimEnd();
    const colon = line.indexOf(":");
    if (colon <= 0) continue; // the blank terminator, or junk some cameras send
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers.get(name);
    headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
  }
  return { status: Number(status[1]), reason: status[2] ?? "", headers, body: new Uint8Array() };
}
