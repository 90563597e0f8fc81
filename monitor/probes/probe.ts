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

/** Builds a result, measuring latency from `startMs` (a `performance.now()` reading). */
export function result(
  ok: boolean,
  startMs: number,
  message: string,
  details: Record<string, unknown> = {},
): ProbeResult {
  return { ok, latencyMs: Math.round((performance.now() - startMs) * 10) / 10, message, details };
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
  const msg = err instanceof Error ? err.message : String(err);
  if (/dns error|failed to lookup|name or service not known|no address associated/i.test(msg)) {
    return "DNS lookup failed";
  }
  if (/certificate|tls|handshake|invalidcert|unknownissuer/i.test(msg)) {
    return `TLS handshake failed: ${msg.split("\n")[0].slice(0, 160)}`;
  }
  if (/connection refused/i.test(msg)) return "connection refused";
  if (/reset|broken pipe/i.test(msg)) return "connection reset";
  return msg.split("\n")[0].slice(0, 200);
}
