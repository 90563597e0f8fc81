/** The native RTSP probe: OPTIONS + DESCRIBE on one connection, answering auth challenges. */

// Longer than STYLE's ~200 lines: the wire reader and the check flow share one per-check state
// (connection, buffer, CSeq, abort) and this is the probe's only file besides auth and SDP.

import { redactText } from "../redact.ts";
import { describeError, type Probe, type ProbeContext, type ProbeResult, result } from "./probe.ts";
import type { StreamConfig } from "../types.ts";
import {
  type AuthChallenge,
  authorizationHeader,
  chooseChallenge,
  type Credentials,
  parseWwwAuthenticate,
} from "./rtsp_auth.ts";
import { parseSdp } from "./sdp.ts";

/** Dependencies and knobs of {@link createRtspProbe}; the defaults are what production uses. */
export interface RtspProbeOptions {
  /** Opens the TCP connection (default `Deno.connect`). */
  connect?: (opts: Deno.ConnectOptions) => Promise<Deno.TcpConn>;
  /** Extra PEM root certificates for rtsps:// (e.g. a camera's own CA). */
  caCerts?: string[];
  /** Pause before the one retry after 454/503 (default 200 ms). */
  retryDelayMs?: number;
  /** The User-Agent header (default "StreamPulse"). */
  userAgent?: string;
}

const MAX_HEADER = 16 * 1024;
const MAX_BODY = 64 * 1024;
const RTSP_PREFIX = [0x52, 0x54, 0x53, 0x50, 0x2f]; // "RTSP/"
const HTTP_PREFIX = "HTTP/";
const STATUS_LINE = /^RTSP\/\d\.\d (\d{3})(?: (.*))?$/;
const NON_PRINTABLE = /[^\x20-\x7e]/g;
/** OPTIONS answers that end the attempt; anything else still gets a DESCRIBE (lenient cameras). */
const DECISIVE_OPTIONS = new Set([401, 403, 454, 503]);
const AUTH_MEMORY = "rtspAuthScheme";
const BASIC: AuthChallenge = { scheme: "Basic", realm: "" };
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A failure whose message is already what users should see. */
class RtspFailure extends Error {}

/** The server closed (or reset) the connection; may be retried on a fresh one. */
class ClosedByServer extends RtspFailure {
  constructor() {
    super("connection closed by server");
  }
}

const invalid = (why: string) => new RtspFailure(`invalid RTSP response: ${why}`);

interface Response {
  status: number;
  reason: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Map<string, string>;
  body: Uint8Array;
}

type ProbeOptions = Required<Omit<RtspProbeOptions, "caCerts">> & { caCerts?: string[] };

interface Target {
  tls: boolean;
  hostname: string;
  port: number;
  /** The request URI, without user-info or fragment. */
  uri: string;
  creds?: Credentials;
}

/** Parses `rtsp[s]://[user[:pass]@]host[:port]/path`; returns an error text on failure. */
function parseTarget(url: string): Target | string {
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

/** One check's connection state: a growing read buffer, the CSeq counter, and the auth state. */
class Session {
  conn: Deno.Conn | undefined;
  exchanges = 0;
  private buf = new Uint8Array(2048);
  private len = 0;
  private cseq = 0;
  challenge: AuthChallenge | undefined;
  private nc = 0;

  readonly target: Target;
  readonly signal: AbortSignal;
  private readonly tlsInsecure: boolean;
  private readonly opts: ProbeOptions;

  constructor(
    init: { target: Target; tlsInsecure: boolean; signal: AbortSignal; opts: ProbeOptions },
  ) {
    this.target = init.target;
    this.tlsInsecure = init.tlsInsecure;
    this.signal = init.signal;
    this.opts = init.opts;
  }

  async open(): Promise<void> {
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

  /** Answers this challenge from now on; a new nonce restarts the nonce count. */
  useChallenge(ch: AuthChallenge): void {
    this.challenge = ch;
    this.nc = 0;
  }

  close(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.len = 0;
    try {
      conn?.close();
    } catch { /* already closed */ }
  }

  /** Sends one request and reads its response; on a closed keep-alive connection, reconnects once. */
  async request(method: string, headers = ""): Promise<Response> {
    if (!this.conn) await this.open();
    try {
      return await this.exchange(method, headers);
    } catch (err) {
      if (!(err instanceof ClosedByServer) || this.exchanges === 0) throw err;
      await this.open();
      return await this.exchange(method, headers);
    }
  }

  private async exchange(method: string, headers: string): Promise<Response> {
    let auth = "";
    if (this.challenge && this.target.creds) {
      auth = `Authorization: ${
        authorizationHeader(this.challenge, this.target.creds, {
          method,
          uri: this.target.uri,
          nc: ++this.nc,
        })
      }\r\n`;
    }
    const text = `${method} ${this.target.uri} RTSP/1.0\r\nCSeq: ${++this.cseq}\r\n` +
      `User-Agent: ${this.opts.userAgent}\r\n${headers}${auth}\r\n`;
    const bytes = encoder.encode(text);
    try {
      for (let off = 0; off < bytes.length;) off += await this.conn!.write(bytes.subarray(off));
    } catch (err) {
      throw closedOr(err);
    }
    const res = await this.receive();
    this.exchanges++;
    return res;
  }

  /** Reads one response: status line + headers (≤ 16 KiB), then Content-Length bytes (≤ 64 KiB). */
  private async receive(): Promise<Response> {
    let headEnd = -1;
    let scanned = 0;
    for (;;) {
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

function parseHead(head: string): Response {
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

/** Sends `method`, answering one 401 challenge (or a stale-nonce one) when credentials exist. */
async function authed(s: Session, method: string, headers?: string): Promise<Response> {
  let answered = false;
  for (;;) {
    const res = await s.request(method, headers);
    if (res.status !== 401 || !s.target.creds) return res;
    const ch = chooseChallenge(parseWwwAuthenticate(res.headers.get("www-authenticate") ?? ""));
    if (!ch || (answered && !ch.stale)) return res;
    answered = true;
    s.useChallenge(ch);
    if (res.headers.get("connection")?.toLowerCase() === "close") s.close();
  }
}

/** OPTIONS then DESCRIBE on one connection; returns the response that decides the result. */
async function describe(s: Session): Promise<Response> {
  const options = await authed(s, "OPTIONS");
  if (DECISIVE_OPTIONS.has(options.status)) return options;
  return await authed(s, "DESCRIBE", "Accept: application/sdp\r\n");
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Turns the final response into the result users see. */
function judge(res: Response, start: number, retried: boolean): ProbeResult {
  const details: Record<string, unknown> = { rtspStatus: res.status };
  const server = res.headers.get("server");
  if (server) details.server = server.slice(0, 120);
  if (retried) details.retried = true;
  const code = res.status;
  if (code === 401 || code === 403) return result(false, start, "authentication failed", details);
  if (code === 404) return result(false, start, "path not found", details);
  if (code !== 200) {
    const reason = res.reason.replace(NON_PRINTABLE, "").slice(0, 80);
    return result(false, start, `RTSP ${code}${reason ? ` ${reason}` : ""}`, details);
  }
  const sdp = parseSdp(decoder.decode(res.body));
  details.tracks = sdp.tracks.map((t) => ({
    media: t.media,
    codec: t.codec,
    payloadType: t.payloadType,
    clockRate: t.clockRate,
    control: t.control,
  }));
  const video = sdp.tracks.find((t) => t.media === "video");
  if (!video) return result(false, start, "no video track in SDP", details);
  details.videoCodec = video.codec ?? "unknown";
  return result(true, start, `RTSP 200, ${video.codec ?? "unknown codec"} video`, details);
}

/** Creates the RTSP probe; pass options only to swap dependencies (tests) or add CA certs. */
export function createRtspProbe(options: RtspProbeOptions = {}): Probe {
  const opts: ProbeOptions = {
    connect: options.connect ?? ((o: Deno.ConnectOptions) => Deno.connect(o)),
    caCerts: options.caCerts,
    retryDelayMs: options.retryDelayMs ?? 200,
    userAgent: options.userAgent ?? "StreamPulse",
  };
  return {
    kind: "rtsp",
    async check(stream: StreamConfig, ctx: ProbeContext): Promise<ProbeResult> {
      const start = performance.now();
      const target = parseTarget(stream.url);
      if (typeof target === "string") return result(false, start, target);
      if (ctx.signal.aborted) return result(false, start, describeError(undefined, ctx.signal));
      // One timer per check; aborting closes the socket, which ends any pending read or write.
      const ac = new AbortController();
      const timer = setTimeout(
        () => ac.abort(new DOMException("RTSP check timed out", "TimeoutError")),
        ctx.timeoutMs,
      );
      const onAbort = () => ac.abort(ctx.signal.reason);
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      const session = new Session({
        target,
        tlsInsecure: stream.tlsInsecure,
        signal: ac.signal,
        opts,
      });
      // Basic accepted last time: send it up front and save the 401 round trip. (Digest nonces
      // are per connection on most servers, so a cached one would only add a failed attempt.)
      if (target.creds && ctx.memory[AUTH_MEMORY] === "Basic") session.useChallenge(BASIC);
      ac.signal.addEventListener("abort", () => session.close(), { once: true });
      let out: ProbeResult;
      try {
        let res = await describe(session);
        const retry = res.status === 454 || res.status === 503;
        if (retry) {
          session.close();
          await pause(opts.retryDelayMs, ac.signal);
          ac.signal.throwIfAborted();
          res = await describe(session);
        }
        out = judge(res, start, retry);
        rememberAuth(ctx.memory, session, res.status);
      } catch (err) {
        const message = ac.signal.aborted || !(err instanceof RtspFailure)
          ? describeError(err, ac.signal)
          : err.message;
        out = result(false, start, message);
      } finally {
        clearTimeout(timer);
        ctx.signal.removeEventListener("abort", onAbort);
        session.close();
      }
      return scrub(out, target.creds);
    },
  };
}

/** Keeps "Basic" in the stream's memory while Basic credentials are accepted. */
function rememberAuth(memory: Record<string, unknown>, s: Session, status: number): void {
  if (!s.target.creds) return;
  if (status !== 401 && status !== 403 && s.challenge?.scheme === "Basic") {
    memory[AUTH_MEMORY] = "Basic";
  } else if (AUTH_MEMORY in memory) delete memory[AUTH_MEMORY];
}

/** Last line of defence: no message or detail may carry the URL's user name or password. */
function scrub(res: ProbeResult, creds: Credentials | undefined): ProbeResult {
  if (!creds) return res;
  const secrets = [creds.password, creds.username].filter((s) => s.length >= 3);
  if (!secrets.some((s) => res.message.includes(s))) {
    const server = res.details.server;
    if (typeof server !== "string" || !secrets.some((s) => server.includes(s))) return res;
  }
  res.message = redactText(res.message, secrets);
  if (typeof res.details.server === "string") {
    res.details.server = redactText(res.details.server, secrets);
  }
  return res;
}

/** The RTSP probe with production defaults. */
export const rtspProbe: Probe = createRtspProbe();
