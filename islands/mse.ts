/** Plays a streamed fragmented MP4 (the preview's live.mp4) in a `<video>` with Media Source Extensions. */

/** True when this browser can play `type` (`video/mp4; codecs="avc1.…"`) through MSE. */
export function canPlayMse(type: string): boolean {
  const ms = (globalThis as { MediaSource?: typeof MediaSource }).MediaSource;
  return typeof ms?.isTypeSupported === "function" && ms.isTypeSupported(type);
}

/** Waits for one event of `target` (or rejects when `signal` aborts). */
function once(target: EventTarget, event: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => (signal.removeEventListener("abort", stop), resolve());
    const stop = () => (target.removeEventListener(event, done), reject(signal.reason));
    target.addEventListener(event, done, { once: true });
    signal.addEventListener("abort", stop, { once: true });
  });
}

/**
 * Feeds `body` into `video` until the body ends or `signal` aborts; resolves then (rejects on a
 * decode or append error). Keeps about 10 s behind the playhead and jumps to the live edge when
 * playback falls more than 3 s behind, so a long view neither grows memory nor drifts.
 */
export async function playMp4(
  video: HTMLVideoElement,
  body: ReadableStream<Uint8Array>,
  type: string,
  signal: AbortSignal,
): Promise<void> {
  const source = new MediaSource();
  const url = URL.createObjectURL(source);
  video.src = url;
  const reader = body.getReader();
  signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), { once: true });
  try {
    await once(source, "sourceopen", signal);
    const buffer = source.addSourceBuffer(type);
    let started = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) break;
      buffer.appendBuffer(value as Uint8Array<ArrayBuffer>);
      await once(buffer, "updateend", signal);
      const ranges = buffer.buffered;
      if (!ranges.length) continue;
      const [start, end] = [ranges.start(0), ranges.end(ranges.length - 1)];
      if (!started || video.currentTime < start || end - video.currentTime > 3) {
        video.currentTime = Math.max(start, end - 0.3);
      }
      if (!started) {
        started = true;
        video.play().catch(() => {}); // muted autoplay is allowed; a refusal leaves the controls
      }
      if (video.currentTime - start > 20) {
        buffer.remove(start, video.currentTime - 10);
        await once(buffer, "updateend", signal);
      }
    }
    if (source.readyState === "open" && !signal.aborted) source.endOfStream();
  } finally {
    reader.cancel().catch(() => {});
    URL.revokeObjectURL(url);
  }
}
