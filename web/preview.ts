/** Live preview: MJPEG proxied or transcoded, H.264 copied as fMP4; probed first, capped, killed. */

import { createProcessPool, openInput, type ProcessPool, sourceOf } from "../monitor/media/mod.ts";
import { describeFetchError, httpGet, kindOf } from "../monitor/probes/mod.ts";
import type { StreamConfig } from "../monitor/mod.ts";
import { MP4_IN, MP4_OUT, mp4Response } from "./preview_mp4.ts";
import {
  checkStream,
  defaultPreviewProbe,
  type PreviewCheck,
  type PreviewProbe,
  problemResponse,
} from "./preview_probe.ts";
import { createSlots, type Slot, slotBody } from "./preview_slots.ts";

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
  /** The handshake run before a preview starts (default: the stream's own probe). */
  probe?: PreviewProbe;
}

/** Running previews. */
export interface Previews {
  /**
   * A `multipart/x-mixed-replace` response of the stream, 502 with the cause in words when the
   * camera fails its handshake, or 503 when every slot is taken. It ends when the client cancels
   * the body (tab closed), after `maxMs`, or when `signal` aborts.
   */
  preview(stream: StreamConfig, signal?: AbortSignal): Promise<Response>;
  /**
   * A fragmented MP4 of the stream's own H.264 (`-c:v copy`, no transcoding) for Media Source
   * Extensions, typed `video/mp4; codecs="avc1.…"`; 415 when the video is not H.264/H.265 or the
   * camera serves MJPEG/JPEG (use {@link Previews.preview}); 502/503 and limits as there.
   */
  live(stream: StreamConfig, signal?: AbortSignal): Promise<Response>;
  /** The stream's handshake now, judged: `{ok: true}` or the reason ("connection refused"). */
  check(stream: StreamConfig, signal?: AbortSignal): Promise<PreviewCheck>;
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

/**
 * Creates the preview runner. Two caps apply: `preview.max_concurrent` (previews, MJPEG proxies
 * and snapshots together), and the media pool shared with the checks. A preview's ffmpeg is a
 * long-running pool child ({@link ProcessPool.stream}): it holds at most half the pool, waits
 * in line behind the checks for `waitMs` at most, and is killed after `maxMs`, so previews can
 * never starve media checks. A snapshot is a short pool job like a check ({@link ProcessPool.run}).
 * close(), the caller's signal and the time limit kill the child through the pool, which counts it.
 * Before any ffmpeg starts, the stream's handshake probe runs (milliseconds for RTSP), so a dead
 * camera answers 502 with its cause ("connection refused") instead of a silent wait.
 */
export function createPreviews(deps: PreviewsDeps): Previews {
  const maxMs = deps.maxMs ?? 60_000;
  const ffmpeg = deps.ffmpeg ?? "ffmpeg";
  const pool = deps.pool ?? createProcessPool();
  const probe = deps.probe ?? defaultPreviewProbe();
  const slots = createSlots();
  const busy = (what: string) =>
    new Response(`${what}; try again when one ends (at most 60 s)`, {
      status: 503,
      headers: { "retry-after": "10", "content-type": "text/plain; charset=utf-8" },
    });
  const slotsBusy = () => busy(`All ${deps.maxConcurrent()} preview slots are in use`);
  const poolBusy = () => busy("Every media process slot is in use");
  const full = () => slots.size() >= deps.maxConcurrent();

  /** The media check's vetted input: credentials through the loopback relay, never on argv. */
  const inputOf = (stream: StreamConfig) =>
    openInput(stream.url, {
      source: sourceOf(stream),
      ioTimeoutSeconds: 5,
      tlsInsecure: stream.tlsInsecure,
    });

  /** Proxies an MJPEG or JPEG camera as it is (no process); a failure answers its cause. */
  const proxy = async (stream: StreamConfig, slot: Slot) => {
    const giveUp = setTimeout(() => slot.end(), 10_000); // the camera must answer by then
    let why = "the camera did not answer";
    const res = await httpGet(stream.url, { signal: slot.signal, tlsInsecure: stream.tlsInsecure })
      .catch((err) => void (why = describeFetchError(err, slot.signal)));
    clearTimeout(giveUp);
    if (!res?.ok || !res.body) {
      slot.end();
      slot.free();
      await res?.body?.cancel().catch(() => {});
      if (res?.status === 404) why = "not found (404)";
      else if (res?.status === 401 || res?.status === 403) why = "authentication failed";
      else if (res) why = `HTTP ${res.status}`;
      return problemResponse(why);
    }
    if (slot.signal.aborted) slot.free();
    else slot.signal.addEventListener("abort", slot.free, { once: true });
    const type = res.headers.get("content-type") ?? "application/octet-stream";
    return new Response(slotBody(res.body.getReader(), slot), {
      headers: { "content-type": type, "cache-control": "no-store" },
    });
  };

  /**
   * Probes the stream, then starts ffmpeg as a long-running child of the shared pool and hands
   * it to `answer`. The slot is freed (and the relay closed) once the child has exited.
   */
  const spawn = async (
    stream: StreamConfig,
    slot: Slot,
    args: { in: string[]; out: string[] },
    answer: (
      child: { stdout: ReadableStream<Uint8Array>; exited: Promise<void>; kill(): void },
      problem: () => string | undefined,
    ) => Promise<Response> | Response,
  ): Promise<Response> => {
    const verdict = await checkStream(probe, stream, slot.signal);
    if (!verdict.ok) {
      slot.end();
      slot.free();
      return problemResponse(verdict.reason);
    }
    const input = inputOf(stream);
    let child;
    try {
      child = await pool.stream(ffmpeg, [...BASE, ...args.in, ...input.args, ...args.out], {
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
    return answer(child, input.relay.problem);
  };

  /** Transcodes the stream to MJPEG. */
  const transcode = (stream: StreamConfig, slot: Slot) =>
    spawn(
      stream,
      slot,
      { in: [], out: MJPEG_OUT },
      (child) =>
        new Response(slotBody(child.stdout.getReader(), slot), {
          headers: {
            "content-type": "multipart/x-mixed-replace;boundary=ffmpeg",
            "cache-control": "no-store, no-transform",
          },
        }),
    );

  /** Runs `start` in a fresh slot, or answers 503 when every slot is taken. */
  const inSlot = (
    signal: AbortSignal | undefined,
    start: (slot: Slot) => Promise<Response>,
  ): Promise<Response> => {
    if (full()) return Promise.resolve(slotsBusy());
    const slot = slots.take(signal, maxMs);
    return start(slot).catch((err) => {
      slot.free();
      throw err;
    });
  };

  return {
    preview(stream, signal) {
      const kind = kindOf(stream);
      return inSlot(
        signal,
        (slot) =>
          kind === "mjpeg" || kind === "snapshot" ? proxy(stream, slot) : transcode(stream, slot),
      );
    },
    live(stream, signal) {
      const kind = kindOf(stream);
      if (kind === "mjpeg" || kind === "snapshot") {
        return Promise.resolve(problemResponse("an MJPEG/JPEG camera has no H.264 to copy", 415));
      }
      return inSlot(
        signal,
        (slot) =>
          spawn(
            stream,
            slot,
            { in: MP4_IN, out: MP4_OUT },
            (child, problem) => mp4Response(child, slot, problem),
          ),
      );
    },
    check: (stream, signal) =>
      checkStream(probe, stream, signal ?? AbortSignal.timeout(SNAPSHOT_MS)),
    async snapshot(stream, signal) {
      if (full()) return slotsBusy();
      const input = inputOf(stream);
      const slot = slots.take(signal, SNAPSHOT_MS);
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
          return problemResponse(input.relay.problem() ?? "No picture from the stream");
        }
        return new Response(new Uint8Array(out.stdout), {
          headers: { "content-type": "image/jpeg", "cache-control": "no-store" },
        });
      } finally {
        slot.free();
        void input.relay.close();
      }
    },
    active: () => slots.size(),
    close: () => slots.endAll(),
  };
}
