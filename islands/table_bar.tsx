/** The dashboard table's controls: state counts, host-outage banner, sortable headers, group rows. */

import { useComputed } from "@preact/signals";
import { formatClock } from "./format.ts";
import type { LiveState } from "./signals.ts";
import { queryString, type TableQuery } from "./table_query.ts";
import {
  CATEGORIES,
  type Category,
  categoryOf,
  type HostOutage,
  type Sort,
  type SortKey,
  zeroCounts,
} from "./table_sort.ts";

const LABEL: Record<Category, string> = {
  down: "Down",
  degraded: "Degraded",
  overdue: "Overdue",
  unknown: "Unknown",
  paused: "Paused",
  up: "Up",
};

/**
 * The state filter buttons with counts of the rows the search matches (`counts`, `total`).
 * Overdue and paused appear only when some row is so (or the filter is on them).
 */
export function Counts(
  { counts, total, filter, onPick }: {
    counts: Record<Category, number>;
    total: number;
    filter: Category | "";
    onPick: (c: Category | "") => void;
  },
) {
  const shown = CATEGORIES.filter((c) =>
    (c !== "overdue" && c !== "paused") || counts[c] > 0 || filter === c
  );
  return (
    <div class="counts" role="group" aria-label="Filter by state">
      <button type="button" aria-pressed={filter === ""} onClick={() => onPick("")}>
        All <b data-count="all">{total}</b>
      </button>
      {shown.map((s) => (
        <button
          key={s}
          type="button"
          class={`count-${s}`}
          aria-pressed={filter === s}
          onClick={() => onPick(filter === s ? "" : s)}
        >
          {LABEL[s]} <b data-count={s}>{counts[s]}</b>
        </button>
      ))}
    </div>
  );
}

/** "10.0.0.5:554: 16 streams down since 03:12" per host (time in the configured zone `tz`). */
export function OutageBanner(
  { outages, tz, now, onShow }: {
    outages: HostOutage[];
    tz: string;
    now: number;
    /** Switches to grouping by host; absent while already so grouped. */
    onShow?: () => void;
  },
) {
  if (outages.length === 0) return null;
  return (
    <ul class="alert table-outages" role="status" aria-label="Host outages">
      {outages.map((o) => (
        <li key={o.host} data-host={o.host}>
          <b>{o.host}</b>: {o.count} streams down since{" "}
          <time dateTime={new Date(o.since).toISOString()}>{formatClock(o.since, tz, now)}</time>
        </li>
      ))}
      {onShow && (
        <li>
          <a
            href="/?group=host"
            onClick={(e) => {
              e.preventDefault();
              onShow?.();
            }}
          >
            Group by host
          </a>
        </li>
      )}
    </ul>
  );
}

/**
 * A column header that sorts by `sortKey`: a link to the sorted URL (works without script), with
 * `aria-sort` on the current column; a second click reverses it.
 */
export function SortHeader(
  { label, sortKey, query, onSort, num }: {
    label: string;
    sortKey: SortKey;
    query: TableQuery;
    onSort: (s: Sort) => void;
    num?: boolean;
  },
) {
  const active = query.sort.key === sortKey;
  const next: Sort = { key: sortKey, desc: active ? !query.sort.desc : false };
  return (
    <th
      scope="col"
      class={num ? "num" : undefined}
      aria-sort={active ? (query.sort.desc ? "descending" : "ascending") : undefined}
    >
      <a
        class="table-sort"
        href={`/${queryString({ ...query, sort: next })}`}
        onClick={(e) => {
          e.preventDefault();
          onSort(next);
        }}
      >
        {label}
        <span aria-hidden="true">{active ? (query.sort.desc ? " ▼" : " ▲") : ""}</span>
      </a>
    </th>
  );
}

/** A group's header row: a toggle with the group's name and its counts per state. */
export function GroupHeader(
  { live, names, label, open, onToggle, columns }: {
    live: LiveState;
    names: string[];
    label: string;
    open: boolean;
    onToggle: () => void;
    columns: number;
  },
) {
  const counts = useComputed(() => {
    const c = zeroCounts();
    for (const n of names) {
      const r = live.rows.get(n)?.value;
      if (r) c[categoryOf(r, live.now.value)]++;
    }
    return c;
  });
  const parts = CATEGORIES.filter((c) => counts.value[c] > 0);
  return (
    <tr class="table-group">
      <th colSpan={columns} scope="colgroup">
        <button type="button" aria-expanded={open} onClick={onToggle}>
          <span aria-hidden="true">{open ? "▾ " : "▸ "}</span>
          <span class="table-group-name">{label}</span> <span class="muted">({names.length})</span>
          {parts.map((c) => (
            <span key={c} class={`table-group-count count-${c}`}>
              {` ${counts.value[c]} ${c}`}
            </span>
          ))}
        </button>
      </th>
    </tr>
  );
}

/** The link state ("● Live", "Connecting…", signed out). */
export function LinkState({ live }: { live: LiveState }) {
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
