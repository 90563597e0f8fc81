/** The one HTTP GET of the probes: credentials → Basic auth, redirects, optional insecure TLS. */

import { type IncomingMessage, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import {
  describeError,
  type Probe,
  type ProbeContext,
  type ProbeKind,
  type ProbeResult,
  type ResponseInspector,
  result,
  type StreamConfig,
} from "./probe.ts";
import { clipText } from "../redact.ts";

/** Options of {@link httpGet}. */
export interface HttpGetOptions {
  /** Aborts the request and its body (the check's timeout). */
  signal: AbortSignal;
  /** Skip TLS certificate verification (self-signed cameras). */
  tlsInsecure?: boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

const MAX_REDIRECTS = 10;
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Splits `user:pass@` out of a URL: returns the URL without them and the matching Basic
 * `Authorization` value. Throws a TypeError that does not echo credentials when unparsable.
 */
export function splitCredentials(url: string): { url: URL; authorization?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`Cannot parse URL "${clipText(url, 200)}"`);
  }
  if (!u.username && !u.password) return { url: u };
  const pair = `${decode(u.username)}:${decode(u.password)}`;
  u.username = "";
  u.password = "";
  return { url: u, authorization: `Basic ${base64(new TextEncoder().encode(pair))}` };
}

/** Percent-decodes user info, keeping it as written when it is not valid percent-encoding. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * GETs `url`, following redirects. TLS is verified unless `tlsInsecure`: Deno's fetch has no
 * per-request switch for that (Deno.createHttpClient only adds CA certs), so insecure requests
 * go through `node:https` with `rejectUnauthorized: false` and are wrapped in a web Response.
 * Throws on network errors; turn them into text with {@link describeFetchError}.
 */
export async function httpGet(url: string, opts: HttpGetOptions): Promise<Response> {
  const { url: target, authorization } = splitCredentials(url);
  const headers: Record<string, string> = { ...opts.headers };
  if (authorization) headers["authorization"] = authorization;
  if (opts.tlsInsecure && target.protocol === "https:") {
    return await nodeGet(target, headers, opts.signal, 0);
  }
  return await fetchFollowing(target, headers, opts.signal);
}

/**
 * fetch() following at most {@link MAX_REDIRECTS} redirects itself (fetch's own limit is 20), the
 * same bound as the node path, and dropping the credentials when a redirect leaves the origin.
 */
async function fetchFollowing(
  first: URL,
  firstHeaders: Record<string, string>,
  signal: AbortSignal,
): Promise<Response> {
  let url = first;
  let headers = firstHeaders;
  for (let hops = 0;; hops++) {
    const res = await fetch(url, { signal, redirect: "manual", headers });
    const location = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || res.status === 304 || !location) return res;
    await discard(res);
    if (hops >= MAX_REDIRECTS) throw new TypeError("too many redirects");
    const next = new URL(location, url);
    if (next.origin !== url.origin && "authorization" in headers) {
      headers = { ...headers };
      delete headers["authorization"];
    }
    url = next;
  }
}

/**
 * GETs a stream's URL within its check: resolves with the Response, or with the short error
 * text (see {@link describeFetchError}) when the request failed.
 */
export async function probeGet(
  stream: StreamConfig,
  ctx: ProbeContext,
): Promise<Response | string> {
  try {
    return await httpGet(stream.url, { signal: ctx.signal, tlsInsecure: stream.tlsInsecure });
  } catch (err) {
    return describeFetchError(err, ctx.signal);
  }
}

function nodeGet(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
  hops: number,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(
      url,
      { method: "GET", headers, agent: false, rejectUnauthorized: false, signal },
      (res) => {
        try {
          const status = res.statusCode ?? 0;
          const location = res.headers.location;
          if (status >= 300 && status < 400 && location && status !== 304) {
            res.destroy();
            if (hops >= MAX_REDIRECTS) throw new TypeError("too many redirects");
            const next = new URL(location, url);
            const nextHeaders = { ...headers };
            if (next.origin !== url.origin) delete nextHeaders["authorization"];
            resolve(nodeGet(next, nextHeaders, signal, hops + 1));
          } else resolve(toResponse(res, url, signal));
        } catch (err) { // a bad Location or a status a web Response cannot carry
          res.destroy();
          reject(err);
        }
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Wraps a node response in a web Response whose body streams, pauses and cancels properly. */
function toResponse(res: IncomingMessage, url: URL, signal: AbortSignal): Response {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) { for (const v of value) headers.append(name, v); }
    else if (value !== undefined) headers.set(name, value);
  }
  let body: ReadableStream<Uint8Array> | null = null;
  if (NULL_BODY.has(status)) res.destroy();
  else {
    const onAbort = () => res.destroy(signal.reason);
    let open = true; // node may still emit after a cancel; the controller must not be touched then
    const finish = () => {
      open = false;
      signal.removeEventListener("abort", onAbort);
    };
    body = new ReadableStream<Uint8Array>({
      start(controller) {
        signal.addEventListener("abort", onAbort, { once: true });
        res.on("data", (chunk: Uint8Array) => {
          if (!open) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) res.pause();
        });
        res.on("end", () => {
          if (open) controller.close();
          finish();
        });
        res.on("error", (err) => {
          if (open) controller.error(err);
          finish();
        });
      },
      pull() {
        res.resume();
      },
      cancel() {
        finish();
        res.destroy();
      },
    });
  }
  const response = new Response(body, { status, statusText: res.statusMessage ?? "", headers });
  Object.defineProperty(response, "url", { value: url.href });
  return response;
}

/**
 * Turns an error thrown by {@link httpGet} or a body read into the short cause users see
 * ("timeout", "connection refused", "TLS handshake failed: invalid peer certificate: …"),
 * unwrapping fetch's "fetch failed" cause and dropping the "error sending request for url"
 * preamble. Never contains URL credentials.
 */
export function describeFetchError(err: unknown, signal?: AbortSignal): string {
  let e = err;
  for (let depth = 0; depth < 8 && e instanceof Error && e.cause instanceof Error; depth++) {
    e = e.cause;
  }
  const code = (e as { code?: unknown })?.code;
  if (!signal?.aborted) {
    if (code === "ECONNREFUSED") return "connection refused";
    if (code === "ECONNRESET" || code === "EPIPE") return "connection reset";
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "DNS lookup failed";
  }
  if (e instanceof Error && !(e instanceof Deno.errors.ConnectionRefused)) {
    // Both patterns are anchored, so they cost one pass even on a long camera-quoting message.
    const msg = e.message
      .replace(/^error sending request .*?\): /, "")
      .replace(/^client error \(\w+\): /, "");
    if (msg !== e.message) e = new Error(msg);
  }
  return describeError(e, signal); // clipped and masked there
}

/**
 * The media type of a response, lower case, without parameters ("" when absent), clipped to
 * 100 characters (no real media type is longer; the camera may send anything).
 */
export function mediaType(res: Response): string {
  const ct = res.headers.get("content-type");
  if (!ct) return "";
  const semi = ct.indexOf(";");
  return clipText((semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase(), 100);
}

/** "HTTP 404 Not Found" (or "HTTP 404" when the server sent no reason phrase); reason clipped. */
export function statusLine(res: Response): string {
  const reason = clipText(res.statusText, 80);
  return reason ? `HTTP ${res.status} ${reason}` : `HTTP ${res.status}`;
}

/** Cancels a body the caller will not read, ignoring errors (the connection may be gone). */
export async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // Already closed or errored: nothing left to release.
  }
}

/**
 * Reads a whole body of at most `limit` bytes. Returns undefined (and cancels the body) when the
 * declared or actual size exceeds the limit. Read errors are thrown; so is `signal.reason` when
 * `signal` aborts, even for a body not tied to it.
 */
export async function readLimited(
  res: Response,
  opts: { limit: number; signal?: AbortSignal },
): Promise<Uint8Array | undefined> {
  const { limit, signal } = opts;
  if (Number(res.headers.get("content-length")) > limit) {
    await discard(res);
    return undefined;
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const stop = cancelOnAbort(reader, signal);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw signal.reason;
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    stop();
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Cancels `reader` when `signal` aborts, so a pending read ends even when the body was not
 * created with that signal (a Response handed to an inspector). Returns the clean-up function.
 */
export function cancelOnAbort(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal | undefined,
): () => void {
  if (!signal) return () => {};
  const onAbort = () => void reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

/** Judges an HTTP response: the part a content-type probe adds to the shared GET. */
export type ResponseJudge = (
  res: Response,
  ctx: ProbeContext,
  start: number,
) => Promise<ProbeResult>;

/**
 * A probe that GETs the stream's URL and judges the response, and that can also judge a
 * response the HTTP probe fetched itself (content-type sniffing) — MJPEG and snapshots.
 */
export function judgingProbe(
  kind: ProbeKind,
  contentTypes: readonly string[],
  judge: ResponseJudge,
): Probe & ResponseInspector {
  return {
    kind,
    contentTypes,
    async check(stream, ctx) {
      const start = performance.now();
      const res = await probeGet(stream, ctx);
      if (typeof res === "string") return result(false, start, res);
      return judge(res, ctx, start);
    },
    inspect: (res, _stream, ctx) => judge(res, ctx, performance.now()),
  };
}
