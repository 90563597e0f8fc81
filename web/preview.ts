/** Live preview: MJPEG proxied, RTSP/HLS transcoded to MJPEG by ffmpeg; capped, timed, killed. */

import { httpGet } from "../monitor/probes/http_fetch.ts";
import { kindOf } from "../monitor/probes/mod.ts";
import type { StreamConfig } from "../monitor/types.ts";

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

/**
 * ffmpeg input arguments for a stream URL: the protocol whitelist for its scheme, timeouts, then
 * `-i URL` last, so a URL can never be read as an option, a file or stdin.
 */
export function inputArgs(url: string): string[] {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case "rtsp":
      return [
        "-protocol_whitelist",
        "rtsp,tcp",
        "-rtsp_transport",
        "tcp",
        "-timeout",
        "5000000",
        "-i",
        url,
      ];
    case "rtsps":
      return [
        ...["-protocol_whitelist", "rtsp,rtsps,tcp,tls", "-rtsp_transport", "tcp"],
        ...["-timeout", "5000000", "-i", url],
      ];
    case "http":
    case "https":
      return [
        "-protocol_whitelist",
        "http,https,tcp,tls,crypto",
        "-rw_timeout",
        "5000000",
        "-i",
        url,
      ];
    default:
      throw new TypeError(`Cannot preview: scheme "${scheme ?? ""}" is not supported`);
  }
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

  const spawn = (args: string[]) =>
    new Deno.Command(ffmpeg, { args, stdin: "null", stdout: "piped", stderr: "null" }).spawn();
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
      const child = spawn([...BASE, ...inputArgs(stream.url), ...MJPEG_OUT]);
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
      const child = spawn([...BASE, ...inputArgs(stream.url), ...FRAME_OUT]);
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
