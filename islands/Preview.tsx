/** Live preview and snapshot of the stream page: says why it failed, plays H.264 as it is via MSE. */

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { canPlayMse, playMp4 } from "./mse.ts";

/** Props: the stream's name. */
export interface PreviewProps {
  name: string;
}

const LIMIT_MS = 60_000;

type Mode = "idle" | "video" | "img" | "snapshot";
/** One live attempt: aborting it ends its fetches (and so the server's ffmpeg). */
type Run = { ctrl: AbortController; res?: Response };

/** The reason text of a failed preview answer (plain text, clipped for the page). */
async function reasonOf(res: Response): Promise<string> {
  const text = (await res.text().catch(() => "")).trim().slice(0, 200);
  return text || `HTTP ${res.status}`;
}

/**
 * Live preview: first the stream's handshake (`/preview/check`, milliseconds) so a dead camera
 * says why at once; then the camera's own H.264 as fMP4 through Media Source Extensions when the
 * browser supports its codec, else the server's MJPEG transcode in an `<img>`. Stops after 60 s;
 * Stop, a closed tab or the limit end the server's ffmpeg too.
 */
export function Preview({ name }: PreviewProps) {
  const mode = useSignal<Mode>("idle");
  const src = useSignal("");
  const note = useSignal("");
  const problem = useSignal("");
  // The stored snapshot is only asked for once hydrated, so a 404 can hide it (no broken icon).
  const stored = useSignal(false);
  useEffect(() => void (stored.value = true), []);
  const video = useRef<HTMLVideoElement>(null);
  const live = useRef<Run | undefined>(undefined);
  const base = `/streams/${encodeURIComponent(name)}`;

  const stop = (text = "Stopped.") => {
    live.current?.ctrl.abort();
    live.current = undefined;
    mode.value = "idle";
    note.value = text;
  };
  useEffect(() => () => live.current?.ctrl.abort(), []);
  // A page put in the back/forward cache must not keep its preview (and its ffmpeg) running.
  useEffect(() => {
    const hide = () => live.current && stop();
    globalThis.addEventListener("pagehide", hide);
    return () => globalThis.removeEventListener("pagehide", hide);
  }, []);
  useEffect(() => {
    if (mode.value !== "img") return;
    const t = setTimeout(() => stop("The preview stopped after 60 s."), LIMIT_MS);
    return () => clearTimeout(t);
  }, [mode.value]);
  // The <video> exists once mode is "video": feed it the response fetched by start().
  useEffect(() => {
    const run = live.current;
    if (mode.value !== "video" || !run?.res?.body || !video.current) return;
    const type = run.res.headers.get("content-type") ?? "";
    playMp4(video.current, run.res.body, type, run.ctrl.signal).then(
      () => live.current === run && stop("The preview stopped after 60 s."),
      () => live.current === run && stop("The browser could not play the stream."),
    );
  }, [mode.value]);

  const fail = (reason: string) => {
    stop("");
    problem.value = `No picture: ${reason}`;
  };
  const mjpeg = () => {
    src.value = `${base}/preview?t=${Date.now()}`;
    mode.value = "img";
  };
  const start = async () => {
    stop("Connecting…");
    problem.value = "";
    const run: Run = { ctrl: new AbortController() };
    live.current = run;
    const { signal } = run.ctrl;
    try {
      const check = await (await fetch(`${base}/preview/check`, { signal })).json();
      if (live.current !== run) return;
      if (!check.ok) return fail(String(check.reason ?? "the camera did not answer"));
      if (!canPlayMse('video/mp4; codecs="avc1.42e01e"')) return mjpeg();
      const res = await fetch(`${base}/live.mp4?t=${Date.now()}`, { signal });
      if (live.current !== run) return void res.body?.cancel();
      const type = res.headers.get("content-type") ?? "";
      if (res.ok && canPlayMse(type)) {
        run.res = res;
        mode.value = "video";
        note.value = `Live: the camera's own video (${
          res.headers.get("x-preview-codec") ?? "H.264"
        }), not transcoded; stops after 60 s`;
        return;
      }
      if (res.ok || res.status === 415) {
        await res.body?.cancel();
        return mjpeg(); // H.265 this browser cannot decode, or MJPEG: the server transcodes
      }
      fail(await reasonOf(res));
    } catch {
      if (live.current === run) fail("the dashboard did not answer");
    }
  };
  const snapshot = () => {
    stop("Taking a snapshot…");
    problem.value = "";
    src.value = `${base}/snapshot.jpg?t=${Date.now()}`;
    mode.value = "snapshot";
  };
  const imgError = async () => {
    const was = mode.value;
    stop("");
    const res = await fetch(`${base}/preview/check`).then((r) => r.json()).catch(() => null);
    problem.value = `No ${was === "snapshot" ? "snapshot" : "picture"}: ${
      res && !res.ok ? res.reason : "the stream may be down, or every preview slot is in use"
    }`;
  };

  return (
    <div class="preview">
      <div class="buttons">
        <button type="button" onClick={start}>Live preview</button>
        <button type="button" onClick={snapshot}>Snapshot</button>
        {mode.value !== "idle" && <button type="button" onClick={() => stop()}>Stop</button>}
      </div>
      <p class="muted" role="status">{note.value}</p>
      {problem.value && <p class="preview-problem" role="alert">{problem.value}</p>}
      {mode.value === "idle" && stored.value && (
        <figure>
          <img
            class="frame"
            src={`/api/streams/${encodeURIComponent(name)}/snapshot.jpg`}
            alt={`Last stored snapshot of ${name}`}
            onError={() => stored.value = false}
          />
          <figcaption class="muted">Last stored snapshot</figcaption>
        </figure>
      )}
      {mode.value === "video" && (
        <video
          ref={video}
          class="frame preview-video"
          muted
          autoplay
          playsInline
          aria-label={`Live video of ${name}`}
        />
      )}
      {(mode.value === "img" || mode.value === "snapshot") && (
        <img
          class="frame"
          src={src.value}
          alt={`${mode.value === "img" ? "Live picture" : "Snapshot"} of ${name}`}
          onLoad={() =>
            note.value = mode.value === "img" ? "Live (MJPEG transcode; stops after 60 s)" : ""}
          onError={imgError}
        />
      )}
    </div>
  );
}
