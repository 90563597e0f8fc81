/** The stream page's live state line: "Degraded for 2 min — picture frozen for 110 s" (one clock). */

import { useComputed } from "@preact/signals";
import { Badge } from "./Badge.tsx";
import { formatAgo, formatDuration } from "./format.ts";
import { liveState } from "./signals.ts";
import type { Row } from "./types.ts";

/** Props: the stream's row at render time and the server clock. */
export interface StreamStateProps {
  row: Row;
  now: number;
}

const WORDS: Record<string, string> = {
  up: "Up",
  degraded: "Degraded",
  down: "Down",
  overdue: "Overdue",
  unknown: "Not checked yet",
};

/**
 * The state sentence of a row at `now`: the state word, for how long (from `since`, the same
 * clock the cause's own times came from), then the cause. A disabled stream is "Paused", never
 * "unknown". Pure, for the server render and the tests.
 */
export function stateSentence(
  r: Pick<Row, "state" | "since" | "message" | "enabled">,
  now: number,
) {
  const held = formatDuration(now - r.since);
  if (!r.enabled) return { word: "Paused", text: "Paused — checks are disabled" };
  const word = WORDS[r.state] ?? r.state;
  if (r.state === "unknown") return { word, text: word };
  const cause = r.message && r.state !== "up" ? ` — ${r.message}` : "";
  return { word, text: `${word} for ${held}${cause}` };
}

/** Follows one stream through `/events?stream=<name>` and says its state in words. */
export function StreamState({ row, now }: StreamStateProps) {
  const live = liveState([row], now, `/events?stream=${encodeURIComponent(row.name)}`);
  const sig = live.rows.get(row.name);
  const ago = useComputed(() => formatAgo(sig?.value.lastTs ?? null, live.now.value));
  const line = useComputed(() => stateSentence(sig?.value ?? row, live.now.value).text);
  if (!sig || !live.order.value.includes(row.name)) {
    return <p class="alert" role="status">This stream is no longer in config.yaml.</p>;
  }
  const r = sig.value;
  return (
    <div class={`stream-state stream-state-${r.enabled ? r.state : "paused"}`} role="status">
      {r.enabled ? <Badge state={r.state} /> : <span class="badge stream-paused">paused</span>}{" "}
      <strong class="stream-state-line">{line}</strong>
      <span class="muted">· last check {ago}</span>
    </div>
  );
}
