/** MJPEG probe: ok when one complete JPEG frame arrives from a multipart/x-mixed-replace stream. */

import {
  type Probe,
  type ProbeContext,
  type ProbeResult,
  type ResponseInspector,
  result,
} from "./probe.ts";
import {
  cancelOnAbort,
  describeFetchError,
  discard,
  judgingProbe,
  mediaType,
  statusLine,
} from "./http_fetch.ts";
import { formatBytes, formatLimit, scanJpeg } from "./jpeg.ts";
import { clipText } from "../redact.ts";

/** Default byte bound: no frame within this many bytes means the stream is broken. */
export const MJPEG_MAX_BYTES = 4 * 1024 * 1024;

/** Options of {@link createMjpegProbe}. */
export interface MjpegProbeDeps {
  /** Bytes to read before giving up on finding a frame (default {@link MJPEG_MAX_BYTES}). */
  maxBytes?: number;
}

/** Creates an MJPEG probe; {@link mjpegProbe} is the default instance. */
export function createMjpegProbe(opts: MjpegProbeDeps = {}): Probe & ResponseInspector {
  const maxBytes = opts.maxBytes ?? MJPEG_MAX_BYTES;
  const limitText = formatLimit(maxBytes);

  async function judge(res: Response, ctx: ProbeContext, start: number): Promise<ProbeResult> {
    const contentType = mediaType(res);
    const details: Record<string, unknown> = {
      httpStatus: res.status,
      contentType,
      boundary: boundaryOf(res.headers.get("content-type") ?? ""),
    };
    if (!res.ok) {
      await discard(res);
      return result(false, start, statusLine(res), details);
    }
    if (contentType !== "multipart/x-mixed-replace") {
      await discard(res);
      return result(false, start, `unexpected content type ${contentType || "(none)"}`, details);
    }
    if (!res.body) return result(false, start, "empty body", details);
    const reader = res.body.getReader();
    const stop = cancelOnAbort(reader, ctx.signal);
    // Bytes not yet ruled out are kept in `buf[0, len)`; scanJpeg tells what can be dropped.
    let buf = new Uint8Array(0);
    let len = 0;
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (ctx.signal.aborted) return result(false, start, abortMessage(ctx.signal), details);
        if (done) return result(false, start, "stream ended before a complete JPEG frame", details);
        total += value.byteLength;
        if (len + value.byteLength > buf.length) {
          const bigger = new Uint8Array(Math.max(buf.length * 2, len + value.byteLength));
          bigger.set(buf.subarray(0, len));
          buf = bigger;
        }
        buf.set(value, len);
        len += value.byteLength;
        let from = 0;
        for (;;) {
          const scan = scanJpeg(buf.subarray(0, len), from);
          if (!scan.found) {
            buf.copyWithin(0, scan.resumeAt, len);
            len -= scan.resumeAt;
            break;
          }
          if (scan.width > 0 && scan.height > 0) {
            const frameBytes = scan.end - scan.start;
            Object.assign(details, { frameBytes, width: scan.width, height: scan.height });
            const msg = `MJPEG frame ${scan.width}x${scan.height} (${formatBytes(frameBytes)})`;
            return result(true, start, msg, details);
          }
          from = scan.end; // a complete JPEG without a frame size: keep looking
        }
        if (total >= maxBytes) {
          return result(false, start, `no JPEG frame within ${limitText}`, details);
        }
      }
    } catch (err) {
      const msg = ctx.signal.aborted
        ? abortMessage(ctx.signal)
        : `stream error: ${describeFetchError(err)}`;
      return result(false, start, msg, details);
    } finally {
      stop();
      await reader.cancel().catch(() => {});
    }
  }

  return judgingProbe("mjpeg", ["multipart/x-mixed-replace"], judge);
}

/** "timeout waiting for a frame", or the abort's own reason when it was not a timeout. */
function abortMessage(signal: AbortSignal): string {
  const why = describeFetchError(undefined, signal);
  return why === "timeout" ? "timeout waiting for a frame" : why;
}

/** The multipart boundary named in a Content-Type header, or null (at most 70 characters). */
function boundaryOf(contentType: string): string | null {
  // Bounded before the regex: a real header is short, a camera's may not be.
  const m = /;\s*boundary="?([^";]+)"?/i.exec(contentType.slice(0, 1024));
  return m ? clipText(m[1], 70) : null; // RFC 2046: boundaries are 1–70 characters
}

/** The MJPEG probe with default bounds. */
export const mjpegProbe: Probe & ResponseInspector = createMjpegProbe();
