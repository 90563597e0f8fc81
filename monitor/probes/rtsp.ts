/** The native RTSP probe: OPTIONS + DESCRIBE on one connection, answering auth challenges. */

import { clipText, redactText } from "../redact.ts";
import { describeError, type Probe, type ProbeContext, type ProbeResult, result } from "./probe.ts";
import type { StreamConfig } from "../types.ts";
import type { AuthChallenge, Credentials } from "./rtsp_auth.ts";
import { authed, channelOf, type RtspChannel, secretsOf, Session } from "./rtsp_channel.ts";
import { parseRtspTarget, RtspFailure, type RtspResponse } from "./rtsp_wire.ts";
import { parseSdp } from "./sdp.ts";

export type { RtspChannel } from "./rtsp_channel.ts";
export type { RtspRequestOptions, RtspResponse, TakenConnection } from "./rtsp_wire.ts";

/** Dependencies and knobs of {@link createRtspProbe}; the defaults are what production uses. */
export interface RtspProbeDeps {
  /** Opens the TCP connection (default `Deno.connect`). */
  connect?: (opts: Deno.ConnectOptions) => Promise<Deno.TcpConn>;
  /** Extra PEM root certificates for rtsps:// (e.g. a camera's own CA). */
  caCerts?: string[];
  /** Pause before the one retry after 454/503 (default 200 ms). */
  retryDelayMs?: number;
  /** The User-Agent header (default "StreamPulse"). */
  userAgent?: string;
}

const NON_PRINTABLE = /[^\x20-\x7e]/g;
/** Tracks listed in `details.tracks`; a camera's SDP may hold thousands of `m=` lines. */
const MAX_TRACKS = 16;
/** OPTIONS answers that end the attempt; anything else still gets a DESCRIBE (lenient cameras). */
const DECISIVE_OPTIONS = new Set([401, 403, 454, 503]);
const AUTH_MEMORY = "rtspAuthScheme";
const BASIC: AuthChallenge = { scheme: "Basic", realm: "" };
const decoder = new TextDecoder();

type ProbeOptions = Required<Omit<RtspProbeDeps, "caCerts">> & { caCerts?: string[] };

/** OPTIONS then DESCRIBE on one connection; returns the response that decides the result. */
async function describe(s: Session): Promise<RtspResponse> {
  const options = await authed(s, "OPTIONS");
  if (DECISIVE_OPTIONS.has(options.status)) return options;
  return await authed(s, "DESCRIBE", { headers: "Accept: application/sdp\r\n" });
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

/**
 * Turns the final response into the result users see. Every text the camera sent (Server,
 * reason phrase, SDP fields) is clipped before it lands in the message or details.
 */
function judge(res: RtspResponse, start: number, retried: boolean): ProbeResult {
  const details: Record<string, unknown> = { rtspStatus: res.status };
  const server = res.headers.get("server");
  if (server) details.server = clipText(server, 120);
  if (retried) details.retried = true;
  const code = res.status;
  if (code === 401 || code === 403) return result(false, start, "authentication failed", details);
  if (code === 404) return result(false, start, "path not found", details);
  if (code !== 200) {
    const reason = clipText(res.reason.slice(0, 200).replace(NON_PRINTABLE, ""), 80);
    return result(false, start, `RTSP ${code}${reason ? ` ${reason}` : ""}`, details);
  }
  const sdp = parseSdp(decoder.decode(res.body));
  details.tracks = sdp.tracks.slice(0, MAX_TRACKS).map((t) => ({
    media: clipText(t.media, 32),
    codec: t.codec === undefined ? undefined : clipText(t.codec, 32),
    payloadType: t.payloadType,
    clockRate: t.clockRate,
    control: t.control === undefined ? undefined : clipText(t.control, 256),
  }));
  if (sdp.tracks.length > MAX_TRACKS) details.trackCount = sdp.tracks.length;
  const video = sdp.tracks.find((t) => t.media === "video");
  if (!video) return result(false, start, "no video track in SDP", details);
  const codec = video.codec === undefined ? undefined : clipText(video.codec, 32);
  details.videoCodec = codec ?? "unknown";
  return result(true, start, `RTSP 200, ${codec ?? "unknown codec"} video`, details);
}

/** What {@link rtspSession} does after the handshake, and how it dials. */
export interface RtspSessionOptions<T> {
  /**
   * Runs on the open, authenticated connection once DESCRIBE answered 200 with a video track
   * (the handshake's own timer is then stopped: the continuation bounds its own time and closes
   * the channel when it runs out). Should return failures as values; what it throws is rethrown.
   */
  media?: (channel: RtspChannel) => Promise<T>;
  /** Dial options (default: production's). */
  dial?: RtspProbeDeps;
}

/** The handshake's verdict and, when it passed and a continuation ran, what that returned. */
export interface RtspSessionResult<T> {
  /** The handshake (OPTIONS + DESCRIBE) result, exactly what the RTSP probe reports. */
  result: ProbeResult;
  /** The continuation's value; absent when the handshake failed (a handshake failure wins). */
  media?: T;
}

/** Fills in the production defaults of {@link RtspProbeDeps}. */
function resolveOptions(options: RtspProbeDeps): ProbeOptions {
  return {
    connect: options.connect ?? ((o: Deno.ConnectOptions) => Deno.connect(o)),
    caCerts: options.caCerts,
    retryDelayMs: options.retryDelayMs ?? 200,
    userAgent: options.userAgent ?? "StreamPulse",
  };
}

/**
 * The RTSP handshake (OPTIONS + DESCRIBE, auth answered) and, when asked, a continuation on the
 * same connection: `rtspSession(stream, ctx, {media: (ch) => …})`. The connection is closed on
 * every exit path, whatever the continuation did.
 */
export function rtspSession<T>(
  stream: StreamConfig,
  ctx: ProbeContext,
  options: RtspSessionOptions<T> = {},
): Promise<RtspSessionResult<T>> {
  return runSession(stream, ctx, resolveOptions(options.dial ?? {}), options.media);
}

async function runSession<T>(
  stream: StreamConfig,
  ctx: ProbeContext,
  opts: ProbeOptions,
  media?: (channel: RtspChannel) => Promise<T>,
): Promise<RtspSessionResult<T>> {
  const start = performance.now();
  const target = parseRtspTarget(stream.url);
  if (typeof target === "string") return { result: result(false, start, target) };
  if (ctx.signal.aborted) {
    return { result: result(false, start, describeError(undefined, ctx.signal)) };
  }
  // One timer per check; aborting closes the socket, which ends any pending read or write.
  const ac = new AbortController();
  const timer = setTimeout(
    () => ac.abort(new DOMException("RTSP check timed out", "TimeoutError")),
    ctx.timeoutMs,
  );
  const onAbort = () => ac.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const session = new Session({ target, tlsInsecure: stream.tlsInsecure, signal: ac.signal, opts });
  // Basic accepted last time: send it up front and save the 401 round trip. (Digest nonces
  // are per connection on most servers, so a cached one would only add a failed attempt.)
  if (target.creds && ctx.memory[AUTH_MEMORY] === "Basic") session.useChallenge(BASIC);
  ac.signal.addEventListener("abort", () => session.conn.close(), { once: true });
  let out: ProbeResult;
  let res: RtspResponse | undefined;
  try {
    res = await describe(session);
    const retry = res.status === 454 || res.status === 503;
    if (retry) {
      session.conn.close();
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
  }
  try {
    out = scrub(out, target.creds);
    if (!out.ok || !media || !res) return { result: out };
    const channel = channelOf(session, res, decoder.decode(res.body), ac.signal);
    return { result: out, media: await media(channel) };
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    session.conn.close();
  }
}

/** Creates the RTSP probe; pass options only to swap dependencies (tests) or add CA certs. */
export function createRtspProbe(options: RtspProbeDeps = {}): Probe {
  const opts = resolveOptions(options);
  return {
    kind: "rtsp",
    async check(stream: StreamConfig, ctx: ProbeContext): Promise<ProbeResult> {
      return (await runSession(stream, ctx, opts)).result;
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
  const secrets = secretsOf(creds);
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
