/** The dashboard island: counts, search, state and tag filters, and one live row per stream. */

import { type ReadonlySignal, type Signal, useComputed, useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import { Badge } from "./Badge.tsx";
import { formatAgo, formatDuration, formatLatency, formatRatio, isoOf } from "./format.ts";
import { PictureCue, pictureCueOf } from "./PictureCue.tsx";
import { type LiveState, liveState } from "./signals.ts";
import { Sparkline } from "./Sparkline.tsx";
import { type Row, type State, STATES } from "./types.ts";

/**
 * Props: the rows (server render only: the browser takes them from the first snapshot), the
 * server clock, and the filters from the URL.
 */
export interface LiveTableProps {
  rows?: Row[];
  now: number;
  q?: string;
  state?: string;
  tag?: string;
}

/** "Reachable" availability, and "picture OK" beneath it when degraded time makes it lower. */
function Availability({ up, pic }: { up: number | null; pic?: number | null }) {
  const lower = up !== null && pic !== null && pic !== undefined && pic < up;
  return (
    <>
      <span title="Reachable: up or degraded">{formatRatio(up)}</span>
      {lower && (
        <span class="muted pic" title="Picture OK: degraded time left out">
          {` picture ${formatRatio(pic)}`}
        </span>
      )}
    </>
  );
}

/**
 * One stream. It re-renders only when its own row signal changes; the ticking times are
 * computed signals bound straight to text nodes, so the clock never re-renders rows.
 */
function StreamRow({ row, now }: { row: Signal<Row>; now: Signal<number> }) {
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
      <td data-label="State">
        <Badge state={r.state} />
        {!r.enabled && <span class="muted">paused</span>}
        <PictureCue kind={cue.value} row={r} now={now.peek()} />
      </td>
      <td data-label="Latency" class="num">{formatLatency(r.latencyMs)}</td>
      <td data-label="Last check">
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
      <td data-label="Trend">
        <Sparkline points={r.spark} />
      </td>
    </tr>
  );
}

function Counts(
  { all, filter }: { all: ReadonlySignal<Signal<Row>[]>; filter: Signal<State | ""> },
) {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<State, number>;
  for (const r of all.value) counts[r.value.state]++;
  return (
    <div class="counts" role="group" aria-label="Filter by state">
      <button type="button" aria-pressed={filter.value === ""} onClick={() => filter.value = ""}>
        All <b>{all.value.length}</b>
      </button>
      {STATES.map((s) => (
        <button
          key={s}
          type="button"
          class={`count-${s}`}
          aria-pressed={filter.value === s}
          onClick={() => filter.value = filter.value === s ? "" : s}
        >
          {s[0].toUpperCase() + s.slice(1)} <b data-count={s}>{counts[s]}</b>
        </button>
      ))}
    </div>
  );
}

function LinkState({ live }: { live: LiveState }) {
  const l = live.link.value;
  if (l === "signed-out") {
    return (
      <p class="link link-offline" role="status">
        Signed out — <a href="/login">sign in again</a>
      </p>
    );
  }
  return (
    <p class={`link link-${l}`} role="status">
      {l === "live" ? "● Live" : l === "connecting" ? "Connecting…" : "Offline, retrying…"}
    </p>
  );
}

function Body({ live, visible }: { live: LiveState; visible: ReadonlySignal<string[]> }) {
  return (
    <tbody>
      {visible.value.map((n) => <StreamRow key={n} row={live.rows.get(n)!} now={live.now} />)}
    </tbody>
  );
}

/** The live stream table. */
export function LiveTable(props: LiveTableProps) {
  const live = liveState(props.rows ?? [], props.now, "/events");
  const q = useSignal(props.q ?? "");
  const initial = (STATES as readonly string[]).includes(props.state ?? "") ? props.state : "";
  const filter = useSignal<State | "">(initial as State | "");
  const tag = useSignal(props.tag ?? "");
  const all = useComputed(() => live.order.value.map((n) => live.rows.get(n)!).filter(Boolean));
  // A string, so it only notifies when the set of tags really changes.
  const tagKey = useComputed(() =>
    [...new Set(all.value.flatMap((r) => r.value.tags))].sort().join("\n")
  );
  const tags = tagKey.value ? tagKey.value.split("\n") : [];
  const prev = useRef<string[]>([]);
  // Recomputed on every row change, but it hands back the same array while the set of visible
  // names is unchanged, so the table body does not re-render.
  const visible = useComputed(() => {
    const needle = q.value.trim().toLowerCase();
    const names: string[] = [];
    for (const s of all.value) {
      const r = s.value;
      if (filter.value && r.state !== filter.value) continue;
      if (tag.value && !r.tags.includes(tag.value)) continue;
      if (
        needle && !r.name.toLowerCase().includes(needle) &&
        !r.tags.some((t) => t.toLowerCase().includes(needle))
      ) continue;
      names.push(r.name);
    }
    const p = prev.current;
    if (p.length === names.length && p.every((n, i) => n === names[i])) return p;
    return prev.current = names;
  });
  const total = all.value.length;
  return (
    <div class="live">
      <div class="toolbar">
        <LinkState live={live} />
        <Counts all={all} filter={filter} />
        <label class="search">
          <span class="sr">Search streams</span>
          <input
            type="search"
            placeholder="Search name or tag"
            value={q.value}
            onInput={(e) => q.value = (e.target as HTMLInputElement).value}
          />
        </label>
        {tags.length > 0 && (
          <label>
            <span class="sr">Tag</span>
            <select
              value={tag.value}
              onChange={(e) => tag.value = (e.target as HTMLSelectElement).value}
            >
              <option value="">All tags</option>
              {tags.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </label>
        )}
      </div>
      {live.configError.value && (
        <p class="alert" role="alert">
          config.yaml was not applied: {live.configError.value}. The last good config keeps running.
        </p>
      )}
      {total === 0
        ? (
          <div class="empty">
            <h2>No streams yet</h2>
            <p>
              Add your first camera or video stream with <a href="/streams/new">Add stream</a>{" "}
              (an RTSP, MJPEG, snapshot or HLS URL), or list it under <code>streams:</code>{" "}
              in config.yaml — it shows up here within a second.
            </p>
          </div>
        )
        : (
          <table class="streams">
            <thead>
              <tr>
                <th scope="col">Stream</th>
                <th scope="col">State</th>
                <th scope="col" class="num">Latency</th>
                <th scope="col">Last check</th>
                <th scope="col">For</th>
                <th scope="col" class="num">24 h</th>
                <th scope="col" class="num">7 d</th>
                <th scope="col" class="num">30 d</th>
                <th scope="col">Trend</th>
              </tr>
            </thead>
            <Body live={live} visible={visible} />
          </table>
        )}
      {total > 0 && visible.value.length === 0 && (
        <p class="muted">
          No stream matches the filter.
        </p>
      )}
    </div>
  );
}
