/**
 * The dashboard island: broken-first live rows, state counts that follow the search, sortable
 * columns, groups by tag/site/host, the host-outage banner, all of it mirrored in the URL.
 */

import { batch, useComputed, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { type LiveState, liveState } from "./signals.ts";
import { Counts, GroupHeader, LinkState, OutageBanner, SortHeader } from "./table_bar.tsx";
import { matchesSearch, parseQuery, queryString, type TableQuery } from "./table_query.ts";
import { StreamRow } from "./table_row.tsx";
import {
  type Category,
  categoryOf,
  type GroupBy,
  groupRows,
  hostOutages,
  type Sort,
  sortRows,
  zeroCounts,
} from "./table_sort.ts";
import type { Row } from "./types.ts";

/**
 * Props: the rows (server render only: the browser takes them from the first snapshot), the
 * server clock, the configured time zone, and the table state from the URL (`q`, `state`, `tag`,
 * `sort`, `group`).
 */
export interface LiveTableProps {
  rows?: Row[];
  now: number;
  /** The configured time zone (IANA name) for the banner's times; default UTC. */
  tz?: string;
  q?: string;
  state?: string;
  tag?: string;
  sort?: string;
  group?: string;
}

const COLUMNS = 9;
const GROUP_LABEL: Record<Exclude<GroupBy, "">, [string, string]> = {
  tag: ["Tag", "No tag"],
  site: ["Site", "No site"],
  host: ["Host", "No host"],
};

/** A group's rows, or nothing while it is collapsed. */
function GroupBody(
  { live, names, label, grouped, open, onToggle }: {
    live: LiveState;
    names: string[];
    label: string;
    grouped: boolean;
    open: boolean;
    onToggle: () => void;
  },
) {
  return (
    <tbody>
      {grouped && (
        <GroupHeader
          live={live}
          names={names}
          label={label}
          open={open}
          onToggle={onToggle}
          columns={COLUMNS}
        />
      )}
      {open && names.map((n) => <StreamRow key={n} row={live.rows.get(n)!} now={live.now} />)}
    </tbody>
  );
}

/** The live stream table. */
export function LiveTable(props: LiveTableProps) {
  const live = liveState(props.rows ?? [], props.now, "/events");
  // The browser reads its own URL (the source of truth after back/forward); the server, the props.
  const initial = typeof location === "undefined"
    ? parseQuery(props as unknown as Record<string, string | undefined>)
    : parseQuery(location.search);
  const q = useSignal(initial.q);
  const filter = useSignal<Category | "">(initial.state);
  const tag = useSignal(initial.tag);
  const sort = useSignal<Sort>(initial.sort);
  const group = useSignal<GroupBy>(initial.group);
  const closed = useSignal<ReadonlySet<string>>(new Set());
  const tz = props.tz ?? "UTC";
  const query = useComputed<TableQuery>(() => ({
    q: q.value,
    state: filter.value,
    tag: tag.value,
    sort: sort.value,
    group: group.value,
  }));
  const set = (next: TableQuery) =>
    batch(() => {
      q.value = next.q;
      filter.value = next.state;
      tag.value = next.tag;
      sort.value = next.sort;
      group.value = next.group;
    });
  /** Mirrors the table state in the URL: a new history entry, or (while typing) the same one. */
  const commit = (push: boolean) => {
    if (typeof history === "undefined") return;
    const s = queryString(query.peek());
    if (s === location.search) return;
    history[push ? "pushState" : "replaceState"](null, "", location.pathname + s);
  };
  const change = (patch: Partial<TableQuery>, push = true) => {
    set({ ...query.peek(), ...patch });
    commit(push);
  };
  useEffect(() => {
    const onPop = () => set(parseQuery(location.search));
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

  const all = useComputed(() => live.order.value.map((n) => live.rows.get(n)?.value));
  // A string, so it only notifies when the set of tags really changes.
  const tagKey = useComputed(() =>
    [...new Set(all.value.flatMap((r) => r?.tags ?? []))].sort().join("\n")
  );
  const tags = tagKey.value ? tagKey.value.split("\n") : [];
  const searched = useComputed(() =>
    all.value.filter((r): r is Row => r !== undefined && matchesSearch(r, q.value, tag.value))
  );
  const counts = useComputed(() => {
    const c = zeroCounts();
    for (const r of searched.value) c[categoryOf(r, live.now.value)]++;
    return c;
  });
  const outages = useComputed(() => hostOutages(all.value.filter((r) => r !== undefined)));
  const prev = useRef<{ key: string; groups: ReturnType<typeof groupRows> } | null>(null);
  // Recomputed on every row change, but it hands back the same groups while the layout (groups
  // and their names in order) is unchanged, so the table body does not re-render.
  const groups = useComputed(() => {
    const t = live.now.value;
    const shown = searched.value.filter((r) => !filter.value || categoryOf(r, t) === filter.value);
    const gs = groupRows(sortRows(shown, sort.value, t), group.value, t);
    const key = gs.map((g) => `${g.key}\u0000${g.names.join("\u0000")}`).join("\u0001");
    if (prev.current?.key === key) return prev.current.groups;
    return (prev.current = { key, groups: gs }).groups;
  });
  const setSort = (s: Sort) => change({ sort: s });
  const total = live.order.value.length;
  const shownCount = groups.value.reduce((n, g) => n + g.names.length, 0);
  const qs = queryString(query.value);
  const by = group.value;
  return (
    <div class="live">
      <div class="toolbar">
        <LinkState live={live} />
        <Counts
          counts={counts.value}
          total={searched.value.length}
          filter={filter.value}
          onPick={(s) => change({ state: s })}
        />
        <label class="search">
          <span class="sr">Search streams</span>
          <input
            type="search"
            placeholder="Search name, tag or host"
            value={q.value}
            onInput={(e) => change({ q: (e.target as HTMLInputElement).value }, false)}
          />
        </label>
        {tags.length > 0 && (
          <label>
            <span class="sr">Tag</span>
            <select
              value={tag.value}
              onChange={(e) => change({ tag: (e.target as HTMLSelectElement).value })}
            >
              <option value="">All tags</option>
              {tags.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </label>
        )}
        <label>
          <span class="sr">Group</span>
          <select
            class="table-group-by"
            value={by}
            onChange={(e) => change({ group: (e.target as HTMLSelectElement).value as GroupBy })}
          >
            <option value="">No groups</option>
            <option value="tag">Group by tag</option>
            <option value="site">Group by site</option>
            <option value="host">Group by host</option>
          </select>
        </label>
        <nav class="table-views" aria-label="View">
          <a href={`/${qs}`} aria-current="page">Table</a>
          <a href={`/grid${qs}`} class="table-grid-link">Grid</a>
        </nav>
      </div>
      {live.configError.value && (
        <p class="alert" role="alert">
          config.yaml was not applied: {live.configError.value}. The last good config keeps running.
        </p>
      )}
      <OutageBanner
        outages={outages.value}
        tz={tz}
        now={live.now.value}
        onShow={by === "host" ? undefined : () => change({ group: "host" })}
      />
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
                <SortHeader label="Stream" sortKey="name" query={query.value} onSort={setSort} />
                <SortHeader label="State" sortKey="status" query={query.value} onSort={setSort} />
                <SortHeader
                  label="Latency"
                  sortKey="latency"
                  query={query.value}
                  onSort={setSort}
                  num
                />
                <SortHeader
                  label="Last check"
                  sortKey="last"
                  query={query.value}
                  onSort={setSort}
                />
                <SortHeader label="For" sortKey="for" query={query.value} onSort={setSort} />
                <SortHeader label="24 h" sortKey="up24h" query={query.value} onSort={setSort} num />
                <SortHeader label="7 d" sortKey="up7d" query={query.value} onSort={setSort} num />
                <SortHeader label="30 d" sortKey="up30d" query={query.value} onSort={setSort} num />
                <th scope="col">Trend</th>
              </tr>
            </thead>
            {groups.value.map((g) => (
              <GroupBody
                key={g.key}
                live={live}
                names={g.names}
                label={by ? `${GROUP_LABEL[by][0]} ${g.key || GROUP_LABEL[by][1]}` : ""}
                grouped={by !== ""}
                open={!closed.value.has(g.key)}
                onToggle={() => {
                  const next = new Set(closed.value);
                  if (!next.delete(g.key)) next.add(g.key);
                  closed.value = next;
                }}
              />
            ))}
          </table>
        )}
      {total > 0 && shownCount === 0 && <p class="muted">No stream matches the filter.</p>}
    </div>
  );
}
