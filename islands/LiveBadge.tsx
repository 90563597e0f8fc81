/** The stream page's live header: state badge, latency, last message, for how long. */

import { useComputed } from "@preact/signals";
import { Badge } from "./Badge.tsx";
import { formatAgo, formatDuration, formatLatency } from "./format.ts";
import { liveState } from "./signals.ts";
import type { Row } from "./types.ts";

/** Props: the stream's row at render time and the server clock. */
export interface LiveBadgeProps {
  row: Row;
  now: number;
}

/** Follows one stream through `/events?stream=<name>`. */
export function LiveBadge({ row, now }: LiveBadgeProps) {
  const live = liveState([row], now, `/events?stream=${encodeURIComponent(row.name)}`);
  const sig = live.rows.get(row.name);
  const ago = useComputed(() => formatAgo(sig?.value.lastTs ?? null, live.now.value));
  const held = useComputed(() => formatDuration(live.now.value - (sig?.value.since ?? now)));
  if (!sig || !live.order.value.includes(row.name)) {
    return <p class="alert" role="status">This stream is no longer in config.yaml.</p>;
  }
  const r = sig.value;
  return (
    <div class="live-badge" role="status" aria-live="polite">
      <Badge state={r.state} /> <span>for {held}</span>
      <span class="muted">· last check {ago} · {formatLatency(r.latencyMs)}</span>
      <p class="msg">{r.message}</p>
    </div>
  );
}
