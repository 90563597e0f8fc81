/** Live preview: MJPEG proxied, RTSP/HLS transcoded to MJPEG by ffmpeg; capped, timed, killed. */

import { createProcessPool, openInput, type ProcessPool, sourceOf } from "../monitor/media/mod.ts";
import { httpGet, kindOf } from "../monitor/probes/mod.ts";
import type { StreamConfig } from "../monitor/mod.ts";

/** The slice of the media process pool previews use. */
export type PreviewPool = Pick<ProcessPool, "run" | "stream">;

/** Dependencies of {@link createPreviews}. */
export interface PreviewsDeps {
  /** Most previews and snapshots at once (`preview.max_concurrent`, default 2). */
  maxConcurrent: () => number;
  /**
   * The process pool the media checks use (default: a pool of its own, for tests). Every ffmpeg
   * of a preview or snapshot runs in it, so `max_media_processes` caps checks and previews
   * together; see {@link createPreviews} for how they share it.
   */
  pool?: PreviewPool;
  /** A preview ends after this long (default 60 s). */
  maxMs?: number;
  /** How long a preview waits in line for a pool slot before answering 503 (default 2 s). */
  waitMs?: number;
  /** The ffmpeg executable (default "ffmpeg"). */
  ffmpeg?: string;
}

/** Running previews. */
export interface Previews {
  /**
   * A `multipart/x-mixed-replace` response of the stream, or 503 when every slot is taken. It
   * ends when the client cancels the body (tab closed), after `maxMs`, or when `signal` aborts.
   */
  preview(stream: StreamConfig, signal?: AbortSignal): Promise<Response>;
  /** One JPEG frame of the stream now (shares the slots; 15 s at most, waiting included). */
  snapshot(stream: StreamConfig, signal?: AbortSignal): Promise<Response>;
  /** Previews and snapshots whose process or request has not ended yet. */
  active(): number;
  /** Stops every preview and snapshot. */
  close(): void;
}

const BASE = ["-hide_banner", "-loglevel", "error", "-nostdin"];
/** Small, light output: at most 640 px wide, 5 frames/s. */
const MJPEG_OUT = [
  ...["-an", "-sn", "-dn", "-vf", "fps=5,scale='min(640,iw)':-2"],
  ...["-c:v", "mjpeg", "-q:v", "6", "-f", "mpjpeg", "-"],
];
const FRAME_OUT = ["-an", "-frames:v", "1", "-c:v", "mjpeg", "-f", "image2pipe", "-"];
const SNAPSHOT_MS = 15_000;

/** One taken preview slot: `signal` aborts when it must end; `free()` gives the slot back. */
interface Slot {
  signal: AbortSignal;
  end(): void;
  free(): void;
}

/**
 * Creates the preview runner. Two caps apply: `preview.max_concurrent` (previews, MJPEG proxies
 * and snapshots together), and the media pool shared with the checks. A preview's ffmpeg is a
 * long-running pool child ({@link ProcessPool.stream}): it holds at most half the pool, waits
 * in line behind the checks for `waitMs` at most, and is killed after `maxMs`, so previews can
 * never starve media checks. A snapshot is a short pool job like a check ({@link ProcessPool.run}).
 * close(), the caller's signal and the time limit kill the child through the pool, which counts it.
 */
export function createPreviews(deps: PreviewsDeps): Previews {
  const maxMs = deps.maxMs ?? 60_000;
  const ffmpeg = deps.ffmpeg ?? "ffmpeg";
  const pool = deps.pool ?? createProcessPool();
  const running = new Set<() => void>();
  const busy = (what: string) =>
    new Response(`${what}; try again when one ends (at most 60 s)`, {
      status: 503,
      headers: { "retry-after": "10", "content-type": "text/plain; charset=utf-8" },
    });
  const slotsBusy = () => busy(`All ${deps.maxConcurrent()} preview slots are in use`);
  const poolBusy = () => busy("Every media process slot is in use");

  /** Takes a slot that ends on close(), on the caller's abort, or after `limitMs`. */
  const take = (signal: AbortSignal | undefined, limitMs: number): Slot => {
    const ctrl = new AbortController();
    const end = () => ctrl.abort();
    running.add(end);
    signal?.addEventListener("abort", end, { once: true });
    if (signal?.aborted) end();
    const timer = setTimeout(end, limitMs);
    const free = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", end);
      running.delete(end);
    };
    return { signal: ctrl.signal, end, free };
  };

  /** Pipes `source` into a response body; the slot ends on end, cancel, abort or timeout. */
  const pipe = (source: ReadableStream<Uint8Array>, slot: Slot) => {
    const reader = source.getReader();
    slot.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), {
      once: true,
    });
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (done) {
            slot.end();
            controller.close();
          } else controller.enqueue(value);
        } catch {
          slot.end();
          try {
            controller.close();
          } catch { /* already closed */ }
        }
      },
      cancel: () => slot.end(),
    });
  };

  /** The media check's vetted input: credentials through the loopback relay, never on argv. */
  const inputOf = (stream: StreamConfig) =>
    openInput(stream.url, {
      source: sourceOf(stream),
      ioTimeoutSeconds: 5,
      tlsInsecure: stream.tlsInsecure,
    });

  /** Proxies an MJPEG or JPEG camera as it is (no process). */
  const proxy = async (stream: StreamConfig, slot: Slot) => {
    const giveUp = setTimeout(() => slot.end(), 10_000); // the camera must answer by then
    const res = await httpGet(stream.url, { signal: slot.signal, tlsInsecure: stream.tlsInsecure })
      .catch(() => undefined);
    clearTimeout(giveUp);
    if (!res?.ok || !res.body) {
      slot.end();
      slot.free();
      await res?.body?.cancel().catch(() => {});
      return new Response("The camera did not answer", { status: 502 });
    }
    if (slot.signal.aborted) slot.free();
    else slot.signal.addEventListener("abort", slot.free, { once: true });
    const type = res.headers.get("content-type") ?? "application/octet-stream";
    return new Response(pipe(res.body, slot), {
      headers: { "content-type": type, "cache-control": "no-store" },
    });
  };

  /** Transcodes the stream with ffmpeg as a long-running child of the shared pool. */
  const transcode = async (stream: StreamConfig, slot: Slot) => {
    const input = inputOf(stream);
    let child;
    try {
      child = await pool.stream(ffmpeg, [...BASE, ...input.args, ...MJPEG_OUT], {
        signal: slot.signal,
        timeoutMs: maxMs,
        waitMs: deps.waitMs,
      });
    } catch (err) {
      slot.free();
      void input.relay.close();
      if (slot.signal.aborted) return slotsBusy(); // closed or given up while in line
      throw err;
    }
    if (!child) {
      slot.free();
      void input.relay.close();
      return poolBusy();
    }
    child.exited.finally(() => {
      slot.free();
      void input.relay.close();
    });
    return new Response(pipe(child.stdout, slot), {
      headers: {
        "content-type": "multipart/x-mixed-replace;boundary=ffmpeg",
        "cache-control": "no-store, no-transform",
      },
    });
  };

  return {
    preview(stream, signal) {
      if (running.size >= deps.maxConcurrent()) return Promise.resolve(slotsBusy());
      const kind = kindOf(stream);
      const slot = take(signal, maxMs);
      return kind === "mjpeg" || kind === "snapshot"
        ? proxy(stream, slot)
        : transcode(stream, slot).catch((err) => {
          slot.free();
          throw err;
        });
    },
    async snapshot(stream, signal) {
      if (running.size >= deps.maxConcurrent()) return slotsBusy();
      const input = inputOf(stream);
      const slot = take(signal, SNAPSHOT_MS);
      try {
        const out = await pool.run(ffmpeg, [...BASE, ...input.args, ...FRAME_OUT], {
          signal: slot.signal,
          timeoutMs: SNAPSHOT_MS,
          maxStdoutBytes: 8 << 20,
        }).catch((err) => {
          if (slot.signal.aborted) return undefined; // gave up waiting for a pool slot
          throw err;
        });
        if (!out) return poolBusy();
        if (out.stdout.length < 100) {
          return new Response("No picture from the stream", { status: 502 });
        }
        return new Response(new Uint8Array(out.stdout), {
          headers: { "content-type": "image/jpeg", "cache-control": "no-store" },
        });
      } finally {
        slot.free();
        void input.relay.close();
      }
    },
    active: () => running.size,
    close() {
      for (const end of running) end();
    },
  };
}
