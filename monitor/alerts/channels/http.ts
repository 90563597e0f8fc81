/** The one HTTP send of every channel: bounded answer, status → verdict, secrets masked. */

import { clipText, redactText } from "../../redact.ts";
import type { DeliveryResult, SendContext } from "../types.ts";
import { describeFetchError } from "../../probes/mod.ts";

/** At most this much of a provider's answer is read; the rest is never downloaded. */
export const MAX_ANSWER_BYTES = 64 * 1024;
/** A result's `answer` is at most this many characters. */
export const MAX_ANSWER_CHARS = 300;

/** One request of a channel. */
export interface HttpCall {
  method: "POST" | "PUT";
  url: string;
  headers?: Record<string, string>;
  body?: BodyInit;
}

/** What the provider answered: its status, headers and the first {@link MAX_ANSWER_BYTES}. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * Refines the verdict taken from the status alone, from what the provider said (Telegram's
 * `ok:false` under HTTP 200, Discord's `retry_after`, …). Its `answer` is masked afterwards too.
 */
export type AnswerJudge = (answer: HttpAnswer, base: DeliveryResult) => DeliveryResult;

/** Options of {@link sendHttp}. */
export interface HttpSendOptions {
  /** Everything that must never show in an answer (tokens, passwords, URL keys). */
  secrets: readonly string[];
  judge?: AnswerJudge;
  /** The clock for Retry-After dates (default Date.now). */
  now?: () => number;
}

/**
 * What a status means: 2xx ok; 408, 425, 429 and 5xx retryable; a redirect (never followed, as
 * it would carry the credentials elsewhere) and every other 4xx permanent — 400, 401, 403, 404,
 * 413 and 422 among them: retrying cannot change the answer.
 */
export function statusVerdict(status: number): { ok: boolean; permanent?: boolean } {
  if (status >= 200 && status < 300) return { ok: true };
  if (status === 408 || status === 425 || status === 429 || status >= 500) return { ok: false };
  return { ok: false, permanent: true };
}

/**
 * A Retry-After value in ms: delay-seconds (`120`, fractions allowed) or an HTTP date (relative
 * to `now`, never negative). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const v = value?.trim();
  if (!v || v.length > 64) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The answer made safe: every secret (longest first) and URL user-info masked, control
 * characters removed, clipped to {@link MAX_ANSWER_CHARS}.
 */
export function safeAnswer(text: string, secrets: readonly string[]): string {
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  return clipText(redactText(text, sorted), MAX_ANSWER_CHARS - 1).trim();
}

/** `result` with its answer made safe (see {@link safeAnswer}) and no undefined fields. */
export function finish(result: DeliveryResult, secrets: readonly string[]): DeliveryResult {
  const out: DeliveryResult = { ok: result.ok, answer: safeAnswer(result.answer, secrets) };
  if (result.status !== undefined) out.status = result.status;
  if (result.retryAfterMs !== undefined) out.retryAfterMs = result.retryAfterMs;
  if (result.permanent) out.permanent = true;
  return out;
}

/**
 * Reads at most `limit` bytes of `res`'s body as text and cancels the rest, so a huge answer
 * costs no more than `limit`. Ends when `signal` aborts.
 */
export async function readAnswer(
  res: Response,
  limit: number,
  signal: AbortSignal,
): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const onAbort = () => void reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < limit) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      chunks.push(value.subarray(0, limit - total));
      total += Math.min(value.byteLength, limit - total);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    await reader.cancel().catch(() => {});
  }
  const decoder = new TextDecoder();
  return chunks.map((c, i) => decoder.decode(c, { stream: i < chunks.length - 1 })).join("");
}

/** The origin of `url` for messages: never its user-info, path or query (they may hold keys). */
export function displayOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}

/** The base verdict of an answer: by status, Retry-After read, the body quoted on failure. */
function judgeStatus(a: HttpAnswer, now: number): DeliveryResult {
  const verdict = statusVerdict(a.status);
  const body = a.text.trim();
  const result: DeliveryResult = {
    ...verdict,
    status: a.status,
    answer: verdict.ok ? body || `HTTP ${a.status}` : `HTTP ${a.status}${body ? `: ${body}` : ""}`,
  };
  if (a.status >= 300 && a.status < 400) {
    result.answer = `HTTP ${a.status}: redirect not followed (check the URL)`;
  }
  if (!verdict.ok) {
    const retryAfterMs = parseRetryAfter(a.headers.get("retry-after"), now);
    if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  }
  return result;
}

/**
 * Sends one request with `ctx.fetch` under `ctx.signal` and turns whatever happens into a
 * {@link DeliveryResult}: never throws, never follows a redirect, reads at most
 * {@link MAX_ANSWER_BYTES} of the answer, and masks `opts.secrets` out of the answer. A network
 * error names the method and the origin only ("connection refused (POST https://host:8443)").
 */
export async function sendHttp(
  call: HttpCall,
  ctx: Pick<SendContext, "fetch" | "signal">,
  opts: HttpSendOptions,
): Promise<DeliveryResult> {
  const now = opts.now ?? Date.now;
  let answer: HttpAnswer;
  try {
    const headers = new Headers({ "user-agent": "StreamPulse", ...call.headers });
    const res = await ctx.fetch(call.url, {
      method: call.method,
      headers,
      body: call.body,
      signal: ctx.signal,
      redirect: "manual",
    });
    const text = await readAnswer(res, MAX_ANSWER_BYTES, ctx.signal);
    answer = { status: res.status, headers: res.headers, text };
  } catch (err) {
    const cause = describeFetchError(err, ctx.signal);
    return finish({ ok: false, answer: `${cause} (${call.method} ${displayOrigin(call.url)})` }, [
      ...opts.secrets,
      call.url,
    ]);
  }
  let result = judgeStatus(answer, now());
  if (opts.judge) {
    try {
      result = opts.judge(answer, result);
    } catch (err) {
      result = { ...result, ok: false, answer: `unreadable answer: ${String(err)}` };
    }
  }
  return finish(result, opts.secrets);
}

/** Parses JSON text, undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The plain-object view of a JSON value (empty when it is not an object). */
export function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? value as Record<string, unknown>
    : {};
}

/** {@link sendHttp} of `POST url` with `payload` as a JSON body (the chat services' webhooks). */
export function postJson(
  url: string,
  payload: unknown,
  ctx: Pick<SendContext, "fetch" | "signal">,
  opts: HttpSendOptions,
): Promise<DeliveryResult> {
  const headers = { "content-type": "application/json" };
  return sendHttp({ method: "POST", url, headers, body: JSON.stringify(payload) }, ctx, opts);
}
