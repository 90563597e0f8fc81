/** The camera grid island: one live snapshot tile per stream, broken first, filtered from the URL. */

import {
  type ReadonlySignal,
  type Signal,
  useComputed,
  useSignal,
  useSignalEffect,
} from "@preact/signals";
import { useRef } from "preact/hooks";
import { Badge } from "./Badge.tsx";
import { type LiveState, liveState } from "./signals.ts";
import { type Row, type State, STATES } from "./types.ts";

/**
 * Props: the rows (server render only: the browser takes them from the first snapshot), the
 * server clock, the configured time zone, and the filters from the URL (`q`, `state`, `tag`,
 * `group=tag`).
 */
export interface CameraGridProps {
  rows?: Row[];
  now: number;
  timeZone: string;
  q?: string;
  state?: string;
  tag?: string;
  group?: string;
}

/** Tile order: broken first, paused last, then by name. */
const RANK: Record<State, number> = { down: 0, degraded: 1, unknown: 2, up: 3 };
const rankOf = (r: Row) => (r.enabled ? RANK[r.state] : 9);

/** Which picture a tile shows: the failing frame, the last good one, or none (a placeholder). */
export function tileImage(r: Row): { kind: "failure" | "last"; at: number } | null {
  const failing = r.state !== "up" && r.snapFailure != null &&
    (r.snapLast == null || r.snapFailure >= r.snapLast);
  if (failing) return { kind: "failure", at: r.snapFailure! };
  return r.snapLast != null ? { kind: "last", at: r.snapLast } : null;
}

const clocks = new Map<string, Intl.DateTimeFormat>();
/** "03:12" in `timeZone` (with the date before it when more than a day ago). */
export function clockOf(ms: number, now: number, timeZone: string): string {
  const day = now - ms > 86_400_000;
  const key = `${timeZone}|${day}`;
  let f = clocks.get(key);
  if (!f) {
    const date = day ? { year: "numeric", month: "2-digit", day: "2-digit" } as const : {};
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      ...date,
    });
    clocks.set(key, f);
  }
  return f.format(ms).replace(",", "");
}

/** "Black", "Frozen" or the state, for the failing frame's caption. */
function failureWord(r: Row): string {
  if (/\bblack\b/i.test(r.message.slice(0, 300))) return "Black";
  if (/\bfrozen\b/i.test(r.message.slice(0, 300))) return "Frozen";
  return r.state === "down" ? "Down" : "Degraded";
}

function Tile({ row, now, timeZone }: { row: Signal<Row>; now: number; timeZone: string }) {
  const r = row.value;
  const img = tileImage(r);
  const href = `/streams/${encodeURIComponent(r.name)}`;
  const failing = img?.kind === "failure";
  const since = failing ? `${failureWord(r)} since ${clockOf(r.since, now, timeZone)}` : "";
  return (
    <li class={`grid-tile${failing ? " grid-failing" : ""}`} data-stream={r.name}>
      <a class="grid-frame" href={href} tabIndex={-1} aria-hidden="true">
        {img
          ? (
            <img
              src={`${href}/thumb.jpg?kind=${img.kind}&v=${img.at}`}
              loading="lazy"
              decoding="async"
              width={320}
              height={180}
              alt=""
              data-kind={img.kind}
            />
          )
          : <span class="grid-placeholder">No snapshot yet</span>}
        {failing && (
          <span class="grid-when" title={`Failing frame of ${clockOf(img.at, now, timeZone)}`}>
            {since}
          </span>
        )}
      </a>
      <div class="grid-info">
        <a class="grid-name" href={href}>{r.name}</a>
        {r.enabled ? <Badge state={r.state} /> : <span class="badge grid-paused">Paused</span>}
        {r.state !== "up" && r.enabled && <p class="grid-cause">{r.message}</p>}
      </div>
    </li>
  );
}

function Tiles(
  { live, names, timeZone }: { live: LiveState; names: string[]; timeZone: string },
) {
  return (
    <ul class="grid-tiles">
      {names.map((n) => (
        <Tile key={n} row={live.rows.get(n)!} now={live.now.peek()} timeZone={timeZone} />
      ))}
    </ul>
  );
}

/** Keeps the filters in the address bar, so a reload or a shared link shows the same grid. */
function useUrlSync(q: Signal<string>, state: Signal<string>) {
  useSignalEffect(() => {
    const want = { q: q.value.trim(), state: state.value };
    if (typeof location === "undefined") return;
    const u = new URL(location.href);
    for (const [k, v] of Object.entries(want)) {
      if (v) u.searchParams.set(k, v);
      else u.searchParams.delete(k);
    }
    if (u.href !== location.href) history.replaceState(null, "", u);
  });
}

/** The grid. */
export function CameraGrid(props: CameraGridProps) {
  const live = liveState(props.rows ?? [], props.now, "/events");
  const q = useSignal(props.q ?? "");
  const state = useSignal(
    (STATES as readonly string[]).includes(props.state ?? "") ? props.state! : "",
  );
  const tag = props.tag ?? "";
  const byTag = props.group === "tag";
  useUrlSync(q, state);
  const prev = useRef<string[]>([]);
  // The same array while the visible names and their order are unchanged: tiles re-render only
  // from their own row signal then.
  const visible: ReadonlySignal<string[]> = useComputed(() => {
    const needle = q.value.trim().toLowerCase();
    const rows = live.order.value.map((n) => live.rows.get(n)?.value).filter((r) => r !== undefined)
      .filter((r) =>
        (!state.value || r.state === state.value) && (!tag || r.tags.includes(tag)) &&
        (!needle || r.name.toLowerCase().includes(needle) ||
          r.tags.some((t) => t.toLowerCase().includes(needle)))
      ).sort((a, b) => rankOf(a) - rankOf(b) || a.name.localeCompare(b.name));
    const names = rows.map((r) => r.name);
    const p = prev.current;
    if (p.length === names.length && p.every((n, i) => n === names[i])) return p;
    return prev.current = names;
  });
  const names = visible.value;
  const groups = byTag ? groupByTag(live, names) : [["", names] as [string, string[]]];
  return (
    <div class="grid-live">
      <form class="grid-toolbar" method="get" action="/grid">
        <p class={`link link-${live.link.value}`} role="status">
          {live.link.value === "live"
            ? "● Live"
            : live.link.value === "signed-out"
            ? "Signed out"
            : live.link.value === "connecting"
            ? "Connecting…"
            : "Offline, retrying…"}
        </p>
        <label>
          <span class="sr">State</span>
          <select
            name="state"
            value={state.value}
            onChange={(e) => state.value = (e.target as HTMLSelectElement).value}
          >
            <option value="">All states</option>
            {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label class="search">
          <span class="sr">Search cameras</span>
          <input
            type="search"
            name="q"
            placeholder="Search name or tag"
            value={q.value}
            onInput={(e) => q.value = (e.target as HTMLInputElement).value}
          />
        </label>
        {tag && <input type="hidden" name="tag" value={tag} />}
        {props.group && <input type="hidden" name="group" value={props.group} />}
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
        <span class="muted" data-grid-count>{names.length} of {live.order.value.length}</span>
      </form>
      {groups.map(([g, list]) => (
        <section key={g} class="grid-group" aria-label={g || "Cameras"}>
          {byTag && (
            <h2 class="grid-heading">
              {g || "No tag"} <span class="muted">{list.length}</span>
            </h2>
          )}
          <Tiles live={live} names={list} timeZone={props.timeZone} />
        </section>
      ))}
      {names.length === 0 && <p class="muted">No camera matches the filter.</p>}
    </div>
  );
}

/** Visible names by tag (a stream in every group of its tags), tags sorted, untagged last. */
function groupByTag(live: LiveState, names: string[]): Array<[string, string[]]> {
  const out = new Map<string, string[]>();
  for (const n of names) {
    const tags = live.rows.get(n)?.value.tags ?? [];
    for (const t of tags.length ? tags : [""]) out.set(t, [...(out.get(t) ?? []), n]);
  }
  return [...out].sort(([a], [b]) => (a === "" ? 1 : b === "" ? -1 : a.localeCompare(b)));
}
