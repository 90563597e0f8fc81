/** Live preview: MJPEG proxied, RTSP/HLS transcoded to MJPEG by ffmpeg; capped, timed, killed. */

import { type MediaInput, openInput, sourceOf } from "../monitor/media/mod.ts";
import { httpGet, kindOf } from "../monitor/probes/mod.ts";
import type { StreamConfig } from "../monitor/mod.ts";

/** Dependencies of {@link createPreviews}. */
export interface PreviewDeps {
  /** Most previews and snapshots at once (`preview.max_concurrent`, default 2). */
  maxConcurrent: () => number;
  /** A preview ends after this long (default 60 s). */
  maxMs?: number;
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
  /** One JPEG frame of the stream now (shares the slots; 15 s at most). */
  snapshot(stream: StreamConfig, signal?: AbortSignal): Promise<Response>;
  /** Previews and snapshots whose process or request has not ended yet. */
  active(): number;
  /** Stops every preview. */
  close(): void;
}

const BASE = ["-hide_banner", "-loglevel", "error", "-nostdin"];
/** Small, light output: at most 640 px wide, 5 frames/s. */
const MJPEG_OUT = [
  ...["-an", "-sn", "-dn", "-vf", "fps=5,scale='min(640,iw)':-2"],
  ...["-c:v", "mjpeg", "-q:v", "6", "-f", "mpjpeg", "-"],
];
const FRAME_OUT = ["-an", "-frames:v", "1", "-c:v", "mjpeg", "-f", "image2pipe", "-"];

/** Creates the preview runner. */
export function createPreviews(deps: PreviewDeps): Previews {
  const maxMs = deps.maxMs ?? 60_000;
  const ffmpeg = deps.ffmpeg ?? "ffmpeg";
  const running = new Set<() => void>();
  const busy = () =>
    new Response(
      `All ${deps.maxConcurrent()} preview slots are in use; try again when one ends (at most 60 s)`,
      {
        status: 503,
        headers: { "retry-after": "10", "content-type": "text/plain; charset=utf-8" },
      },
    );

  /** Pipes `source` into a response body; `stop` runs once on end, cancel, abort or timeout. */
  const pipe = (
    source: ReadableStream<Uint8Array>,
    signal: AbortSignal | undefined,
    kill: () => void,
    ended: Promise<unknown>,
  ) => {
    const reader = source.getReader();
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", stop);
      kill();
      reader.cancel().catch(() => {});
    };
    const timer = setTimeout(stop, maxMs);
    signal?.addEventListener("abort", stop, { once: true });
    running.add(stop);
    ended.finally(() => running.delete(stop));
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (done) {
            stop();
            controller.close();
          } else controller.enqueue(value);
        } catch {
          stop();
          try {
            controller.close();
          } catch { /* already closed */ }
        }
      },
      cancel: stop,
    });
  };

  /**
   * Starts ffmpeg on the stream with the media check's vetted input (credentials through the
   * loopback relay, never on the command line); the relay closes when ffmpeg exits.
   */
  const spawn = (stream: StreamConfig, output: string[]) => {
    const input: MediaInput = openInput(stream.url, {
      source: sourceOf(stream),
      ioTimeoutSeconds: 5,
      tlsInsecure: stream.tlsInsecure,
    });
    try {
      const args = [...BASE, ...input.args, ...output];
      const child = new Deno.Command(ffmpeg, {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      child.status.finally(() => input.relay.close());
      return child;
    } catch (err) {
      void input.relay.close();
      throw err;
    }
  };
  const killer = (child: Deno.ChildProcess) => () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already ended */ }
  };

  return {
    async preview(stream, signal) {
      if (running.size >= deps.maxConcurrent()) return busy();
      const kind = kindOf(stream);
      if (kind === "mjpeg" || kind === "snapshot") {
        const ctrl = new AbortController();
        const slot = Promise.withResolvers<void>();
        const hold = () => slot.resolve();
        running.add(hold); // the slot is taken while the camera answers
        const giveUp = setTimeout(() => ctrl.abort(), 10_000);
        const res = await httpGet(stream.url, {
          signal: ctrl.signal,
          tlsInsecure: stream.tlsInsecure,
        })
          .catch(() => undefined);
        clearTimeout(giveUp);
        running.delete(hold);
        if (!res?.ok || !res.body) {
          await res?.body?.cancel().catch(() => {});
          return new Response("The camera did not answer", { status: 502 });
        }
        const body = pipe(res.body, signal, () => {
          ctrl.abort();
          slot.resolve();
        }, slot.promise);
        const type = res.headers.get("content-type") ?? "application/octet-stream";
        return new Response(body, {
          headers: { "content-type": type, "cache-control": "no-store" },
        });
      }
      const child = spawn(stream, MJPEG_OUT);
      const body = pipe(child.stdout, signal, killer(child), child.status);
      return new Response(body, {
        headers: {
          "content-type": "multipart/x-mixed-replace;boundary=ffmpeg",
          "cache-control": "no-store, no-transform",
        },
      });
    },
    async snapshot(stream, signal) {
      if (running.size >= deps.maxConcurrent()) return busy();
      const child = spawn(stream, FRAME_OUT);
      const kill = killer(child);
      const stop = () => kill();
      running.add(stop);
      const timer = setTimeout(kill, 15_000);
      signal?.addEventListener("abort", kill, { once: true });
      try {
        const out = await child.output();
        if (out.stdout.length < 100) {
          return new Response("No picture from the stream", { status: 502 });
        }
        return new Response(out.stdout, {
          headers: { "content-type": "image/jpeg", "cache-control": "no-store" },
        });
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", kill);
        running.delete(stop);
      }
    },
    active: () => running.size,
    close() {
      for (const stop of running) stop();
    },
  };
}
