/** Live preview and snapshot buttons of the stream page (the server caps and times them). */

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

/** Props: the stream's name. */
export interface PreviewProps {
  name: string;
}

const LIMIT_MS = 60_000;

/** Shows an MJPEG `<img>` for at most 60 s; closing the tab ends the server's ffmpeg too. */
export function Preview({ name }: PreviewProps) {
  const src = useSignal<string | null>(null);
  // The stored snapshot is only asked for once hydrated, so a 404 can hide it (no broken icon).
  const stored = useSignal(false);
  useEffect(() => void (stored.value = true), []);
  const note = useSignal("");
  const base = `/streams/${encodeURIComponent(name)}`;
  useEffect(() => {
    if (!src.value?.includes("/preview")) return;
    const t = setTimeout(() => {
      src.value = null;
      note.value = "The preview stopped after 60 s.";
    }, LIMIT_MS);
    return () => clearTimeout(t);
  }, [src.value]);
  const start = (what: "preview" | "snapshot.jpg") => {
    note.value = what === "preview" ? "Connecting… (stops after 60 s)" : "Taking a snapshot…";
    src.value = `${base}/${what}?t=${Date.now()}`;
  };
  return (
    <div class="preview">
      <div class="buttons">
        <button type="button" onClick={() => start("preview")}>Live preview</button>
        <button type="button" onClick={() => start("snapshot.jpg")}>Snapshot</button>
        {src.value && (
          <button type="button" onClick={() => (src.value = null, note.value = "Stopped.")}>
            Stop
          </button>
        )}
      </div>
      <p class="muted" role="status">{note.value}</p>
      {!src.value && stored.value && (
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
      {src.value && (
        <img
          class="frame"
          src={src.value}
          alt={`Live picture of ${name}`}
          onLoad={() =>
            note.value = src.value?.includes("/preview") ? "Live (stops after 60 s)" : ""}
          onError={() => {
            src.value = null;
            note.value = "No picture: the stream may be down, or every preview slot is in use.";
          }}
        />
      )}
    </div>
  );
}
