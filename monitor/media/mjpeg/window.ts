/** The read loop of sampleMjpeg(): one bounded window of an MJPEG body, frames kept for decoding. */

import { describeFetchError } from "../../probes/mod.ts";
import { createMjpegReader, type MjpegFrame } from "./reader.ts";

/** Bounds of one window (see `MjpegSampleOptions`, whose defaults are applied here). */
export interface WindowOptions {
  signal: AbortSignal;
  windowMs?: number;
  maxFrames?: number;
  maxWindowBytes?: number;
  maxFrameBytes: number;
  clock: () => number;
  /** Frames kept: `keep − 1` spread over the window, then the newest. */
  keep: number;
}

/** A frame kept for decoding or as the snapshot (copied out of the reader's buffer). */
export interface Kept {
  bytes: Uint8Array;
  width: number;
  height: number;
  at: number;
}

/** What one window read: arrival times, kept frames, byte counts, and why it ended early. */
export interface WindowResult {
  /** Arrival time of each frame. */
  times: number[];
  /** Frames spread over the window, the newest last. */
  kept: Kept[];
  bytes: number;
  /** Bytes read from the body in all (frames, junk and the part that broke a bound). */
  read: number;
  firstBytes: number;
  problem?: string;
}

/** Reads the body until the window, a frame or byte bound, the signal or the stream ends. */
export async function readWindow(
  body: ReadableStream<Uint8Array>,
  o: WindowOptions,
): Promise<WindowResult> {
  const windowMs = o.windowMs ?? 2000;
  const maxFrames = o.maxFrames ?? 120;
  const maxBytes = o.maxWindowBytes ?? 32 * 1024 * 1024;
  const spacing = windowMs / o.keep;
  const out: WindowResult = { times: [], kept: [], bytes: 0, firstBytes: 0, read: 0 };
  let latest: Kept | undefined;
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let windowOver = false;
  const stop = () => void reader.cancel().catch(() => {});
  const onFrame = (f: MjpegFrame) => {
    if (out.times.length === 0) {
      out.firstBytes = f.bytes.length;
      timer = setTimeout(() => {
        windowOver = true;
        stop();
      }, windowMs);
    }
    out.times.push(f.at);
    out.bytes += f.bytes.length;
    const copy = { bytes: f.bytes.slice(), width: f.width, height: f.height, at: f.at };
    const lastKept = out.kept[out.kept.length - 1];
    if (out.kept.length < o.keep - 1 && (!lastKept || f.at - lastKept.at >= spacing)) {
      out.kept.push(copy);
      latest = undefined;
    } else latest = copy;
  };
  const mjpeg = createMjpegReader({ onFrame, maxFrameBytes: o.maxFrameBytes });
  const onAbort = stop;
  o.signal.addEventListener("abort", onAbort, { once: true });
  try {
    while (out.times.length < maxFrames) {
      const { done, value } = await reader.read();
      if (done) break;
      out.read += value.length;
      mjpeg.push(value, o.clock());
      out.problem = mjpeg.problem();
      if (out.problem) break;
      if (mjpeg.bytesSinceFrame() > o.maxFrameBytes) {
        out.problem = `no complete JPEG frame within ${o.maxFrameBytes} bytes`;
        break;
      }
      if (out.read >= maxBytes) break; // a bound on work, not a fault: what was read counts
    }
  } catch (err) {
    if (!windowOver) out.problem = `stream error: ${describeFetchError(err, o.signal)}`;
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener("abort", onAbort);
    stop();
  }
  if (latest) out.kept.push(latest);
  if (!out.problem && out.times.length === 0) {
    out.problem = o.signal.aborted
      ? `${describeFetchError(undefined, o.signal)} waiting for a frame`
      : "stream ended before a complete JPEG frame";
  }
  if (out.problem && mjpeg.broken() > 0) out.problem += ` (${mjpeg.broken()} broken frames)`;
  return out;
}
