/** Turns a failed fetch into the short cause a delivery log shows, without the URL it quotes. */

/** The innermost error of a cause chain (fetch wraps the real one as "fetch failed"). */
function innermost(err: unknown): unknown {
  let e = err;
  for (let depth = 0; depth < 8 && e instanceof Error && e.cause instanceof Error; depth++) {
    e = e.cause;
  }
  return e;
}

/**
 * "timeout" (or the abort reason) when `signal` ended the attempt, else "connection refused",
 * "connection reset", "DNS lookup failed", "TLS handshake failed: …" or the error's first line
 * without fetch's "error sending request for url (…)" preamble, at most 200 characters.
 * Callers still mask secrets in it.
 */
export function describeNetworkError(err: unknown, signal?: AbortSignal): string {
  if (signal?.aborted) {
    const reason = signal.reason;
    if (reason instanceof DOMException && reason.name === "TimeoutError") return "timeout";
    return reason instanceof Error && reason.message ? `aborted: ${reason.message}` : "timeout";
  }
  const e = innermost(err);
  const code = (e as { code?: unknown })?.code;
  if (code === "ECONNREFUSED" || e instanceof Deno.errors.ConnectionRefused) {
    return "connection refused";
  }
  if (code === "ECONNRESET" || e instanceof Deno.errors.ConnectionReset) return "connection reset";
  // Bounded before any regex sees it; both patterns are anchored.
  const raw = (e instanceof Error ? e.message : String(e)).split("\n", 1)[0].slice(0, 1000);
  const msg = raw.replace(/^error sending request .*?\): /, "").replace(
    /^client error \(\w+\): /,
    "",
  );
  if (/connection refused/i.test(msg)) return "connection refused";
  if (/dns error|failed to lookup|name or service not known/i.test(msg)) return "DNS lookup failed";
  if (/certificate|tls|handshake/i.test(msg)) return `TLS handshake failed: ${msg.slice(0, 160)}`;
  if (/reset|broken pipe/i.test(msg)) return "connection reset";
  return msg.slice(0, 200);
}
