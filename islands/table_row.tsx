/** One dashboard table line: state (or "paused"), cause, latency, availability beside picture health. */

import { type Signal, useComputed } from "@preact/signals";
import { Badge } from "./Badge.tsx";
import { formatAgo, formatDuration, formatLatency, formatRatio, isoOf } from "./format.ts";
import { PictureCue, pictureCueOf } from "./PictureCue.tsx";
import { Sparkline } from "./Sparkline.tsx";
import type { Row } from "./types.ts";

/**
 * Availability ("reachable": up or degraded, time-weighted) and, apart from it, picture health
 * (degraded time left out), e.g. "99.20 % · picture 87.00 %"; the picture only when known.
 */
export function Availability({ up, pic }: { up: number | null; pic?: number | null }) {
  return (
    <>
      <span title="Availability: reachable (up or degraded), time-weighted">
        {formatRatio(up)}
      </span>
      {pic !== null && pic !== undefined && (
        <span
          class={`table-pic${up !== null && pic < up ? " table-pic-low" : ""}`}
          title="Picture health: time with a good picture (degraded time left out)"
        >
          <span class="table-sep">·</span>picture {formatRatio(pic)}
        </span>
      )}
    </>
  );
}

/** The "paused" badge of a disabled stream (its last state is history, not "unknown"). */
export function PausedBadge() {
  return <span class="badge badge-paused" data-state="paused">Paused</span>;
}

/**
 * One stream. It re-renders only when its own row signal changes; the ticking times are
 * computed signals bound straight to text nodes, so the clock never re-renders rows.
 */
export function StreamRow({ row, now }: { row: Signal<Row>; now: Signal<number> }) {
  const ago = useComputed(() => formatAgo(row.value.lastTs, now.value));
  const held = useComputed(() => formatDuration(now.value - row.value.since));
  // Re-renders the row only when the cue changes, not on every tick of the clock.
  const cue = useComputed(() => pictureCueOf(row.value, now.value));
  const r = row.value;
  return (
    <tr class={r.enabled ? undefined : "disabled"} data-stream={r.name}>
      <th scope="row" data-label="Stream">
        <a href={`/streams/${encodeURIComponent(r.name)}`}>{r.name}</a>
        {r.tags.length > 0 && <span class="tags">{r.tags.join(", ")}</span>}
      </th>
      <td data-label="State" class="table-state">
        {r.enabled ? <Badge state={r.state} /> : <PausedBadge />}
        <PictureCue kind={cue.value} row={r} now={now.peek()} />
      </td>
      <td data-label="Latency" class="num">{formatLatency(r.latencyMs)}</td>
      <td data-label="Last check" class="table-cause">
        <time datetime={isoOf(r.lastTs)}>{ago}</time>
        <span class="msg">{r.message}</span>
      </td>
      <td data-label="For">{held}</td>
      <td data-label="24 h" class="num">
        <Availability up={r.up24h} pic={r.pic24h} />
      </td>
      <td data-label="7 d" class="num">
        <Availability up={r.up7d} pic={r.pic7d} />
      </td>
      <td data-label="30 d" class="num">
        <Availability up={r.up30d} pic={r.pic30d} />
      </td>
      <td data-label="Trend" class="table-trend">
        <Sparkline points={r.spark} />
      </td>
    </tr>
  );
}
