/** Why a preview cannot start: the stream's own handshake probe, run before any ffmpeg. */

import { clipText, type StreamConfig } from "../monitor/mod.ts";
import { selectProbe } from "../monitor/probes/mod.ts";

/** A probe's result (monitor/mod.ts does not export the type itself). */
export type ProbeResult = Awaited<ReturnType<ReturnType<typeof selectProbe>["check"]>>;

/** Runs a stream's handshake check (default: its probe from the registry, like "Test now"). */
export type PreviewProbe = (stream: StreamConfig, signal: AbortSignal) => Promise<ProbeResult>;

/** What a preview check answers: `{ok: true}` or the reason in words. */
export type PreviewCheck = { ok: true } | { ok: false; reason: string };

/** Longest a handshake may take before the preview gives up on it. */
const MAX_PROBE_MS = 15_000;

/**
 * The default {@link PreviewProbe}: the stream's probe (`selectProbe`) with the stream's own
 * timeout (at most 15 s) and a fresh memory, so it says "connection refused" in milliseconds.
 */
export function defaultPreviewProbe(now: () => number = Date.now): PreviewProbe {
  return (stream, signal) => {
    const timeoutMs = Math.min(MAX_PROBE_MS, Math.max(1, stream.timeoutSeconds) * 1000);
    const limit = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    return selectProbe(stream).check(stream, { signal: limit, timeoutMs, memory: {}, now });
  };
}

/**
 * Turns a probe result into the preview's verdict. Status codes are named the same way for
 * RTSP and HTTP: 404 → "not found (404)", 401/403 → "authentication failed"; anything else
 * keeps the probe's own cause ("connection refused", "timeout", "DNS lookup failed", …).
 */
export function checkOf(result: ProbeResult): PreviewCheck {
  if (result.ok) return { ok: true };
  const d = result.details ?? {};
  const status = Number(d.rtspStatus ?? d.httpStatus);
  if (status === 404) return { ok: false, reason: "not found (404)" };
  if (status === 401 || status === 403) return { ok: false, reason: "authentication failed" };
  return { ok: false, reason: clipText(result.message || "no answer", 200) };
}

/** Runs `probe` and judges it; a probe that throws is reported by its message, clipped. */
export async function checkStream(
  probe: PreviewProbe,
  stream: StreamConfig,
  signal: AbortSignal,
): Promise<PreviewCheck> {
  try {
    return checkOf(await probe(stream, signal));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: clipText(msg.slice(0, 1000), 200) };
  }
}

/** A 502 answer carrying the reason as plain text (the island shows it as it is). */
export function problemResponse(reason: string, status = 502): Response {
  return new Response(reason, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}
