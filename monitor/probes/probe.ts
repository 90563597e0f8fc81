/** The probe interface and the small helpers every probe shares (results, error causes). */

export type {
  Probe,
  ProbeContext,
  ProbeKind,
  ProbeResult,
  ResponseInspector,
  StreamConfig,
} from "../types.ts";
import type { ProbeResult } from "../types.ts";
import { clipText } from "../redact.ts";

/** Longest message a probe result carries (the last line of defence; probes clip earlier). */
export const MAX_MESSAGE = 300;

/**
 * Builds a result, measuring latency from `startMs` (a `performance.now()` reading). The
 * message is bounded to {@link MAX_MESSAGE} characters with user-info masked.
 */
export function result(
  ok: boolean,
  startMs: number,
  message: string,
  details: Record<string, unknown> = {},
): ProbeResult {
  const latencyMs = Math.round((performance.now() - startMs) * 10) / 10;
  return { ok, latencyMs, message: clipText(message, MAX_MESSAGE), details };
}

/**
 * Turns a network error into the short cause users see: "timeout", "connection refused",
 * "DNS lookup failed", "TLS handshake failed: …", "connection reset", or the error's own text.
 * `signal` tells a timeout (our abort) from other failures.
 */
export function describeError(err: unknown, signal?: AbortSignal): string {
  if (signal?.aborted) {
    const reason = signal.reason;
    if (reason instanceof DOMException && reason.name === "TimeoutError") return "timeout";
    if (reason instanceof Error && reason.message) return reason.message;
    return "timeout";
  }
  if (err instanceof Deno.errors.ConnectionRefused) return "connection refused";
  if (err instanceof Deno.errors.ConnectionReset) return "connection reset";
  if (err instanceof Deno.errors.TimedOut) return "timeout";
  // Bounded before any regex sees it: the text may quote what a camera sent.
  const msg = firstLine(err instanceof Error ? err.message : String(err)).slice(0, 1000);
  if (/dns error|failed to lookup|name or service not known|no address associated/i.test(msg)) {
    return "DNS lookup failed";
  }
  if (/certificate|tls|handshake|invalidcert|unknownissuer/i.test(msg)) {
    return `TLS handshake failed: ${clipText(msg, 160)}`;
  }
  if (/connection refused/i.test(msg)) return "connection refused";
  if (/reset|broken pipe/i.test(msg)) return "connection reset";
  return clipText(msg, 200);
}

/** The text before the first line break (without splitting the whole text). */
function firstLine(text: string): string {
  const nl = text.indexOf("\n");
  return nl < 0 ? text : text.slice(0, nl);
}
